"""The plan document (the `scarplan plan --json` contract, architecture.md) as the import reads
it, and the plan facts a document implies.

The model is strict and closed: every element the planner writes, with its type and the shared
vocabulary where one applies, and nothing else, so a document that was damaged or edited into
something the plan page, the reports and plan edits cannot read is refused at the bundle path it
came from. Text is bounded, so is every list.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from scarplan.adapters.fhir.record import PlanFacts, PlannedSessionFacts, RoutineStep
from scarplan.domain.vocabulary import Agent, Fitzpatrick, Modality, Region, ScarType
from scarplan.knowledge.schema.common import SourceId
from scarplan.knowledge.schema.modalities import PlanRole

MAX_ITEMS = 1000
Bounded = Field(max_length=MAX_ITEMS)
Day = date
Text = Annotated[str, StringConstraints(max_length=20_000)]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Count = Annotated[int, Field(ge=0, le=100_000)]
Amount = Annotated[float, Field(ge=0, le=100_000_000)]
Sources = Annotated[list[SourceId], Bounded]


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class Statement(Closed):
    text: Text
    sources: Sources


class Recommended(Closed):
    modality: Modality
    targets: Annotated[list[ScarType], Bounded]
    regions: Annotated[list[Region], Bounded]
    score: float
    in_plan: bool
    not_in_plan_reason: Text | None
    reasons: Annotated[list[Text], Bounded]
    expected: Annotated[list[Statement], Bounded]
    cautions: Annotated[list[Text], Bounded]
    sources: Sources


class Excluded(Closed):
    modality: Modality
    targets: Annotated[list[ScarType], Bounded]
    reasons: Annotated[list[Text], Bounded]
    relax: Text | None
    sources: Sources


class Figure(Closed):
    value: Count
    basis: Text
    sources: Sources


class Interval(Figure):
    max: Count | None


class Course(Closed):
    modality: Modality
    role: PlanRole
    sessions: Figure
    published_sessions: Text
    interval_days: Interval
    downtime_days: Figure
    earliest: Day
    first: Day
    last: Day


class Precedence(Closed):
    first: Modality
    then: Modality
    gap_days: Figure
    rule: Text
    reason: Text


class Money(Closed):
    amount: Amount
    currency: Code


class Session(Closed):
    date: Day
    modality: Modality
    number: Annotated[int, Field(ge=1, le=MAX_ITEMS)]
    of: Annotated[int, Field(ge=1, le=MAX_ITEMS)]
    targets: Annotated[list[ScarType], Bounded]
    regions: Annotated[list[Region], Field(min_length=1, max_length=len(Region))]
    downtime_days: Annotated[int, Field(ge=0, le=365)]
    recovered_by: Day
    cost: Money | None
    cost_basis: Text | None


class Total(Closed):
    """The plan's cost: `amount` and `currency` together, or neither (never null)."""

    amount: Amount | None = None
    currency: Code | None = None
    complete: bool
    unpriced: Annotated[list[Modality], Bounded]

    @model_validator(mode="after")
    def _both_or_neither(self) -> Self:
        given = {"amount", "currency"} & self.model_fields_set
        if given and (len(given) == 1 or self.amount is None or self.currency is None):
            raise ValueError("give both amount and currency, or neither")
        return self


class Step(Closed):
    agent: Agent
    name: Text
    order: Count
    strength: Text
    dose: Text
    frequency: Text
    already_used: bool
    why: Annotated[list[Statement], Bounded]


class CalendarEntry(Closed):
    date: Day
    until: Day | None
    agent: Agent | None
    event: Text
    text: Text
    sources: Sources


class Check(Closed):
    kind: Text
    agents: Annotated[list[Agent], Bounded]
    message: Text
    resolution: Text
    sources: Sources


class LeftOut(Closed):
    agent: Agent
    reason: Text
    sources: Sources


class Advice(Closed):
    topic: Text
    items: Annotated[list[Statement], Bounded]


class Routine(Closed):
    start_date: Day
    am: Annotated[list[Step], Bounded]
    pm: Annotated[list[Step], Bounded]
    calendar: Annotated[list[CalendarEntry], Bounded]
    checks: Annotated[list[Check], Bounded]
    left_out: Annotated[list[LeftOut], Bounded]
    advice: Annotated[list[Advice], Bounded]
    referral: Annotated[list[Statement], Bounded]
    notes: Annotated[list[Text], Bounded]
    notice: Text


class PlanDocument(Closed):
    patient_id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    start_date: Day
    fitzpatrick: Fitzpatrick | None
    scars: dict[ScarType, Count]
    recommended: Annotated[list[Recommended], Bounded]
    excluded: Annotated[list[Excluded], Bounded]
    courses: Annotated[list[Course], Bounded]
    sequence: Annotated[list[Precedence], Bounded]
    sessions: Annotated[list[Session], Bounded]
    total_cost: Total
    budget: Money | None
    end_date: Day | None
    routine: Routine | None
    notes: Annotated[list[Text], Bounded]
    notice: Text


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
