"""The solver's view of an instance: sessions as jobs, days as integers, times as slots.

Day 0 is the horizon's first day. A window is a half-open range of slots `[start, end)` within
one day. Everything here is plain data, built once by `calendar.prepare` and read by the models.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scarplan.domain.vocabulary import Modality
from scarplan.scheduling.model import UnscheduledCode

Window = tuple[int, int]
Access = tuple[tuple[str, tuple[Window, ...]], ...]
"""Resources a session may use on one day, each with the windows it may use them in (sorted)."""


@dataclass(frozen=True)
class Job:
    index: int
    session: str
    patient: str
    patient_index: int
    procedure: Modality
    slots: int
    previous: int | None
    min_gap: int
    max_gap: int | None
    earliest: int
    ideal: int | None
    """Day index of the ideal date (may lie outside the horizon), None: no preferred day."""
    device_kind: str | None

    def deviation(self, day: int) -> int:
        return 0 if self.ideal is None else abs(day - self.ideal)


@dataclass(frozen=True)
class Placement:
    """How one job can be placed on one day (shared by every job with the same needs)."""

    practitioners: Access
    """Qualified practitioners at work, each with the pieces of their hours inside the patient's
    hours that are long enough for the whole session."""
    devices: Access
    """Usable devices (empty when none is needed), with the practitioners' windows."""
    rooms: Access


@dataclass(frozen=True)
class Option:
    day: int
    placement: Placement


@dataclass(frozen=True)
class Reason:
    code: UnscheduledCode
    text: str


@dataclass(frozen=True)
class Prepared:
    jobs: tuple[Job, ...]
    options: tuple[tuple[Option, ...], ...]
    """Per job, the days it may take (ascending), with how; empty when it cannot be scheduled."""
    reasons: dict[int, Reason]
    """Jobs that cannot be scheduled whatever else happens, by job index."""
    slot_minutes: int
    practitioner_slots: tuple[int, ...]
    """Per day, the practitioners' working slots (for load utilisation)."""

    def patients(self) -> dict[int, list[int]]:
        """Patient index -> its jobs that have a possible day, in treatment order (a prefix of
        the patient's sessions: a job without days leaves the rest without days too)."""
        found: dict[int, list[int]] = {}
        for job in self.jobs:
            if self.options[job.index]:
                found.setdefault(job.patient_index, []).append(job.index)
        return found

    def successor(self, j: int) -> int | None:
        """The job after `j` in its patient's treatment, if any."""
        after = j + 1
        if after < len(self.jobs) and self.jobs[after].previous == j:
            return after
        return None

    def option_days(self, j: int) -> list[int]:
        return [option.day for option in self.options[j]]


def intersect(first: Sequence[Window], second: Sequence[Window]) -> list[Window]:
    """Overlap of two sorted lists of disjoint windows."""
    found, i, j = [], 0, 0
    while i < len(first) and j < len(second):
        start = max(first[i][0], second[j][0])
        end = min(first[i][1], second[j][1])
        if start < end:
            found.append((start, end))
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return found


def union(windows: Iterable[Window]) -> tuple[Window, ...]:
    merged: list[Window] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def length(windows: Iterable[Window]) -> int:
    return sum(end - start for start, end in windows)


def covers(outer: Sequence[Window], inner: Sequence[Window]) -> bool:
    """Every slot of `inner` lies in `outer` (both sorted and disjoint)."""
    return length(intersect(outer, inner)) == length(inner)
