"""The clinic's scheduling set-up: practitioners, devices, rooms, opening hours, days off and
session lengths.

Each change adds a version (ScheduleResourcesRecord); the newest is in force and none is lost.
The document is the scheduling instance's `slot_minutes`, `resources` and `durations`
(docs/scheduling.md), checked by the same validation as an instance, plus what only the clinic
keeps: its opening hours, its days off with their reasons (`closures`, from which every
resource's `days_off` is derived on save) and the resources it retired (kept so that past
appointments still show their names). The forms that edit it are in `setup_forms`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import ScheduleResourcesRecord
from scarplan.domain.errors import FieldProblem, InputError, StateError
from scarplan.domain.vocabulary import Modality
from scarplan.scheduling.model import (
    Device,
    Horizon,
    Instance,
    IsoDate,
    Practitioner,
    Resources,
    Room,
    TimeRange,
    Weekday,
)
from scarplan.scheduling.validate import instance_problems
from scarplan.services.clinic.core.access import Permission, authorize
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.inputs import has_nul, validated

MAX_CLOSURE_DAYS = 366
log = logging.getLogger(__name__)


class ResourceKind(StrEnum):
    PRACTITIONER = "practitioner"
    DEVICE = "device"
    ROOM = "room"


CLINIC = "clinic"
"""A closure's `kind` when the whole clinic is closed."""


class Closure(BaseModel):
    """Days off: the whole clinic (`kind` "clinic"), or one practitioner, device or room."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str = Field(pattern=r"^(clinic|practitioner|device|room)$")
    resource: str | None = Field(None, description="The resource's id; null for the clinic.")
    start: IsoDate
    end: IsoDate
    reason: str = Field(min_length=1, max_length=300)

    @model_validator(mode="after")
    def _forwards(self) -> Closure:
        if self.end < self.start:
            raise ValueError(f"the last day {self.end} is before the first day {self.start}")
        if (self.kind == CLINIC) != (self.resource is None):
            raise ValueError("a clinic closure names no resource; any other names one")
        return self

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def covers(self, kind: ResourceKind, resource_id: str) -> bool:
        return self.kind == CLINIC or (self.kind == kind.value and self.resource == resource_id)


class RetiredResource(BaseModel):
    """A practitioner, device or room no longer booked, kept so past appointments name it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ResourceKind
    id: str
    name: str = ""
    retired_on: IsoDate


