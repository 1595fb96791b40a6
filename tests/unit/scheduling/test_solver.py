"""The solver on small hand-made instances whose best schedules are worked out by hand."""

from __future__ import annotations

import pytest

from scarplan.knowledge import KnowledgeBase
from scarplan.scheduling import solver as solver_module
from scarplan.scheduling.checker import check
from scarplan.scheduling.model import Instance
from unit.scheduling.helpers import (
    day,
    hours,
    instance,
    patient,
    practitioner,
    session,
    solved,
)


def _valid(problem: Instance, knowledge: KnowledgeBase, seconds: float = 10) -> dict[str, str]:
    result = solved(problem, knowledge, seconds)
    assert check(problem, result, knowledge) == []
    return {a.session: f"{a.date} {a.start}-{a.end} {a.practitioner}" for a in result.assignments}


def test_a_lone_session_goes_on_its_ideal_day_at_opening_time(knowledge: KnowledgeBase) -> None:
    problem = instance([patient("p1", session("s1", ideal=day(2)))])
    result = solved(problem, knowledge)
    assert result.status == "optimal"
    assert _valid(problem, knowledge) == {"s1": f"{day(2)} 09:00-09:30 dr-a"}
    assert result.objective.deviation_days == 0


def test_two_sessions_for_one_slot_spill_to_the_next_working_day(knowledge: KnowledgeBase) -> None:
    # One half-hour a day, Monday to Friday; both want Friday: one takes Friday, the other the
    # nearest working day, Thursday (Saturday is not worked): one day of deviation.
    one_slot = practitioner("dr-a", ["tca_cross"], hours=hours("09:00", "09:30"))
    problem = instance(
        [patient("p1", session("a", ideal=day(4))), patient("p2", session("b", ideal=day(4)))],
        practitioners=[one_slot],
    )
    result = solved(problem, knowledge)
    assert result.status == "optimal"
    assert sorted(a.date.isoformat() for a in result.assignments) == [day(3), day(4)]
    assert result.objective.deviation_days == result.bound.deviation_days == 1


def test_the_interval_pushes_the_next_session(knowledge: KnowledgeBase) -> None:
    # Ideal dates two days apart, but at least seven days between: Monday, then next Monday.
    problem = instance(
        [
            patient(
                "p1",
                session("s1", ideal=day(0)),
                session("s2", ideal=day(2), min_days_after_previous=7),
            )
        ]
    )
    assert _valid(problem, knowledge) == {
        "s1": f"{day(0)} 09:00-09:30 dr-a",
        "s2": f"{day(7)} 09:00-09:30 dr-a",
    }
    assert solved(problem, knowledge).objective.deviation_days == 5


def test_one_laser_serves_one_session_at_a_time(knowledge: KnowledgeBase) -> None:
    # Two practitioners, one CO2 laser, an hour a day each: two hour-long laser sessions on the
    # same ideal day cannot both take it.
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
    assert check(problem, result, knowledge) == []
    assert {a.device for a in result.assignments} == {"co2-1"}
    assert sorted(a.date.isoformat() for a in result.assignments) in (
        [day(0), day(1)],
        [day(1), day(2)],
    )
    assert result.objective.deviation_days == 1


def test_the_patient_hours_bound_the_start(knowledge: KnowledgeBase) -> None:
    late = {"hours": [{"start": "11:00", "end": "12:00"}], "weekdays": ["wed"]}
    problem = instance([patient("p1", session("s1", ideal=day(0)), availability=late)])
    assert _valid(problem, knowledge) == {"s1": f"{day(2)} 11:00-11:30 dr-a"}


def test_a_day_the_quick_pass_cannot_pack_is_packed_exactly(knowledge: KnowledgeBase) -> None:
    # One practitioner 09:00-11:00. The laser session goes first in the quick pass and takes
    # 09:00, leaving no room for the 90-minute subcision the patient can only have by 10:30;
    # the exact packing puts the subcision first and the laser after it.
    doctor = practitioner("dr-a", ["fractional_co2", "subcision"], hours=hours("09:00", "11:00"))
    early = {"hours": [{"start": "09:00", "end": "10:30"}]}
    problem = instance(
        [
            patient("p1", session("laser", "fractional_co2", ideal=day(0), duration_minutes=30)),
            patient(
                "p2",
                session("cut", "subcision", ideal=day(0), duration_minutes=90),
                availability=early,
            ),
        ],
        practitioners=[doctor],
        devices=[{"id": "co2-1", "kind": "co2_laser"}],
    )
    assert _valid(problem, knowledge) == {
        "cut": f"{day(0)} 09:00-10:30 dr-a",
        "laser": f"{day(0)} 10:30-11:00 dr-a",
    }


