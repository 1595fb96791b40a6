"""An independent check of a schedule against every hard constraint of its instance.

Written apart from the solver on purpose: it recomputes lengths, device needs, hours and
intervals from the instance and the knowledge base alone, so a solver bug cannot hide behind
a shared helper. Each violation names the constraint and the sessions involved.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from scarplan.domain.vocabulary import Modality
from scarplan.knowledge import KnowledgeBase
from scarplan.scheduling.defaults import CONVENTIONAL_SESSION_MINUTES
from scarplan.scheduling.model import (
    WEEKDAYS,
    Assignment,
    Instance,
    PatientRequest,
    ScheduleResult,
    SessionRequest,
    TimeRange,
)


@dataclass(frozen=True)
class Violation:
    constraint: str
    sessions: tuple[str, ...]
    detail: str

    def __str__(self) -> str:
        return f"{self.constraint} [{', '.join(self.sessions)}]: {self.detail}"


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _inside(start: int, end: int, ranges: Iterable[TimeRange]) -> bool:
    return any(_minutes(r.start) <= start and end <= _minutes(r.end) for r in ranges)


class _Check:
    def __init__(self, instance: Instance, knowledge: KnowledgeBase) -> None:
        self.instance, self.knowledge = instance, knowledge
        self.sessions: dict[str, tuple[PatientRequest, SessionRequest]] = {
            s.id: (p, s) for p in instance.patients for s in p.sessions
        }
        resources = instance.resources
        self.practitioners = {p.id: p for p in resources.practitioners}
        self.devices = {d.id: d for d in resources.devices}
        self.rooms = {r.id: r for r in resources.rooms}

    def length(self, session: SessionRequest) -> int:
        if session.duration_minutes is not None:
            return session.duration_minutes
        if session.procedure in self.instance.durations:
            return self.instance.durations[session.procedure]
        published = self.knowledge.modalities[session.procedure].duration_minutes
        minutes = (
            published.min
            if published is not None and published.min is not None
            else CONVENTIONAL_SESSION_MINUTES[session.procedure]
        )
        slot = self.instance.slot_minutes
        return slot * math.ceil(minutes / slot)

    def serves(self, device_id: str, procedure: Modality) -> bool:
        device = self.devices[device_id]
        if device.procedures is not None:
            return procedure in device.procedures
        return self.knowledge.modalities[procedure].device == device.kind

    def booking(self, a: Assignment) -> Iterator[Violation]:
        patient, session = self.sessions[a.session]
        ids = (a.session,)
        first = self.instance.horizon.start
        if not first <= a.date <= self.instance.end:
            yield Violation("horizon", ids, f"{a.date} is outside the horizon")
        if session.earliest is not None and a.date < session.earliest:
            yield Violation("earliest", ids, f"{a.date} is before {session.earliest}")
        start, end = _minutes(a.start), _minutes(a.end)
        slot = self.instance.slot_minutes
        if start % slot or end % slot:
            yield Violation("slot_grid", ids, f"{a.start}-{a.end} is off the {slot}-minute grid")
        if end - start != self.length(session):
            yield Violation("duration", ids, f"{end - start} minutes, not {self.length(session)}")
        weekday = WEEKDAYS[a.date.weekday()]
        available = patient.availability
        if weekday not in available.weekdays or any(a.date in u for u in available.unavailable):
            yield Violation("patient_availability", ids, f"patient unavailable on {a.date}")
        elif not _inside(start, end, available.hours):
            yield Violation("patient_availability", ids, f"{a.start}-{a.end} outside their hours")
        yield from self.resources(a, session.procedure)

    def resources(self, a: Assignment, procedure: Modality | None) -> Iterator[Violation]:
        """The practitioner, device and room of one booking at its time (`procedure` None: a
        visit that is no procedure, which any practitioner sees in any room without a device)."""
        weekday = WEEKDAYS[a.date.weekday()]
        start, end = _minutes(a.start), _minutes(a.end)
        yield from self._practitioner(a, procedure, weekday, start, end)
        if procedure is None:
            if a.device is not None:
                yield Violation("device_not_needed", (a.session,), "a visit needs no device")
        else:
            yield from self._device(a, procedure)
        yield from self._room(a, procedure)

    def _room(self, a: Assignment, procedure: Modality | None) -> Iterator[Violation]:
        ids = (a.session,)
        room = self.rooms.get(a.room)
        if room is None:
            yield Violation("room_unknown", ids, f"no room {a.room!r}")
        else:
            equipped = room.procedures
            if procedure is not None and equipped is not None and procedure not in equipped:
                yield Violation("room_procedure", ids, f"{a.room} is not for {procedure}")
            if a.date in room.days_off:
                yield Violation("room_day_off", ids, f"{a.room} is closed on {a.date}")

    def _practitioner(
        self, a: Assignment, procedure: Modality | None, weekday: str, start: int, end: int
    ) -> Iterator[Violation]:
        ids = (a.session,)
        practitioner = self.practitioners.get(a.practitioner)
        if practitioner is None:
            yield Violation("practitioner_unknown", ids, f"no practitioner {a.practitioner!r}")
            return
        if procedure is not None and procedure not in practitioner.procedures:
            yield Violation(
                "practitioner_qualification",
                ids,
                f"{a.practitioner} does not do {procedure}",
            )
        if a.date in practitioner.days_off:
            yield Violation("practitioner_day_off", ids, f"{a.practitioner} is off on {a.date}")
        if not _inside(start, end, practitioner.hours.get(weekday, [])):  # type: ignore[call-overload]
            yield Violation(
                "practitioner_hours", ids, f"{a.start}-{a.end} outside {a.practitioner}'s hours"
            )

    def _device(self, a: Assignment, procedure: Modality) -> Iterator[Violation]:
        ids = (a.session,)
        kind = self.knowledge.modalities[procedure].device
        if kind is None:
            if a.device is not None:
                yield Violation("device_not_needed", ids, f"{procedure} needs no device")
            return
        if a.device is None:
            yield Violation("device_required", ids, f"{procedure} needs a {kind}")
        elif a.device not in self.devices:
            yield Violation("device_unknown", ids, f"no device {a.device!r}")
        else:
            if not self.serves(a.device, procedure):
                yield Violation("device_procedure", ids, f"{a.device} cannot do {procedure}")
            if a.date in self.devices[a.device].days_off:
                yield Violation("device_day_off", ids, f"{a.device} is out on {a.date}")


def _overlaps(assignments: list[Assignment]) -> Iterator[Violation]:
    for name in ("practitioner", "device", "room", "patient"):
        groups: dict[tuple[str, date], list[Assignment]] = {}
        for a in assignments:
            owner: str | None = getattr(a, name)
            if owner is not None:
                groups.setdefault((owner, a.date), []).append(a)
        for (owner, day), booked in groups.items():
            booked.sort(key=lambda a: _minutes(a.start))
            for before, after in pairwise(booked):
                if _minutes(after.start) < _minutes(before.end):
                    yield Violation(
                        f"overlap_{name}",
                        (before.session, after.session),
                        f"{owner} double-booked on {day}",
                    )


def _intervals(instance: Instance, booked: dict[str, Assignment]) -> Iterator[Violation]:
    for patient in instance.patients:
        for before, after in pairwise(patient.sessions):
            later = booked.get(after.id)
            if later is None:
                continue
            earlier = booked.get(before.id)
            ids = (before.id, after.id)
            if earlier is None:
                yield Violation("interval_order", ids, "booked without the session before it")
                continue
            gap = (later.date - earlier.date).days
            if gap < (after.min_days_after_previous or 0) or (
                gap == 0 and _minutes(later.start) < _minutes(earlier.end)
            ):
                yield Violation("interval_min", ids, f"{gap} days after the previous session")
            if after.max_days_after_previous is not None and gap > after.max_days_after_previous:
                yield Violation("interval_max", ids, f"{gap} days after the previous session")


def _coverage(check: _Check, result: ScheduleResult) -> Iterator[Violation]:
    seen: dict[str, int] = {}
    reported = [(a.session, a.patient) for a in result.assignments]
    reported += [(u.session, u.patient) for u in result.unscheduled]
    for session, patient in reported:
        seen[session] = seen.get(session, 0) + 1
        known = check.sessions.get(session)
        if known is None:
            yield Violation("coverage", (session,), "not a session of the instance")
        elif known[0].id != patient:
            yield Violation("coverage", (session,), f"belongs to patient {known[0].id}")
    for session in check.sessions:
        if seen.get(session, 0) != 1:
            yield Violation("coverage", (session,), f"reported {seen.get(session, 0)} times")
    for item in result.unscheduled:
        if not item.reason.strip():
            yield Violation("unscheduled_reason", (item.session,), "no reason given")


def _objective(check: _Check, result: ScheduleResult) -> Iterator[Violation]:
    deviation = 0
    for a in result.assignments:
        ideal = check.sessions[a.session][1].ideal if a.session in check.sessions else None
        deviation += 0 if ideal is None else abs((a.date - ideal).days)
    objective, bound = result.objective, result.bound
    if objective.scheduled != len(result.assignments):
        yield Violation("objective", (), f"scheduled {objective.scheduled} != bookings")
    if objective.deviation_days != deviation:
        yield Violation("objective", (), f"deviation {objective.deviation_days} != {deviation}")
    if bound.scheduled is not None and bound.scheduled < objective.scheduled:
        yield Violation("bound", (), "the scheduled bound is below the schedule")
    for name in ("moved", "deviation_days", "peak_utilisation_pct"):
        low, found = getattr(bound, name), getattr(objective, name)
        if low is not None and found is not None and low > found:
            yield Violation("bound", (), f"the {name} bound is above the schedule")


def booking_violations(
    instance: Instance,
    knowledge: KnowledgeBase,
    booking: Assignment,
    procedure: Modality | None,
    others: Sequence[Assignment],
) -> list[Violation]:
    """What stops one booking made by hand (the front desk), by the rules `check` applies to a
    whole schedule: the slot grid, the practitioner's procedures, hours and days off, the
    device, the room, and no practitioner, device, room or patient booked twice at once among
    `others` (the bookings already made). `procedure` None: a visit that is no procedure."""
    inspector = _Check(instance, knowledge)
    ids = (booking.session,)
    start, end = _minutes(booking.start), _minutes(booking.end)
    slot = instance.slot_minutes
    found: list[Violation] = []
    if start % slot or end % slot or end <= start:
        found.append(Violation("slot_grid", ids, f"{booking.start}-{booking.end} is off the grid"))
    found.extend(inspector.resources(booking, procedure))
    same_day = [a for a in others if a.date == booking.date and a.session != booking.session]
    found.extend(v for v in _overlaps([booking, *same_day]) if booking.session in v.sessions)
    return found


def check(instance: Instance, result: ScheduleResult, knowledge: KnowledgeBase) -> list[Violation]:
    """Every hard constraint the result breaks (empty: the schedule is valid)."""
    inspector = _Check(instance, knowledge)
    violations = list(_coverage(inspector, result))
    known = [a for a in result.assignments if a.session in inspector.sessions]
    for a in known:
        violations.extend(inspector.booking(a))
    violations.extend(_overlaps(known))
    violations.extend(_intervals(instance, {a.session: a for a in known}))
    violations.extend(_objective(inspector, result))
    return violations
