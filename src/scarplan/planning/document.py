"""The plan document: the `scarplan plan --json` contract (architecture.md) as one typed model.

The planner's result is presented as this model (services.planning.plan_document), stored as
it is in each plan version, read back through it by plan edits, the clinic calendar, reports,
FHIR and the API, and shown in the OpenAPI document. It is strict and closed: every element the
planner writes, with its type and the shared vocabulary where one applies, and nothing else, so
a document damaged or edited into something the pages cannot read is refused where it came
from. Text is bounded, so is every list.

Version 1 documents (before per-lesion-group plans) still read: every element added since has a
default (no lesion groups, no reviews, whole-course orders, the clinic's default gap).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from scarplan.domain.vocabulary import Agent, Fitzpatrick, Modality, Region, ScarType
from scarplan.knowledge.schema.common import SourceId
from scarplan.knowledge.schema.modalities import PlanRole
from scarplan.knowledge.schema.rules import SequenceAnchor
from scarplan.planning.courses import PriceSource
from scarplan.planning.gaps import CourseTiming, GapRules, Order, Turn

MAX_ITEMS = 1000


def _omitted() -> Any:
    """An optional element left out of the JSON when it has no value (a range only where
    there is one)."""
    return Field(default=None, exclude_if=lambda value: value is None)


Bounded = Field(max_length=MAX_ITEMS)
Day = date
Text = Annotated[str, StringConstraints(max_length=20_000)]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Count = Annotated[int, Field(ge=0, le=100_000)]
Amount = Annotated[float, Field(ge=0, le=100_000_000)]
Sources = Annotated[list[SourceId], Bounded]
Indices = Annotated[list[Count], Bounded]


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class Statement(Closed):
    text: Text
    sources: Sources


class Tier(StrEnum):
    FIRST_LINE = "first_line"
    SECOND_LINE = "second_line"
    OTHER = "other"


class Recommended(Closed):
    modality: Modality
    targets: Annotated[list[ScarType], Bounded]
    regions: Annotated[list[Region], Bounded]
    score: float
    """Expected benefit: suitability for the scars present by their share, evidence, risk."""
    tier: Tier = Tier.OTHER
    line: Text = ""
    """Why it holds its tier, in words (e.g. the technique for narrow ice pick scars)."""
    lesion_groups: Indices = []
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
    causes: Annotated[list[Text], Bounded] = []
    """Each reason in a few words, parallel to `reasons` (empty in plans stored before)."""


class PlanCaution(Closed):
    """A caution stated once for the plan, with the recommended procedures it concerns."""

    text: Text
    procedures: Annotated[list[Modality], Bounded]
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
    after: SequenceAnchor = SequenceAnchor.COURSE
    """`then` waits for the whole course of `first`, or only its first session."""
    gap_days: Figure
    rule: Text
    reason: Text


class Alternation(Closed):
    modalities: Annotated[list[Modality], Field(min_length=2, max_length=2)]
    gap_days: Figure
    max_days: Count | None
    rule: Text
    note: Text


class NotPossible(Closed):
    modality: Modality
    reason: Text


class LesionGroupPlan(Closed):
    """What treats one assessed lesion group, and why."""

    index: Count
    region: Region
    type: ScarType
    count: Count
    label: Text
    rule: Text | None
    technique: Modality | None
    """The focal or release technique booked for it (null: the field treatment only)."""
    field: Modality | None
    """The field (resurfacing) course that treats its region, if booked."""
    then: Annotated[list[Modality], Bounded]
    """Later treatments after the field course (a filler)."""
    not_possible: Annotated[list[NotPossible], Bounded]
    reason: Text
    sources: Sources


class PreparationItem(Closed):
    """A test (skin test, test spot) or a priming period before a procedure's first session."""

    kind: Annotated[str, StringConstraints(pattern=r"^(test|priming)$")]
    what: Text
    date: Day
    """The day the test is placed, or priming starts."""
    until: Day
    """The day the test is read, or the first session priming leads to."""
    before: Annotated[list[Modality], Bounded]
    agents: Annotated[list[Agent], Bounded] = []
    reason: Text
    sources: Sources


class Review(Closed):
    """A re-assessment visit after a course (or before the second half of a long one)."""

    date: Day
    after: Modality
    after_session: Annotated[int, Field(ge=1, le=MAX_ITEMS)]
    reason: Text


class Money(Closed):
    amount: Amount
    currency: Code


class SessionCost(Money):
    """What one session costs and where the price comes from. `amount` is the figure the plan
    counts (and the budget check): a clinic price, or the upper end of a published estimate,
    whose range `min` and `max` give."""

    source: PriceSource | None = _omitted()
    """`clinic` or `published_estimate`; absent only in plans stored before costs said so."""
    min: Amount | None = _omitted()
    max: Amount | None = _omitted()

    @model_validator(mode="after")
    def _range(self) -> Self:
        if (self.min is None) != (self.max is None):
            raise ValueError("give both min and max, or neither")
        if self.min is not None and self.max is not None and not self.min <= self.max:
            raise ValueError("min is greater than max")
        return self


