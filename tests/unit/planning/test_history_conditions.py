"""The medical-history conditions (issue 20): each predicate of planning/eligibility.py and the
action its conditions.yaml rules take, with their clinic policies."""

from __future__ import annotations

from datetime import date

import pytest

from scarplan.domain.case import (
    Assessment,
    Case,
    IsotretinoinHistory,
    LesionGroup,
    Patient,
    PriorProcedure,
)
from scarplan.domain.vocabulary import (
    PERMANENT_FILLER,
    Allergy,
    Fitzpatrick,
    Implant,
    IsotretinoinStatus,
    MedicalCondition,
    Medication,
    Modality,
    Region,
    ScarType,
)
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.modalities import RiskLevel
from scarplan.knowledge.schema.rules import Action, ConditionId
from scarplan.planning.eligibility import (
    HISTORY_CONDITIONS,
    HISTORY_WORDS,
    Eligibility,
    HistoryItem,
    active_conditions,
    evaluate_eligibility,
)
from scarplan.services.planning import clinic_policies, plan_case, plan_json
from scarplan.settings import Settings

START = date(2027, 1, 11)
DEFAULTS = clinic_policies(Settings())
BOXCAR = LesionGroup(
    region=Region.CHEEK_LEFT, count=10, type=ScarType.BOXCAR, width_mm=2.5, depth_mm=0.6
)
ALL_ITEMS: list[HistoryItem] = [*MedicalCondition, *Allergy, *Implant, *Medication]


def _case(**patient: object) -> Case:
    fields: dict[str, object] = {"fitzpatrick": Fitzpatrick.II, "age_years": 34, **patient}
    return Case(
        patient=Patient(id="H-1", **fields),  # type: ignore[arg-type]
        assessment=Assessment(date(2026, 11, 20), (BOXCAR,)),
    )


def _with(item: HistoryItem) -> Case:
    field = {
        MedicalCondition: "conditions",
        Allergy: "allergies",
        Implant: "implants",
        Medication: "medications",
    }[type(item)]
    return _case(**{field: (item,)})


def _active(knowledge: KnowledgeBase, case: Case, start: date = START) -> dict[ConditionId, str]:
    return active_conditions(case, (ScarType.BOXCAR,), Fitzpatrick.II, knowledge, start)


def _evaluate(
    knowledge: KnowledgeBase, case: Case, policies: dict[str, str] | None = None
) -> dict[Modality, Eligibility]:
    return evaluate_eligibility(
        case, (ScarType.BOXCAR,), Fitzpatrick.II, knowledge, policies or DEFAULTS, START
    )


def _filler(kind: str, regions: tuple[Region, ...], day: date | None) -> PriorProcedure:
    return PriorProcedure(kind=kind, regions=regions, day=day, product="silicone")


# --- every history item activates its condition -------------------------------------------


@pytest.mark.parametrize("item", ALL_ITEMS, ids=str)
def test_every_history_item_activates_its_condition(
    knowledge: KnowledgeBase, item: HistoryItem
) -> None:
    active = _active(knowledge, _with(item))
    condition = HISTORY_CONDITIONS[item]
    assert condition in active
    assert HISTORY_WORDS[item] in active[condition]
    assert condition in knowledge.conditions


def test_a_healthy_adult_activates_no_history_condition(knowledge: KnowledgeBase) -> None:
    assert _active(knowledge, _case()) == {}


def test_grouped_items_share_one_condition_naming_each(knowledge: KnowledgeBase) -> None:
    case = _case(conditions=(MedicalCondition.VITILIGO, MedicalCondition.LICHEN_PLANUS))
    assert _active(knowledge, case) == {
        ConditionId.KOEBNER_PRONE_DISEASE: "vitiligo, lichen planus"
    }
    both = _case(
        conditions=(MedicalCondition.IMMUNOSUPPRESSED,),
        medications=(Medication.IMMUNOSUPPRESSANT,),
    )
    assert set(_active(knowledge, both)) == {ConditionId.IMMUNOSUPPRESSION}


