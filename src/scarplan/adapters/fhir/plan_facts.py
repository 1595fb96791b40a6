"""The plan facts a plan document implies, for the FHIR bundle."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from scarplan.adapters.fhir.record import PlanFacts, PlannedSessionFacts, RoutineStep


def plan_facts(
    document: dict[str, Any],
    status: str,
    assessment: int,
    done: set[int],
    routine: dict[str, Any] | None,
) -> PlanFacts:
    """A plan document and its home routine as FHIR facts, the document itself carried along;
    `done` holds the positions of planned sessions a performed session fulfilled."""
    return PlanFacts(
        status=status,
        start=date.fromisoformat(document["start_date"]),
        assessment=assessment,
        sessions=tuple(
            PlannedSessionFacts(
                day=date.fromisoformat(item["date"]),
                modality=item["modality"],
                regions=tuple(item["regions"]),
                targets=tuple(item.get("targets", ())),
                downtime_days=item["downtime_days"],
                cost=Decimal(str(item["cost"]["amount"])) if item.get("cost") else None,
                currency=item["cost"]["currency"] if item.get("cost") else None,
                done=position in done,
            )
            for position, item in enumerate(document["sessions"])
        ),
        routine=routine_steps(routine),
        notes=tuple(document.get("notes", ())),
        document=document,
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
