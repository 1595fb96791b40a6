"""The clinic scheduling instance (version 1) and the schedule the solver returns.

Pydantic models at the edge: the CLI reads an instance from JSON, the web app builds the same
object from its records. Each model checks what it can see on its own (formats, ranges that run
backwards); `scheduling.validate` checks the references between them and names the JSON path.
docs/scheduling.md describes every field; docs/scheduling.schema.json is generated from here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, model_validator

from scarplan.domain.vocabulary import Modality

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""In `date.weekday()` order."""
MINUTES_PER_DAY = 24 * 60
MAX_HORIZON_DAYS = 731


def _iso_date(value: Any) -> Any:
    """Only a calendar date or an ISO 'YYYY-MM-DD' string; never a timestamp or a number."""
    if isinstance(value, datetime):
        raise ValueError("expected a date like 2027-01-04, not a date and time")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"expected an ISO date like 2027-01-04, got {value!r}") from None
    raise ValueError("expected an ISO date like 2027-01-04")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Int = Annotated[int, Strict()]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")]
SessionId = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^\S(.*\S)?$")]
ClockTime = Annotated[
    str,
    Field(
        pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$",
        description="Time of day, 24-hour 'HH:MM'; '24:00' is the end of the day.",
    ),
]


def minute_of_day(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def clock_time(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TimeRange(_Model):
    """A span of one day, start inclusive, end exclusive."""

    start: ClockTime
    end: ClockTime

    @model_validator(mode="after")
    def _forwards(self) -> Self:
        if minute_of_day(self.end) <= minute_of_day(self.start):
            raise ValueError(
                f"end {self.end} is not after start {self.start}: write the earlier time first"
            )
        return self

    @property
    def minutes(self) -> tuple[int, int]:
        return minute_of_day(self.start), minute_of_day(self.end)


WHOLE_DAY = TimeRange(start="00:00", end="24:00")


class DateRange(_Model):
    """Days from `start` to `end`, both included."""

    start: IsoDate
    end: IsoDate

    @model_validator(mode="after")
    def _forwards(self) -> Self:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


class Horizon(_Model):
    start: IsoDate = Field(description="First day that may be booked.")
    days: Int = Field(ge=1, le=MAX_HORIZON_DAYS, description="Number of days, start included.")


class Practitioner(_Model):
    id: Id
    name: str = Field("", max_length=120)
    procedures: list[Modality] = Field(min_length=1, description="Procedures they may perform.")
    hours: dict[Weekday, list[TimeRange]] = Field(
        description="Weekly working hours; a weekday left out is not worked."
    )
    days_off: list[IsoDate] = Field(default_factory=list)


class Device(_Model):
    id: Id
    name: str = Field("", max_length=120, description="Shown to staff; empty: the id.")
    kind: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        description="The knowledge base's device kind, e.g. co2_laser or rf_device.",
    )
    procedures: list[Modality] | None = Field(
        None,
        description="Procedures it serves; omitted: every procedure whose knowledge-base entry "
        "names this kind.",
    )
    days_off: list[IsoDate] = Field(default_factory=list)


class Room(_Model):
    id: Id
    name: str = Field("", max_length=120, description="Shown to staff; empty: the id.")
    procedures: list[Modality] | None = Field(
        None, description="Procedures it is equipped for; omitted: any."
    )
    days_off: list[IsoDate] = Field(default_factory=list)


class Resources(_Model):
    practitioners: list[Practitioner] = Field(min_length=1)
    devices: list[Device] = Field(default_factory=list)
    rooms: list[Room] = Field(min_length=1)


class Availability(_Model):
    weekdays: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS))
    hours: list[TimeRange] = Field(default_factory=lambda: [WHOLE_DAY], min_length=1)
    unavailable: list[DateRange] = Field(default_factory=list)


class SessionRequest(_Model):
    id: SessionId = Field(description="Unique across the whole instance.")
    procedure: Modality
    duration_minutes: Int | None = Field(
        None, ge=1, description="Omitted: the instance's durations, then the defaults."
    )
    earliest: IsoDate | None = Field(None, description="Not before this day.")
    ideal: IsoDate | None = Field(
        None, description="The day the plan asks for; omitted: no preferred day."
    )
    min_days_after_previous: Int | None = Field(None, ge=0)
    max_days_after_previous: Int | None = Field(None, ge=0)


class PatientRequest(_Model):
    id: Id
    availability: Availability = Field(default_factory=Availability)
    sessions: list[SessionRequest] = Field(min_length=1, description="In treatment order.")


class Instance(_Model):
    version: Literal[1]
    horizon: Horizon
    slot_minutes: Int = Field(
        ge=5, le=240, description="Start times and durations are multiples of this."
    )
    resources: Resources
    patients: list[PatientRequest]
    durations: dict[Modality, Int] = Field(
        default_factory=dict, description="The clinic's session length per procedure, minutes."
    )

    @property
    def end(self) -> date:
        """Last day of the horizon."""
        return date.fromordinal(self.horizon.start.toordinal() + self.horizon.days - 1)


# --- the result ---------------------------------------------------------------------------------


class Assignment(_Model):
    session: SessionId
    patient: Id
    date: IsoDate
    start: ClockTime
    end: ClockTime
    practitioner: Id
    device: Id | None
    room: Id


UnscheduledCode = Literal[
    "no_practitioner",
    "no_device",
    "no_room",
    "outside_horizon",
    "no_availability",
    "interval_chain",
    "previous_unscheduled",
    "no_capacity",
]


class Unscheduled(_Model):
    session: SessionId
    patient: Id
    code: UnscheduledCode
    reason: str


Change = Literal["date", "start", "practitioner", "device", "room"]


class Move(_Model):
    """A booked session that changed (or was booked or dropped) in a rescheduling."""

    session: SessionId
    patient: Id
    before: Assignment | None
    after: Assignment | None
    changes: list[Change]


class Cancelled(_Model):
    """A previous booking whose session is no longer in the instance."""

    session: SessionId
    patient: Id
    before: Assignment


class Objective(_Model):
    """The schedule's value in each phase of the lexicographic objective."""

    scheduled: int
    moved: int | None = None
    deviation_days: int
    peak_utilisation_pct: int


class Bound(_Model):
    """What the solver proved: nothing better than these exists (None: not proven).

    `scheduled` is an upper bound; the others are lower bounds among schedules that book at
    least `Objective.scheduled` sessions and are at least as good in the terms before them.
    """

    scheduled: int | None
    moved: int | None = None
    deviation_days: int | None
    peak_utilisation_pct: int | None


class Phase(_Model):
    name: str
    status: str = Field(description="optimal, feasible, or kept_start (nothing better found).")
    objective: int | None
    bound: int | None
    seconds: float


class Stats(_Model):
    sessions: int
    scheduled: int
    unscheduled: int
    deviation_days: int
    solve_seconds: float
    phases: list[Phase]
    day_repairs: int = Field(description="Rounds of re-planning days whose times did not fit.")
    method: Literal["whole", "decomposed"] = Field(
        description="whole: one CP-SAT day model; decomposed: search by patient with "
        "Lagrangian bounds (large instances)."
    )
    search_steps: int = Field(description="Neighbourhood search steps (decomposed only).")


class ScheduleResult(_Model):
    status: Literal["optimal", "feasible"]
    assignments: list[Assignment]
    unscheduled: list[Unscheduled]
    cancelled: list[Cancelled] = Field(default_factory=list)
    moves: list[Move] = Field(default_factory=list)
    objective: Objective
    bound: Bound
    stats: Stats