def test_hypertrophic_scar_history_applies_the_keloid_history_rules(
    knowledge: KnowledgeBase,
) -> None:
    only = _active(knowledge, _case(conditions=(MedicalCondition.HYPERTROPHIC_SCAR_HISTORY,)))
    assert only == {ConditionId.KELOID_HISTORY: "history of hypertrophic scarring"}
    both = _case(keloid_history=True, conditions=(MedicalCondition.HYPERTROPHIC_SCAR_HISTORY,))
    assert _active(knowledge, both)[ConditionId.KELOID_HISTORY] == (
        "history of keloid scarring; history of hypertrophic scarring"
    )


def test_an_active_cold_sore_also_brings_the_prophylaxis_rule(knowledge: KnowledgeBase) -> None:
    active = _active(knowledge, _case(conditions=(MedicalCondition.ACTIVE_COLD_SORE,)))
    assert ConditionId.ACTIVE_COLD_SORE in active
    assert ConditionId.HERPES_LABIALIS_HISTORY in active


# --- age ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (16, {ConditionId.MINOR, ConditionId.UNDER_22}),
        (17, {ConditionId.MINOR, ConditionId.UNDER_22}),
        (18, {ConditionId.UNDER_22}),
        (21, {ConditionId.UNDER_22}),
        (22, set()),
        (None, set()),
    ],
)
def test_age_on_the_start_date(
    knowledge: KnowledgeBase, age: int | None, expected: set[ConditionId]
) -> None:
    assert set(_active(knowledge, _case(age_years=age))) == expected


def test_age_from_the_birth_date_counts_the_start_date(knowledge: KnowledgeBase) -> None:
    turns_18 = date(2009, 1, 11)  # 18 on START exactly
    assert ConditionId.MINOR not in _active(knowledge, _case(birth_date=turns_18, age_years=None))
    day_later = date(2009, 1, 12)  # still 17 on START
    assert ConditionId.MINOR in _active(knowledge, _case(birth_date=day_later, age_years=None))


def test_a_minor_gets_no_filler_and_one_consent_note(knowledge: KnowledgeBase) -> None:
    result = _evaluate(knowledge, _case(age_years=16))
    for filler in (Modality.HA_FILLER, Modality.BIOSTIMULATORY_FILLER):
        assert not result[filler].eligible
        assert result[filler].blocking[0].condition is ConditionId.MINOR
    assert any(f.condition is ConditionId.UNDER_22 for f in result[Modality.MICRONEEDLING].cautions)
    plan = plan_json(plan_case(_case(age_years=16), knowledge, Settings(), date(2026, 11, 20)))
    consent = [note for note in plan["notes"] if "guardian's informed consent" in note]
    assert len(consent) == 1, plan["notes"]


def test_an_adult_plan_names_no_guardian(knowledge: KnowledgeBase) -> None:
    plan = plan_json(plan_case(_case(age_years=30), knowledge, Settings(), date(2026, 11, 20)))
    assert not any("guardian" in note for note in plan["notes"])


# --- prior procedures: regions and dates ---------------------------------------------------


def test_a_permanent_filler_in_a_treated_region_applies(knowledge: KnowledgeBase) -> None:
    case = _case(
        prior_procedures=(_filler(PERMANENT_FILLER, (Region.CHEEK_LEFT,), date(2015, 5, 1)),)
    )
    why = _active(knowledge, case)[ConditionId.PERMANENT_FILLER]
    assert why == "permanent filler (silicone) in cheek left"


def test_a_permanent_filler_elsewhere_does_not_apply(knowledge: KnowledgeBase) -> None:
    case = _case(prior_procedures=(_filler(PERMANENT_FILLER, (Region.CHIN,), None),))
    assert ConditionId.PERMANENT_FILLER not in _active(knowledge, case)


def test_a_filler_without_regions_is_assumed_to_overlap(knowledge: KnowledgeBase) -> None:
    case = _case(prior_procedures=(_filler(PERMANENT_FILLER, (), None),))
    assert "regions not recorded" in _active(knowledge, case)[ConditionId.PERMANENT_FILLER]


