"""The clinic set-up's forms: a practitioner, device or room added, edited or retired; the
opening hours; the session length of each procedure; a first set-up. Each saves a new version
of the set-up (schedule_setup) and is audited. Every refusal names the form's field and says
the fix in words ("Closing time 09:00 is before opening time 17:00 on Tuesday").

Nothing that a past appointment refers to is deleted: a retired resource leaves the set-up's
resources (the optimiser no longer books it) but keeps its name in `retired`, and retiring is
refused while it has appointments booked from today on, which the message names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import AppointmentRecord
from scarplan.adapters.presentation.wording import label
from scarplan.domain.errors import FieldProblem, InputError
from scarplan.domain.vocabulary import Modality
from scarplan.scheduling.defaults import session_minutes
from scarplan.scheduling.model import (
    MINUTES_PER_DAY,
    WEEKDAYS,
    Horizon,
    Instance,
    SessionRequest,
    Weekday,
    clock_time,
    minute_of_day,
)
from scarplan.services.clinic.calendar.schedule_setup import (
    ClinicSchedule,
    ResourceKind,
    RetiredResource,
    SetupView,
    add_setup_version,
    checked_reason,
    checked_schedule,
    current_setup,
    require_setup,
)
from scarplan.services.clinic.core.access import Permission, authorize
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.inputs import has_nul

DAY_NAMES: dict[Weekday, str] = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
CLOCK = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")
MAX_SESSION_MINUTES = 480
BOOKINGS_NAMED = 5
WHAT = {
    ResourceKind.PRACTITIONER: "practitioner",
    ResourceKind.DEVICE: "device",
    ResourceKind.ROOM: "room",
}


@dataclass(frozen=True)
class DayHours:
    """One weekday's hours as entered in two time pickers ("" when left empty)."""

    start: str = ""
    end: str = ""


@dataclass(frozen=True)
class ResourceForm:
    """A practitioner, device or room as entered. `original_id` is None for a new one."""

    kind: ResourceKind
    name: str
    procedures: list[str] = field(default_factory=list)
    device_kind: str = ""
    hours: dict[Weekday, DayHours] = field(default_factory=dict)
    original_id: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class SetupPage:
    """What the set-up page shows (read under `setup.manage`, the admin included)."""

    setup: SetupView | None
    device_kinds: list[str]
    device_procedures: dict[str, list[Modality]]
    """Per device kind, the procedures that need it (the knowledge base's)."""
    default_minutes: dict[Modality, int]
    """Each procedure's session length when the clinic sets none."""


class _Problems:
    def __init__(self) -> None:
        self.found: list[FieldProblem] = []

    def add(self, path: str, message: str) -> None:
        self.found.append(FieldProblem(path, message))

    def about(self, path: str) -> bool:
        return any(p.path == path for p in self.found)

    def raise_if_any(self, what: str) -> None:
        if self.found:
            raise InputError(what, self.found)


def read_setup_page(clinic: Clinic, actor: Actor) -> SetupPage:
    authorize(actor, Permission.MANAGE_SETUP)
    with clinic.uow.read() as session:
        setup = current_setup(session)
    return SetupPage(
        setup, device_kinds(clinic), _device_procedures(clinic), _default_minutes(clinic, setup)
    )


def _default_minutes(clinic: Clinic, setup: SetupView | None) -> dict[Modality, int]:
    if setup is None:
        return {}
    probe = Instance(
        version=1,
        horizon=Horizon(start=clinic.today(), days=1),
        slot_minutes=setup.schedule.slot_minutes,
        resources=setup.schedule.resources,
        patients=[],
    )
    return {
        m: session_minutes(SessionRequest(id="probe", procedure=m), probe, clinic.knowledge)
        for m in Modality
        if m in clinic.knowledge.modalities
    }


def device_kinds(clinic: Clinic) -> list[str]:
    return sorted({e.device for e in clinic.knowledge.modalities.values() if e.device})


def _device_procedures(clinic: Clinic) -> dict[str, list[Modality]]:
    found: dict[str, list[Modality]] = {}
    for modality in Modality:
        entry = clinic.knowledge.modalities.get(modality)
        if entry is not None and entry.device:
            found.setdefault(entry.device, []).append(modality)
    return found


