"""Stage one for a small instance: the whole day model in CP-SAT, one phase per term.

Small enough (few (session, day) pairs) that CP-SAT proves each phase's optimum, or bounds it,
on the exact day model. Phases: each term of the objective in order, then the peak day's load.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from scarplan.scheduling.capacity import Capacity
from scarplan.scheduling.daymodel import DayModel
from scarplan.scheduling.jobs import Prepared
from scarplan.scheduling.phases import PhaseOutcome, SolverSettings, hold, run_phase, settled
from scarplan.scheduling.terms import Term

PHASE_SHARES = {"scheduled": 0.3, "moved": 0.3, "deviation_days": 0.8}
"""Each phase may use this share of the time still left when it starts; the peak phase the
rest."""


def solve_whole(
    prepared: Prepared,
    capacity: Capacity,
    terms: Sequence[Term],
    start: dict[int, int],
    *,
    cuts: Sequence[Sequence[tuple[int, int]]] = (),
    deadline: float,
    settings: SolverSettings,
) -> tuple[dict[int, int], list[PhaseOutcome]]:
    """`cuts`: sets of bookings found not to fit together on their day (see solver.py)."""
    jobs = [j for js in prepared.patients().values() for j in js]
    model = DayModel(prepared, capacity, jobs)
    for cut in cuts:
        model.forbid_together(cut)
    phases: list[PhaseOutcome] = []
    choice = _outside(start, cuts, prepared)
    for term in terms:
        expression = model.expression(term)
        value = term.value(choice, jobs)
        if value == sum(term.best(j) for j in jobs):
            outcome = settled(term.name, value, choice)
            hold(model, expression, value, maximize=term.maximize)
        else:
            outcome = run_phase(
                model,
                term.name,
                expression,
                maximize=term.maximize,
                start=choice,
                start_value=value,
                seconds=(deadline - time.perf_counter()) * PHASE_SHARES[term.name],
                settings=settings,
            )
        phases.append(outcome)
        choice = outcome.choice
    peak = model.add_peak()
    load = run_phase(
        model,
        "peak_utilisation_pct",
        peak,
        maximize=False,
        start=choice,
        start_value=model.peak_of(choice),
        seconds=deadline - time.perf_counter(),
        settings=settings,
    )
    phases.append(load)
    return load.choice, phases


def _outside(
    start: dict[int, int], cuts: Sequence[Sequence[tuple[int, int]]], prepared: Prepared
) -> dict[int, int]:
    """`start` with a booking dropped from each cut it meets in full (and the sessions after
    it): a schedule the cuts allow, to start from."""
    choice = dict(start)
    for cut in cuts:
        if all(choice.get(j) == k for j, k in cut):
            del choice[cut[-1][0]]
    for job in prepared.jobs:  # in treatment order: a dropped session drops those after it
        if job.previous is not None and job.previous not in choice:
            choice.pop(job.index, None)
    return choice
