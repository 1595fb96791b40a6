"""What a report says, as plain data: the services fill it from the assessment, the plan, the
routine and the knowledge base; the templates only lay it out. Citations are numbers into
`ReportContent.sources`, numbered in the order the report first cites them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Variant(StrEnum):
    PATIENT = "patient"
    """Plain words for the patient to take home."""
    CLINICIAN = "clinician"
    """Scores, measurements, parameters, cautions and codes for the record."""


@dataclass(frozen=True)
class Cited:
    text: str
    refs: tuple[int, ...] = ()


@dataclass(frozen=True)
class SourceEntry:
    number: int
    id: str
    citation: str
    link: str
    """DOI, PubMed or web address; empty when the source has none."""


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class ScarTypeSummary:
    id: str
    name: str
    count: int
    regions: tuple[str, ...]
    explanation: Cited


@dataclass(frozen=True)
class RegionLoad:
    region: str
    count: int
    grade: int
    """Goodman & Baron qualitative grade of the region (0 when no scar was recorded there)."""
    types: tuple[str, ...]


@dataclass(frozen=True)
class Grade:
    """One step of the Goodman & Baron qualitative scale, for the face-map legend."""

    grade: int
    name: str


@dataclass(frozen=True)
class Score:
    name: str
    value: str
    meaning: Cited
    details: tuple[str, ...] = ()
    """Clinician variant: how the score was made (items, points, multipliers)."""


@dataclass(frozen=True)
class LesionRow:
    region: str
    type: str
    type_source: str
    count: int
    width_mm: float | None
    depth_mm: float | None
    note: str


@dataclass(frozen=True)
class Procedure:
    modality: str
    name: str
    summary: str
    targets: tuple[str, ...]
    regions: tuple[str, ...]
    sessions: int
    reasons: tuple[str, ...]
    expected: tuple[Cited, ...]
    cautions: tuple[str, ...]
    downtime: Cited | None
    aftercare: tuple[Cited, ...]
    risks: tuple[Cited, ...]
    skin_type_risk: Cited | None
    parameters: tuple[Cited, ...]
    refs: tuple[int, ...]
    in_plan: bool = True
    not_in_plan_reason: str = ""


@dataclass(frozen=True)
class Discussion:
    """A caution to talk over with the clinician, and the procedures it concerns."""

    text: str
    procedures: tuple[str, ...]


@dataclass(frozen=True)
class Excluded:
    modality: str
    reasons: tuple[str, ...]
    relax: str
    refs: tuple[int, ...]


@dataclass(frozen=True)
class NotAdvised:
    """A reason some procedures are not advised now, stated once, with those procedures."""

    reasons: tuple[str, ...]
    modalities: tuple[str, ...]
    relax: str
    refs: tuple[int, ...]


@dataclass(frozen=True)
class SessionRow:
    day: date
    modality: str
    number: int
    of: int
    regions: tuple[str, ...]
    downtime_days: int
    cost: str
    done: bool = False


@dataclass(frozen=True)
class Review:
    """A re-assessment visit after a course."""

    day: date
    after: str
    """The procedure whose course it follows (modality id)."""
    after_session: int
    reason: str


@dataclass(frozen=True)
class Booked:
    """A procedure booked for a lesion group, with its visits as the plan stands."""

    modality: str
    name: str
    plain: str
    """What it does, in a patient's words (empty when there is no short description)."""
    sessions: int
    spacing: str
    """How far apart the visits are ("2 weeks apart", "2-4 weeks apart"; empty for one)."""


@dataclass(frozen=True)
class NotPossible:
    modality: str
    reason: str
    """Why, in a few words where the full reason is stated once under `not_advised`."""
    modalities: tuple[str, ...] = ()
    """Every procedure not possible for the same reason (`modality` is the first)."""


@dataclass(frozen=True)
class LesionGroup:
    """One assessed lesion group and what treats it, numbered as on the treatment face map."""

    number: int
    region: str
    type: str
    count: int
    label: str
    technique: Booked | None
    """The scar-by-scar technique (focal or release), if one is booked."""
    field: Booked | None
    """The whole-area (resurfacing) course that treats its region, if one is booked."""
    then: tuple[Booked, ...]
    """Later treatments after the whole-area course (a filler)."""
    not_possible: tuple[NotPossible, ...]
    reason: Cited
    plain: str
    """Patient variant: the group and its treatment in one plain sentence."""


