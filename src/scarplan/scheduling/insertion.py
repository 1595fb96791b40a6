"""A first schedule: patients one at a time, each booked as well as the space left allows.

Each patient's sessions are placed together by the chain dynamic programme (`chains.py`) on the
days whose capacity rows still have room, best by the lexicographic objective. Optional row
prices (the bounds' dual values) steer patients away from days that others need more. Kept
bookings (rescheduling) hold their room until their own patient's turn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from scarplan.scheduling.capacity import Capacity, Loads
from scarplan.scheduling.chains import UNUSABLE, best_chain
from scarplan.scheduling.jobs import Prepared
from scarplan.scheduling.terms import Term, tier_weights


def insert_patients(
    prepared: Prepared,
    capacity: Capacity,
    terms: Sequence[Term],
    order: Sequence[int],
    *,
    reserved: Mapping[int, int] | None = None,
    prices: Sequence[float] | None = None,
) -> dict[int, int]:
    """Job -> option for the jobs booked, patients taken in `order` (patient indexes)."""
    patients = prepared.patients()
    every_job = [j for jobs in patients.values() for j in jobs]
    weights = tier_weights(terms, every_job, 0)
    loads = Loads(prepared, capacity)
    reserved = reserved or {}
    for j, k in reserved.items():
        loads.add(j, k)
    choice: dict[int, int] = {}
    for patient in order:
        jobs = patients.get(patient, [])
        for j in jobs:
            if j in reserved:
                loads.add(j, reserved[j], -1)
        costs = [
            [
                _cost(prepared, capacity, terms, weights, prices, j, k)
                if loads.fits(j, k)
                else UNUSABLE
                for k in range(len(prepared.options[j]))
            ]
            for j in jobs
        ]
        unbooked = [
            -float(sum(w * t.unbooked[j] for w, t in zip(weights, terms, strict=True)))
            for j in jobs
        ]
        chain = best_chain(
            [prepared.jobs[j] for j in jobs],
            [prepared.option_days(j) for j in jobs],
            costs,
            unbooked,
        )
        for j, k in zip(jobs, chain.options, strict=False):
            # Each day was checked alone; two sessions of the patient may share one.
            if not loads.fits(j, k):
                break
            choice[j] = k
            loads.add(j, k)
    return choice


def _cost(
    prepared: Prepared,
    capacity: Capacity,
    terms: Sequence[Term],
    weights: Sequence[int],
    prices: Sequence[float] | None,
    j: int,
    k: int,
) -> float:
    cost = -float(sum(w * t.option[j][k] for w, t in zip(weights, terms, strict=True)))
    if prices is not None:
        cost += prepared.jobs[j].slots * sum(prices[r] for r in capacity.rows_of(j, k))
    return cost


def chronological(prepared: Prepared) -> list[int]:
    """Patients by the ideal (else earliest) day of their first session."""
    firsts = {}
    for job in prepared.jobs:
        if job.previous is None:
            firsts[job.patient_index] = job.ideal if job.ideal is not None else job.earliest
    return sorted(firsts, key=lambda p: (firsts[p], p))