# --- practitioners, devices, rooms --------------------------------------------------------------


def save_resource(clinic: Clinic, actor: Actor, entered: ResourceForm) -> SetupView:
    """Add a practitioner, device or room, or change one (`original_id`); a new version."""
    authorize(actor, Permission.MANAGE_SETUP)
    with clinic.uow.write() as session:
        setup = require_setup(session)
        schedule = setup.schedule
        problems = _Problems()
        name = _name(entered, setup, problems)
        procedures = _procedures(entered, problems)
        item: dict[str, Any] = {"name": name}
        if entered.kind is ResourceKind.PRACTITIONER:
            if not procedures and not problems.about("procedures"):
                problems.add(
                    "procedures", f"Tick at least one procedure that {name or 'they'} performs"
                )
            item["procedures"] = [p.value for p in procedures]
            item["hours"] = _working_hours(
                name or "The practitioner", entered.hours, schedule, problems
            )
        elif entered.kind is ResourceKind.DEVICE:
            item["kind"] = _device_kind(clinic, entered, procedures, problems)
            item["procedures"] = [p.value for p in procedures] or None
        else:
            item["procedures"] = [p.value for p in procedures] or None
        problems.raise_if_any(f"the {WHAT[entered.kind]} cannot be saved")
        document = schedule.model_dump(mode="json")
        table: list[dict[str, Any]] = document["resources"][f"{entered.kind.value}s"]
        if entered.original_id is None:
            item["id"] = _new_id(name, schedule)
            table.append({**item, "days_off": []})
            verb = "added"
        else:
            position = next(
                (i for i, old in enumerate(table) if old["id"] == entered.original_id), None
            )
            if position is None:
                raise InputError(
                    f"the {WHAT[entered.kind]} is no longer in the set-up",
                    [FieldProblem("name", "It was retired or changed meanwhile: reload the page")],
                )
            table[position] = {**table[position], **item}
            verb = "changed"
        reason = entered.reason.strip() or f"{WHAT[entered.kind]} {name} {verb}"
        saved = checked_schedule(clinic, document)
        change = {"resource": entered.kind.value, "name": name, "action": verb}
        return add_setup_version(session, clinic, actor, saved, checked_reason(reason), change)


def retire_resource(
    clinic: Clinic, actor: Actor, kind: ResourceKind, resource_id: str, reason: str = ""
) -> SetupView:
    """Stop booking a practitioner, device or room; refused while appointments are booked
    with it from today on (named in the message) or when it is the clinic's last one."""
    authorize(actor, Permission.MANAGE_SETUP)
    with clinic.uow.write() as session:
        setup = require_setup(session)
        if resource_id not in setup.lanes(kind):
            raise InputError(
                f"no such {WHAT[kind]}",
                [
                    FieldProblem(
                        "retire", f"This {WHAT[kind]} is not in the set-up: reload the page"
                    )
                ],
            )
        name = setup.name_of(kind, resource_id)
        booked = _future_bookings(session, kind, resource_id, clinic.today())
        if booked:
            shown = ", ".join(
                f"{b.day.strftime('%d %b %Y')} {clock_time(b.start_minute)} ({label(b.modality)})"
                for b in booked[:BOOKINGS_NAMED]
            )
            more = (
                f" and {len(booked) - BOOKINGS_NAMED} more" if len(booked) > BOOKINGS_NAMED else ""
            )
            raise InputError(
                f"{name} still has appointments",
                [
                    FieldProblem(
                        "retire",
                        f"{name} still has {len(booked)} booked appointment"
                        f"{'' if len(booked) == 1 else 's'}: {shown}{more}. Move or cancel "
                        f"them first, then retire {name}.",
                    )
                ],
            )
        if len(setup.lanes(kind)) == 1 and kind is not ResourceKind.DEVICE:
            raise InputError(
                f"the clinic's last {WHAT[kind]}",
                [
                    FieldProblem(
                        "retire",
                        f"{name} is the clinic's only {WHAT[kind]}: add another before "
                        f"retiring {name}",
                    )
                ],
            )
        document = setup.schedule.model_dump(mode="json")
        table = document["resources"][f"{kind.value}s"]
        document["resources"][f"{kind.value}s"] = [i for i in table if i["id"] != resource_id]
        document["closures"] = [
            c
            for c in document["closures"]
            if not (c["kind"] == kind.value and c["resource"] == resource_id)
        ]
        document["retired"].append(
            RetiredResource(
                kind=kind, id=resource_id, name=name, retired_on=clinic.today()
            ).model_dump(mode="json")
        )
        saved = checked_schedule(clinic, document)
        stated = checked_reason(reason.strip() or f"{WHAT[kind]} {name} retired")
        change = {"resource": kind.value, "name": name, "action": "retired"}
        return add_setup_version(session, clinic, actor, saved, stated, change)


