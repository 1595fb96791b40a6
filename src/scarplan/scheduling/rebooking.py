"""Previous bookings in a rescheduling: which still stand, which are cancelled, what moved.

A booking can be kept only if it is still valid as it stands in the changed instance: its day
is still possible for the session, and its practitioner, device and room may still be used at
its time. A change of room alone counts as a move (the front desk's board changes), but `Move`
lists what changed, so a caller can tell that the patient need not be told.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from scarplan.domain.errors import FieldProblem, InputError
from scarplan.scheduling.daypack import Timed
from scarplan.scheduling.jobs import Prepared
from scarplan.scheduling.model import (
    Assignment,
    Cancelled,
    Change,
    Instance,
    Move,
    minute_of_day,
)


@dataclass(frozen=True)
class Previous:
    bookings: dict[int, Assignment]
    """Job index -> its previous booking."""
    keep: dict[int, int]
    """Job index -> the option that keeps its booking, for bookings still valid."""
    pins: dict[int, Timed]
    cancelled: tuple[Cancelled, ...]

    @property
    def keep_or_none(self) -> dict[int, int | None]:
        return {j: self.keep.get(j) for j in self.bookings}


def match_previous(
    instance: Instance, prepared: Prepared, previous: Sequence[Assignment]
) -> Previous:
    by_session = {job.session: job for job in prepared.jobs}
    _check(previous, {job.session: job.patient for job in prepared.jobs})
    bookings, keep, pins, cancelled = {}, {}, {}, []
    for booking in previous:
        job = by_session.get(booking.session)
        if job is None:
            cancelled.append(
                Cancelled(session=booking.session, patient=booking.patient, before=booking)
            )
            continue
        bookings[job.index] = booking
        found = _still_valid(booking, job.index, instance, prepared)
        if found is not None:
            keep[job.index], pins[job.index] = found
    return Previous(bookings, keep, pins, tuple(cancelled))


def _check(previous: Sequence[Assignment], patients: Mapping[str, str]) -> None:
    problems, seen = [], set()
    for i, booking in enumerate(previous):
        if booking.session in seen:
            problems.append(
                FieldProblem(f"previous[{i}].session", "booked twice", "keep one booking")
            )
        seen.add(booking.session)
        owner = patients.get(booking.session)
        if owner is not None and owner != booking.patient:
            problems.append(
                FieldProblem(
                    f"previous[{i}].patient",
                    f"session {booking.session!r} belongs to patient {owner!r}",
                    "use the previous result for this instance",
                )
            )
    if problems:
        raise InputError("the previous schedule does not match the instance", problems)


def _still_valid(
    booking: Assignment, j: int, instance: Instance, prepared: Prepared
) -> tuple[int, Timed] | None:
    day = (booking.date - instance.horizon.start).days
    k = next((k for k, o in enumerate(prepared.options[j]) if o.day == day), None)
    if k is None:
        return None
    placement, slot = prepared.options[j][k].placement, instance.slot_minutes
    start, end = minute_of_day(booking.start), minute_of_day(booking.end)
    job = prepared.jobs[j]
    if start % slot or end - start != job.slots * slot:
        return None
    first = start // slot
    windows = dict(placement.practitioners).get(booking.practitioner, ())
    if not any(lo <= first and first + job.slots <= hi for lo, hi in windows):
        return None
    devices = {d for d, _ in placement.devices}
    if (booking.device is None) != (not devices) or (devices and booking.device not in devices):
        return None
    if booking.room not in {r for r, _ in placement.rooms}:
        return None
    return k, Timed(j, day, first, booking.practitioner, booking.device, booking.room)


def changes(before: Assignment, after: Assignment) -> list[Change]:
    fields: tuple[Change, ...] = ("date", "start", "practitioner", "device", "room")
    return [name for name in fields if getattr(before, name) != getattr(after, name)]


def moves(
    bookings: Mapping[int, Assignment],
    after: Mapping[str, Assignment],
    jobs: Iterable[tuple[int, str, str]],
) -> list[Move]:
    """Each job (index, session, patient) booked before or after whose booking changed."""
    found = []
    for j, session, patient in jobs:
        old, new = bookings.get(j), after.get(session)
        if old is None and new is None:
            continue
        if old is not None and new is not None:
            what = changes(old, new)
            if not what:
                continue
        else:
            what = ["date", "start", "practitioner", "device", "room"]
        found.append(Move(session=session, patient=patient, before=old, after=new, changes=what))
    return found
