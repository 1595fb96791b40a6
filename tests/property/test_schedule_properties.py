"""Invariants of the clinic scheduler over small random instances (issue 9).

Every schedule passes the independent checker, whichever stage-one method made it; on tiny
instances the solver's schedule is as good as the best one found by plain enumeration (most
sessions booked, then least deviation), and the solver proves it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scarplan.knowledge import KnowledgeBase
from scarplan.scheduling import solver as solver_module
from scarplan.scheduling.checker import check
from scarplan.scheduling.model import WEEKDAYS, Instance, PatientRequest, SessionRequest
from scarplan.scheduling.solver import solve

MONDAY = date(2027, 1, 4)
PROCEDURES = ["tca_cross", "subcision", "fractional_co2"]
RANGES = [("09:00", "10:00"), ("09:00", "11:00"), ("10:00", "12:00"), ("08:00", "12:00")]
WORKING_WEEKS: list[list[str]] = [
    list(WEEKDAYS[:5]),
    list(WEEKDAYS[:5]),
    ["mon", "wed"],
    ["tue", "thu", "fri"],
]


@st.composite
def _ranges(draw: st.DrawFn) -> list[dict[str, str]]:
    start, end = draw(st.sampled_from(RANGES))
    return [{"start": start, "end": end}]


@st.composite
def instances(draw: st.DrawFn, *, days: int, patients: int, sessions: int) -> Instance:
    horizon = [(MONDAY + timedelta(d)).isoformat() for d in range(days)]
    practitioners = [
        {
            "id": f"dr-{n}",
            "procedures": draw(
                st.sampled_from([PROCEDURES, PROCEDURES, PROCEDURES[:2], PROCEDURES[2:]])
            ),
            "hours": {w: draw(_ranges()) for w in draw(st.sampled_from(WORKING_WEEKS))},
            "days_off": draw(st.lists(st.sampled_from(horizon), max_size=1)),
        }
        for n in range(draw(st.integers(1, 2)))
    ]
    off = draw(st.lists(st.sampled_from(horizon), max_size=1))
    devices = (
        []
        if draw(st.integers(0, 3)) == 0
        else [{"id": "co2", "kind": "co2_laser", "days_off": off}]
    )
    rooms = [
        {"id": f"r{n}", "procedures": draw(st.sampled_from([None, None, None, PROCEDURES[:2]]))}
        for n in range(draw(st.integers(1, 2)))
    ]
    requests = []
    for p in range(draw(st.integers(1, patients))):
        chain = []
        for s in range(draw(st.integers(1, sessions))):
            request: dict[str, Any] = {
                "id": f"p{p}/{s}",
                "procedure": draw(st.sampled_from(PROCEDURES)),
                "duration_minutes": draw(st.sampled_from([60, 60, 60, 120])),
                "ideal": draw(st.sampled_from(horizon)),
            }
            if draw(st.booleans()):
                request["earliest"] = draw(st.sampled_from(horizon))
            if s:
                low = draw(st.integers(0, 2))
                request["min_days_after_previous"] = low
                request["max_days_after_previous"] = draw(
                    st.one_of(st.none(), st.integers(low, low + 2))
                )
            chain.append(request)
        availability = {
            "weekdays": draw(st.sampled_from([list(WEEKDAYS), list(WEEKDAYS), ["mon", "tue"]])),
            "hours": draw(_ranges()),
        }
        requests.append({"id": f"p{p}", "availability": availability, "sessions": chain})
    return Instance.model_validate(
        {
            "version": 1,
            "horizon": {"start": MONDAY.isoformat(), "days": days},
            "slot_minutes": 60,
            "resources": {"practitioners": practitioners, "devices": devices, "rooms": rooms},
            "patients": requests,
        }
    )


# --- plain enumeration ---------------------------------------------------------------------


def _minutes(clock: str) -> int:
    return int(clock[:2]) * 60 + int(clock[3:])


def _placements(
    problem: Instance, knowledge: KnowledgeBase, owner: PatientRequest, s: SessionRequest, day: date
) -> Iterator[tuple[int, int, str, str | None, str]]:
    """Every (start, end, practitioner, device, room) the session could take on `day`."""
    weekday = WEEKDAYS[day.weekday()]
    if weekday not in owner.availability.weekdays:
        return
    kind = knowledge.modalities[s.procedure].device
    resources = problem.resources
    devices = [d.id for d in resources.devices if kind == d.kind and day not in d.days_off]
    rooms = [
        r.id
        for r in resources.rooms
        if (r.procedures is None or s.procedure in r.procedures) and day not in r.days_off
    ]
    for doctor in resources.practitioners:
        if s.procedure not in doctor.procedures or day in doctor.days_off:
            continue
        for span in doctor.hours.get(weekday, []):
            for own in owner.availability.hours:
                low = max(_minutes(span.start), _minutes(own.start))
                high = min(_minutes(span.end), _minutes(own.end))
                for start in range(low, high - s.duration_minutes + 1, 60):  # type: ignore[operator]
                    end = start + s.duration_minutes  # type: ignore[operator]
                    for device in devices if kind else [None]:
                        for room in rooms:
                            yield start, end, doctor.id, device, room


def _packs(placed: list[tuple[str, list[tuple[int, int, str, str | None, str]]]]) -> bool:
    """Whether the day's sessions can all take disjoint placements (same patient: in order)."""

    def fits(index: int, taken: list[tuple[str, int, int, str, str | None, str]]) -> bool:
        if index == len(placed):
            return True
        session_id, options = placed[index]
        patient = session_id.split("/")[0]
        for start, end, doctor, device, room in options:
            clash = any(
                start < t_end
                and t_start < end
                and (
                    doctor == t_doc
                    or room == t_room
                    or (device and device == t_dev)
                    or patient == t_pat.split("/")[0]
                )
                for t_pat, t_start, t_end, t_doc, t_dev, t_room in taken
            ) or any(
                t_pat.split("/")[0] == patient and t_pat < session_id and t_end > start
                for t_pat, t_start, t_end, *_ in taken
            )
            if not clash and fits(
                index + 1, [*taken, (session_id, start, end, doctor, device, room)]
            ):
                return True
        return False

    return fits(0, [])


