"""Invariants of every home-care routine, over generated patients and procedure dates (issues 5
and 20).

No day pairs two agents the conflict table forbids (irritating pairs never share a day; an agent
that degrades another never shares its slot); every procedure date has its pauses; pregnancy
and breastfeeding never yield a retinoid; sunscreen is always in the morning. Issue 20: the
calendar never starts, steps up or resumes an agent inside one of its own pauses around a
procedure, for generated routines with priming periods and for the routines of generated
plans; a priming agent the plan books is in the routine or listed as left out.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scarplan.domain.case import Assessment, Case, LesionGroup, Patient, Preferences
from scarplan.domain.errors import InfeasibleError
from scarplan.domain.vocabulary import (
    AcneSeverity,
    Agent,
    EdgeProfile,
    Fitzpatrick,
    HomeCareBudget,
    Modality,
    Region,
    ScarType,
)
from scarplan.homecare.calendar import routine_calendar
from scarplan.homecare.priming import PrimingPeriod
from scarplan.homecare.routine import (
    RETINOIDS,
    ProcedureDate,
    Routine,
    build_routine,
)
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.agents import ConflictKind, TimeOfDay
from scarplan.services.homecare import routine_for_plan
from scarplan.services.planning import plan_case
from scarplan.settings import Settings

START = date(2027, 1, 4)
HORIZON = 200
TODAY = date(2026, 11, 21)

procedures = st.lists(
    st.builds(
        ProcedureDate,
        day=st.integers(0, 150).map(lambda d: START + timedelta(d)),
        modality=st.sampled_from(list(Modality)),
        downtime_days=st.integers(0, 14),
    ),
    max_size=6,
)


@st.composite
def patients(draw: st.DrawFn) -> tuple[Case, Fitzpatrick | None]:
    fitzpatrick = draw(st.sampled_from([None, *Fitzpatrick]))
    expecting = draw(st.sampled_from(["no", "pregnant", "breastfeeding"]))
    patient = Patient(
        id="P-ROUTINE",
        age_years=draw(st.integers(12, 70)),
        fitzpatrick=fitzpatrick,
        pregnant=expecting == "pregnant",
        breastfeeding=expecting == "breastfeeding",
        active_acne=draw(st.sampled_from(list(AcneSeverity))),
        sensitive_skin=draw(st.booleans()),
        current_agents=tuple(draw(st.lists(st.sampled_from(list(Agent)), max_size=4, unique=True))),
    )
    preferences = Preferences(
        start_date=START, home_care_budget=draw(st.sampled_from([None, *HomeCareBudget]))
    )
    lesions = (LesionGroup(Region.CHEEK_LEFT, 5, ScarType.ICE_PICK),)
    return Case(patient, Assessment(START, lesions), preferences), fitzpatrick


@st.composite
def primings(draw: st.DrawFn, planned: list[ProcedureDate]) -> list[PrimingPeriod]:
    """Priming periods before the first session of some planned procedures, as a plan books
    them (the agents of the knowledge base's priming effects, or any home-care agents)."""
    found = []
    for modality in draw(st.sets(st.sampled_from([p.modality for p in planned]), max_size=2)):
        first = min(p.day for p in planned if p.modality is modality)
        agents = draw(
            st.sampled_from(
                [
                    (Agent.HYDROQUINONE, Agent.TRETINOIN),
                    (Agent.HYDROQUINONE,),
                    tuple(
                        draw(
                            st.lists(
                                st.sampled_from([a for a in Agent if a not in ORAL]),
                                min_size=1,
                                max_size=2,
                                unique=True,
                            )
                        )
                    ),
                ]
            )
        )
        weeks = draw(st.integers(1, 4))
        found.append(
            PrimingPeriod(agents, first - timedelta(weeks=weeks), first, (modality,), ("X",))
        )
    return found


ORAL = frozenset({Agent.ISOTRETINOIN, Agent.ORAL_ANTIBIOTIC})


def _days(routine: Routine) -> list[date]:
    return [routine.start + timedelta(n) for n in range(HORIZON)]


def _after_days(pause_after: object, downtime: int) -> int:
    if pause_after is None:
        return downtime
    return int(getattr(pause_after, "max", None) or getattr(pause_after, "min", None) or 0)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patient=patients(), planned=procedures)
def test_routine_invariants(
    patient: tuple[Case, Fitzpatrick | None],
    planned: list[ProcedureDate],
    knowledge: KnowledgeBase,
) -> None:
    case, fitzpatrick = patient
    routine = build_routine(case, fitzpatrick, planned, knowledge, START)
    agents = {step.agent for step in routine.steps}
    sunscreen = [s for s in routine.steps if s.agent is Agent.SUNSCREEN]
    assert len(sunscreen) == 1
    assert sunscreen[0].slot is TimeOfDay.AM
    if case.patient.pregnant or case.patient.breastfeeding:
        assert not agents & set(RETINOIDS)
    assert len(agents & set(RETINOIDS)) <= 1

    for day in _days(routine):
        used = routine.applied_on(day)
        whole_day = set(used[TimeOfDay.AM]) | set(used[TimeOfDay.PM])
        for conflict in knowledge.conflicts:
            pair = set(conflict.agents)
            if conflict.kind is ConflictKind.IRRITATION:
                assert not pair <= whole_day, (day, conflict.id)
            else:
                for slot in (TimeOfDay.AM, TimeOfDay.PM):
                    assert not pair <= set(used[slot]), (day, slot, conflict.id)

    for step in routine.steps:
        entry = knowledge.agents[step.agent]
        for procedure in planned:
            for pause in entry.pauses:
                if procedure.modality not in pause.modalities:
                    continue
                if pause.skin_types and fitzpatrick not in pause.skin_types:
                    continue  # another skin type's pause (an unknown type is checked in units)
                before = int(pause.before_days.max or pause.before_days.min or 0)
                after = _after_days(pause.after_days, procedure.downtime_days)
                for offset in range(-before, after + 1):
                    day = procedure.day + timedelta(offset)
                    assert not step.usage.applied_on(day), (step.agent, procedure, day)


