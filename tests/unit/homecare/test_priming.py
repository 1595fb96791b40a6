"""Priming agents in the routine and the pause rule of the calendar (issue 20, darker skin):
the parts the golden cases do not reach."""

from __future__ import annotations

from datetime import date, timedelta

from scarplan.domain.case import Assessment, Case, LesionGroup, Patient, Preferences
from scarplan.domain.vocabulary import (
    Agent,
    Fitzpatrick,
    HomeCareBudget,
    Modality,
    Region,
    ScarType,
)
from scarplan.homecare.calendar import routine_calendar
from scarplan.homecare.priming import PrimingPeriod
from scarplan.homecare.routine import ProcedureDate, build_routine
from scarplan.homecare.schedule import PauseWindow, merged, phases_from
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.agents import Frequency

START = date(2027, 3, 1)  # a Monday
LESIONS = (LesionGroup(Region.CHEEK_LEFT, 6, ScarType.ICE_PICK),)


def _case(**patient: object) -> Case:
    return Case(
        Patient(id="U-PRIME", age_years=30, **patient),  # type: ignore[arg-type]
        Assessment(START, LESIONS),
        Preferences(start_date=START),
    )


def _pause(start: date, end: date, reason: str = "x") -> PauseWindow:
    return PauseWindow(start, end, reason, "when healed", ("S",))


def test_a_titration_step_counts_days_in_use_only() -> None:
    pause = _pause(date(2027, 3, 1), date(2027, 3, 10))
    phases = phases_from(
        START,
        [(Frequency.TWICE_WEEKLY, 1, "", ()), (Frequency.DAILY, None, "", ())],
        [pause],
    )
    assert [p.start for p in phases] == [date(2027, 3, 11), date(2027, 3, 18)]
    inside = _pause(date(2027, 3, 13), date(2027, 3, 16))
    phases = phases_from(
        START, [(Frequency.TWICE_WEEKLY, 1, "", ()), (Frequency.DAILY, None, "", ())], [inside]
    )
    # 03-01..03-12 gives 12 days in use: the step up after 7 is 03-08, before the pause.
    assert [p.start for p in phases] == [START, date(2027, 3, 8)]
    late = _pause(date(2027, 3, 5), date(2027, 3, 9))
    phases = phases_from(
        START, [(Frequency.TWICE_WEEKLY, 1, "", ()), (Frequency.DAILY, None, "", ())], [late]
    )
    # 03-01..03-04 (4 days), paused 03-05..03-09, 03-10..03-12 (3 days): step up on 03-13.
    assert [p.start for p in phases] == [START, date(2027, 3, 13)]


def test_overlapping_and_back_to_back_pauses_are_one() -> None:
    a = _pause(date(2027, 3, 1), date(2027, 3, 8), "a")
    b = _pause(date(2027, 3, 9), date(2027, 3, 12), "b")
    c = _pause(date(2027, 3, 11), date(2027, 3, 20), "c")
    d = _pause(date(2027, 3, 25), date(2027, 3, 26), "d")
    found = merged([c, d, a, b])
    assert [(p.start, p.end, p.reason) for p in found] == [
        (date(2027, 3, 1), date(2027, 3, 20), "a, b, c"),
        (date(2027, 3, 25), date(2027, 3, 26), "d"),
    ]


def test_hydroquinone_stops_at_its_course_limit(knowledge: KnowledgeBase) -> None:
    """A primed course longer than 12 weeks: hydroquinone stops at 12 weeks (ISHACK2021)."""
    sessions = [
        ProcedureDate(START + timedelta(weeks=2 + 4 * n), Modality.TCA_CROSS, 7) for n in range(5)
    ]
    period = PrimingPeriod(
        (Agent.HYDROQUINONE, Agent.TRETINOIN),
        START,
        sessions[0].day,
        (Modality.TCA_CROSS,),
        ("KHUNGER2011",),
    )
    routine = build_routine(
        _case(fitzpatrick=Fitzpatrick.V), Fitzpatrick.V, sessions, knowledge, START, [period]
    )
    step = next(s for s in routine.steps if s.agent is Agent.HYDROQUINONE)
    assert step.usage.stop == START + timedelta(weeks=12)
    assert "12 weeks" in step.usage.stop_reason
    assert not step.usage.applied_on(START + timedelta(weeks=12))
    assert step.usage.applied_on(START + timedelta(weeks=12, days=-1))
    check = next(c for c in routine.checks if c.kind == "course limit")
    assert check.agents == (Agent.HYDROQUINONE,)
    assert "ISHACK2021" in check.sources


def test_a_pause_after_the_stop_is_not_listed_and_one_across_it_is_not_resumed(
    knowledge: KnowledgeBase,
) -> None:
    cross = ProcedureDate(date(2027, 3, 15), Modality.TCA_CROSS, 7)  # hydroquinone stops 03-23
    laser = ProcedureDate(date(2027, 3, 20), Modality.FRACTIONAL_CO2, 10)
    later = ProcedureDate(date(2027, 5, 3), Modality.CHEMICAL_PEEL_MEDIUM, 7)
    period = PrimingPeriod((Agent.HYDROQUINONE,), START, cross.day, (Modality.TCA_CROSS,), ("K",))
    routine = build_routine(
        _case(fitzpatrick=Fitzpatrick.IV),
        Fitzpatrick.IV,
        [cross, laser, later],
        knowledge,
        START,
        [period],
    )
    calendar = [e for e in routine_calendar(routine) if e.agent is Agent.HYDROQUINONE]
    assert [e.event for e in calendar] == ["start", "pause", "stop"]
    pause = calendar[1]
    assert pause.day == laser.day
    assert "do not resume it" in pause.text


def test_a_retinoid_in_use_stands_in_for_the_priming_retinoid(knowledge: KnowledgeBase) -> None:
    cross = ProcedureDate(date(2027, 3, 29), Modality.TCA_CROSS, 7)
    period = PrimingPeriod(
        (Agent.HYDROQUINONE, Agent.TRETINOIN),
        date(2027, 3, 15),
        cross.day,
        (Modality.TCA_CROSS,),
        ("K",),
    )
    routine = build_routine(
        _case(fitzpatrick=Fitzpatrick.VI, current_agents=(Agent.RETINOL,)),
        Fitzpatrick.VI,
        [cross],
        knowledge,
        START,
        [period],
    )
    retinol = next(s for s in routine.steps if s.agent is Agent.RETINOL)
    assert retinol.already_used
    # retinol has no TCA CROSS pause; the routine holds no second retinoid
    assert Agent.TRETINOIN in {x.agent for x in routine.left_out}
    assert Agent.TRETINOIN not in {s.agent for s in routine.steps}


def test_a_priming_agent_is_not_cut_by_the_home_care_budget(knowledge: KnowledgeBase) -> None:
    base = _case(fitzpatrick=Fitzpatrick.V)
    low = Case(
        base.patient,
        base.assessment,
        Preferences(start_date=START, home_care_budget=HomeCareBudget.LOW),
    )
    cross = ProcedureDate(date(2027, 3, 29), Modality.TCA_CROSS, 7)
    period = PrimingPeriod(
        (Agent.HYDROQUINONE,), date(2027, 3, 15), cross.day, (Modality.TCA_CROSS,), ("K",)
    )
    routine = build_routine(low, Fitzpatrick.V, [cross], knowledge, START, [period])
    agents = {s.agent for s in routine.steps}
    assert Agent.HYDROQUINONE in agents
    assert Agent.AZELAIC_ACID not in agents  # the low budget keeps one active: the retinoid