def best_by_enumeration(problem: Instance, knowledge: KnowledgeBase) -> tuple[int, int]:
    """(most sessions booked, least deviation among those) over every valid schedule."""
    sessions = [(p, s) for p in problem.patients for s in p.sessions]
    horizon = [problem.horizon.start + timedelta(d) for d in range(problem.horizon.days)]
    choices = [
        [None, *(d for d in horizon if s.earliest is None or d >= s.earliest)] for _, s in sessions
    ]
    candidates = []
    for days in itertools.product(*choices):
        by_id = {s.id: d for (_, s), d in zip(sessions, days, strict=True)}
        valid = True
        for p in problem.patients:
            for before, after in itertools.pairwise(p.sessions):
                if by_id[after.id] is None:
                    continue
                if by_id[before.id] is None:
                    valid = False
                    break
                gap = (by_id[after.id] - by_id[before.id]).days  # type: ignore[operator]
                high = after.max_days_after_previous
                if gap < (after.min_days_after_previous or 0) or (high is not None and gap > high):
                    valid = False
        if not valid:
            continue
        count = sum(d is not None for d in days)
        deviation = sum(
            abs((d - s.ideal).days)
            for (_, s), d in zip(sessions, days, strict=True)
            if d is not None and s.ideal is not None
        )
        candidates.append((-count, deviation, days))
    cache: dict[tuple[date, tuple[str, ...]], bool] = {}
    for negative_count, deviation, days in sorted(candidates, key=lambda c: (c[0], c[1])):
        feasible = True
        for day in {d for d in days if d is not None}:
            on_day = tuple(s.id for (_, s), d in zip(sessions, days, strict=True) if d == day)
            if (day, on_day) not in cache:
                placed = [
                    (s.id, list(_placements(problem, knowledge, p, s, day)))
                    for (p, s), d in zip(sessions, days, strict=True)
                    if d == day
                ]
                cache[(day, on_day)] = _packs(placed)
            feasible = feasible and cache[(day, on_day)]
        if feasible:
            return -negative_count, deviation
    return 0, 0


# --- properties ----------------------------------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=instances(days=10, patients=5, sessions=3), decomposed=st.booleans())
def test_every_schedule_passes_the_checker(
    problem: Instance, decomposed: bool, knowledge: KnowledgeBase
) -> None:
    threshold = solver_module.WHOLE_MODEL_OPTIONS
    solver_module.WHOLE_MODEL_OPTIONS = -1 if decomposed else threshold
    try:
        result = solve(problem, knowledge, time_limit_s=2, workers=1)
    finally:
        solver_module.WHOLE_MODEL_OPTIONS = threshold
    assert check(problem, result, knowledge) == []
    assert result.stats.method == ("decomposed" if decomposed else "whole")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=instances(days=4, patients=3, sessions=2))
def test_tiny_instances_reach_the_enumerated_optimum(
    problem: Instance, knowledge: KnowledgeBase
) -> None:
    result = solve(problem, knowledge, time_limit_s=10, workers=1)
    assert check(problem, result, knowledge) == []
    found = (result.objective.scheduled, result.objective.deviation_days)
    assert found == best_by_enumeration(problem, knowledge)
    assert result.bound.scheduled == result.objective.scheduled
    assert result.bound.deviation_days == result.objective.deviation_days
