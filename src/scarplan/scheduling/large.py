"""Stage one for a large instance: insertion, neighbourhood search, Lagrangian bounds.

1. A first schedule by inserting patients one at a time (`insertion.py`).
2. A short column generation (`bounds.py`) for the last term, whose row prices guide a second
   insertion; the better of the two schedules goes on.
3. Large neighbourhood search (`search.py`) for most of the time.
4. The bounds, phase by phase, each holding the earlier terms at the values reached.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from scarplan.scheduling.bounds import Master
from scarplan.scheduling.capacity import Capacity
from scarplan.scheduling.insertion import chronological, insert_patients
from scarplan.scheduling.jobs import Prepared
from scarplan.scheduling.phases import PhaseOutcome, SolverSettings
from scarplan.scheduling.search import Search, score
from scarplan.scheduling.terms import Term

GUIDE_SHARE = 0.1
"""Of the stage-one time, at most, for the column generation that guides the second insertion."""
BOUND_SHARE = 0.15
"""Of the time, at most, kept for the final bounds: two pricing rounds per term."""
FULL_DAY = 0.9
PACKING_SECONDS_PER_FULL_DAY = 0.14
"""Stage two's time, estimated from the first schedule: a day booked to 90 % of practitioner
time or more usually needs the exact packing (about this long on one worker, measured on the
benchmark's instances); the others pack at once."""


def stage_two_seconds(prepared: Prepared, choice: Mapping[int, int], workers: int) -> float:
    load: dict[int, int] = {}
    for j, k in choice.items():
        day = prepared.options[j][k].day
        load[day] = load.get(day, 0) + prepared.jobs[j].slots
    full = sum(
        1 for day, used in load.items() if used >= FULL_DAY * prepared.practitioner_slots[day]
    )
    return 0.5 + PACKING_SECONDS_PER_FULL_DAY * full / workers


def solve_large(
    prepared: Prepared,
    capacity: Capacity,
    terms: Sequence[Term],
    keep: Mapping[int, int | None],
    *,
    deadline: float,
    settings: SolverSettings,
) -> tuple[dict[int, int], list[PhaseOutcome], int]:
    """The day of each session, the phases' values and bounds, and the search steps made.

    `deadline` is the whole solve's: the time stage two will need is kept back from it.
    """
    began = time.perf_counter()
    jobs = [j for js in prepared.patients().values() for j in js]
    reserved = {j: k for j, k in keep.items() if k is not None}
    first = insert_patients(prepared, capacity, terms, chronological(prepared), reserved=reserved)
    deadline -= stage_two_seconds(prepared, first, settings.workers)
    total = deadline - began
    master = Master(prepared, capacity, terms)
    master.add_schedule(first)
    for term in terms[:-1]:
        master.hold(term, term.value(first, jobs))
    guide = master.bound(terms[-1], began + GUIDE_SHARE * total)
    reserve = min(BOUND_SHARE * total, 0.5 + 2 * len(terms) * master.round_seconds)
    weights = master.weights or dict.fromkeys(master.patients, 1.0)
    order = sorted(weights, key=lambda p: (-weights[p], p))
    second = insert_patients(
        prepared, capacity, terms, order, reserved=reserved, prices=master.prices
    )
    best = max((first, second), key=lambda choice: score(prepared, terms, choice, jobs))
    search = Search(prepared, capacity, terms, best, settings, keep)
    choice = search.run(deadline - reserve, _optimum(terms, jobs, guide))
    master.add_schedule(choice)
    phases = []
    for i, term in enumerate(terms):
        started = time.perf_counter()
        for earlier in terms[:i]:
            master.hold(earlier, earlier.value(choice, jobs))
        master.release(terms[i:])
        left = len(terms) - i
        found = master.bound(term, started + (deadline - started) / left)
        value = term.value(choice, jobs)
        plain = sum(term.best(j) for j in jobs)
        bound = (
            plain if found is None else (min(found, plain) if term.maximize else max(found, plain))
        )
        phases.append(
            PhaseOutcome(
                term.name,
                "optimal" if bound == value else "feasible",
                value,
                bound,
                time.perf_counter() - started,
                choice,
            )
        )
    peak = -score(prepared, terms, choice, jobs)[-1]
    phases.append(PhaseOutcome("peak_utilisation_pct", "feasible", peak, None, 0.0, choice))
    return choice, phases, search.steps


def _optimum(
    terms: Sequence[Term], jobs: Sequence[int], last: int | None
) -> tuple[int, ...] | None:
    """Signed term values no schedule can beat: the earlier terms at their plain best, the last
    at the guiding bound (it was proven holding the earlier terms at lesser values, so it still
    holds). None without that bound."""
    if last is None:
        return None
    signed = [sum(t.best(j) for j in jobs) * (1 if t.maximize else -1) for t in terms[:-1]]
    return (*signed, last if terms[-1].maximize else -last)
