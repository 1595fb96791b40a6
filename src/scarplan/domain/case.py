"""A case: one patient's situation at one assessment (case file version 1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from scarplan.domain.vocabulary import (
    AcneSeverity,
    Agent,
    Allergy,
    EdgeProfile,
    Fitzpatrick,
    HomeCareBudget,
    Implant,
    IsotretinoinStatus,
    MarkColour,
    MedicalCondition,
    Medication,
    Region,
    ScarType,
    Sex,
)

# Safety facts a clinician must confirm when a case leaves them out (they default to "no").
SAFETY_FIELDS = (
    "pregnant",
    "breastfeeding",
    "keloid_history",
    "herpes_labialis_history",
    "anticoagulants",
    "skin_infection",
    "active_acne",
    "isotretinoin",
)


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class DateWindow:
    """Inclusive dates the patient wants free of procedures and their downtime."""

    start: date
    end: date
    reason: str = ""

    def overlaps(self, start: date, end: date) -> bool:
        return start <= self.end and self.start <= end


@dataclass(frozen=True)
class IsotretinoinHistory:
    status: IsotretinoinStatus = IsotretinoinStatus.NONE
    stopped_on: date | None = None


@dataclass(frozen=True)
class PriorProcedure:
    """A procedure the patient had before: a modality id or `permanent_filler`."""

    kind: str
    regions: tuple[Region, ...] = ()
    day: date | None = None
    product: str = ""


@dataclass(frozen=True)
class Patient:
    id: str
    sex: Sex = Sex.UNKNOWN
    birth_date: date | None = None
    age_years: int | None = None
    fitzpatrick: Fitzpatrick | None = None
    fitzpatrick_answers: tuple[int, ...] | None = None
    pregnant: bool = False
    breastfeeding: bool = False
    keloid_history: bool = False
    herpes_labialis_history: bool = False
    anticoagulants: bool = False
    skin_infection: bool = False
    active_acne: AcneSeverity = AcneSeverity.NONE
    isotretinoin: IsotretinoinHistory = field(default_factory=IsotretinoinHistory)
    sensitive_skin: bool = False
    current_agents: tuple[Agent, ...] = ()
    conditions: tuple[MedicalCondition, ...] = ()
    allergies: tuple[Allergy, ...] = ()
    implants: tuple[Implant, ...] = ()
    medications: tuple[Medication, ...] = ()
    prior_procedures: tuple[PriorProcedure, ...] = ()
    unstated: frozenset[str] = frozenset()
    """Safety fields the case did not state; they took their default and need confirming."""

    def age_on(self, day: date) -> int | None:
        if self.birth_date is not None:
            before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
            return day.year - self.birth_date.year - int(before_birthday)
        return self.age_years


@dataclass(frozen=True)
class Preferences:
    start_date: date | None = None
    budget: Money | None = None
    max_downtime_days: int | None = None
    avoid: tuple[DateWindow, ...] = ()
    home_care_budget: HomeCareBudget | None = None


@dataclass(frozen=True)
class LesionGroup:
    """Scars of one type (given or to be inferred) in one face region."""

    region: Region
    count: int
    type: ScarType | None = None
    width_mm: float | None = None
    depth_mm: float | None = None
    edges: EdgeProfile | None = None
    distensible: bool | None = None
    visible_at_50cm: bool | None = None
    covered_by_makeup: bool | None = None


@dataclass(frozen=True)
class MacularMarks:
    """Flat acne marks in one face region: a change of colour, not of contour (Goodman & Baron
    grade 1). Not scars of a type: they are graded and scored, never planned for."""

    region: Region
    count: int
    colour: MarkColour | None = None


@dataclass(frozen=True)
class Assessment:
    date: date
    lesions: tuple[LesionGroup, ...]
    macular: tuple[MacularMarks, ...] = ()


@dataclass(frozen=True)
class Case:
    patient: Patient
    assessment: Assessment
    preferences: Preferences = field(default_factory=Preferences)
