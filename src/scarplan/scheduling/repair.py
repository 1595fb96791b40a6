"""Times for every booked day, and repairs when a day's sessions do not fit in time.

The day model only bounds each day's load, so now and then a day's sessions cannot all be given
times (say two patients free only in the morning both need the one laser). Those sessions may
not take that day again; the day model is solved once more for their patients alone, with every
other booking fixed, and the days that changed are timed again. This repeats until every booked
session has a time; whatever is still left over when the rounds or the time run out is left
unscheduled, with the sessions that follow it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from scarplan.scheduling.capacity import Capacity
from scarplan.scheduling.daymodel import DayModel, lexicographic, solver_for
from scarplan.scheduling.daypack import Timed, pack_exactly
from scarplan.scheduling.jobs import Prepared
from scarplan.scheduling.phases import SOLVED, SolverSettings
from scarplan.scheduling.terms import Term
from scarplan.scheduling.timing import greedy_day

MAX_ROUNDS = 50
MIN_ROUNDS = 3
DAY_SECONDS = (0.25, 2.0)
REPAIR_SECONDS = (0.5, 5.0)
"""Least and most seconds per exact day packing and per repair: the least even once the time
limit has passed, so that a late day is not given up for want of a moment."""


@dataclass
class Timing:
    prepared: Prepared
    capacity: Capacity
    terms: Sequence[Term]
    choice: dict[int, int]
    pins: Mapping[int, Timed]
    """Kept bookings (rescheduling): they keep their time when they keep their day."""
    keep: Mapping[int, int | None]
    settings: SolverSettings
    deadline: float
    timed: dict[int, Timed] = field(default_factory=dict)
    banned: dict[int, set[int]] = field(default_factory=dict)
    rounds: int = 0
    unpackable: list[list[tuple[int, int]]] = field(default_factory=list)
    """Days' bookings (job, option) proven not to fit together in time."""

    def day(self, j: int) -> int:
        return self.prepared.options[j][self.choice[j]].day

    def on_day(self, day: int) -> list[tuple[int, int]]:
        return sorted((j, k) for j, k in self.choice.items() if self.day(j) == day)

    def pinned(self, entries: list[tuple[int, int]]) -> dict[int, Timed]:
        return {j: self.pins[j] for j, k in entries if j in self.pins and self.keep.get(j) == k}

    def _seconds(self, limits: tuple[float, float]) -> float:
        return max(limits[0], min(limits[1], self.deadline - time.perf_counter()))

    def time_days(self, days: set[int]) -> list[int]:
        """(Re)time the given days from scratch; return the jobs left over."""
        by_day: dict[int, list[tuple[int, int]]] = {day: [] for day in days}
        for j, k in sorted(self.choice.items()):
            day = self.day(j)
            if day in by_day:
                by_day[day].append((j, k))
        hard = []
        left: list[int] = []
        for day, entries in sorted(by_day.items()):
            pinned = self.pinned(entries)
            quick, over = greedy_day(self.prepared, day, entries, pinned)
            if over:
                hard.append((day, entries, pinned, quick, over))
            else:
                self.timed.update(quick)
        seconds = self._seconds(DAY_SECONDS)
        with ThreadPoolExecutor(self.settings.workers) as pool:
            packed = list(
                pool.map(
                    lambda case: pack_exactly(
                        self.prepared, *case[:4], seed=self.settings.seed, seconds=seconds
                    ),
                    hard,
                )
            )
        for (_, entries, _, quick, over), (exact, proven) in zip(hard, packed, strict=True):
            if proven and exact is not None and len(exact) < len(entries):
                self.unpackable.append(entries)
            if exact is not None and len(exact) > len(quick):
                self.timed.update(exact)
                left.extend(j for j, _ in entries if j not in exact)
            else:
                self.timed.update(quick)
                left.extend(over)
        return left

    def _insert(self, day: int) -> list[int]:
        """Add the day's new sessions around those already timed; retime it if they do not fit."""
        entries = self.on_day(day)
        already = {j: self.timed[j] for j, _ in entries if j in self.timed}
        placed, left = greedy_day(self.prepared, day, entries, already)
        if not left:
            self.timed.update(placed)
            return []
        for j, _ in entries:
            self.timed.pop(j, None)
        return self.time_days({day})

    def repair(self, left: list[int]) -> None:
        while (
            left
            and self.rounds < MAX_ROUNDS
            and (self.rounds < MIN_ROUNDS or time.perf_counter() < self.deadline)
        ):
            self.rounds += 1
            for j in left:
                self.banned.setdefault(j, set()).add(self.choice[j])
            patients = {self.prepared.jobs[j].patient_index for j in left}
            free = [
                job.index
                for job in self.prepared.jobs
                if job.patient_index in patients and self.prepared.options[job.index]
            ]
            before = {j: self.choice[j] for j in free if j in self.choice}
            after = self._replan(free, set(left))
            touched = set()
            for j in free:
                if before.get(j) != after.get(j) or j in left:
                    self.timed.pop(j, None)
                    self.choice.pop(j, None)
                    if j in after:
                        self.choice[j] = after[j]
                        touched.add(self.day(j))
            left = [j for day in sorted(touched) for j in self._insert(day)]
        for j in left:
            self.timed.pop(j, None)
        self._drop_orphans()

    def _replan(self, free: list[int], left: set[int]) -> dict[int, int]:
        """New days for the freed patients' sessions, every other booking fixed."""
        jobs, free_set = self.prepared.jobs, set(free)
        fixed = {j: k for j, k in self.choice.items() if j not in free_set}
        start: dict[int, int] = {}
        for j in free:  # jobs are in treatment order within a patient
            previous = jobs[j].previous
            if j in self.choice and j not in left and (previous is None or previous in start):
                start[j] = self.choice[j]
        model = DayModel(self.prepared, self.capacity, free, fixed=fixed, banned=self.banned)
        model.model.maximize(lexicographic(model, self.terms, spread=False))
        model.hint(start)
        solver = solver_for(
            self._seconds(REPAIR_SECONDS), self.settings.workers, self.settings.seed
        )
        if solver.solve(model.model) in SOLVED:
            return model.read(solver)
        return start

    def _drop_orphans(self) -> None:
        """A session stays booked only with the one before it."""
        for job in self.prepared.jobs:
            if job.previous is not None and job.previous not in self.timed:
                self.timed.pop(job.index, None)
        self.choice = {j: k for j, k in self.choice.items() if j in self.timed}
