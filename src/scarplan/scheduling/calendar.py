"""Which days each session may take, and why a session cannot be scheduled at all.

A day is possible for a session when the patient is available, a qualified practitioner works
long enough inside the patient's hours, and a device (if one is needed) and a room are free of
days off. A later session's days must also lie within its interval from some possible day of
the session before it (propagated forwards only: a session may be booked without its successor).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import date, timedelta

from scarplan.knowledge import KnowledgeBase
from scarplan.scheduling.defaults import (
    device_kind,
    device_procedures,
    room_accepts,
    session_minutes,
)
from scarplan.scheduling.jobs import (
    Access,
    Job,
    Option,
    Placement,
    Prepared,
    Reason,
    Window,
    intersect,
    length,
    union,
)
from scarplan.scheduling.model import WEEKDAYS, Instance, PatientRequest, TimeRange


def slot_windows(ranges: Sequence[TimeRange], slot_minutes: int) -> tuple[Window, ...]:
    return union((r.minutes[0] // slot_minutes, r.minutes[1] // slot_minutes) for r in ranges)


def _day_index(day: date | None, start: date) -> int | None:
    return None if day is None else (day - start).days


class _Clinic:
    """Per day: who works when, which devices and rooms are free (days off removed)."""

    def __init__(self, instance: Instance, knowledge: KnowledgeBase) -> None:
        resources, slot = instance.resources, instance.slot_minutes
        self.dates = [instance.horizon.start + timedelta(t) for t in range(instance.horizon.days)]
        self.hours: list[dict[str, tuple[Window, ...]]] = []
        for day in self.dates:
            weekday = WEEKDAYS[day.weekday()]
            self.hours.append(
                {
                    p.id: slot_windows(p.hours[weekday], slot)
                    for p in resources.practitioners
                    if p.hours.get(weekday) and day not in p.days_off
                }
            )
        self.qualified = {
            m: tuple(p.id for p in resources.practitioners if m in p.procedures)
            for m in knowledge.modalities
        }
        self.devices = {
            m: tuple(d.id for d in resources.devices if m in device_procedures(d, knowledge))
            for m in knowledge.modalities
        }
        self.rooms = {
            m: tuple(r.id for r in resources.rooms if room_accepts(r, m))
            for m in knowledge.modalities
        }
        self.off = {
            **{d.id: frozenset(d.days_off) for d in resources.devices},
            **{r.id: frozenset(r.days_off) for r in resources.rooms},
        }
        self._cache: dict[tuple[object, ...], Placement | None] = {}

    def placement(self, day: int, job: Job, patient_hours: tuple[Window, ...]) -> Placement | None:
        key = (day, job.procedure, job.slots, job.device_kind, patient_hours)
        if key not in self._cache:
            self._cache[key] = self._placement(day, job, patient_hours)
        return self._cache[key]

    def _placement(self, day: int, job: Job, patient_hours: tuple[Window, ...]) -> Placement | None:
        working = self.hours[day]
        practitioners: Access = tuple(
            (p, pieces)
            for p in self.qualified[job.procedure]
            if p in working
            if (
                pieces := tuple(
                    w for w in intersect(working[p], patient_hours) if w[1] - w[0] >= job.slots
                )
            )
        )
        if not practitioners:
            return None
        windows = union(w for _, pieces in practitioners for w in pieces)
        today = self.dates[day]
        devices: Access = ()
        if job.device_kind is not None:
            devices = tuple(
                (d, windows) for d in self.devices[job.procedure] if today not in self.off[d]
            )
            if not devices:
                return None
        rooms = tuple((r, windows) for r in self.rooms[job.procedure] if today not in self.off[r])
        return Placement(practitioners, devices, rooms) if rooms else None


def _jobs(instance: Instance, knowledge: KnowledgeBase) -> list[Job]:
    start = instance.horizon.start
    jobs: list[Job] = []
    for patient_index, patient in enumerate(instance.patients):
        previous = None
        for session in patient.sessions:
            earliest = _day_index(session.earliest, start)
            job = Job(
                index=len(jobs),
                session=session.id,
                patient=patient.id,
                patient_index=patient_index,
                procedure=session.procedure,
                slots=session_minutes(session, instance, knowledge) // instance.slot_minutes,
                previous=previous,
                min_gap=session.min_days_after_previous or 0,
                max_gap=session.max_days_after_previous,
                earliest=max(0, earliest or 0),
                ideal=_day_index(session.ideal, start),
                device_kind=device_kind(session.procedure, knowledge),
            )
            jobs.append(job)
            previous = job.index
    return jobs


def _available_days(patient: PatientRequest, clinic: _Clinic) -> list[int]:
    weekdays = set(patient.availability.weekdays)
    return [
        t
        for t, day in enumerate(clinic.dates)
        if WEEKDAYS[day.weekday()] in weekdays
        and not any(day in span for span in patient.availability.unavailable)
    ]


def _static_reason(job: Job, clinic: _Clinic, minutes: int, last: date) -> Reason:
    what = job.procedure.value
    if not clinic.qualified[job.procedure]:
        return Reason("no_practitioner", f"no practitioner may perform {what}")
    if job.device_kind is not None and not clinic.devices[job.procedure]:
        return Reason("no_device", f"{what} needs a {job.device_kind} and the clinic has none")
    if not clinic.rooms[job.procedure]:
        return Reason("no_room", f"no room is equipped for {what}")
    if job.earliest >= len(clinic.dates):
        return Reason("outside_horizon", f"its earliest date is after the horizon ends ({last})")
    return Reason(
        "no_availability",
        f"no day from its earliest date to {last} when the patient is available and a "
        f"practitioner who performs {what} works {minutes} minutes within the patient's hours "
        "(with a room and device free)",
    )


def _follows(days: list[int], previous: list[int], job: Job) -> list[int]:
    """Days at least `min_gap` and at most `max_gap` after some day in `previous`."""
    kept = []
    for day in days:
        i = 0 if job.max_gap is None else bisect_left(previous, day - job.max_gap)
        if i < len(previous) and previous[i] <= day - job.min_gap:
            kept.append(day)
    return kept


def prepare(instance: Instance, knowledge: KnowledgeBase) -> Prepared:
    clinic = _Clinic(instance, knowledge)
    jobs = _jobs(instance, knowledge)
    options: list[tuple[Option, ...]] = []
    reasons: dict[int, Reason] = {}
    available: list[int] = []
    hours: tuple[Window, ...] = ()
    for job in jobs:
        if job.previous is None:
            patient = instance.patients[job.patient_index]
            available = _available_days(patient, clinic)
            hours = slot_windows(patient.availability.hours, instance.slot_minutes)
        found = [
            Option(t, placement)
            for t in available
            if t >= job.earliest
            if (placement := clinic.placement(t, job, hours)) is not None
        ]
        if job.previous is not None:
            previous_days = [o.day for o in options[job.previous]]
            if not previous_days:
                reasons[job.index] = Reason("previous_unscheduled", "previous session unscheduled")
                found = []
            elif found:
                allowed = set(_follows([o.day for o in found], previous_days, job))
                if not allowed:
                    reasons[job.index] = Reason(
                        "interval_chain",
                        f"no possible day lies {_gap_text(job)} after a possible day of the "
                        "previous session",
                    )
                found = [o for o in found if o.day in allowed]
        if not found and job.index not in reasons:
            minutes = job.slots * instance.slot_minutes
            reasons[job.index] = _static_reason(job, clinic, minutes, instance.end)
        options.append(tuple(found))
    practitioner_slots = tuple(sum(length(w) for w in hours.values()) for hours in clinic.hours)
    return Prepared(tuple(jobs), tuple(options), reasons, instance.slot_minutes, practitioner_slots)


def _gap_text(job: Job) -> str:
    if job.max_gap is None:
        return f"at least {job.min_gap} days"
    return f"{job.min_gap} to {job.max_gap} days"
