"""Invariants of every home-care routine, over generated patients and procedure dates (issue 5).

No day pairs two agents the conflict table forbids (irritating pairs never share a day; an agent
that degrades another never shares its slot); every procedure date has its pauses; pregnancy
and breastfeeding never yield a retinoid; sunscreen is always in the morning.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scarplan.domain.case import Assessment, Case, LesionGroup, Patient, Preferences
from scarplan.domain.vocabulary import (
    AcneSeverity,
    Agent,
    Fitzpatrick,
    HomeCareBudget,
    Modality,
    Region,
    ScarType,
)
from scarplan.homecare.routine import RETINOIDS, ProcedureDate, Routine, build_routine
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.agents import ConflictKind, TimeOfDay

START = date(2027, 1, 4)
HORIZON = 200

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


def _days(routine: Routine) -> list[date]:
    return [routine.start + timedelta(n) for n in range(HORIZON)]


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
                for offset in range(-before, procedure.downtime_days + 1):
                    day = procedure.day + timedelta(offset)
                    assert not step.usage.applied_on(day), (step.agent, procedure, day)