@pytest.mark.parametrize(
    ("day", "applies"),
    [
        (date(2026, 6, 15), True),  # + 12 months = 2027-06-15 > START
        (date(2026, 1, 12), True),  # + 12 months = 2027-01-12 > START
        (date(2026, 1, 11), False),  # + 12 months = START: no longer recent
        (date(2024, 5, 1), False),
        (None, True),  # date not recorded: assumed recent
    ],
)
def test_a_recent_ha_filler_is_dated_by_the_rules_wait(
    knowledge: KnowledgeBase, day: date | None, applies: bool
) -> None:
    case = _case(prior_procedures=(_filler(Modality.HA_FILLER.value, (Region.CHEEK_LEFT,), day),))
    assert (ConditionId.RECENT_HA_FILLER in _active(knowledge, case)) is applies


def test_an_ha_filler_in_an_untreated_region_does_not_apply(knowledge: KnowledgeBase) -> None:
    case = _case(
        prior_procedures=(_filler(Modality.HA_FILLER.value, (Region.CHIN,), date(2026, 6, 15)),)
    )
    assert ConditionId.RECENT_HA_FILLER not in _active(knowledge, case)


def test_a_recent_ha_filler_cautions_rf_microneedling_only(knowledge: KnowledgeBase) -> None:
    case = _case(
        prior_procedures=(
            _filler(Modality.HA_FILLER.value, (Region.CHEEK_LEFT,), date(2026, 6, 15)),
        )
    )
    result = _evaluate(knowledge, case)
    touched = {m for m, e in result.items() if e.findings}
    assert touched == {Modality.RF_MICRONEEDLING}
    assert result[Modality.RF_MICRONEEDLING].cautions[0].condition is ConditionId.RECENT_HA_FILLER


def test_the_defer_policy_dates_rf_microneedling_after_the_filler(
    knowledge: KnowledgeBase,
) -> None:
    policies = {**DEFAULTS, "recent_ha_filler_rf_policy": "defer"}
    older = _filler(Modality.HA_FILLER.value, (Region.CHEEK_LEFT,), date(2026, 3, 1))
    newer = _filler(Modality.HA_FILLER.value, (Region.CHEEK_LEFT,), date(2026, 6, 15))
    rf = _evaluate(knowledge, _case(prior_procedures=(older, newer)), policies)[
        Modality.RF_MICRONEEDLING
    ]
    assert rf.eligible
    assert rf.earliest(START) == date(2027, 6, 15)  # the newest filler + 12 months
    assert "Not before 2027-06-15" in rf.cautions[0].advice
    undated = _filler(Modality.HA_FILLER.value, (Region.CHEEK_LEFT,), None)
    blocked = _evaluate(knowledge, _case(prior_procedures=(undated,)), policies)
    assert not blocked[Modality.RF_MICRONEEDLING].eligible  # no known end: an undated deferral


# --- actions and clinic policies -------------------------------------------------------------


def test_an_implanted_device_excludes_rf_microneedling_only(knowledge: KnowledgeBase) -> None:
    result = _evaluate(knowledge, _with(Implant.IMPLANTED_ELECTRONIC_DEVICE))
    blocked = {m for m, e in result.items() if not e.eligible}
    assert blocked == {Modality.RF_MICRONEEDLING}
    assert result[Modality.PUNCH_EXCISION].cautions


