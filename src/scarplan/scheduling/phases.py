"""The lexicographic objective, one CP-SAT solve per phase.

Each phase optimises one term and then holds it at the value found (`>=` for a maximum, `<=`
for a minimum) while the next phase runs, so a later phase never trades away an earlier one.
The bound each phase proves is therefore a bound given the values found in the phases before.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scarplan.scheduling.daymodel import DayModel, solver_for

SOLVED = (cp_model.OPTIMAL, cp_model.FEASIBLE)


@dataclass(frozen=True)
class PhaseOutcome:
    name: str
    status: str
    """optimal, feasible (stopped by the time limit), or kept_start (the search found nothing
    better than the starting schedule in time)."""
    value: int
    bound: int | None
    seconds: float
    choice: dict[int, int]


@dataclass(frozen=True)
class SolverSettings:
    workers: int
    seed: int


def run_phase(
    day_model: DayModel,
    name: str,
    term: cp_model.LinearExprT,
    *,
    maximize: bool,
    start: Mapping[int, int],
    start_value: int,
    seconds: float,
    settings: SolverSettings,
) -> PhaseOutcome:
    """Optimise `term` from the schedule `start` (worth `start_value`), then hold it there."""
    began = time.perf_counter()
    model = day_model.model
    if maximize:
        model.maximize(term)
    else:
        model.minimize(term)
    day_model.hint(start)
    solver = solver_for(seconds, settings.workers, settings.seed)
    status = solver.solve(model)
    bound = _bound(solver, maximize) if status in SOLVED else None
    value, choice, label = start_value, dict(start), "kept_start"
    if status in SOLVED:
        found = round(solver.objective_value)
        better = found > value if maximize else found < value
        if better or (found == value and status == cp_model.OPTIMAL):
            value, choice = found, day_model.read(solver)
            label = "optimal" if status == cp_model.OPTIMAL else "feasible"
    if bound is not None and (bound < value if maximize else bound > value):
        bound = None  # the search stopped before it could prove anything about this value
    if status == cp_model.OPTIMAL or (bound is not None and bound == value):
        label, bound = "optimal", value
    hold(day_model, term, value, maximize=maximize)
    return PhaseOutcome(name, label, value, bound, time.perf_counter() - began, choice)


def _bound(solver: cp_model.CpSolver, maximize: bool) -> int | None:
    bound = solver.best_objective_bound
    if not math.isfinite(bound):
        return None
    # An integer objective: the proven float bound rounds inwards to the nearest integer.
    return math.floor(bound + 1e-6) if maximize else math.ceil(bound - 1e-6)


def settled(name: str, value: int, choice: Mapping[int, int]) -> PhaseOutcome:
    """A phase whose start is already provably best (no solve needed)."""
    return PhaseOutcome(name, "optimal", value, value, 0.0, dict(choice))


def hold(day_model: DayModel, term: cp_model.LinearExprT, value: int, *, maximize: bool) -> None:
    """Keep `term` at least as good as `value` in the phases that follow."""
    day_model.model.add(term >= value if maximize else term <= value)