class SessionParameter(Closed):
    """A technique setting the clinician chose for a session, within the knowledge base's
    published range for it (`modalities.yaml` `parameters`, named as there)."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    value: Annotated[float, Field(ge=0, le=100_000)]
    unit: Annotated[str, StringConstraints(max_length=50)]


class Session(Closed):
    date: Day
    modality: Modality
    number: Annotated[int, Field(ge=1, le=MAX_ITEMS)]
    of: Annotated[int, Field(ge=1, le=MAX_ITEMS)]
    targets: Annotated[list[ScarType], Bounded]
    regions: Annotated[list[Region], Field(min_length=1, max_length=len(Region))]
    downtime_days: Annotated[int, Field(ge=0, le=365)]
    recovered_by: Day
    lesion_groups: Indices = []
    cost: SessionCost | None
    """Never null in a plan made now (a procedure is never free); null in plans stored before
    every procedure had a price."""
    cost_basis: Text | None
    parameters: Annotated[list[SessionParameter], Bounded] = Field(
        default_factory=list, exclude_if=lambda value: not value
    )
    """Technique settings chosen by the clinician (absent: none chosen; the planner sets none)."""


class Total(Closed):
    """The plan's cost: `amount` and `currency` together, or neither (never null).

    `amount` is the planned total (clinic prices and the upper ends of published estimates);
    where any session is priced by an estimate, `min` and `max` give the range. `complete` is
    true and `unpriced` empty in plans made now; older plans may list sessions without a price."""

    amount: Amount | None = None
    currency: Code | None = None
    min: Amount | None = _omitted()
    """The total at the low ends of the published estimates (absent: no estimate used)."""
    max: Amount | None = _omitted()
    complete: bool
    unpriced: Annotated[list[Modality], Bounded]

    @model_validator(mode="after")
    def _both_or_neither(self) -> Self:
        given = {"amount", "currency"} & self.model_fields_set
        if given and (len(given) == 1 or self.amount is None or self.currency is None):
            raise ValueError("give both amount and currency, or neither")
        if (self.min is None) != (self.max is None):
            raise ValueError("give both min and max, or neither")
        if self.min is not None and (self.amount is None or self.max is None):
            raise ValueError("a range needs the amount too")
        if self.min is not None and self.max is not None and not self.min <= self.max:
            raise ValueError("min is greater than max")
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
    stop_now: Text | None = None
    """For an agent the patient uses now that is unsafe for her (e.g. tretinoin in pregnancy):
    'Stop tretinoin now: ...'; `reason` says why."""


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
    cautions: Annotated[list[PlanCaution], Bounded] = []
    """Each distinct caution of `recommended` once (empty in plans stored before)."""
    excluded: Annotated[list[Excluded], Bounded]
    lesion_groups: Annotated[list[LesionGroupPlan], Bounded] = []
    courses: Annotated[list[Course], Bounded]
    sequence: Annotated[list[Precedence], Bounded]
    alternations: Annotated[list[Alternation], Bounded] = []
    default_gap_days: Count | None = None
    """The clinic's gap between different procedures when planned (null: before it was kept)."""
    sessions: Annotated[list[Session], Bounded]
    reviews: Annotated[list[Review], Bounded] = []
    preparations: Annotated[list[PreparationItem], Bounded] = []
    total_cost: Total
    budget: Money | None
    budget_checked: bool = True
    """False when the budget's currency differs from the prices' (no exchange rate is
    applied, so the plan was not held to it; a note says so)."""
    end_date: Day | None
    routine: Routine | None
    notes: Annotated[list[Text], Bounded]
    notice: Text

    def gap_rules(self, default_gap_days: int) -> GapRules:
        """The plan's own gap rule (planning.gaps) as it was planned; `default_gap_days`
        stands in for documents from before the default was recorded."""
        courses = {
            c.modality: CourseTiming(
                c.interval_days.value,
                c.interval_days.max,
                c.downtime_days.value,
                c.interval_days.basis,
                tuple(c.interval_days.sources),
            )
            for c in self.courses
        }
        orders = [
            Order(
                s.first,
                s.then,
                s.gap_days.value,
                s.rule,
                s.reason,
                tuple(s.gap_days.sources),
                s.after,
                s.gap_days.basis,
            )
            for s in self.sequence
        ]
        turns = [
            Turn(
                frozenset(t.modalities),
                t.gap_days.value,
                t.max_days,
                t.rule,
                tuple(t.gap_days.sources),
            )
            for t in self.alternations
        ]
        gap = self.default_gap_days if self.default_gap_days is not None else default_gap_days
        return GapRules(courses, orders, turns, gap)


def read_plan_document(data: Mapping[str, Any]) -> PlanDocument:
    """A plan document from JSON-shaped data (a stored version, the planner's presentation).

    Dates arrive as ISO strings, so values are converted as JSON would be; the model stays
    closed, so an unknown or damaged element is refused with its path."""
    return PlanDocument.model_validate(data, strict=False)
