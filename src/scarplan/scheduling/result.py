"""Turn the solver's days and times into the `ScheduleResult` the callers see.

The objective reported is measured on the final schedule, not taken from the solver, so it is
true even when a day's times had to be repaired. A bound is reported only where the solver's
proof still applies to the final schedule (docs/scheduling.md, "objective and bound").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from scarplan.scheduling.daypack import Timed
from scarplan.scheduling.jobs import Prepared
from scarplan.scheduling.model import (
    Assignment,
    Bound,
    Objective,
    Phase,
    ScheduleResult,
    Stats,
    Unscheduled,
    clock_time,
)
from scarplan.scheduling.phases import PhaseOutcome
from scarplan.scheduling.rebooking import Previous, moves

NO_CAPACITY = (
    "no capacity left on the days it may take (each is fully booked, or its interval from the "
    "previous session rules the free ones out)"
)


@dataclass(frozen=True)
class Outcome:
    timed: Mapping[int, Timed]
    phases: Sequence[PhaseOutcome]
    day_repairs: int
    seconds: float
    method: str
    search_steps: int


def assignments(prepared: Prepared, timed: Mapping[int, Timed], start: date) -> list[Assignment]:
    slot = prepared.slot_minutes
    found = []
    for j in sorted(timed, key=lambda j: (timed[j].day, timed[j].start, j)):
        t, job = timed[j], prepared.jobs[j]
        found.append(
            Assignment(
                session=job.session,
                patient=job.patient,
                date=start + timedelta(t.day),
                start=clock_time(t.start * slot),
                end=clock_time((t.start + job.slots) * slot),
                practitioner=t.practitioner,
                device=t.device,
                room=t.room,
            )
        )
    return found


def unscheduled(prepared: Prepared, timed: Mapping[int, Timed]) -> list[Unscheduled]:
    found = []
    for job in prepared.jobs:
        if job.index in timed:
            continue
        reason = prepared.reasons.get(job.index)
        if reason is not None:
            code, text = reason.code, reason.text
        elif job.previous is not None and job.previous not in timed:
            code, text = "previous_unscheduled", "previous session unscheduled"
        else:
            code, text = "no_capacity", NO_CAPACITY
        found.append(Unscheduled(session=job.session, patient=job.patient, code=code, reason=text))
    return found


def peak_utilisation(prepared: Prepared, timed: Mapping[int, Timed]) -> int:
    load: dict[int, int] = {}
    for j, t in timed.items():
        load[t.day] = load.get(t.day, 0) + prepared.jobs[j].slots
    return max(
        (math.ceil(100 * used / prepared.practitioner_slots[day]) for day, used in load.items()),
        default=0,
    )


def _bound(phases: Sequence[PhaseOutcome], objective: Objective) -> Bound:
    """Bounds whose premises (the earlier phases' values) the final schedule still meets."""
    proven: dict[str, int | None] = {}
    holds = True
    for phase in phases:
        proven[phase.name] = phase.bound if holds else None
        final = getattr(objective, phase.name)
        # Repairs can only leave the schedule as good or worse than a phase found.
        at_least = final >= phase.value if phase.name == "scheduled" else final <= phase.value
        holds = holds and at_least
    return Bound(
        scheduled=proven.get("scheduled"),
        moved=proven.get("moved"),
        deviation_days=proven.get("deviation_days"),
        peak_utilisation_pct=proven.get("peak_utilisation_pct"),
    )


def build_result(
    prepared: Prepared, start: date, outcome: Outcome, previous: Previous | None
) -> ScheduleResult:
    timed = outcome.timed
    booked = assignments(prepared, timed, start)
    deviation = sum(prepared.jobs[j].deviation(t.day) for j, t in timed.items())
    moved_list = []
    if previous is not None:
        by_session = {a.session: a for a in booked}
        jobs = [(job.index, job.session, job.patient) for job in prepared.jobs]
        moved_list = moves(previous.bookings, by_session, jobs)
    objective = Objective(
        scheduled=len(booked),
        moved=None if previous is None else sum(1 for m in moved_list if m.before is not None),
        deviation_days=deviation,
        peak_utilisation_pct=peak_utilisation(prepared, timed),
    )
    bound = _bound(outcome.phases, objective)
    met = all(
        getattr(bound, name) == getattr(objective, name)
        for name in ("scheduled", "moved", "deviation_days", "peak_utilisation_pct")
        if name != "moved" or previous is not None
    )
    left = unscheduled(prepared, timed)
    return ScheduleResult(
        status="optimal" if met else "feasible",
        assignments=booked,
        unscheduled=left,
        cancelled=list(previous.cancelled) if previous is not None else [],
        moves=moved_list,
        objective=objective,
        bound=bound,
        stats=Stats(
            sessions=len(prepared.jobs),
            scheduled=len(booked),
            unscheduled=len(left),
            deviation_days=deviation,
            solve_seconds=round(outcome.seconds, 3),
            phases=[
                Phase(
                    name=p.name,
                    status=p.status,
                    objective=p.value,
                    bound=p.bound,
                    seconds=round(p.seconds, 3),
                )
                for p in outcome.phases
            ],
            day_repairs=outcome.day_repairs,
            method=outcome.method,
            search_steps=outcome.search_steps,
        ),
    )
