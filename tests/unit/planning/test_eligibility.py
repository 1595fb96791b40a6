"""Eligibility: each safety rule of conditions.yaml applied to a patient, with its policy."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scarplan.domain.case import Assessment, Case, IsotretinoinHistory, LesionGroup, Patient
from scarplan.domain.vocabulary import (
    AcneSeverity,
    Fitzpatrick,
    IsotretinoinStatus,
    Modality,
    Region,
    ScarType,
)
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.rules import Action, ConditionId
from scarplan.planning.eligibility import Eligibility, add_months, evaluate_eligibility
from scarplan.settings import Settings

START = date(2027, 1, 11)
DEFAULT_POLICIES = {
    name: str(value) for name, value in Settings().model_dump().items() if name.endswith("_policy")
}
ICE_PICK = LesionGroup(region=Region.CHEEK_LEFT, count=10, type=ScarType.ICE_PICK, width_mm=1.0)


def _case(**patient: object) -> Case:
    return Case(
        patient=Patient(id="T-1", fitzpatrick=Fitzpatrick.II, **patient),  # type: ignore[arg-type]
        assessment=Assessment(date(2026, 11, 20), (ICE_PICK,)),
    )


def _evaluate(
    knowledge: KnowledgeBase,
    case: Case,
    fitzpatrick: Fitzpatrick | None = Fitzpatrick.II,
    policies: dict[str, str] | None = None,
    lesion_types: tuple[ScarType, ...] = (ScarType.ICE_PICK,),
) -> dict[Modality, Eligibility]:
    return evaluate_eligibility(
        case, lesion_types, fitzpatrick, knowledge, policies or DEFAULT_POLICIES, START
    )


def _eligible(result: dict[Modality, Eligibility]) -> set[Modality]:
    return {modality for modality, eligibility in result.items() if eligibility.eligible}


def test_a_healthy_patient_may_have_every_procedure(knowledge: KnowledgeBase) -> None:
    result = _evaluate(knowledge, _case())
    assert _eligible(result) == set(Modality)
    assert all(not e.findings for e in result.values())


def test_pregnancy_defers_every_procedure_by_clinic_policy(knowledge: KnowledgeBase) -> None:
    result = _evaluate(knowledge, _case(pregnant=True))
    assert _eligible(result) == set()
    finding = result[Modality.TCA_CROSS].blocking[0]
    assert finding.condition is ConditionId.PREGNANCY
    assert finding.policy == "pregnancy_procedure_policy"


def test_the_clinic_can_relax_the_pregnancy_policy_to_a_caution(knowledge: KnowledgeBase) -> None:
    policies = {**DEFAULT_POLICIES, "pregnancy_procedure_policy": "caution"}
    result = _evaluate(knowledge, _case(pregnant=True), policies=policies)
    assert Modality.TCA_CROSS in _eligible(result)
    assert result[Modality.TCA_CROSS].cautions[0].condition is ConditionId.PREGNANCY


def test_isotretinoin_stopped_two_months_ago_follows_the_consensus(
    knowledge: KnowledgeBase,
) -> None:
    stopped = date(2026, 11, 11)  # two months before START
    case = _case(isotretinoin=IsotretinoinHistory(IsotretinoinStatus.STOPPED, stopped))
    result = _evaluate(knowledge, case)
    # SPRING2017: fully ablative resurfacing and mechanical dermabrasion wait ...
    for waiting in (Modality.ABLATIVE_RESURFACING, Modality.DERMABRASION):
        assert result[waiting].eligible  # ... but only until a known date
        assert result[waiting].earliest(START) == add_months(stopped, 6)
        assert result[waiting].earliest(START) > START
    # ... while fractional lasers need not wait: a caution, not a deferral.
    co2 = result[Modality.FRACTIONAL_CO2]
    assert co2.earliest(START) == START
    assert any(f.condition is ConditionId.ISOTRETINOIN_RECENT for f in co2.cautions)


def test_the_six_month_policy_makes_lasers_wait_too(knowledge: KnowledgeBase) -> None:
    stopped = date(2026, 11, 11)
    case = _case(isotretinoin=IsotretinoinHistory(IsotretinoinStatus.STOPPED, stopped))
    policies = {**DEFAULT_POLICIES, "isotretinoin_wait_policy": "six_months"}
    result = _evaluate(knowledge, case, policies=policies)
    assert result[Modality.FRACTIONAL_CO2].earliest(START) > START


def test_isotretinoin_stopped_long_ago_no_longer_applies(knowledge: KnowledgeBase) -> None:
    case = _case(isotretinoin=IsotretinoinHistory(IsotretinoinStatus.STOPPED, date(2024, 1, 1)))
    assert all(not e.findings for e in _evaluate(knowledge, case).values())


def test_current_isotretinoin_defers_ablative_resurfacing_without_an_end_date(
    knowledge: KnowledgeBase,
) -> None:
    case = _case(isotretinoin=IsotretinoinHistory(IsotretinoinStatus.CURRENT))
    result = _evaluate(knowledge, case)
    assert not result[Modality.ABLATIVE_RESURFACING].eligible


def test_darker_skin_excludes_deep_peels_and_flags_ablative_resurfacing(
    knowledge: KnowledgeBase,
) -> None:
    result = _evaluate(knowledge, _case(), fitzpatrick=Fitzpatrick.V)
    deep_peel = result[Modality.CHEMICAL_PEEL_DEEP]
    assert not deep_peel.eligible
    assert deep_peel.blocking[0].action is Action.EXCLUDE
    assert any(
        f.condition is ConditionId.DARKER_SKIN
        for f in result[Modality.ABLATIVE_RESURFACING].findings
    )


def test_unknown_skin_type_is_treated_as_the_higher_pigment_risk(
    knowledge: KnowledgeBase,
) -> None:
    result = _evaluate(knowledge, _case(), fitzpatrick=None)
    assert not result[Modality.CHEMICAL_PEEL_DEEP].eligible


def test_severe_active_acne_defers_scar_procedures(knowledge: KnowledgeBase) -> None:
    result = _evaluate(knowledge, _case(active_acne=AcneSeverity.SEVERE))
    assert not result[Modality.TCA_CROSS].eligible
    assert _evaluate(knowledge, _case(active_acne=AcneSeverity.MILD))[Modality.TCA_CROSS].eligible


def test_raised_scars_are_referred(knowledge: KnowledgeBase) -> None:
    result = _evaluate(knowledge, _case(), lesion_types=(ScarType.ICE_PICK, ScarType.KELOID))
    assert any(f.action is Action.REFER for f in result[Modality.SUBCISION].blocking)


def test_every_finding_is_supported(knowledge: KnowledgeBase) -> None:
    case = _case(
        pregnant=True,
        keloid_history=True,
        herpes_labialis_history=True,
        anticoagulants=True,
        skin_infection=True,
    )
    for eligibility in _evaluate(knowledge, case, fitzpatrick=Fitzpatrick.VI).values():
        for finding in eligibility.findings:
            assert finding.sources or finding.policy
            assert finding.reason


FLAGS = ("pregnant", "breastfeeding", "keloid_history", "herpes_labialis_history",
         "anticoagulants", "skin_infection")  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    before=st.sets(st.sampled_from(FLAGS)),
    added=st.sampled_from(FLAGS),
    fitzpatrick=st.sampled_from(list(Fitzpatrick)),
)
def test_adding_a_contraindication_never_adds_a_procedure(
    knowledge: KnowledgeBase, before: set[str], added: str, fitzpatrick: Fitzpatrick
) -> None:
    base = _case(**dict.fromkeys(before, True))
    more = _case(**dict.fromkeys({*before, added}, True))
    assert _eligible(_evaluate(knowledge, more, fitzpatrick)) <= _eligible(
        _evaluate(knowledge, base, fitzpatrick)
    )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [(date(2026, 8, 31), 6, date(2027, 2, 28)), (date(2026, 1, 15), 12, date(2027, 1, 15))],
)
def test_add_months_clamps_to_the_month_end(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected
