"""A clinician's structural plan edits (planning/edits.py): add, swap, change regions and
settings, each checked with the proposal's own rules; every refusal says why in words."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from scarplan.adapters.casefile import parse_case_text
from scarplan.assessment import assess_case
from scarplan.domain.case import Case
from scarplan.domain.errors import InputError, StateError
from scarplan.domain.vocabulary import Modality, Region
from scarplan.knowledge import KnowledgeBase
from scarplan.planning.document import PlanDocument
from scarplan.planning.edits import (
    AddCourse,
    ChangeSessions,
    CourseRequest,
    PatientRules,
    SwapCourse,
    revise,
)
from scarplan.planning.lifecycle import Plan, PlanStatus
from scarplan.planning.plan import edit_rules
from scarplan.services.planning import (
    clinic_policies,
    plan_case,
    plan_document,
    planning_conventions,
)
from scarplan.settings import Settings

TODAY = date(2026, 12, 1)
# Narrow ice picks (TCA CROSS), rolling (subcision) and shallow boxcar (fractional CO2):
# the planner books subcision 12-02.., TCA CROSS 12-16.. (last 2027-02-24), CO2 2027-03-10..
CASE = """
scarplan_case: 1
patient: {id: E-1, age_years: 35, sex: female, fitzpatrick: II, active_acne: none,
          isotretinoin: {status: none}}
assessment:
  date: 2026-12-01
  lesions:
    - {region: cheek_left, type: ice_pick, count: 6, width_mm: 1.0}
    - {region: cheek_right, type: rolling, count: 5}
    - {region: forehead, type: boxcar, count: 4, width_mm: 2.5, depth_mm: 0.3}