@pytest.mark.parametrize(
    ("item", "policy", "value", "modality"),
    [
        (
            Implant.FACIAL_METAL_IMPLANT,
            "facial_metal_implant_rf_policy",
            "caution",
            Modality.RF_MICRONEEDLING,
        ),
        (
            MedicalCondition.BLEEDING_DISORDER,
            "bleeding_disorder_policy",
            "caution",
            Modality.SUBCISION,
        ),
        (
            MedicalCondition.DIABETES_UNCONTROLLED,
            "uncontrolled_diabetes_policy",
            "caution",
            Modality.MICRONEEDLING,
        ),
        (
            MedicalCondition.ACTIVE_COLD_SORE,
            "active_cold_sore_policy",
            "caution",
            Modality.FRACTIONAL_CO2,
        ),
        (
            Medication.PHOTOSENSITISING,
            "photosensitising_medication_policy",
            "caution",
            Modality.CHEMICAL_PEEL_MEDIUM,
        ),
        (
            MedicalCondition.LUPUS,
            "impaired_healing_deep_resurfacing_policy",
            "caution",
            Modality.DERMABRASION,
        ),
        (
            Medication.IMMUNOSUPPRESSANT,
            "impaired_healing_deep_resurfacing_policy",
            "caution",
            Modality.ABLATIVE_RESURFACING,
        ),
    ],
)
def test_a_policy_blocks_by_default_and_the_clinic_can_relax_it(
    knowledge: KnowledgeBase, item: HistoryItem, policy: str, value: str, modality: Modality
) -> None:
    case = _with(item)
    default = _evaluate(knowledge, case)[modality]
    assert not default.eligible
    assert default.blocking[0].policy == policy
    relaxed = _evaluate(knowledge, case, {**DEFAULTS, policy: value})[modality]
    assert relaxed.eligible
    assert relaxed.cautions[0].policy == policy


@pytest.mark.parametrize(
    ("item", "modality", "action"),
    [
        (MedicalCondition.BODY_DYSMORPHIC_DISORDER, Modality.MICRONEEDLING, Action.REFER),
        (Allergy.HYALURONIC_ACID, Modality.HA_FILLER, Action.EXCLUDE),
        (Allergy.HYALURONIDASE, Modality.HA_FILLER, Action.REFER),
        (Allergy.BOVINE_COLLAGEN, Modality.BIOSTIMULATORY_FILLER, Action.CAUTION),
        (Allergy.LIDOCAINE, Modality.BIOSTIMULATORY_FILLER, Action.CAUTION),
        (Allergy.LIDOCAINE, Modality.SUBCISION, Action.CAUTION),
        (Allergy.LOCAL_ANAESTHETIC_OTHER, Modality.PUNCH_EXCISION, Action.CAUTION),
        (MedicalCondition.VITILIGO, Modality.FRACTIONAL_CO2, Action.CAUTION),
        (MedicalCondition.PIH_HISTORY, Modality.TCA_CROSS, Action.CAUTION),
    ],
)
def test_each_rule_takes_its_action(
    knowledge: KnowledgeBase, item: HistoryItem, modality: Modality, action: Action
) -> None:
    findings = _evaluate(knowledge, _with(item))[modality].findings
    assert any(f.condition is HISTORY_CONDITIONS[item] and f.action is action for f in findings), (
        findings
    )


def test_every_kb_policy_reaches_the_planner(knowledge: KnowledgeBase) -> None:
    named = {
        effect.policy
        for condition in knowledge.conditions.values()
        for effect in condition.effects
        if effect.policy is not None
    }
    assert named <= set(DEFAULTS)


# --- isotretinoin and skin type (issue 20 item "safety rules completed") ----------------------


def test_dated_deferrals_show_their_date_as_a_caution(knowledge: KnowledgeBase) -> None:
    stopped = IsotretinoinHistory(IsotretinoinStatus.STOPPED, date(2026, 11, 11))
    result = _evaluate(knowledge, _case(isotretinoin=stopped))
    for modality in (Modality.DERMABRASION, Modality.ABLATIVE_RESURFACING):
        status = result[modality]
        assert status.eligible
        assert status.earliest(START) == date(2027, 5, 11)
        deferral = status.cautions[0]
        assert deferral.action is Action.DEFER
        assert deferral.advice.startswith("Not before 2027-05-11.")


def test_fully_ablative_resurfacing_is_avoided_in_types_v_and_vi(knowledge: KnowledgeBase) -> None:
    rows = knowledge.modalities[Modality.ABLATIVE_RESURFACING].skin_type_risks
    levels = {t: row.level for row in rows for t in row.types}
    assert levels[Fitzpatrick.V] is RiskLevel.AVOID
    assert levels[Fitzpatrick.VI] is RiskLevel.AVOID
    assert levels[Fitzpatrick.IV] is RiskLevel.HIGH