def test_the_same_input_gives_the_same_schedule(knowledge: KnowledgeBase) -> None:
    problem = instance(
        [patient(f"p{n}", session(f"s{n}", ideal=day(n % 3))) for n in range(8)],
        practitioners=[practitioner("dr-a", ["tca_cross"], hours=hours("09:00", "10:00"))],
    )
    first, second = solved(problem, knowledge), solved(problem, knowledge)
    assert first.assignments == second.assignments


@pytest.mark.parametrize(
    ("request_", "code"),
    [
        (session("x", "punch_grafting"), "no_practitioner"),
        (session("x", "fractional_co2"), "no_device"),
        (session("x", "subcision"), "no_room"),
        (session("x", earliest=day(30)), "outside_horizon"),
    ],
)
def test_impossible_sessions_say_why(
    request_: dict[str, object], code: str, knowledge: KnowledgeBase
) -> None:
    doctor = practitioner("dr-a", ["tca_cross", "subcision", "fractional_co2"])
    problem = instance(
        [patient("p1", request_, session("next", min_days_after_previous=1))],
        practitioners=[doctor],
        rooms=[{"id": "r1", "procedures": ["tca_cross", "fractional_co2"]}],
    )
    result = solved(problem, knowledge)
    reasons = {u.session: u for u in result.unscheduled}
    assert reasons["x"].code == code
    assert reasons["x"].reason
    assert reasons["next"].code == "previous_unscheduled"
    assert check(problem, result, knowledge) == []


def test_availability_and_intervals_that_never_meet_are_explained(
    knowledge: KnowledgeBase,
) -> None:
    weekend = {"weekdays": ["sat", "sun"]}
    problem = instance(
        [
            patient("p1", session("weekend"), availability=weekend),
            # Friday, then at most one day later: a Saturday, which nobody works.
            patient(
                "p2",
                session("fri", earliest=day(4)),
                session("sat", min_days_after_previous=1, max_days_after_previous=1),
            ),
        ],
        days=7,
    )
    codes = {u.session: u.code for u in solved(problem, knowledge).unscheduled}
    assert codes == {"weekend": "no_availability", "sat": "interval_chain"}


def test_full_capacity_leaves_a_session_out_and_says_so(knowledge: KnowledgeBase) -> None:
    one_slot = practitioner("dr-a", ["tca_cross"], hours=hours("09:00", "09:30", ["mon"]))
    problem = instance(
        [patient("p1", session("a")), patient("p2", session("b"))],
        practitioners=[one_slot],
        days=7,
    )
    result = solved(problem, knowledge)
    assert result.objective.scheduled == result.bound.scheduled == 1
    assert [u.code for u in result.unscheduled] == ["no_capacity"]
    assert result.status == "optimal"


def test_a_large_instance_is_decomposed_and_still_valid(
    knowledge: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = instance(
        [
            patient(
                f"p{n}",
                session(f"p{n}/1", ideal=day(n % 3)),
                session(
                    f"p{n}/2",
                    ideal=day(n % 3 + 7),
                    min_days_after_previous=7,
                    max_days_after_previous=9,
                ),
            )
            for n in range(10)
        ],
        practitioners=[practitioner("dr-a", ["tca_cross"], hours=hours("09:00", "10:00"))],
        days=21,
    )
    whole = solved(problem, knowledge, seconds=3)
    monkeypatch.setattr(solver_module, "WHOLE_MODEL_OPTIONS", 0)
    result = solved(problem, knowledge, seconds=3)
    assert (whole.stats.method, result.stats.method) == ("whole", "decomposed")
    assert whole.status == "optimal"
    assert check(problem, result, knowledge) == []
    # The decomposed bounds hold for the proven optimum, and the search reaches it here.
    assert result.bound.scheduled == whole.objective.scheduled == result.objective.scheduled
    assert result.bound.deviation_days is not None
    assert result.bound.deviation_days <= whole.objective.deviation_days
    assert result.objective.deviation_days == whole.objective.deviation_days