"""
CROSS = "TCA concentration"


def rules_for(case: Case, knowledge: KnowledgeBase, document: PlanDocument) -> PatientRules:
    settings = Settings()
    return edit_rules(
        case,
        assess_case(case, knowledge),
        knowledge,
        clinic_policies(settings),
        planning_conventions(settings),
        document.start_date,
        TODAY,
        TODAY,
        (),
    )


@pytest.fixture(scope="module")
def case() -> Case:
    return parse_case_text(CASE, TODAY)


@pytest.fixture(scope="module")
def document(case: Case, knowledge: KnowledgeBase) -> PlanDocument:
    return plan_document(plan_case(case, knowledge, Settings(), TODAY))


@pytest.fixture(scope="module")
def rules(case: Case, knowledge: KnowledgeBase, document: PlanDocument) -> PatientRules:
    return rules_for(case, knowledge, document)


def days_of(document: PlanDocument, modality: Modality) -> list[date]:
    return [s.date for s in document.sessions if s.modality is modality]


def test_the_planned_course_starts_the_day_after_the_proposal(document: PlanDocument) -> None:
    assert document.sessions[0].date == TODAY + timedelta(days=1)


def test_adding_a_filler_books_the_typical_course_after_what_must_come_first(
    document: PlanDocument, rules: PatientRules
) -> None:
    # The KB's HA filler course: usual 3 sessions. sequencing.yaml: subcision's whole course
    # and resurfacing courses come before fillers, so the first filler session waits for the
    # last CO2 session (2027-06-02) plus the rule's gap.
    plan = Plan(1, PlanStatus.PROPOSED, document)
    change = AddCourse(CourseRequest(Modality.HA_FILLER, (Region.CHEEK_RIGHT,)))
    revised = revise(plan, change, "patient asks for volume", None, rules)
    filler = [s for s in revised.document.sessions if s.modality is Modality.HA_FILLER]
    assert len(filler) == 3
    last_co2 = max(days_of(document, Modality.FRACTIONAL_CO2))
    gap = revised.document.gap_rules(14).between(Modality.FRACTIONAL_CO2, Modality.HA_FILLER)
    assert filler[0].date >= last_co2 + timedelta(days=gap.min_days)
    assert all(s.cost is not None and s.cost.amount > 0 for s in revised.document.sessions)
    assert revised.document.total_cost.amount == pytest.approx(
        sum(s.cost.amount for s in revised.document.sessions if s.cost)
    )
    assert "Edited by the clinician: patient asks for volume" in revised.document.notes
    assert any(
        p.first is Modality.FRACTIONAL_CO2 and p.then is Modality.HA_FILLER
        for p in revised.document.sequence
    )
    assert revised.kept.count(None) == 3
    # The new version's document reads back through the stored model.
    PlanDocument.model_validate(revised.document.model_dump(mode="json"), strict=False)


def test_a_swap_keeps_the_course_slot(document: PlanDocument, rules: PatientRules) -> None:
    plan = Plan(1, PlanStatus.PROPOSED, document)
    slot = days_of(document, Modality.FRACTIONAL_CO2)[0]
    change = SwapCourse(
        Modality.FRACTIONAL_CO2,
        CourseRequest(Modality.FRACTIONAL_ERBIUM, (Region.FOREHEAD, Region.CHEEK_RIGHT)),
    )
    revised = revise(plan, change, "erbium has less downtime", None, rules)
    assert days_of(revised.document, Modality.FRACTIONAL_CO2) == []
    assert days_of(revised.document, Modality.FRACTIONAL_ERBIUM)[0] == slot
    assert {c.modality for c in revised.document.courses} == {
        Modality.SUBCISION,
        Modality.TCA_CROSS,
        Modality.FRACTIONAL_ERBIUM,
    }
    swapped = next(r for r in revised.document.recommended if r.modality is Modality.FRACTIONAL_CO2)
    assert not swapped.in_plan


def test_a_swap_too_close_to_the_cross_course_is_refused(
    document: PlanDocument, rules: PatientRules
) -> None:
    # sequencing.yaml: TCA CROSS before fractional lasers; one day after the last CROSS
    # (2027-02-24) is too soon.
    plan = Plan(1, PlanStatus.PROPOSED, document)
    last_cross = max(days_of(document, Modality.TCA_CROSS))
    change = SwapCourse(
        Modality.FRACTIONAL_CO2,
        CourseRequest(
            Modality.FRACTIONAL_ERBIUM,
            (Region.FOREHEAD,),
            first_day=last_cross + timedelta(days=1),
        ),
    )
    with pytest.raises(InputError) as refused:
        revise(plan, change, "sooner", None, rules)
    problem = refused.value.problems[0]
    assert problem.path == "swap.first_day"
    assert "Fractional ablative Er:YAG laser" in problem.message
    assert "would be 1 day after TCA CROSS" in problem.message
    assert "tca_cross" not in problem.message


def test_a_setting_outside_the_published_range_is_refused(
    document: PlanDocument, rules: PatientRules
) -> None:
    plan = Plan(1, PlanStatus.PROPOSED, document)
    cross = [p for p, s in enumerate(document.sessions) if s.modality is Modality.TCA_CROSS]
    with pytest.raises(InputError) as refused:
        revise(plan, ChangeSessions(tuple(cross), parameters={CROSS: 40.0}), "x", None, rules)
    problem = refused.value.problems[0]
    assert problem.path == f"change.parameters.{CROSS}"
    assert "40 % is outside the published range" in problem.message
    assert "from 65 to 100 %" in problem.hint
    revised = revise(
        plan,
        ChangeSessions(
            tuple(cross), regions=(Region.CHEEK_LEFT, Region.CHIN), parameters={CROSS: 80}
        ),
        "stronger acid for deep scars",
        None,
        rules,
    )
    changed = [s for s in revised.document.sessions if s.modality is Modality.TCA_CROSS]
    assert all(s.regions == [Region.CHEEK_LEFT, Region.CHIN] for s in changed)
    assert all(
        [(p.name, p.value, p.unit) for p in s.parameters] == [(CROSS, 80.0, "%")] for s in changed
    )
    assert all(s.cost is not None for s in changed)


def test_a_course_outside_the_published_length_is_refused(
    document: PlanDocument, rules: PatientRules
) -> None:
    plan = Plan(1, PlanStatus.PROPOSED, document)
    change = AddCourse(CourseRequest(Modality.HA_FILLER, (Region.CHEEK_RIGHT,), sessions=40))
    with pytest.raises(InputError) as refused:
        revise(plan, change, "x", None, rules)
    assert refused.value.problems[0].path == "add.sessions"
    assert "outside the published course" in refused.value.problems[0].message


def test_a_contraindicated_procedure_is_refused(
    knowledge: KnowledgeBase, document: PlanDocument
) -> None:
    pregnant = parse_case_text(
        CASE.replace("active_acne: none", "pregnant: true, active_acne: none"), TODAY
    )
    rules = rules_for(pregnant, knowledge, document)
    plan = Plan(1, PlanStatus.PROPOSED, document)
    change = AddCourse(CourseRequest(Modality.HA_FILLER, (Region.CHEEK_RIGHT,)))
    with pytest.raises(InputError) as refused:
        revise(plan, change, "x", "clinician insists", rules)
    problem = refused.value.problems[0]
    assert problem.path == "add.modality"
    assert "cannot be planned for this patient" in problem.message
    assert "pregnan" in problem.message


def test_a_judgement_call_needs_a_reason_that_is_kept(
    document: PlanDocument, rules: PatientRules
) -> None:
    # Microneedling would be a second resurfacing course: the planner books one.
    plan = Plan(1, PlanStatus.PROPOSED, document)
    change = AddCourse(CourseRequest(Modality.MICRONEEDLING, (Region.FOREHEAD,)))
    with pytest.raises(InputError) as refused:
        revise(plan, change, "add needling", None, rules)
    assert refused.value.problems[0].path == "override_reason"
    assert "already has a resurfacing course" in refused.value.problems[0].message
    revised = revise(plan, change, "add needling", "forehead needs a gentler course", rules)
    assert revised.overridden
    assert any("Reason given: forehead needs a gentler course" in n for n in revised.document.notes)


def test_preparation_keeps_an_added_first_session_back(knowledge: KnowledgeBase) -> None:
    # Fitzpatrick V with rolling scars only: subcision, no preparation. Adding TCA CROSS brings
    # darker_skin's 28-day test spot and 2 weeks' priming: proposed 1 Dec, nothing before
    # 29 Dec (golden p86's arithmetic).
    text = """
