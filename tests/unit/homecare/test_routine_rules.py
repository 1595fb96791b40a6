"""Routine rules that the golden cases do not reach: age, oral treatment in pregnancy."""

from __future__ import annotations

from datetime import date

from scarplan.domain.case import Assessment, Case, LesionGroup, Patient, Preferences
from scarplan.domain.vocabulary import AcneSeverity, Agent, Fitzpatrick, Region, ScarType
from scarplan.homecare.routine import build_routine
from scarplan.knowledge import KnowledgeBase

START = date(2027, 1, 4)
LESIONS = (LesionGroup(Region.CHEEK_LEFT, 4, ScarType.ICE_PICK),)


def _case(**patient: object) -> Case:
    return Case(
        Patient(id="U-1", **patient),  # type: ignore[arg-type]
        Assessment(START, LESIONS),
        Preferences(start_date=START),
    )


def test_no_otc_retinoid_is_started_under_12(knowledge: KnowledgeBase) -> None:
    routine = build_routine(
        _case(age_years=11, active_acne=AcneSeverity.MILD), Fitzpatrick.II, [], knowledge, START
    )
    agents = {step.agent for step in routine.steps}
    assert not agents & {Agent.ADAPALENE, Agent.RETINOL, Agent.TRETINOIN}
    assert Agent.ADAPALENE in {item.agent for item in routine.left_out}
    at_twelve = build_routine(
        _case(age_years=12, active_acne=AcneSeverity.MILD), Fitzpatrick.II, [], knowledge, START
    )
    assert Agent.ADAPALENE in {step.agent for step in at_twelve.steps}


def test_isotretinoin_in_pregnancy_raises_a_stop_check(knowledge: KnowledgeBase) -> None:
    routine = build_routine(
        _case(age_years=30, pregnant=True, current_agents=(Agent.ISOTRETINOIN,)),
        Fitzpatrick.III,
        [],
        knowledge,
        START,
    )
    stop = [c for c in routine.checks if c.kind == "pregnancy: contraindicated"]
    assert stop
    assert stop[0].agents == (Agent.ISOTRETINOIN,)
    assert stop[0].sources
    assert Agent.ISOTRETINOIN not in {step.agent for step in routine.steps}


def test_the_patch_goes_on_spots_in_the_evening(knowledge: KnowledgeBase) -> None:
    routine = build_routine(
        _case(age_years=20, active_acne=AcneSeverity.MILD), Fitzpatrick.II, [], knowledge, START
    )
    patch = next(s for s in routine.steps if s.agent is Agent.HYDROCOLLOID_PATCH)
    assert patch.slot.value == "pm"
    assert patch.as_needed
