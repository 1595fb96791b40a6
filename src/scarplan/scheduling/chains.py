"""The cheapest way to book one patient's sessions, by dynamic programming over days.

A patient's booking is a prefix of their sessions (a session is booked only with the one before
it), each on one of its possible days, each at its minimum to maximum days after the one before.
Given a cost for each (session, day) and for leaving each session out, `best_chain` finds the
cheapest such booking exactly: a sliding-window minimum over the previous session's days makes
it linear in the number of possible days. The bounds (`bounds.py`) and the first schedule
(`insertion.py`) both use it.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from scarplan.scheduling.jobs import Job

UNUSABLE = math.inf


@dataclass(frozen=True)
class Chain:
    cost: float
    options: tuple[int, ...]
    """Option index of each booked session, in order: the booked prefix."""


def _step(
    job: Job,
    days: Sequence[int],
    costs: Sequence[float],
    before_days: Sequence[int],
    before_values: Sequence[float],
) -> tuple[list[float], list[int]]:
    """Cheapest cost to book up to `job` on each of its days, and the day before it (index)."""
    values = [UNUSABLE] * len(days)
    back = [-1] * len(days)
    window: deque[int] = deque()
    added, count = 0, len(before_days)
    for k, day in enumerate(days):
        while added < count and before_days[added] <= day - job.min_gap:
            if before_values[added] < UNUSABLE:
                while window and before_values[window[-1]] >= before_values[added]:
                    window.pop()
                window.append(added)
            added += 1
        if job.max_gap is not None:
            while window and before_days[window[0]] < day - job.max_gap:
                window.popleft()
        if window and costs[k] < UNUSABLE:
            values[k] = costs[k] + before_values[window[0]]
            back[k] = window[0]
    return values, back


def best_chain(
    jobs: Sequence[Job],
    days: Sequence[Sequence[int]],
    costs: Sequence[Sequence[float]],
    unbooked: Sequence[float],
) -> Chain:
    """`jobs` of one patient in order, each with its possible `days` (ascending), the cost of
    each (UNUSABLE: not allowed) and the cost of leaving it out."""
    left_out = [0.0] * (len(jobs) + 1)
    for i in range(len(jobs) - 1, -1, -1):
        left_out[i] = left_out[i + 1] + unbooked[i]
    best_cost, best_end, best_k = left_out[0], -1, -1
    tables: list[tuple[list[float], list[int]]] = []
    for i, job in enumerate(jobs):
        if i == 0:
            values, back = list(costs[0]), [-1] * len(days[0])
        else:
            values, back = _step(job, days[i], costs[i], days[i - 1], tables[-1][0])
        tables.append((values, back))
        for k, value in enumerate(values):
            if value + left_out[i + 1] < best_cost:
                best_cost, best_end, best_k = value + left_out[i + 1], i, k
    picked: list[int] = []
    k = best_k
    for i in range(best_end, -1, -1):
        picked.append(k)
        k = tables[i][1][k]
    return Chain(best_cost, tuple(reversed(picked)))
