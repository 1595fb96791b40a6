"""The checker catches each kind of broken schedule, built by hand from a valid one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from scarplan.knowledge import KnowledgeBase
from scarplan.scheduling.checker import check
from scarplan.scheduling.model import Assignment, Instance, ScheduleResult, Unscheduled
from unit.scheduling.helpers import day, hours, instance, patient, practitioner, session, solved

Edit = Callable[[ScheduleResult], ScheduleResult]


def _clinic() -> Instance:
    doctors = [
        practitioner("dr-a", ["tca_cross", "fractional_co2"], hours=hours("09:00", "12:00")),
        practitioner("dr-b", ["tca_cross"], hours=hours("09:00", "12:00"), days_off=[day(3)]),
    ]
    return instance(
        [
            patient(
                "p1",
                session("laser", "fractional_co2", ideal=day(1), earliest=day(1)),
                session(
                    "after", ideal=day(8), min_days_after_previous=7, max_days_after_previous=9
                ),
            ),
            patient(
                "p2",
                session("tca", ideal=day(1)),
                availability={"hours": [{"start": "09:00", "end": "11:00"}]},
            ),
        ],
        practitioners=doctors,
        devices=[
            {"id": "co2-1", "kind": "co2_laser", "days_off": [day(2)]},
            {"id": "rf-1", "kind": "rf_device"},
        ],
        rooms=[{"id": "r1", "days_off": [day(4)]}, {"id": "r2", "procedures": ["tca_cross"]}],
    )


@pytest.fixture(scope="module")
def valid(knowledge: KnowledgeBase) -> ScheduleResult:
    result = solved(_clinic(), knowledge)
    assert check(_clinic(), result, knowledge) == []
    assert result.objective.scheduled == 3
    return result


def _edit(session_id: str, **update: object) -> Edit:
    def apply(result: ScheduleResult) -> ScheduleResult:
        changed = [
            a.model_copy(update=update) if a.session == session_id else a
            for a in result.assignments
        ]
        return result.model_copy(update={"assignments": changed})

    return apply


def _drop(session_id: str, reason: str = "gone") -> Edit:
    def apply(result: ScheduleResult) -> ScheduleResult:
        left = [a for a in result.assignments if a.session != session_id]
        kept = result.model_copy(update={"assignments": left})
        patient_id = next(a.patient for a in result.assignments if a.session == session_id)
        unscheduled = [
            *kept.unscheduled,
            Unscheduled(session=session_id, patient=patient_id, code="no_capacity", reason=reason),
        ]
        objective = kept.objective.model_copy(update={"scheduled": len(left)})
        return kept.model_copy(update={"unscheduled": unscheduled, "objective": objective})

    return apply


def _clash(first: str, second: str, **same: object) -> Edit:
    """Put `second` at `first`'s day and time, with the resources in `same` copied too."""

    def apply(result: ScheduleResult) -> ScheduleResult:
        anchor = next(a for a in result.assignments if a.session == first)
        fields = {"date": anchor.date, "start": anchor.start, "end": anchor.end} | same
        return _edit(second, **fields)(result)

    return apply


def _booking(result: ScheduleResult, session_id: str) -> Assignment:
    return next(a for a in result.assignments if a.session == session_id)


CASES: list[tuple[str, Callable[[ScheduleResult], Edit]]] = [
    ("coverage", lambda r: lambda x: x.model_copy(update={"assignments": x.assignments[1:]})),
    ("horizon", lambda r: _edit("tca", date=_booking(r, "tca").date + timedelta(60))),
    ("earliest", lambda r: _edit("laser", date=_booking(r, "laser").date - timedelta(1))),
    ("duration", lambda r: _edit("tca", end="11:59")),
    ("slot_grid", lambda r: _edit("tca", start="09:10", end="09:40")),
    ("practitioner_unknown", lambda r: _edit("tca", practitioner="dr-z")),
    ("practitioner_qualification", lambda r: _edit("laser", practitioner="dr-b")),
    ("practitioner_day_off", lambda r: _edit("tca", practitioner="dr-b", date=_d(3))),
    ("practitioner_hours", lambda r: _edit("tca", start="08:00", end="08:30")),
    ("patient_availability", lambda r: _edit("tca", start="11:00", end="11:30")),
    ("device_required", lambda r: _edit("laser", device=None)),
    ("device_unknown", lambda r: _edit("laser", device="co2-9")),
    ("device_procedure", lambda r: _edit("laser", device="rf-1")),
    ("device_day_off", lambda r: _edit("laser", date=_d(2))),
    ("device_not_needed", lambda r: _edit("tca", device="co2-1")),
    ("room_unknown", lambda r: _edit("tca", room="r9")),
    ("room_procedure", lambda r: _edit("laser", room="r2")),
    ("room_day_off", lambda r: _edit("tca", room="r1", date=_d(4))),
    ("overlap_practitioner", lambda r: _clash("laser", "tca", practitioner="dr-a", room="r2")),
    ("overlap_room", lambda r: _clash("laser", "tca", room="r1")),
    ("overlap_patient", lambda r: _clash("laser", "after")),
    ("interval_order", lambda r: _drop("laser")),
    ("interval_min", lambda r: _edit("after", date=_booking(r, "laser").date + timedelta(6))),
    ("interval_max", lambda r: _edit("after", date=_booking(r, "laser").date + timedelta(10))),
    ("unscheduled_reason", lambda r: _drop("after", reason=" ")),
    (
        "objective",
        lambda r: (
            lambda x: x.model_copy(
                update={"objective": x.objective.model_copy(update={"deviation_days": 99})}
            )
        ),
    ),
    (
        "bound",
        lambda r: (
            lambda x: x.model_copy(update={"bound": x.bound.model_copy(update={"scheduled": 1})})
        ),
    ),
]


def _d(offset: int) -> date:
    return date.fromisoformat(day(offset))


@pytest.mark.parametrize(("constraint", "breaking"), CASES, ids=[c for c, _ in CASES])
def test_the_checker_names_the_broken_constraint(
    constraint: str,
    breaking: Callable[[ScheduleResult], Edit],
    valid: ScheduleResult,
    knowledge: KnowledgeBase,
) -> None:
    broken = breaking(valid)(valid)
    found = {v.constraint for v in check(_clinic(), broken, knowledge)}
    assert constraint in found


def test_a_device_double_booking_is_caught(knowledge: KnowledgeBase) -> None:
    doctors = [
        practitioner(pid, ["fractional_co2"], hours=hours("09:00", "10:00"))
        for pid in ("dr-a", "dr-b")
    ]
    problem = instance(
        [
            patient("p1", session("a", "fractional_co2", ideal=day(1))),
            patient("p2", session("b", "fractional_co2", ideal=day(1))),
        ],
        practitioners=doctors,
        devices=[{"id": "co2-1", "kind": "co2_laser"}],
        rooms=[{"id": "r1"}, {"id": "r2"}],
    )
    result = solved(problem, knowledge)
    first = result.assignments[0]
    broken = _edit(
        result.assignments[1].session, date=first.date, start=first.start, end=first.end
    )(result)
    violations = check(problem, broken, knowledge)
    assert "overlap_device" in {v.constraint for v in violations}
    assert all(str(v) for v in violations)