class ClinicSchedule(BaseModel):
    """What stays the same from one optimiser run to the next."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slot_minutes: int = Field(15, ge=5, le=240)
    resources: Resources
    durations: dict[Modality, int] = Field(default_factory=dict)
    opening_hours: dict[Weekday, TimeRange] | None = Field(
        None,
        description="The clinic's hours per weekday (a weekday left out: closed); null: not "
        "set, each practitioner's hours alone count.",
    )
    closures: list[Closure] = Field(default_factory=list)
    retired: list[RetiredResource] = Field(default_factory=list)


def humanised(resource_id: str) -> str:
    """A readable stand-in for a resource without a name: "dr-okafor" -> "Dr Okafor"."""
    words = resource_id.replace("-", " ").replace("_", " ").replace(".", " ").split()
    return " ".join(w[:1].upper() + w[1:] for w in words) or resource_id


@dataclass(frozen=True)
class SetupView:
    version: int
    schedule: ClinicSchedule
    reason: str
    created_at: datetime

    def lanes(self, kind: ResourceKind | str) -> list[str]:
        kind = ResourceKind(kind)
        resources = self.schedule.resources
        if kind is ResourceKind.PRACTITIONER:
            return [p.id for p in resources.practitioners]
        if kind is ResourceKind.DEVICE:
            return [d.id for d in resources.devices]
        return [r.id for r in resources.rooms]

    def resource(
        self, kind: ResourceKind | str, resource_id: str
    ) -> Practitioner | Device | Room | None:
        """The practitioner, device or room in the set-up with that id, or None."""
        kind = ResourceKind(kind)
        resources = self.schedule.resources
        items: list[Practitioner] | list[Device] | list[Room]
        if kind is ResourceKind.PRACTITIONER:
            items = resources.practitioners
        elif kind is ResourceKind.DEVICE:
            items = resources.devices
        else:
            items = resources.rooms
        return next((item for item in items if item.id == resource_id), None)

    def name_of(self, kind: ResourceKind | str, resource_id: str) -> str:
        """The name staff know a resource by (retired ones too), or its id made readable."""
        kind = ResourceKind(kind)
        item = self.resource(kind, resource_id)
        if item is not None:
            return item.name or humanised(resource_id)
        for gone in self.schedule.retired:
            if gone.kind is kind and gone.id == resource_id:
                return gone.name or humanised(resource_id)
        return humanised(resource_id)


def current_setup(session: Session) -> SetupView | None:
    record = session.scalars(
        select(ScheduleResourcesRecord).order_by(ScheduleResourcesRecord.id.desc()).limit(1)
    ).first()
    if record is None:
        return None
    return SetupView(
        record.id, ClinicSchedule.model_validate(record.document), record.reason, record.created_at
    )


def read_setup(clinic: Clinic, actor: Actor) -> SetupView | None:
    authorize(actor, Permission.READ_SCHEDULE)
    with clinic.uow.read() as session:
        return current_setup(session)


def require_setup(session: Session) -> SetupView:
    setup = current_setup(session)
    if setup is None:
        raise StateError(
            "the clinic's scheduling resources are not set up",
            [FieldProblem("resources", "none saved", "set up practitioners, devices and rooms")],
        )
    return setup


def with_closures(document: dict[str, Any]) -> dict[str, Any]:
    """The set-up with each resource's `days_off` derived from the closures. Days off written
    straight into a resource (set-ups saved before closures existed) become closures first,
    one per run of consecutive days, so none is lost and each can be removed."""
    closures = [Closure.model_validate(c) for c in document.get("closures", [])]
    resources = document["resources"]
    for kind in ResourceKind:
        for entry in resources.get(f"{kind.value}s", []):
            covered = {d for c in closures if c.covers(kind, entry["id"]) for d in c.days()}
            loose = sorted(
                {date.fromisoformat(str(d)) for d in entry.get("days_off", [])} - covered
            )
            for start, end in _runs(loose):
                closures.append(
                    Closure(
                        kind=kind.value,
                        resource=entry["id"],
                        start=start,
                        end=end,
                        reason="days off set before",
                    )
                )
    for kind in ResourceKind:
        for entry in resources.get(f"{kind.value}s", []):
            days = {d for c in closures if c.covers(kind, entry["id"]) for d in c.days()}
            entry["days_off"] = sorted(d.isoformat() for d in days)
    closures.sort(key=lambda c: (c.start, c.end, c.kind, c.resource or ""))
    document["closures"] = [c.model_dump(mode="json") for c in closures]
    return document


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days grouped: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and day == runs[-1][1] + timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def checked_schedule(clinic: Clinic, raw: Any) -> ClinicSchedule:
    """A set-up as entered, validated like an instance, or InputError naming each field."""
    if isinstance(raw, dict) and isinstance(raw.get("resources"), dict):
        try:
            raw = with_closures({**raw, "resources": _copied(raw["resources"])})
        except (ValueError, TypeError, KeyError) as error:
            # The model below names what is wrong, field by field.
            log.info("set-up days off not derived before validation: %s", error)
    schedule = validated(ClinicSchedule, raw, "scheduling set-up")
    probe = Instance(
        version=1,
        horizon=Horizon(start=clinic.today(), days=1),
        slot_minutes=schedule.slot_minutes,
        resources=schedule.resources,
        patients=[],
        durations=schedule.durations,
    )
    problems = instance_problems(probe, clinic.knowledge)
    if problems:
        raise InputError("the scheduling set-up is invalid", problems)
    return schedule


def _copied(resources: dict[str, Any]) -> dict[str, Any]:
    return {
        key: [dict(item) if isinstance(item, dict) else item for item in value]
        if isinstance(value, list)
        else value
        for key, value in resources.items()
    }


def save_setup(clinic: Clinic, actor: Actor, raw: Any, reason: str) -> SetupView:
    authorize(actor, Permission.MANAGE_SETUP)
    stated = checked_reason(reason)
    schedule = checked_schedule(clinic, raw)
    with clinic.uow.write() as session:
        return add_setup_version(session, clinic, actor, schedule, stated)


def add_setup_version(
    session: Session,
    clinic: Clinic,
    actor: Actor,
    schedule: ClinicSchedule,
    reason: str,
    change: dict[str, Any] | None = None,
) -> SetupView:
    record = ScheduleResourcesRecord(
        document=schedule.model_dump(mode="json"),
        reason=reason,
        created_at=clinic.now(),
        created_by=actor.user_id,
    )
    session.add(record)
    session.flush()
    clinic.audit.changed(session, actor, "update", "schedule_resources", record.id, None, change)
    return SetupView(record.id, schedule, reason, record.created_at)


def checked_reason(reason: str) -> str:
    stated = reason.strip()
    if not 3 <= len(stated) <= 300 or has_nul(stated):
        raise InputError(
            "the change needs a reason",
            [
                FieldProblem(
                    "reason",
                    "The reason must be 3 to 300 characters: say why, e.g. 'new laser'",
                    "say why, e.g. 'new laser'",
                )
            ],
        )
    return stated


def overlapping(closures: list[Closure], new: Closure) -> Closure | None:
    """An existing closure of the same clinic or resource that shares a day with `new`."""
    for old in closures:
        if (old.kind, old.resource) == (new.kind, new.resource) and not (
            old.end < new.start or new.end < old.start
        ):
            return old
    return None


def add_days_off(
    clinic: Clinic,
    actor: Actor,
    kind: ResourceKind | None,
    resource_id: str | None,
    first: date,
    last: date,
    reason: str,
) -> SetupView:
    """Close the clinic (`kind` None) or mark a practitioner, device or room unavailable from
    `first` to `last` (a new version). Refused, naming the field, when the range runs
    backwards, spans more than a year, ends in the past, overlaps days off already set for
    the same one, or names no such resource."""
    authorize(actor, Permission.MANAGE_SETUP)
    stated = checked_reason(reason)
    with clinic.uow.write() as session:
        setup = require_setup(session)
        who = "The clinic" if kind is None else None
        if kind is not None:
            if resource_id not in setup.lanes(kind):
                raise InputError(
                    "no such resource",
                    [
                        FieldProblem(
                            "who",
                            f"There is no such {kind.value} in the clinic: "
                            "choose one from the list",
                        )
                    ],
                )
            who = setup.name_of(kind, str(resource_id))
        _check_range(first, last, clinic.today())
        new = Closure(
            kind=CLINIC if kind is None else kind.value,
            resource=None if kind is None else resource_id,
            start=first,
            end=last,
            reason=stated,
        )
        clash = overlapping(list(setup.schedule.closures), new)
        if clash is not None:
            raise InputError(
                "the days off overlap days off already set",
                [
                    FieldProblem(
                        "first",
                        f"{who} is already off from {_day(clash.start)} to {_day(clash.end)} "
                        f"({clash.reason}): choose days that do not overlap, or remove those "
                        "days off first",
                    )
                ],
            )
        document = setup.schedule.model_dump(mode="json")
        document["closures"].append(new.model_dump(mode="json"))
        schedule = checked_schedule(clinic, document)
        change = {"days_off": f"{new.kind} {new.start}..{new.end}"}
        return add_setup_version(session, clinic, actor, schedule, stated, change)


def remove_days_off(clinic: Clinic, actor: Actor, position: int, reason: str) -> SetupView:
    """Remove the days off listed at `position` (0-based, in the set-up's order)."""
    authorize(actor, Permission.MANAGE_SETUP)
    with clinic.uow.write() as session:
        setup = require_setup(session)
        closures = list(setup.schedule.closures)
        if not 0 <= position < len(closures):
            raise InputError(
                "no such days off",
                [FieldProblem("days_off", "These days off are no longer set: reload the page")],
            )
        gone = closures.pop(position)
        stated = reason.strip() or f"days off {_day(gone.start)} to {_day(gone.end)} removed"
        document = setup.schedule.model_dump(mode="json")
        document["closures"] = [c.model_dump(mode="json") for c in closures]
        for kind in ResourceKind:
            for entry in document["resources"][f"{kind.value}s"]:
                entry["days_off"] = []
        schedule = checked_schedule(clinic, document)
        change = {"days_off_removed": f"{gone.kind} {gone.start}..{gone.end}"}
        return add_setup_version(session, clinic, actor, schedule, checked_reason(stated), change)


def _check_range(first: date, last: date, today: date) -> None:
    if last < first:
        raise InputError(
            "the days off are invalid",
            [
                FieldProblem(
                    "last",
                    f"The last day {_day(last)} is before the first day {_day(first)}: "
                    "pick a last day on or after the first",
                )
            ],
        )
    if (last - first).days >= MAX_CLOSURE_DAYS:
        raise InputError(
            "the days off are invalid",
            [FieldProblem("last", "Days off span at most a year: split a longer absence")],
        )
    if last < today:
        raise InputError(
            "the days off are invalid",
            [
                FieldProblem(
                    "last",
                    f"The last day {_day(last)} is in the past: pick days from today on",
                )
            ],
        )


def _day(value: date) -> str:
    return value.strftime("%d %b %Y")
