"""The chain dynamic programme against plain enumeration, and the bounds against optima."""

from __future__ import annotations

import itertools
import random

import pytest

from scarplan.domain.vocabulary import Modality
from scarplan.knowledge import KnowledgeBase
from scarplan.scheduling.bounds import Master
from scarplan.scheduling.calendar import prepare
from scarplan.scheduling.capacity import capacity_rows
from scarplan.scheduling.chains import UNUSABLE, best_chain
from scarplan.scheduling.insertion import chronological, insert_patients
from scarplan.scheduling.jobs import Job
from scarplan.scheduling.terms import objective_terms
from unit.scheduling.helpers import day, hours, instance, patient, practitioner, session, solved


def _job(index: int, low: int, high: int | None) -> Job:
    return Job(
        index,
        f"s{index}",
        "p",
        0,
        Modality.TCA_CROSS,
        1,
        index - 1 if index else None,
        low,
        high,
        0,
        None,
        None,
    )


def _latest(job: Job, gap: int) -> int:
    return gap if job.max_gap is None else job.max_gap


def _enumerate(
    jobs: list[Job], days: list[list[int]], costs: list[list[float]], unbooked: list[float]
) -> float:
    best = sum(unbooked)
    for length in range(1, len(jobs) + 1):
        for picks in itertools.product(*(range(len(d)) for d in days[:length])):
            total = sum(costs[i][k] for i, k in enumerate(picks)) + sum(unbooked[length:])
            gaps = [days[i][picks[i]] - days[i - 1][picks[i - 1]] for i in range(1, length)]
            gaps_ok = all(
                jobs[i].min_gap <= gap <= _latest(jobs[i], gap)
                for i, gap in enumerate(gaps, start=1)
            )
            if gaps_ok and total < best:
                best = total
    return best


@pytest.mark.parametrize("seed", range(40))
def test_the_chain_programme_finds_the_cheapest_booking(seed: int) -> None:
    rng = random.Random(seed)
    count = rng.randint(1, 3)
    jobs = [_job(i, rng.randint(0, 3), rng.choice([None, 2, 4, 6])) for i in range(count)]
    days = [sorted(rng.sample(range(12), rng.randint(1, 5))) for _ in jobs]
    costs = [[rng.choice([UNUSABLE, *range(-6, 6)]) for _ in d] for d in days]
    unbooked = [float(rng.randint(0, 3)) for _ in jobs]
    chain = best_chain(jobs, days, costs, unbooked)
    assert chain.cost == _enumerate(jobs, days, costs, unbooked)
    picked = sum(costs[i][k] for i, k in enumerate(chain.options))
    assert picked + sum(unbooked[len(chain.options) :]) == chain.cost


def test_the_lagrangian_bound_never_passes_the_optimum(knowledge: KnowledgeBase) -> None:
    one_slot = practitioner("dr-a", ["tca_cross"], hours=hours("09:00", "09:30"))
    problem = instance(
        [
            patient(
                f"p{n}",
                session(f"p{n}/1", ideal=day(n % 2)),
                session(f"p{n}/2", ideal=day(n % 2 + 7), min_days_after_previous=7),
            )
            for n in range(5)
        ],
        practitioners=[one_slot],
        days=21,
    )
    optimum = solved(problem, knowledge)
    assert optimum.status == "optimal"
    prepared = prepare(problem, knowledge)
    capacity = capacity_rows(prepared)
    terms = objective_terms(prepared, None)
    start = insert_patients(prepared, capacity, terms, chronological(prepared))
    master = Master(prepared, capacity, terms)
    master.add_schedule(start)
    count = master.bound(terms[0], deadline=float("inf"))
    assert count is not None
    assert count >= optimum.objective.scheduled
    master.hold(terms[0], optimum.objective.scheduled)
    deviation = master.bound(terms[1], deadline=float("inf"))
    assert deviation is not None
    assert deviation <= optimum.objective.deviation_days