def _future_bookings(
    session: Session, kind: ResourceKind, resource_id: str, today: date
) -> list[AppointmentRecord]:
    column = {
        ResourceKind.PRACTITIONER: AppointmentRecord.practitioner,
        ResourceKind.DEVICE: AppointmentRecord.device,
        ResourceKind.ROOM: AppointmentRecord.room,
    }[kind]
    return list(
        session.scalars(
            select(AppointmentRecord)
            .where(
                column == resource_id,
                AppointmentRecord.status == "booked",
                AppointmentRecord.day >= today,
            )
            .order_by(AppointmentRecord.day, AppointmentRecord.start_minute)
        )
    )


def _name(entered: ResourceForm, setup: SetupView, problems: _Problems) -> str:
    what = WHAT[entered.kind]
    name = " ".join(entered.name.split())
    if not name:
        problems.add("name", f"Give the {what} a name, e.g. {_example(entered.kind)}")
        return ""
    if len(name) > 120 or has_nul(name):
        problems.add(
            "name", f"The name is too long: at most 120 characters, e.g. {_example(entered.kind)}"
        )
        return name
    others = [
        setup.name_of(entered.kind, other)
        for other in setup.lanes(entered.kind)
        if other != entered.original_id
    ]
    if name.casefold() in {o.casefold() for o in others}:
        problems.add("name", f"Another {what} is already called {name}: give a different name")
    return name


def _example(kind: ResourceKind) -> str:
    return {
        ResourceKind.PRACTITIONER: "Dr Lee",
        ResourceKind.DEVICE: "CO2 laser 1",
        ResourceKind.ROOM: "Treatment room 2",
    }[kind]


def _procedures(entered: ResourceForm, problems: _Problems) -> list[Modality]:
    chosen: list[Modality] = []
    for raw in entered.procedures:
        try:
            modality = Modality(raw)
        except ValueError:
            problems.add("procedures", f"Unknown procedure {raw!r}: tick procedures from the list")
            continue
        if modality not in chosen:
            chosen.append(modality)
    return chosen


def _device_kind(
    clinic: Clinic, entered: ResourceForm, procedures: list[Modality], problems: _Problems
) -> str:
    kinds = device_kinds(clinic)
    if entered.device_kind not in kinds:
        problems.add("device_kind", "Choose the kind of device from the list")
        return entered.device_kind
    for modality in procedures:
        needs = clinic.knowledge.modalities[modality].device
        if needs != entered.device_kind:
            wanted = f"a {label(needs)}" if needs else "no device"
            problems.add(
                "procedures",
                f"{label(modality)} needs {wanted}, not a {label(entered.device_kind)}: "
                "untick it or choose the right kind of device",
            )
    return entered.device_kind


def _working_hours(
    name: str, entered: dict[Weekday, DayHours], schedule: ClinicSchedule, problems: _Problems
) -> dict[str, list[dict[str, str]]]:
    hours: dict[str, list[dict[str, str]]] = {}
    opening = schedule.opening_hours
    for weekday in WEEKDAYS:
        span = _span(
            entered.get(weekday, DayHours()),
            weekday,
            schedule.slot_minutes,
            problems,
            ("Starting", "finishing", f"hours_{weekday}", f"{name}'s hours"),
        )
        if span is None:
            continue
        start, end = span
        day = DAY_NAMES[weekday]
        if opening is not None:
            open_span = opening.get(weekday)
            if open_span is None:
                problems.add(
                    f"hours_{weekday}",
                    f"The clinic is closed on {day}s: leave {name}'s {day} empty, or open the "
                    f"clinic on {day}s first",
                )
                continue
            if minute_of_day(start) < minute_of_day(open_span.start) or minute_of_day(
                end
            ) > minute_of_day(open_span.end):
                problems.add(
                    f"hours_{weekday}",
                    f"{name}'s hours on {day} ({start}-{end}) are outside the clinic's opening "
                    f"hours ({open_span.start}-{open_span.end}): keep them within",
                )
                continue
        hours[weekday] = [{"start": start, "end": end}]
    if not hours and not problems.found:
        problems.add("hours", f"Give {name} at least one working day (a start and a finish time)")
    return hours


