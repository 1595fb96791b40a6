"""Rescheduling: the fewest previous bookings move, and the report says exactly which."""

from __future__ import annotations

from typing import Any

import pytest

from scarplan.domain.errors import InputError
from scarplan.knowledge import KnowledgeBase
from scarplan.scheduling import solver as solver_module
from scarplan.scheduling.checker import check
from scarplan.scheduling.model import Assignment, Instance
from unit.scheduling.helpers import (
    MONDAY,
    booked,
    day,
    hours,
    instance,
    patient,
    practitioner,
    resolved,
    session,
)

MONDAYS_ONLY = {"weekdays": ["mon"]}


def _clinic(**changes: Any) -> Instance:
    """Two doctors, an hour each weekday (two half-hour slots), two rooms. p1 has a weekly pair
    of sessions exactly seven days apart; p3 and p4 come on Mondays only."""
    doctors = [
        practitioner(pid, ["tca_cross"], hours=hours("09:00", "10:00"), days_off=off)
        for pid, off in (("dr-a", changes.pop("a_off", [])), ("dr-b", []))
    ]
    patients = [
        patient(
            "p1",
            session("p1/1", ideal=day(0)),
            session("p1/2", ideal=day(7), min_days_after_previous=7, max_days_after_previous=7),
        ),
        patient("p2", session("p2/1", ideal=day(0))),
        patient("p3", session("p3/1", ideal=day(0)), availability=MONDAYS_ONLY),
        patient("p4", session("p4/1", ideal=day(0)), availability=MONDAYS_ONLY),
    ]
    drop = changes.pop("drop", None)
    rooms = changes.pop("rooms", [{"id": "room-1"}, {"id": "room-2"}])
    return instance(
        [p for p in patients if p["id"] != drop],
        practitioners=doctors,
        rooms=rooms,
        days=21,
    )


def _booking(sid: str, offset: int, start: str, doctor: str, room: str) -> Assignment:
    end = {"09:00": "09:30", "09:30": "10:00"}[start]
    return Assignment(
        session=sid,
        patient=sid.split("/", maxsplit=1)[0],
        date=MONDAY.fromordinal(MONDAY.toordinal() + offset),
        start=start,
        end=end,
        practitioner=doctor,
        device=None,
        room=room,
    )


PREVIOUS = [
    _booking("p1/1", 0, "09:00", "dr-a", "room-1"),
    _booking("p2/1", 0, "09:30", "dr-a", "room-1"),
    _booking("p3/1", 0, "09:00", "dr-b", "room-2"),
    _booking("p4/1", 0, "09:30", "dr-b", "room-2"),
    _booking("p1/2", 7, "09:00", "dr-a", "room-1"),
]


def test_the_previous_schedule_is_valid_and_stays_when_nothing_changes(
    knowledge: KnowledgeBase,
) -> None:
    problem = _clinic()
    result = resolved(problem, PREVIOUS, knowledge)
    assert check(problem, result, knowledge) == []
    assert result.moves == []
    assert result.objective.moved == 0
    assert sorted(result.assignments, key=lambda a: a.session) == sorted(
        PREVIOUS, key=lambda a: a.session
    )


def test_a_day_off_moves_that_doctors_sessions_and_the_one_chained_to_them(
    knowledge: KnowledgeBase,
) -> None:
    # dr-a is off on Monday and dr-b is full then: p1/1 and p2/1 must change day; p1/2 must
    # stay exactly seven days after p1/1, so it moves too. dr-b's Monday patients stay put.
    problem = _clinic(a_off=[day(0)])
    result = resolved(problem, PREVIOUS, knowledge)
    assert check(problem, result, knowledge) == []
    moved = {m.session for m in result.moves}
    assert moved == {"p1/1", "p2/1", "p1/2"}
    after = booked(result)
    assert after["p3/1"] == PREVIOUS[2]
    assert after["p4/1"] == PREVIOUS[3]
    assert after["p1/1"].date.isoformat() == day(1)
    assert after["p2/1"].date.isoformat() == day(1)
    assert after["p1/2"].date.isoformat() == day(8)
    assert result.objective.moved == result.bound.moved == 3
    assert all("date" in m.changes for m in result.moves)


def test_a_day_off_with_room_elsewhere_that_day_moves_only_the_doctor(
    knowledge: KnowledgeBase,
) -> None:
    # p4 cancels, so dr-b has Monday 09:30 free: p1/1 or p2/1 keeps its day with dr-b, the
    # other moves to Tuesday; p1/2 stays only if p1/1 keeps Monday, which moves fewer.
    problem = _clinic(a_off=[day(0)], drop="p4")
    result = resolved(problem, PREVIOUS, knowledge)
    assert check(problem, result, knowledge) == []
    moves = {m.session: m.changes for m in result.moves}
    assert set(moves) == {"p1/1", "p2/1"}
    assert booked(result)["p1/2"] == PREVIOUS[4]
    assert booked(result)["p1/1"].date.isoformat() == day(0)
    assert "practitioner" in moves["p1/1"]
    assert "date" not in moves["p1/1"]
    assert [c.session for c in result.cancelled] == ["p4/1"]


def test_a_cancelling_patient_is_reported_as_cancelled_not_moved(
    knowledge: KnowledgeBase,
) -> None:
    problem = _clinic(drop="p2")
    result = resolved(problem, PREVIOUS, knowledge)
    assert [(c.session, c.patient) for c in result.cancelled] == [("p2/1", "p2")]
    assert result.moves == []
    assert "p2/1" not in booked(result)


def test_a_closed_room_changes_only_the_room(knowledge: KnowledgeBase) -> None:
    rooms = [{"id": "room-1", "days_off": [day(7)]}, {"id": "room-2"}]
    result = resolved(_clinic(rooms=rooms), PREVIOUS, knowledge)
    assert [(m.session, m.changes) for m in result.moves] == [("p1/2", ["room"])]
    assert booked(result)["p1/2"].room == "room-2"


def test_a_previous_booking_for_another_patient_is_refused(knowledge: KnowledgeBase) -> None:
    wrong = PREVIOUS[0].model_copy(update={"patient": "p2"})
    with pytest.raises(InputError) as raised:
        resolved(_clinic(), [wrong, *PREVIOUS[1:]], knowledge)
    assert raised.value.problems[0].path == "previous[0].patient"


def test_the_decomposed_method_reschedules_the_same_way(
    knowledge: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(solver_module, "WHOLE_MODEL_OPTIONS", -1)
    problem = _clinic(a_off=[day(0)])
    result = resolved(problem, PREVIOUS, knowledge, seconds=3)
    assert result.stats.method == "decomposed"
    assert check(problem, result, knowledge) == []
    assert {m.session for m in result.moves} == {"p1/1", "p2/1", "p1/2"}
    assert result.bound.moved == result.objective.moved == 3
