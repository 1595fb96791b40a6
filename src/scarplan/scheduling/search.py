"""Large neighbourhood search over patients: free a few, re-solve them exactly, keep if better.

Each step picks a session that is left out or away from its ideal date and frees the bookings
nearest to it in time: by turns whole patients (all their sessions) or single sessions (each
then kept within its interval of its fixed neighbours). Everyone else stays fixed, and the freed
part of the day model (`daymodel.py`) is solved with CP-SAT on a window of days around each
session's ideal and current day (wider for a session left out). The model's objective is the
lexicographic one, with the peak load of the days involved last. A step's result is kept when
it still fits and the whole schedule is at least as good, term by term in order.
With several workers, each round solves that many disjoint neighbourhoods side by side (one
CP-SAT worker each: on models this small that beats one model on several workers).
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from ortools.sat.python import cp_model

from scarplan.scheduling.capacity import Capacity, Loads
from scarplan.scheduling.daymodel import PERCENT, DayModel, lexicographic, solver_for
from scarplan.scheduling.jobs import Prepared
from scarplan.scheduling.phases import SOLVED, SolverSettings
from scarplan.scheduling.terms import Term

WINDOW_DAYS = 14
WIDE_WINDOW_DAYS = 42
STEP_SECONDS = 2.0
SIZES = (6, 24, 100)
"""Patients freed per step: smallest, first, largest (it grows while steps solve quickly)."""
QUICK_SECONDS = 0.5


def score(
    prepared: Prepared, terms: Sequence[Term], choice: Mapping[int, int], jobs: Sequence[int]
) -> tuple[int, ...]:
    """The schedule's terms, signed so that a larger tuple is better; the peak load last."""
    load: dict[int, int] = {}
    for j, k in choice.items():
        day = prepared.options[j][k].day
        load[day] = load.get(day, 0) + prepared.jobs[j].slots
    slots = prepared.practitioner_slots
    peak = max((-(-PERCENT * used // slots[day]) for day, used in load.items()), default=0)
    values = [t.value(choice, jobs) * (1 if t.maximize else -1) for t in terms]
    return (*values, -peak)


class Search:
    def __init__(
        self,
        prepared: Prepared,
        capacity: Capacity,
        terms: Sequence[Term],
        choice: Mapping[int, int],
        settings: SolverSettings,
        keep: Mapping[int, int | None] | None = None,
    ) -> None:
        self.prepared, self.capacity, self.terms = prepared, capacity, terms
        self.settings = settings
        self.keep = keep or {}
        self.patients = prepared.patients()
        self.jobs = [j for js in self.patients.values() for j in js]
        self.choice = dict(choice)
        self.score = score(prepared, terms, self.choice, self.jobs)
        self.loads = Loads(prepared, capacity)
        for j, k in self.choice.items():
            self.loads.add(j, k)
        self.rng = random.Random(settings.seed)
        self.size = SIZES[1]
        self.steps = 0

    def run(self, deadline: float, enough: tuple[int, ...] | None = None) -> dict[int, int]:
        """Search until the deadline, or until the terms reach `enough` (a proven optimum)."""
        while time.perf_counter() + QUICK_SECONDS / 5 < deadline:
            if enough is not None and self.score[: len(enough)] >= enough:
                break
            self.step(deadline)
        return self.choice

    def _day(self, j: int) -> int | None:
        k = self.choice.get(j)
        return None if k is None else self.prepared.options[j][k].day

    def _seed(self) -> int | None:
        """A job to improve: one left out, or one away from its ideal day (weighted by days)."""
        missing = [j for j in self.jobs if j not in self.choice]
        if missing and self.rng.random() < 0.5:
            return self.rng.choice(missing)
        away = []
        for j in self.choice:
            current = self._day(j)
            gap = 0 if current is None else self.prepared.jobs[j].deviation(current)
            if gap:
                away.append((j, gap))
        if not away:
            return self.rng.choice(missing) if missing else None
        return self.rng.choices([j for j, _ in away], [w for _, w in away])[0]

    def _distances(self, seed: int) -> dict[int, int]:
        """Per job, how near its ideal or current day lies to the seed's."""
        prepared = self.prepared
        job = prepared.jobs[seed]
        focus = [d for d in (job.ideal, self._day(seed)) if d is not None] or [job.earliest]
        distance = {}
        for j in self.jobs:
            days = [d for d in (prepared.jobs[j].ideal, self._day(j)) if d is not None]
            if days:
                distance[j] = min(abs(d - f) for d in days for f in focus)
        distance[seed] = -1
        return distance

    def _neighbourhood(self, seed: int, whole_patients: bool) -> list[int]:
        """Jobs to free: the closest to the seed's days (ties in random order), either with
        their whole patients (`size` patients) or on their own (four times as many jobs)."""
        distance = self._distances(seed)
        if not whole_patients:
            ties = {j: self.rng.random() for j in distance}
            return sorted(distance, key=lambda j: (distance[j], ties[j]))[: 4 * self.size]
        nearest: dict[int, int] = {}
        for j, gap in distance.items():
            patient = self.prepared.jobs[j].patient_index
            nearest[patient] = min(nearest.get(patient, gap), gap)
        ties = {p: self.rng.random() for p in nearest}
        patients = sorted(nearest, key=lambda p: (nearest[p], ties[p]))[: self.size]
        return [j for p in patients for j in self.patients[p]]

    def _banned(self, free: Sequence[int]) -> dict[int, set[int]]:
        """Days outside each job's window: around its ideal and current day, wider for a job
        left out (its ideal, else its earliest day); the kept booking's day always in."""
        banned = {}
        for j in free:
            job, days = self.prepared.jobs[j], self.prepared.option_days(j)
            if j in self.choice:
                width = WINDOW_DAYS
                centres = [days[self.choice[j]]] + ([job.ideal] if job.ideal is not None else [])
            else:
                width = WIDE_WINDOW_DAYS
                centres = [job.ideal if job.ideal is not None else job.earliest]
            keep = self.keep.get(j)
            banned[j] = {
                k
                for k, day in enumerate(days)
                if k != keep and all(abs(day - c) > width for c in centres)
            }
        return banned

    def _model(self, free: Sequence[int]) -> DayModel:
        freed = set(free)
        fixed = {j: k for j, k in self.choice.items() if j not in freed}
        model = DayModel(self.prepared, self.capacity, free, fixed=fixed, banned=self._banned(free))
        model.model.maximize(lexicographic(model, self.terms, spread=True))
        model.hint(self.choice)
        return model

    def _solve(self, model: DayModel, seconds: float, seed: int) -> dict[int, int] | None:
        """The freed jobs' new options, or None; adapts the neighbourhood size."""
        solver = solver_for(seconds, 1, seed)
        solver.parameters.linearization_level = 2  # far quicker on these small models
        began = time.perf_counter()
        status = solver.solve(model.model)
        quick = status == cp_model.OPTIMAL and time.perf_counter() - began < QUICK_SECONDS
        self.size = min(SIZES[2], self.size + 2) if quick else max(SIZES[0], self.size - 2)
        return model.read(solver) if status in SOLVED else None

    def _accept(self, model: DayModel, found: Mapping[int, int]) -> None:
        """Take the re-solved patients' bookings if they still fit and are no worse."""
        before = {j: self.choice[j] for j in model.free if j in self.choice}
        for j, k in before.items():
            self.loads.add(j, k, -1)
        for j, k in found.items():
            self.loads.add(j, k)
        candidate = {j: k for j, k in self.choice.items() if j not in before}
        candidate.update(found)
        fits = all(
            self.loads.used[r] <= self.loads.supply[r]
            for j, k in found.items()
            for r in self.capacity.rows_of(j, k)
        )
        value = score(self.prepared, self.terms, candidate, self.jobs) if fits else None
        if value is not None and value >= self.score:
            self.choice, self.score = candidate, value
            return
        for j, k in found.items():
            self.loads.add(j, k, -1)
        for j, k in before.items():
            self.loads.add(j, k)

    def step(self, deadline: float) -> None:
        """One round: a neighbourhood per worker (disjoint), solved side by side."""
        taken: set[int] = set()  # patients
        models = []
        for worker in range(self.settings.workers):
            seed = self._seed()
            if seed is None:
                break
            whole = (self.steps + worker) % 2 == 0
            # Disjoint by patient: a job's interval to its neighbours must not change under it.
            free = [
                j
                for j in self._neighbourhood(seed, whole)
                if self.prepared.jobs[j].patient_index not in taken
            ]
            if not free:
                continue
            taken.update(self.prepared.jobs[j].patient_index for j in free)
            models.append(self._model(sorted(free)))
        seconds = min(STEP_SECONDS, deadline - time.perf_counter())
        seeds = [self.settings.seed + self.steps + i for i in range(len(models))]
        self.steps += len(models)
        if len(models) == 1:
            results = [self._solve(models[0], seconds, seeds[0])]
        else:
            with ThreadPoolExecutor(len(models)) as pool:
                results = list(pool.map(self._solve, models, [seconds] * len(models), seeds))
        for model, found in zip(models, results, strict=True):
            if found is not None:
                self._accept(model, found)