def _span(
    entered: DayHours,
    weekday: Weekday,
    slot: int,
    problems: _Problems,
    words: tuple[str, str, str, str],
) -> tuple[str, str] | None:
    """The day's (start, end) as entered, None when both are empty or wrong (problem added)."""
    first, second, path, whose = words
    day = DAY_NAMES[weekday]
    start, end = entered.start.strip(), entered.end.strip()
    if not start and not end:
        return None
    if not start or not end:
        problems.add(
            path,
            f"Give both the {first.lower()} and the {second} time of {whose} on {day}, or neither",
        )
        return None
    for clock in (start, end):
        if not CLOCK.match(clock):
            problems.add(path, f"{clock!r} on {day} is not a time: pick one like 09:00")
            return None
    if minute_of_day(end) <= minute_of_day(start):
        problems.add(
            path,
            f"{second.capitalize()} time {end} is before {first.lower()} time {start} on {day}: "
            f"pick a {second} time after the {first.lower()} time",
        )
        return None
    for clock in (start, end):
        if minute_of_day(clock) % slot:
            problems.add(
                path,
                f"{clock} on {day} is not on the {slot}-minute grid of the calendar: pick a "
                f"time on the hour or {slot}, {2 * slot}... minutes after it",
            )
            return None
    return start, end


def _new_id(name: str, schedule: ClinicSchedule) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:48] or "resource"
    if not base[0].isalnum():
        base = "r" + base
    taken = {
        item.id
        for items in (
            schedule.resources.practitioners,
            schedule.resources.devices,
            schedule.resources.rooms,
        )
        for item in items
    } | {gone.id for gone in schedule.retired}
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


# --- opening hours and session lengths ---------------------------------------------------------


def save_opening_hours(
    clinic: Clinic, actor: Actor, entered: dict[Weekday, DayHours], reason: str = ""
) -> SetupView:
    """The clinic's hours per weekday (both empty: closed that day); every practitioner's
    hours must lie within them, else refused naming the practitioner and the day."""
    authorize(actor, Permission.MANAGE_SETUP)
    with clinic.uow.write() as session:
        setup = require_setup(session)
        schedule = setup.schedule
        problems = _Problems()
        opening: dict[str, dict[str, str]] = {}
        for weekday in WEEKDAYS:
            span = _span(
                entered.get(weekday, DayHours()),
                weekday,
                schedule.slot_minutes,
                problems,
                ("Opening", "closing", f"open_{weekday}", "the clinic"),
            )
            if span is not None:
                opening[weekday] = {"start": span[0], "end": span[1]}
        if not opening and not problems.found:
            problems.add("open_mon", "Open the clinic on at least one day of the week")
        problems.raise_if_any("the opening hours cannot be saved")
        for practitioner in schedule.resources.practitioners:
            who = practitioner.name or setup.name_of(ResourceKind.PRACTITIONER, practitioner.id)
            for weekday, ranges in practitioner.hours.items():
                day = DAY_NAMES[weekday]
                open_span = opening.get(weekday)
                for worked in ranges:
                    if open_span is None:
                        problems.add(
                            f"open_{weekday}",
                            f"{who} works on {day}s ({worked.start}-{worked.end}): open the "
                            f"clinic on {day}s, or change {who}'s hours first",
                        )
                    elif minute_of_day(worked.start) < minute_of_day(
                        open_span["start"]
                    ) or minute_of_day(worked.end) > minute_of_day(open_span["end"]):
                        problems.add(
                            f"open_{weekday}",
                            f"{who} works {worked.start}-{worked.end} on {day}, outside "
                            f"{open_span['start']}-{open_span['end']}: widen the clinic's hours "
                            f"or change {who}'s hours first",
                        )
        problems.raise_if_any("the opening hours cannot be saved")
        document = schedule.model_dump(mode="json")
        document["opening_hours"] = opening
        saved = checked_schedule(clinic, document)
        stated = checked_reason(reason.strip() or "opening hours changed")
        return add_setup_version(session, clinic, actor, saved, stated, {"opening_hours": opening})


