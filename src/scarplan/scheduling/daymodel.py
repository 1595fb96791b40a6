"""Stage one in CP-SAT: which day each session takes, over (session, day) literals.

One literal per possible day of a session; at most one is true (the session is booked on that
day) and none when it is left out. A later session is booked only with the one before it, at
its minimum to maximum days after it. The capacity rows (`capacity.py`) bound each day's load.
Objective terms are linear in the literals, so the LP relaxation sees them exactly.

The model covers the `free` jobs (whole patients); any others are `fixed` on a day and only take
their slots out of the rows. The search (`search.py`) and the repairs (`repair.py`) solve small
models of a few patients; a small instance is solved whole (`exact.py`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from ortools.sat.python import cp_model

from scarplan.scheduling.capacity import Capacity
from scarplan.scheduling.jobs import Prepared
from scarplan.scheduling.terms import Term, tier_weights

PERCENT = 100


class DayModel:
    def __init__(
        self,
        prepared: Prepared,
        capacity: Capacity,
        free: Sequence[int],
        *,
        fixed: Mapping[int, int] | None = None,
        banned: Mapping[int, Collection[int]] | None = None,
    ) -> None:
        """`free`: the jobs to place; `fixed`: other jobs' chosen option (the rest are left
        out); `banned`: options a job may not take. A free job next to a job that is not free
        keeps to its interval from it (`_edges`)."""
        self.prepared = prepared
        self.peak: cp_model.IntVar | None = None
        model = self.model = cp_model.CpModel()
        self.free = tuple(free)
        self.literals: dict[int, list[tuple[int, cp_model.IntVar]]] = {}
        self.booked: dict[int, cp_model.IntVar] = {}
        self.day_load: dict[int, list[tuple[cp_model.IntVar, int]]] = {}
        row_terms: dict[int, list[tuple[cp_model.IntVar, int]]] = {}
        fixed = fixed or {}
        banned = banned or {}
        edges = self._edges(fixed)
        for j in self.free:
            slots, out = prepared.jobs[j].slots, banned.get(j, ())
            low, high, required = edges.get(j, (None, None, False))
            pairs = [
                (k, model.new_bool_var(f"x{j}_{option.day}"))
                for k, option in enumerate(prepared.options[j])
                if k not in out
                and (low is None or option.day >= low)
                and (high is None or option.day <= high)
            ]
            self.literals[j] = pairs
            booked = self.booked[j] = model.new_bool_var(f"b{j}")
            model.add(sum(x for _, x in pairs) == booked)
            if required:
                model.add(booked == 1)
            for k, x in pairs:
                self.day_load.setdefault(prepared.options[j][k].day, []).append((x, slots))
                for row in capacity.rows_of(j, k):
                    row_terms.setdefault(row, []).append((x, slots))
        used = self._fixed_use(capacity, fixed)
        for row, terms in row_terms.items():
            model.add(
                cp_model.LinearExpr.weighted_sum([x for x, _ in terms], [s for _, s in terms])
                <= capacity.rows[row].supply - used.get(row, 0)
            )
        self._chains()

    def _edges(self, fixed: Mapping[int, int]) -> dict[int, tuple[int | None, int | None, bool]]:
        """For free jobs next to jobs that are not free: the earliest and latest day their
        intervals allow, and whether they must be booked (a booked successor needs them)."""
        jobs, options, free = self.prepared.jobs, self.prepared.options, set(self.free)
        edges: dict[int, tuple[int | None, int | None, bool]] = {}
        for j in self.free:
            job = jobs[j]
            low: int | None = None
            high: int | None = None
            required = False
            if job.previous is not None and job.previous not in free:
                if job.previous in fixed:
                    day = options[job.previous][fixed[job.previous]].day
                    low = day + job.min_gap
                    high = None if job.max_gap is None else day + job.max_gap
                else:
                    low, high = 1, 0  # the session before is left out: so is this one
            after = self.prepared.successor(j)
            if after is not None and after not in free and after in fixed:
                later = jobs[after]
                day = options[after][fixed[after]].day
                high = day - later.min_gap if high is None else min(high, day - later.min_gap)
                if later.max_gap is not None:
                    low = day - later.max_gap if low is None else max(low, day - later.max_gap)
                required = True
            if low is not None or high is not None or required:
                edges[j] = (low, high, required)
        return edges

    def _fixed_use(self, capacity: Capacity, fixed: Mapping[int, int]) -> dict[int, int]:
        self.fixed_load: dict[int, int] = {}
        used: dict[int, int] = {}
        for j, k in fixed.items():
            day, slots = self.prepared.options[j][k].day, self.prepared.jobs[j].slots
            self.fixed_load[day] = self.fixed_load.get(day, 0) + slots
            for row in capacity.rows_of(j, k):
                used[row] = used.get(row, 0) + slots
        return used

    def day_of(self, j: int) -> cp_model.LinearExpr:
        options = self.prepared.options[j]
        pairs = self.literals[j]
        return cp_model.LinearExpr.weighted_sum(
            [x for _, x in pairs], [options[k].day for k, _ in pairs]
        )

    def _chains(self) -> None:
        """A later session only with the one before it, within its interval of days.

        Written without enforcement literals so that the LP relaxation keeps them: `day_of` is
        0 for a session left out, and both sides then hold trivially. Intervals to jobs that
        are not free were applied to the options already (`_edges`).
        """
        for j in self.free:
            job = self.prepared.jobs[j]
            if job.previous is None or job.previous not in self.booked:
                continue
            booked, booked_before = self.booked[j], self.booked[job.previous]
            self.model.add_implication(booked, booked_before)
            gap = self.day_of(j) - self.day_of(job.previous)
            latest = max((o.day for o in self.prepared.options[job.previous]), default=0)
            # Both booked: gap >= min_gap. Only the one before: -day(before) >= -latest.
            self.model.add(gap >= job.min_gap * booked - latest * (booked_before - booked))
            if job.max_gap is not None:
                self.model.add(gap <= job.max_gap * booked)

    def forbid_together(self, bookings: Sequence[tuple[int, int]]) -> None:
        """A cut from a day found not to fit in time: not all of these bookings at once."""
        literals = []
        for j, k in bookings:
            literal = next((x for option, x in self.literals.get(j, ()) if option == k), None)
            if literal is None:
                return  # one of them cannot be chosen here: the cut holds already
            literals.append(literal)
        self.model.add(sum(literals) <= len(literals) - 1)

    def expression(self, term: Term) -> cp_model.LinearExpr:
        """The term's value over the free jobs."""
        variables: list[cp_model.IntVar] = []
        coefficients: list[int] = []
        constant = 0
        for j in self.free:
            unbooked = term.unbooked[j]
            constant += unbooked
            if unbooked:
                variables.append(self.booked[j])
                coefficients.append(-unbooked)
            for k, x in self.literals[j]:
                if term.option[j][k]:
                    variables.append(x)
                    coefficients.append(term.option[j][k])
        return cp_model.LinearExpr.weighted_sum(variables, coefficients) + constant

    def add_peak(self) -> cp_model.IntVar:
        """The highest booked share of practitioner time over the days the free jobs may take,
        in whole percent (with the fixed jobs' load)."""
        peak = self.peak = self.model.new_int_var(0, PERCENT, "peak")
        for day, terms in self.day_load.items():
            available = self.prepared.practitioner_slots[day]
            load = cp_model.LinearExpr.weighted_sum([x for x, _ in terms], [s for _, s in terms])
            fixed = self.fixed_load.get(day, 0)
            self.model.add(PERCENT * (load + fixed) <= peak * available)
        return peak

    def peak_of(self, choice: Mapping[int, int]) -> int:
        """`add_peak`'s value when the free jobs are booked as in `choice`."""
        load = {day: self.fixed_load.get(day, 0) for day in self.day_load}
        for j in self.free:
            if j in choice:
                day = self.prepared.options[j][choice[j]].day
                load[day] = load.get(day, 0) + self.prepared.jobs[j].slots
        slots = self.prepared.practitioner_slots
        return max((-(-PERCENT * used // slots[day]) for day, used in load.items()), default=0)

    def hint(self, choice: Mapping[int, int]) -> None:
        """Start the search from `choice` (job -> option index; absent: not booked)."""
        model = self.model
        model.clear_hints()  # type: ignore[no-untyped-call]
        variables, values = [], []
        for j in self.free:
            chosen = choice.get(j)
            variables.append(self.booked[j].index)
            values.append(int(chosen is not None))
            for k, x in self.literals[j]:
                variables.append(x.index)
                values.append(int(k == chosen))
        if self.peak is not None:
            variables.append(self.peak.index)
            values.append(self.peak_of(choice))
        model.proto.solution_hint.vars.extend(variables)
        model.proto.solution_hint.values.extend(values)

    def read(self, solver: cp_model.CpSolver) -> dict[int, int]:
        solution = solver.response_proto.solution
        return {j: k for j in self.free for k, x in self.literals[j] if solution[x.index]}


def solver_for(seconds: float, workers: int, seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = max(seconds, 0.01)
    return solver


def lexicographic(
    day_model: DayModel, terms: Sequence[Term], *, spread: bool
) -> cp_model.LinearExpr:
    """One objective (to maximise) ranking the terms lexicographically over the free jobs;
    with `spread`, the peak day's load comes last."""
    weights = tier_weights(terms, day_model.free, PERCENT if spread else 0)
    total = cp_model.LinearExpr.sum(
        [w * day_model.expression(t) for w, t in zip(weights, terms, strict=True)]
    )
    return total - day_model.add_peak() if spread else total