scarplan_case: 1
patient: {id: E-2, age_years: 30, sex: male, fitzpatrick: V, active_acne: none,
          isotretinoin: {status: none}}
assessment:
  date: 2026-12-01
  lesions:
    - {region: cheek_right, type: rolling, count: 5}
"""
    case = parse_case_text(text, TODAY)
    document = plan_document(plan_case(case, knowledge, Settings(), TODAY))
    rules = rules_for(case, knowledge, document)
    plan = Plan(1, PlanStatus.PROPOSED, document)
    early = AddCourse(
        CourseRequest(Modality.TCA_CROSS, (Region.CHEEK_RIGHT,), first_day=date(2026, 12, 15))
    )
    with pytest.raises(InputError) as refused:
        revise(plan, early, "x", "ice picks seen at review", rules)
    problem = refused.value.problems[0]
    assert problem.path == "add.first_day"
    assert "cannot be before 29 Dec 2026" in problem.message
    assert "28 days of preparation" in problem.message
    fitted = revise(
        plan,
        AddCourse(CourseRequest(Modality.TCA_CROSS, (Region.CHEEK_RIGHT,))),
        "ice picks seen at review",
        "ice picks seen at review",
        rules,
    )
    cross = days_of(fitted.document, Modality.TCA_CROSS)
    assert cross[0] >= date(2026, 12, 29)
    assert {p.kind for p in fitted.document.preparations if Modality.TCA_CROSS in p.before} == {
        "test",
        "priming",
    }


def test_a_closed_plan_takes_no_change(document: PlanDocument, rules: PatientRules) -> None:
    plan = Plan(1, PlanStatus.COMPLETED, document)
    with pytest.raises(StateError):
        revise(plan, AddCourse(CourseRequest(Modality.HA_FILLER, (Region.CHIN,))), "x", None, rules)


def test_a_first_day_far_ahead_is_refused_in_words(
    document: PlanDocument, rules: PatientRules
) -> None:
    plan = Plan(1, PlanStatus.PROPOSED, document)
    far = AddCourse(CourseRequest(Modality.HA_FILLER, (Region.CHIN,), first_day=date(9999, 12, 30)))
    with pytest.raises(InputError) as refused:
        revise(plan, far, "x", None, rules)
    assert refused.value.problems[0].path == "add.first_day"
    assert "more than ten years ahead" in refused.value.problems[0].message
