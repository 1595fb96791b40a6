"""The plan facts a plan document implies, for the FHIR bundle."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from scarplan.adapters.fhir.record import PlanFacts, PlannedSessionFacts, RoutineStep
from scarplan.planning.document import PlanDocument


def plan_facts(
    document: PlanDocument,
    status: str,
    assessment: int,
    done: set[int],
    routine: dict[str, Any] | None,
) -> PlanFacts:
    """A plan document and its home routine as FHIR facts, the document itself carried along
    (as its JSON, which the bundle holds); `done` holds the positions of planned sessions a
    performed session fulfilled."""
    return PlanFacts(
        status=status,
        start=document.start_date,
        assessment=assessment,
        sessions=tuple(
            PlannedSessionFacts(
                day=item.date,
                modality=item.modality.value,
                regions=tuple(r.value for r in item.regions),
                targets=tuple(t.value for t in item.targets),
                downtime_days=item.downtime_days,
                cost=Decimal(str(item.cost.amount)) if item.cost is not None else None,
                currency=item.cost.currency if item.cost is not None else None,
                done=position in done,
            )
            for position, item in enumerate(document.sessions)
        ),
        routine=routine_steps(routine),
        notes=tuple(document.notes),
        document=document.model_dump(mode="json"),
    )


def routine_steps(routine: dict[str, Any] | None) -> tuple[RoutineStep, ...]:
    """The routine's morning and evening steps as they appear in a bundle."""
    if not routine:
        return ()
    return tuple(
        RoutineStep(
            slot=slot,
            agent=step["agent"],
            text=" ".join(part for part in (step["name"], step.get("strength", "")) if part),
            dose=step.get("dose", ""),
            frequency=step["frequency"],
            order=step["order"],
        )
        for slot in ("am", "pm")
        for step in routine.get(slot, [])
    )
