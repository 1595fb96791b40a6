"""The clinic's scheduling set-up: practitioners, devices, rooms, hours and session lengths.

Each change adds a version (ScheduleResourcesRecord); the newest is in force and none is lost.
The document is the scheduling instance's `slot_minutes`, `resources` and `durations`
(docs/scheduling.md), checked by the same validation as an instance.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import ScheduleResourcesRecord
from scarplan.domain.errors import FieldProblem, InputError, StateError
from scarplan.domain.vocabulary import Modality
from scarplan.scheduling.model import Horizon, Instance, Resources
from scarplan.scheduling.validate import instance_problems
from scarplan.services.clinic.access import Permission, authorize
from scarplan.services.clinic.context import Actor, Clinic
from scarplan.services.clinic.inputs import has_nul, validated


class ClinicSchedule(BaseModel):
    """What stays the same from one optimiser run to the next."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slot_minutes: int = Field(15, ge=5, le=240)
    resources: Resources
    durations: dict[Modality, int] = Field(default_factory=dict)


class ResourceKind(StrEnum):
    PRACTITIONER = "practitioner"
    DEVICE = "device"
    ROOM = "room"


@dataclass(frozen=True)
class SetupView:
    version: int
    schedule: ClinicSchedule
    reason: str
    created_at: datetime

    def lanes(self, kind: ResourceKind) -> list[str]:
        resources = self.schedule.resources
        if kind is ResourceKind.PRACTITIONER:
            return [p.id for p in resources.practitioners]
        if kind is ResourceKind.DEVICE:
            return [d.id for d in resources.devices]
        return [r.id for r in resources.rooms]

    def name_of(self, kind: ResourceKind, resource_id: str) -> str:
        """What people call a practitioner, device or room: its name when the set-up gives
        one, else its id in words ("room-1" -> "Room 1"); never the bare id."""
        resources = self.schedule.resources
        table: dict[ResourceKind, Sequence[object]] = {
            ResourceKind.PRACTITIONER: resources.practitioners,
            ResourceKind.DEVICE: resources.devices,
            ResourceKind.ROOM: resources.rooms,
        }
        found = next((r for r in table[kind] if getattr(r, "id", None) == resource_id), None)
        name = getattr(found, "name", "") if found is not None else ""
        return name.strip() if isinstance(name, str) and name.strip() else humanised(resource_id)


def humanised(resource_id: str) -> str:
    """An id in words: "room-1" -> "Room 1", "dr-okafor" -> "Dr Okafor", "co2_laser" ->
    "Co2 laser"."""
    words = [w for w in re.split(r"[-_.:\s]+", resource_id) if w]
    if not words:
        return resource_id
    if words[0].lower() in {"dr", "prof", "mr", "ms", "mrs"}:
        return " ".join(w[:1].upper() + w[1:] for w in words)
    return " ".join([words[0][:1].upper() + words[0][1:], *words[1:]])


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


def checked_schedule(clinic: Clinic, raw: Any) -> ClinicSchedule:
    """A set-up as entered, validated like an instance, or InputError naming each field."""
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


def save_setup(clinic: Clinic, actor: Actor, raw: Any, reason: str) -> SetupView:
    authorize(actor, Permission.MANAGE_SCHEDULE)
    stated = _reason(reason)
    schedule = checked_schedule(clinic, raw)
    with clinic.uow.write() as session:
        return _add_version(session, clinic, actor, schedule, stated)


def _add_version(
    session: Session, clinic: Clinic, actor: Actor, schedule: ClinicSchedule, reason: str
) -> SetupView:
    record = ScheduleResourcesRecord(
        document=schedule.model_dump(mode="json"),
        reason=reason,
        created_at=clinic.now(),
        created_by=actor.user_id,
    )
    session.add(record)
    session.flush()
    clinic.audit.changed(session, actor, "update", "schedule_resources", record.id, None)
    return SetupView(record.id, schedule, reason, record.created_at)


def _reason(reason: str) -> str:
    stated = reason.strip()
    if not 3 <= len(stated) <= 300 or has_nul(stated):
        raise InputError(
            "the change needs a reason",
            [FieldProblem("reason", "must be 3 to 300 characters", "say why, e.g. 'new laser'")],
        )
    return stated


def add_days_off(
    clinic: Clinic,
    actor: Actor,
    kind: ResourceKind,
    resource_id: str,
    first: date,
    last: date,
    reason: str,
) -> SetupView:
    """Mark a practitioner, device or room unavailable from `first` to `last` (a new version)."""
    authorize(actor, Permission.MANAGE_SCHEDULE)
    stated = _reason(reason)
    if last < first or (last - first).days > 366:
        raise InputError(
            "the days off are invalid",
            [FieldProblem("last", "must be on or after the first day, within a year", "")],
        )
    with clinic.uow.write() as session:
        setup = require_setup(session)
        document = setup.schedule.model_dump(mode="json")
        table = document["resources"][f"{kind.value}s"]
        entry = next((item for item in table if item["id"] == resource_id), None)
        if entry is None:
            raise InputError(
                "no such resource",
                [FieldProblem("resource_id", f"no {kind.value} is called {resource_id!r}", "")],
            )
        days = {date.fromisoformat(d) for d in entry.get("days_off", [])}
        days.update(first + timedelta(days=n) for n in range((last - first).days + 1))
        entry["days_off"] = sorted(d.isoformat() for d in days)
        schedule = checked_schedule(clinic, document)
        return _add_version(session, clinic, actor, schedule, stated)