@dataclass(frozen=True)
class DateWindow:
    start: date
    end: date
    reason: str


@dataclass(frozen=True)
class RoutineStep:
    name: str
    strength: str
    frequency: str
    why: tuple[Cited, ...]


@dataclass(frozen=True)
class CalendarEntry:
    start: date
    until: date | None
    text: str
    refs: tuple[int, ...]


@dataclass(frozen=True)
class AdviceTopic:
    topic: str
    items: tuple[Cited, ...]


@dataclass(frozen=True)
class Routine:
    am: tuple[RoutineStep, ...]
    pm: tuple[RoutineStep, ...]
    calendar: tuple[CalendarEntry, ...]
    checks: tuple[Cited, ...]
    advice: tuple[AdviceTopic, ...]
    referral: tuple[Cited, ...]
    stops: tuple[Stop, ...] = ()
    """Agents the patient uses now and must stop now (e.g. tretinoin in pregnancy), and why."""


@dataclass(frozen=True)
class Stop:
    """'Stop tretinoin now: ...' and why, cited."""

    instruction: str
    why: Cited


@dataclass(frozen=True)
class Costs:
    total: str
    complete: bool
    unpriced: tuple[str, ...]
    budget: str
    estimates: tuple[Cited, ...]
    """Published price ranges for the procedures the clinic has not priced."""


@dataclass(frozen=True)
class Code:
    system: str
    code: str
    display: str


@dataclass(frozen=True)
class PerformedSession:
    day: date
    modality: str
    regions: tuple[str, ...]
    practitioner: str
    parameters: tuple[Fact, ...]
    adverse_events: tuple[str, ...]


@dataclass(frozen=True)
class ConsentLine:
    """A signed procedure consent, as the report lists it."""

    procedure: str
    status: str
    """'signed', 'awaiting countersignature' or 'withdrawn'."""
    signed_on: date
    signed_by: str
    countersigned_by: str | None
    countersigned_on: date | None
    withdrawn_on: date | None
    withdrawal_reason: str | None
    seal: str
    """The SHA-256 over the consent as signed."""


@dataclass(frozen=True)
class ReportContent:
    variant: Variant
    subject: str
    """Who the report is about: the patient's name in the clinic, the case id for a case file."""
    generated_on: date
    assessed_on: date
    notice: str
    facts: tuple[Fact, ...]
    scar_types: tuple[ScarTypeSummary, ...]
    regions: tuple[RegionLoad, ...]
    grades: tuple[Grade, ...]
    scores: tuple[Score, ...]
    lesions: tuple[LesionRow, ...]
    warnings: tuple[str, ...]
    procedures: tuple[Procedure, ...]
    considered: tuple[Procedure, ...]
    discuss: tuple[Discussion, ...]
    """The scheduled procedures' cautions, each once."""
    excluded: tuple[Excluded, ...]
    """One per excluded procedure, as in the plan."""
    order: tuple[Cited, ...]
    sessions: tuple[SessionRow, ...]
    avoid: tuple[DateWindow, ...]
    plan_problem: tuple[str, ...]
    """Why no plan could be made (conflicting constraints), when none could."""
    costs: Costs | None
    routine: Routine | None
    notes: tuple[str, ...]
    codes: tuple[Code, ...]
    performed: tuple[PerformedSession, ...]
    lesion_groups: tuple[LesionGroup, ...] = ()
    """What treats each assessed lesion group (none for plans made before lesion groups)."""
    reviews: tuple[Review, ...] = ()
    not_advised: tuple[NotAdvised, ...] = ()
    """The exclusions grouped: each reason once, with the procedures it keeps out."""
    expectations: tuple[Cited, ...] = ()
    """What treatment can achieve: scars improve, they are not erased (techniques.yaml)."""
    progress: str = ""
    """How far the plan has gone ("2 of 4 planned sessions done; ..."); empty without one."""
    consents: tuple[ConsentLine, ...] = ()
    """The patient's signed procedure consents, oldest first (a stored patient only)."""
    sources: tuple[SourceEntry, ...] = field(default=())