def save_durations(
    clinic: Clinic, actor: Actor, entered: dict[str, str], reason: str = ""
) -> SetupView:
    """The session length per procedure in minutes ("" keeps the default length)."""
    authorize(actor, Permission.MANAGE_SETUP)
    with clinic.uow.write() as session:
        setup = require_setup(session)
        slot = setup.schedule.slot_minutes
        problems = _Problems()
        durations: dict[str, int] = {}
        for raw_modality, raw in entered.items():
            try:
                modality = Modality(raw_modality)
            except ValueError:
                problems.add("durations", f"Unknown procedure {raw_modality!r}: reload the page")
                continue
            text = raw.strip()
            if not text:
                continue
            path, what = f"duration_{modality.value}", label(modality)
            if not text.isdigit():
                problems.add(path, f"{what}: {text!r} is not a number of minutes, e.g. 45")
                continue
            minutes = int(text)
            if not slot <= minutes <= min(MAX_SESSION_MINUTES, MINUTES_PER_DAY):
                problems.add(
                    path,
                    f"{what}: {minutes} minutes is not between {slot} and "
                    f"{MAX_SESSION_MINUTES}: give a session length in that range",
                )
            elif minutes % slot:
                lower, upper = minutes - minutes % slot, minutes - minutes % slot + slot
                problems.add(
                    path,
                    f"{what}: {minutes} minutes is not a whole number of {slot}-minute slots: "
                    f"use {lower} or {upper}",
                )
            else:
                durations[modality.value] = minutes
        problems.raise_if_any("the session lengths cannot be saved")
        document = setup.schedule.model_dump(mode="json")
        document["durations"] = durations
        saved = checked_schedule(clinic, document)
        stated = checked_reason(reason.strip() or "session lengths changed")
        return add_setup_version(session, clinic, actor, saved, stated, {"durations": durations})


def start_setup(
    clinic: Clinic, actor: Actor, practitioner: str, room: str, procedures: list[str]
) -> SetupView:
    """A clinic's first set-up: one practitioner (Monday to Friday, 09:00-17:00) and one room,
    which the forms then refine. Refused when a set-up exists."""
    authorize(actor, Permission.MANAGE_SETUP)
    problems = _Problems()
    first = " ".join(practitioner.split())
    place = " ".join(room.split())
    if not first or len(first) > 120:
        problems.add("practitioner", "Give the first practitioner's name, e.g. Dr Lee")
    if not place or len(place) > 120:
        problems.add("room", "Give the first room's name, e.g. Treatment room 1")
    chosen = _procedures(ResourceForm(ResourceKind.PRACTITIONER, first, procedures), problems)
    if not chosen and not problems.found:
        problems.add("procedures", f"Tick at least one procedure that {first} performs")
    problems.raise_if_any("the set-up cannot be started")
    hours = {day: [{"start": "09:00", "end": "17:00"}] for day in WEEKDAYS[:5]}
    document = {
        "slot_minutes": 15,
        "resources": {
            "practitioners": [
                {
                    "id": _slug(first),
                    "name": first,
                    "procedures": [m.value for m in chosen],
                    "hours": hours,
                }
            ],
            "devices": [],
            "rooms": [
                {
                    "id": _slug(place) + ("-room" if _slug(place) == _slug(first) else ""),
                    "name": place,
                }
            ],
        },
        "durations": {},
        "opening_hours": {day: {"start": "09:00", "end": "17:00"} for day in WEEKDAYS[:5]},
    }
    with clinic.uow.write() as session:
        if current_setup(session) is not None:
            raise InputError(
                "the clinic is already set up",
                [FieldProblem("practitioner", "The clinic is set up already: reload the page")],
            )
        saved = checked_schedule(clinic, document)
        return add_setup_version(session, clinic, actor, saved, "first set-up", {"action": "start"})


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:48] or "resource"
