"""Stage two: start times, practitioners, devices and rooms for the sessions booked on one day.

First a quick pass: sessions with a device first, then those with the narrowest windows, each
at its earliest start where a practitioner, the device, a room and the patient are all free
(among equal starts, the practitioner with the least booked so far). Most days pack this way.
When a session is left over, a CP-SAT model packs the day exactly (`daypack.py`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from scarplan.scheduling.daypack import Timed
from scarplan.scheduling.jobs import Job, Placement, Prepared


def _mask(start: int, slots: int) -> int:
    return ((1 << slots) - 1) << start


class _Board:
    """Busy slots per resource and per patient, as bit masks."""

    def __init__(self) -> None:
        self.busy: dict[tuple[str, object], int] = {}
        self.minutes: dict[str, int] = {}

    def free(self, key: tuple[str, object], mask: int) -> bool:
        return not self.busy.get(key, 0) & mask

    def book(self, timed: Timed, job: Job) -> None:
        mask = _mask(timed.start, job.slots)
        keys: list[tuple[str, object]] = [
            ("p", timed.practitioner),
            ("r", timed.room),
            ("patient", job.patient_index),
        ]
        if timed.device is not None:
            keys.append(("d", timed.device))
        for key in keys:
            self.busy[key] = self.busy.get(key, 0) | mask
        self.minutes[timed.practitioner] = self.minutes.get(timed.practitioner, 0) + job.slots


def _earliest(
    board: _Board, job: Job, day: int, placement: Placement, after: int, before: int
) -> Timed | None:
    """The earliest start in [after, before - slots] with everything free, if any."""
    best: tuple[int, int, str, str | None, str] | None = None
    for practitioner, windows in placement.practitioners:
        for low, high in windows:
            for start in range(max(low, after), min(high, before) - job.slots + 1):
                if best is not None and start > best[0]:
                    break
                mask = _mask(start, job.slots)
                if not board.free(("p", practitioner), mask):
                    continue
                if not board.free(("patient", job.patient_index), mask):
                    continue
                device = next((d for d, _ in placement.devices if board.free(("d", d), mask)), None)
                room = next((r for r, _ in placement.rooms if board.free(("r", r), mask)), None)
                if room is None or (placement.devices and device is None):
                    continue
                candidate = (start, board.minutes.get(practitioner, 0), practitioner, device, room)
                if best is None or candidate[:3] < best[:3]:
                    best = candidate
                break
    if best is None:
        return None
    return Timed(job.index, day, best[0], best[2], best[3], best[4])


def _order(prepared: Prepared, entries: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    def key(entry: tuple[int, int]) -> tuple[int, int, int, int]:
        j, k = entry
        placement = prepared.options[j][k].placement
        room_to_move = sum(h - lo for _, ws in placement.practitioners for lo, h in ws)
        job = prepared.jobs[j]
        return (0 if placement.devices else 1, room_to_move, -job.slots, j)

    return sorted(entries, key=key)


def _neighbours(
    job: Job, timed: Mapping[int, Timed], jobs: Sequence[Job], slots_per_day: int
) -> tuple[int, int]:
    """Slots the job must start after and end before, for same-day sessions of its patient."""
    after, before = 0, slots_per_day
    if job.previous is not None and job.previous in timed:
        previous = timed[job.previous]
        after = previous.start + jobs[job.previous].slots
    for other in timed.values():
        if jobs[other.job].previous == job.index:
            before = min(before, other.start)
    return after, before


def greedy_day(
    prepared: Prepared,
    day: int,
    entries: Sequence[tuple[int, int]],
    pinned: Mapping[int, Timed],
) -> tuple[dict[int, Timed], list[int]]:
    """Place `entries` (job, option) around the `pinned` bookings; return placed and left over."""
    jobs, slots_per_day = prepared.jobs, 24 * 60 // prepared.slot_minutes
    board = _Board()
    timed: dict[int, Timed] = {}
    for j, fixed in pinned.items():
        board.book(fixed, jobs[j])
        timed[j] = fixed
    left = []
    for j, k in _order(prepared, [e for e in entries if e[0] not in pinned]):
        job = jobs[j]
        after, before = _neighbours(job, timed, jobs, slots_per_day)
        found = _earliest(board, job, day, prepared.options[j][k].placement, after, before)
        if found is None:
            left.append(j)
            continue
        board.book(found, job)
        timed[j] = found
    return timed, left
