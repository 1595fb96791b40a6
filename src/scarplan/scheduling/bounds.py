"""Proven bounds for large instances: a Lagrangian bound by column generation.

Relax the capacity rows (and the terms held from earlier phases) with non-negative prices; what
is left splits into one problem per patient, which `chains.best_chain` solves exactly. For any
prices that gives a valid bound on the whole problem:

    sum over patients of their cheapest priced booking
    + prices x (held values) - row prices x row supplies.

Good prices come from a master LP (GLOP) over the bookings found so far, one column per
booking: its duals price the next round, whose cheapest bookings become new columns, until
none improves (the Dantzig-Wolfe bound) or the time runs out (the best bound so far stands).
The master's duals also guide the first schedule (`insertion.py`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ortools.linear_solver import pywraplp  # type: ignore[import-untyped]  # no stubs shipped

from scarplan.scheduling.capacity import Capacity
from scarplan.scheduling.chains import best_chain
from scarplan.scheduling.jobs import Prepared
from scarplan.scheduling.terms import Term

MAX_ROUNDS = 60
EPSILON = 1e-6


@dataclass
class _Column:
    patient: int
    options: tuple[int, ...]
    variable: pywraplp.Variable


@dataclass(frozen=True)
class _Hold:
    term: Term
    row: pywraplp.Constraint
    at_least: bool
    value: int


class Master:
    def __init__(self, prepared: Prepared, capacity: Capacity, terms: Sequence[Term]) -> None:
        self.prepared, self.capacity, self.terms = prepared, capacity, terms
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        self.patients = prepared.patients()
        self.days = {j: prepared.option_days(j) for js in self.patients.values() for j in js}
        self.convexity = {p: self.lp.Constraint(1, 1) for p in self.patients}
        self.rows: dict[int, pywraplp.Constraint] = {}
        self.columns: list[_Column] = []
        self.seen: set[tuple[int, tuple[int, ...]]] = set()
        self.holds: dict[str, _Hold] = {}
        self.hold_rows: dict[str, pywraplp.Constraint] = {}
        self.objective_term: Term | None = None
        self.round_seconds = 0.0
        """The longest pricing round so far: a round is not begun without that much time."""
        self.weights: dict[int, float] = {}
        """Per patient, the last master LP's largest weight on one booking (1: not split)."""
        self.prices: list[float] = [0.0] * len(capacity.rows)
        for patient in self.patients:
            self.add(patient, ())

    def _coefficient(self, term: Term, patient: int, options: tuple[int, ...]) -> int:
        jobs = self.patients[patient]
        booked = sum(term.option[j][k] for j, k in zip(jobs, options, strict=False))
        return booked + sum(term.unbooked[j] for j in jobs[len(options) :])

    def add(self, patient: int, options: tuple[int, ...]) -> bool:
        """Add a booking of one patient as a column; False if it is there already."""
        if (patient, options) in self.seen:
            return False
        self.seen.add((patient, options))
        variable = self.lp.NumVar(0, 1, "")
        self.convexity[patient].SetCoefficient(variable, 1)
        use: dict[int, int] = {}
        for j, k in zip(self.patients[patient], options, strict=False):
            for r in self.capacity.rows_of(j, k):
                use[r] = use.get(r, 0) + self.prepared.jobs[j].slots
        for r, slots in use.items():
            if r not in self.rows:
                self.rows[r] = self.lp.Constraint(-self.lp.infinity(), self.capacity.rows[r].supply)
            self.rows[r].SetCoefficient(variable, slots)
        for name, row in self.hold_rows.items():
            term = next(t for t in self.terms if t.name == name)
            row.SetCoefficient(variable, self._coefficient(term, patient, options))
        if self.objective_term is not None:
            sign = -1 if self.objective_term.maximize else 1
            coefficient = self._coefficient(self.objective_term, patient, options)
            self.lp.Objective().SetCoefficient(variable, sign * coefficient)
        self.columns.append(_Column(patient, options, variable))
        return True

    def add_schedule(self, choice: Mapping[int, int]) -> None:
        for patient, jobs in self.patients.items():
            self.add(patient, tuple(choice[j] for j in jobs[: _prefix(jobs, choice)]))

    def hold(self, term: Term, value: int) -> None:
        """Keep `term` at least as good as `value` from now on."""
        infinity = self.lp.infinity()
        low, high = (value, infinity) if term.maximize else (-infinity, value)
        row = self.hold_rows.get(term.name)
        if row is None:
            row = self.hold_rows[term.name] = self.lp.Constraint(low, high)
            for column in self.columns:
                coefficient = self._coefficient(term, column.patient, column.options)
                row.SetCoefficient(column.variable, coefficient)
        row.SetBounds(low, high)
        self.holds[term.name] = _Hold(term, row, term.maximize, value)

    def release(self, terms: Sequence[Term]) -> None:
        """Stop holding these terms."""
        for term in terms:
            if self.holds.pop(term.name, None) is not None:
                self.hold_rows[term.name].SetBounds(-self.lp.infinity(), self.lp.infinity())

    def _patient_weights(self) -> dict[int, float]:
        """Per patient, the master LP's largest weight on one booking (1: not split)."""
        weights: dict[int, float] = {}
        for column in self.columns:
            value = column.variable.solution_value()
            weights[column.patient] = max(weights.get(column.patient, 0.0), value)
        return weights

    def bound(self, term: Term, deadline: float) -> int | None:
        """The best bound on `term` given the holds (None if no round finished in time)."""
        sign = -1 if term.maximize else 1
        self.objective_term = term
        objective = self.lp.Objective()
        for column in self.columns:
            objective.SetCoefficient(
                column.variable, sign * self._coefficient(term, column.patient, column.options)
            )
        objective.SetMinimization()
        best = -math.inf
        for _ in range(MAX_ROUNDS):
            began = time.perf_counter()
            if began + self.round_seconds > deadline:
                break
            if self.lp.Solve() != pywraplp.Solver.OPTIMAL:
                break
            self.weights = self._patient_weights()
            lower, added = self._round(term, sign)
            self.round_seconds = max(self.round_seconds, time.perf_counter() - began)
            best = max(best, lower)
            if not added:
                break
        if best == -math.inf:
            return None
        # Integer objective: the proven bound rounds inwards.
        lowest = math.ceil(best - EPSILON)
        return -lowest if term.maximize else lowest

    def _round(self, term: Term, sign: int) -> tuple[float, int]:
        """One pricing round: the Lagrangian bound at the master's duals; columns added."""
        rows = self.capacity.rows
        prices = [0.0] * len(rows)
        for r, row in self.rows.items():
            prices[r] = max(0.0, -row.dual_value())
        self.prices = prices
        weights: list[tuple[float, Term]] = [(float(sign), term)]
        constant = 0.0
        for hold in self.holds.values():
            dual = hold.row.dual_value()
            multiplier = max(0.0, dual) if hold.at_least else max(0.0, -dual)
            if multiplier:
                # term >= v adds multiplier * (v - term); term <= v adds multiplier * (term - v).
                weights.append((-multiplier if hold.at_least else multiplier, hold.term))
                constant += multiplier * hold.value * (1 if hold.at_least else -1)
        convexity = {p: row.dual_value() for p, row in self.convexity.items()}
        total = constant - sum(p * row.supply for p, row in zip(prices, rows, strict=True))
        found = []
        for patient, jobs in self.patients.items():
            chain = best_chain(
                [self.prepared.jobs[j] for j in jobs],
                [self.days[j] for j in jobs],
                [self._costs(j, weights, prices) for j in jobs],
                [sum(w * t.unbooked[j] for w, t in weights) for j in jobs],
            )
            total += chain.cost
            if chain.cost < convexity[patient] - EPSILON:
                found.append((patient, chain.options))
        return total, sum(self.add(patient, options) for patient, options in found)

    def _costs(
        self, j: int, weights: Sequence[tuple[float, Term]], prices: Sequence[float]
    ) -> list[float]:
        costs = [0.0] * len(self.days[j])
        for w, t in weights:
            values = t.option[j]
            costs = [c + w * v for c, v in zip(costs, values, strict=True)]
        slots, option_rows = self.prepared.jobs[j].slots, self.capacity.option_rows[j]
        for k, rows in enumerate(option_rows):
            for r in rows:
                if prices[r]:
                    costs[k] += slots * prices[r]
        return costs


def _prefix(jobs: Sequence[int], choice: Mapping[int, int]) -> int:
    count = 0
    for j in jobs:
        if j not in choice:
            break
        count += 1
    return count
