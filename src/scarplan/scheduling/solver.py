"""The clinic scheduler: `solve` an instance, or `reschedule` it against a previous schedule.

Two stages (docs/scheduling.md). Stage one chooses each session's day against per-day capacity
rows, by the lexicographic objective: most sessions booked, then (rescheduling) fewest previous
bookings moved, then least total deviation from the ideal dates, then the lowest peak daily
load. A small instance is one CP-SAT model (`exact.py`); a large one is decomposed by patient
(`large.py`: insertion, neighbourhood search, Lagrangian bounds). Stage two gives each day's
sessions a start, a practitioner, a device and a room (`timing.py`), repairing the rare day
that does not fit (`repair.py`).

Pure: the instance, knowledge base, time limit and worker count are arguments; no clock other
than the solver's own time limit, no files.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

from scarplan.knowledge import KnowledgeBase
from scarplan.scheduling.calendar import prepare
from scarplan.scheduling.capacity import Capacity, capacity_rows
from scarplan.scheduling.exact import solve_whole
from scarplan.scheduling.insertion import chronological, insert_patients
from scarplan.scheduling.jobs import Prepared
from scarplan.scheduling.large import solve_large
from scarplan.scheduling.model import Assignment, Instance, ScheduleResult
from scarplan.scheduling.phases import PhaseOutcome, SolverSettings
from scarplan.scheduling.rebooking import match_previous
from scarplan.scheduling.repair import Timing
from scarplan.scheduling.result import Outcome, build_result
from scarplan.scheduling.terms import Term, objective_terms
from scarplan.scheduling.validate import require_valid

TIMING_SHARE = 0.1
"""Of the time limit, kept for stage two (times and repairs) on the whole model; the
decomposed method estimates it (`large.stage_two_seconds`)."""
WHOLE_MODEL_OPTIONS = 30_000
"""Instances with at most this many (session, day) pairs are solved as one CP-SAT model."""
MAX_CUT_ROUNDS = 20


def solve(
    instance: Instance,
    knowledge: KnowledgeBase,
    *,
    time_limit_s: float,
    workers: int,
    seed: int = 0,
) -> ScheduleResult:
    """Book as many sessions as possible, as near their ideal dates as possible."""
    return _schedule(instance, knowledge, None, time_limit_s, SolverSettings(workers, seed))


def reschedule(
    instance: Instance,
    previous: Sequence[Assignment],
    knowledge: KnowledgeBase,
    *,
    time_limit_s: float,
    workers: int,
    seed: int = 0,
) -> ScheduleResult:
    """Solve the changed `instance` moving as few of the `previous` bookings as possible.

    Previous bookings of sessions no longer in the instance are reported as cancelled.
    """
    return _schedule(instance, knowledge, previous, time_limit_s, SolverSettings(workers, seed))


def _schedule(
    instance: Instance,
    knowledge: KnowledgeBase,
    previous: Sequence[Assignment] | None,
    time_limit_s: float,
    settings: SolverSettings,
) -> ScheduleResult:
    began = time.perf_counter()
    deadline = began + time_limit_s
    require_valid(instance, knowledge)
    prepared = prepare(instance, knowledge)
    capacity = capacity_rows(prepared)
    matched = None if previous is None else match_previous(instance, prepared, previous)
    keep = {} if matched is None else matched.keep_or_none
    terms = objective_terms(prepared, None if matched is None else keep)
    stage_one_deadline = deadline - TIMING_SHARE * time_limit_s
    pins = {} if matched is None else matched.pins

    def timing_for(choice: dict[int, int]) -> Timing:
        return Timing(prepared, capacity, terms, dict(choice), pins, keep, settings, deadline)

    steps = 0
    if sum(len(options) for options in prepared.options) <= WHOLE_MODEL_OPTIONS:
        method = "whole"
        timing, phases = _whole(prepared, capacity, terms, keep, timing_for,
                                deadline=stage_one_deadline, settings=settings)  # fmt: skip
    else:
        method = "decomposed"
        choice, phases, steps = solve_large(
            prepared, capacity, terms, keep, deadline=deadline, settings=settings
        )
        timing = timing_for(choice)
        timing.repair(timing.time_days({prepared.options[j][k].day for j, k in choice.items()}))
    outcome = Outcome(
        timing.timed, phases, timing.rounds, time.perf_counter() - began, method, steps
    )
    return build_result(prepared, instance.horizon.start, outcome, matched)


def _whole(
    prepared: Prepared,
    capacity: Capacity,
    terms: Sequence[Term],
    keep: Mapping[int, int | None],
    timing_for: Callable[[dict[int, int]], Timing],
    *,
    deadline: float,
    settings: SolverSettings,
) -> tuple[Timing, list[PhaseOutcome]]:
    """Stage one on the whole model, then times; while a day proves not to fit in time, cut
    that day's set of bookings from the day model and solve again (so the result is optimal
    for the real problem, not only for the day model, when every phase is proven)."""
    reserved = {j: k for j, k in keep.items() if k is not None}
    choice = insert_patients(prepared, capacity, terms, chronological(prepared), reserved=reserved)
    cuts: list[list[tuple[int, int]]] = []
    for _ in range(MAX_CUT_ROUNDS):
        choice, phases = solve_whole(
            prepared, capacity, terms, choice, cuts=cuts, deadline=deadline, settings=settings
        )
        timing = timing_for(choice)
        left = timing.time_days({prepared.options[j][k].day for j, k in choice.items()})
        if not left or not timing.unpackable or time.perf_counter() >= deadline:
            break
        cuts.extend(timing.unpackable)
    timing.repair(left)
    return timing, phases