def _assert_no_start_inside_own_pause(routine: Routine) -> None:
    """Issue 20: no calendar entry starts, steps up or resumes an agent inside one of its own
    pause windows around a procedure."""
    windows = {step.agent: step.usage.pauses for step in routine.steps}

    def paused(agent: Agent, day: date) -> bool:
        return any(p.start <= day <= p.end for p in windows.get(agent, ()))

    for entry in routine_calendar(routine):
        if entry.agent is None:
            continue
        if entry.event in ("start", "step up"):
            assert not paused(entry.agent, entry.day), (entry.agent, entry.event, entry.day)
        if entry.event == "pause" and "resume from" in entry.text:
            assert entry.until is not None
            resume = entry.until + timedelta(days=1)
            assert not paused(entry.agent, resume), (entry.agent, "resume", resume)
            assert f"resume from {resume.isoformat()}" in entry.text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patient=patients(), data=st.data())
def test_no_start_step_up_or_resume_inside_a_pause(
    patient: tuple[Case, Fitzpatrick | None],
    data: st.DataObject,
    knowledge: KnowledgeBase,
) -> None:
    case, fitzpatrick = patient
    planned = data.draw(procedures)
    periods = data.draw(primings(planned)) if planned else []
    routine = build_routine(case, fitzpatrick, planned, knowledge, START, periods)
    _assert_no_start_inside_own_pause(routine)
    assert len({s.agent for s in routine.steps} & set(RETINOIDS)) <= 1
    for step in routine.steps:
        for pause in step.usage.pauses:
            for offset in range((pause.end - pause.start).days + 1):
                assert not step.usage.applied_on(pause.start + timedelta(offset)), step.agent
    handled = {s.agent for s in routine.steps} | {x.agent for x in routine.left_out}
    for period in periods:
        assert set(period.agents) <= handled | set(RETINOIDS), (period, handled)


lesion_groups = st.lists(
    st.builds(
        LesionGroup,
        region=st.sampled_from(list(Region)),
        count=st.integers(1, 25),
        type=st.sampled_from([ScarType.ICE_PICK, ScarType.BOXCAR, ScarType.ROLLING]),
        width_mm=st.sampled_from([None, 0.8, 1.5, 2.5, 4.0]),
        depth_mm=st.sampled_from([None, 0.3, 0.6, 1.2]),
        edges=st.sampled_from([None, *EdgeProfile]),
        distensible=st.sampled_from([None, True, False]),
    ),
    min_size=1,
    max_size=4,
)


@st.composite
def planned_cases(draw: st.DrawFn) -> Case:
    patient = Patient(
        id="P-PLAN-ROUTINE",
        age_years=draw(st.integers(18, 60)),
        fitzpatrick=draw(st.sampled_from([None, *Fitzpatrick])),
        active_acne=draw(st.sampled_from([AcneSeverity.NONE, AcneSeverity.MILD])),
        sensitive_skin=draw(st.booleans()),
        current_agents=tuple(
            draw(
                st.lists(
                    st.sampled_from([a for a in Agent if a not in ORAL]),
                    max_size=3,
                    unique=True,
                )
            )
        ),
    )
    preferences = Preferences(
        start_date=date(2027, 1, 11),
        max_downtime_days=draw(st.sampled_from([None, 1, 3, 7, 14])),
    )
    return Case(patient, Assessment(TODAY, tuple(draw(lesion_groups))), preferences)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=planned_cases())
def test_the_routine_of_any_plan_respects_its_pauses(case: Case, knowledge: KnowledgeBase) -> None:
    try:
        plan = plan_case(case, knowledge, Settings(), TODAY)
    except InfeasibleError:
        return
    routine = routine_for_plan(case, plan, knowledge)
    _assert_no_start_inside_own_pause(routine)
    handled = {s.agent for s in routine.steps} | {x.agent for x in routine.left_out}
    for preparation in plan.preparations:
        if preparation.kind != "priming":
            continue
        assert preparation.day < preparation.until
        first = min(s.day for s in plan.sessions if s.modality in preparation.before)
        assert preparation.until == first
        for agent in preparation.agents:
            assert Agent(agent) in handled, (agent, handled)
    for preparation in plan.preparations:
        if preparation.kind == "test":
            first = min(s.day for s in plan.sessions if s.modality in preparation.before)
            assert preparation.day >= plan.start
            assert preparation.until <= first
