"""agents.yaml: home-care agents, their strengths, safety and pauses around procedures."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, StrictBool

from scarplan.domain.vocabulary import Agent, Fitzpatrick, Modality
from scarplan.knowledge.schema.common import Cited, CitedRange, Number, Statement, StrictModel, Text


class AgentClass(StrEnum):
    RETINOID = "retinoid"
    AHA = "aha"
    BHA = "bha"
    ANTIMICROBIAL = "antimicrobial"
    ANTI_INFLAMMATORY = "anti_inflammatory"
    DEPIGMENTING = "depigmenting"
    SUNSCREEN = "sunscreen"
    DRESSING = "dressing"
    ORAL = "oral"


class TimeOfDay(StrEnum):
    AM = "am"
    PM = "pm"
    ANY = "any"


class Level(StrEnum):
    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class PregnancyStatus(StrEnum):
    ACCEPTABLE = "acceptable"
    CAUTION = "caution"
    AVOID = "avoid"
    CONTRAINDICATED = "contraindicated"


class Strength(Cited):
    form: Text
    percent: tuple[Number, ...] = ()
    otc: StrictBool | None = None
    note: str = ""


class Rated(Cited):
    level: Level
    note: str = ""


class Photosensitivity(Cited):
    photosensitising: StrictBool
    note: str = ""


class Pregnancy(Cited):
    status: PregnancyStatus
    note: Text


class Application(Cited):
    time_of_day: TimeOfDay
    order: int = Field(ge=1, le=9)
    """Layering order within a routine, thinnest first: 1 cleanser-like ... 9 sunscreen last."""
    note: str = ""


class Frequency(StrEnum):
    """How often an agent is applied, from once a week to twice a day."""

    ONCE_WEEKLY = "once_weekly"
    TWICE_WEEKLY = "twice_weekly"
    THREE_TIMES_WEEKLY = "three_times_weekly"
    FOUR_TIMES_WEEKLY = "four_times_weekly"
    FIVE_TIMES_WEEKLY = "five_times_weekly"
    SIX_TIMES_WEEKLY = "six_times_weekly"
    EVERY_OTHER_DAY = "every_other_day"
    DAILY = "daily"
    TWICE_DAILY = "twice_daily"

    @property
    def days_per_week(self) -> float:
        return _DAYS_PER_WEEK[self]


_DAYS_PER_WEEK = {
    Frequency.ONCE_WEEKLY: 1.0,
    Frequency.TWICE_WEEKLY: 2.0,
    Frequency.THREE_TIMES_WEEKLY: 3.0,
    Frequency.FOUR_TIMES_WEEKLY: 4.0,
    Frequency.FIVE_TIMES_WEEKLY: 5.0,
    Frequency.SIX_TIMES_WEEKLY: 6.0,
    Frequency.EVERY_OTHER_DAY: 3.5,
    Frequency.DAILY: 7.0,
    Frequency.TWICE_DAILY: 7.0,
}


class TitrationStep(Cited):
    """One step of a start-low schedule: this frequency for `weeks` weeks (None: from then on)."""

    frequency: Frequency
    weeks: int | None = Field(default=None, ge=1, le=52)
    note: str = ""


class Dose(Cited):
    """How much to apply each time, in the words of the source (e.g. a pea-sized amount)."""

    amount: Text
    note: str = ""


class Pause(Cited):
    """How long to stop an agent before and after a procedure."""

    modalities: tuple[Modality, ...] = Field(min_length=1)
    before_days: CitedRange
    after_days: CitedRange | None = None
    resume_when: Text
    skin_types: tuple[Fitzpatrick, ...] = ()
    """Empty means every skin type; otherwise this pause applies to these types only."""


class AgentEntry(StrictModel):
    id: Agent
    name: Text
    agent_class: AgentClass
    prescription_only: StrictBool
    purpose: tuple[Statement, ...] = Field(min_length=1)
    strengths: tuple[Strength, ...] = ()
    application: Application | None = None
    irritation: Rated
    photosensitivity: Photosensitivity
    pregnancy: Pregnancy
    pauses: tuple[Pause, ...] = ()
    titration: tuple[Statement, ...] = ()
    titration_steps: tuple[TitrationStep, ...] = ()
    """A dated start-low schedule; the last step (weeks: null) is the maintenance frequency."""
    gentle_titration_steps: tuple[TitrationStep, ...] = ()
    """A slower published schedule, used for sensitive skin and Fitzpatrick IV-VI."""
    dose: Dose | None = None
    max_course_weeks: CitedRange | None = None
    """The longest continuous use the sources support (e.g. hydroquinone, whose ochronosis was
    reported mostly after courses longer than 3 months); a routine that starts the agent stops it
    by the lower end."""
    notes: tuple[Statement, ...] = ()


class ConflictKind(StrEnum):
    DEGRADES = "degrades"
    IRRITATION = "irritation"


class AgentConflict(Cited):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    agents: tuple[Agent, Agent]
    kind: ConflictKind
    reason: Text
    resolution: Text


class AgentsFile(StrictModel):
    agents: tuple[AgentEntry, ...]
    conflicts: tuple[AgentConflict, ...] = ()
