"""Which procedures a patient may have, which must wait, which are ruled out, and why.

Every rule comes from conditions.yaml with its sources; where a rule names a clinic policy,
the clinic's setting (passed in as `policies`) decides its action. Time is an argument.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from scarplan.domain.case import Case, Patient, PriorProcedure
from scarplan.domain.vocabulary import (
    PERMANENT_FILLER,
    AcneSeverity,
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
from scarplan.knowledge.schema.common import PreTreatmentTest, Priming
from scarplan.knowledge.schema.rules import Action, ConditionEntry, ConditionId, Effect

DARKER_TYPES = frozenset({Fitzpatrick.IV, Fitzpatrick.V, Fitzpatrick.VI})
RAISED_TYPES = frozenset({ScarType.HYPERTROPHIC, ScarType.KELOID})
ISOTRETINOIN_POLICY = "isotretinoin_wait_policy"
ADULT_AGE = 18
"""Under this age (on the plan's start date) the patient is a minor."""
LABELLED_AGE = 22
"""Microneedling devices and dermal fillers are labelled for adults 22 or older ("over 21"):
SKINPEN-DEN, FDA-MN-PAGE, FDA-FILLERS (conditions.yaml `under_22` cites them)."""

# Medical-history items (case file `patient.conditions`, `allergies`, `implants`,
# `medications`) and the condition each one activates. Items with identical rules share one.
HistoryItem = MedicalCondition | Allergy | Implant | Medication
"""A medical-history entry: case file `conditions`, `allergies`, `implants` or `medications`."""
HISTORY_CONDITIONS: Mapping[HistoryItem, ConditionId] = {
    MedicalCondition.VITILIGO: ConditionId.KOEBNER_PRONE_DISEASE,
    MedicalCondition.PSORIASIS: ConditionId.KOEBNER_PRONE_DISEASE,
    MedicalCondition.LICHEN_PLANUS: ConditionId.KOEBNER_PRONE_DISEASE,
    MedicalCondition.LUPUS: ConditionId.AUTOIMMUNE_CONNECTIVE_TISSUE_DISEASE,
    MedicalCondition.SCLERODERMA: ConditionId.AUTOIMMUNE_CONNECTIVE_TISSUE_DISEASE,
    MedicalCondition.AUTOIMMUNE_OTHER: ConditionId.AUTOIMMUNE_CONNECTIVE_TISSUE_DISEASE,
    MedicalCondition.IMMUNOSUPPRESSED: ConditionId.IMMUNOSUPPRESSION,
    Medication.IMMUNOSUPPRESSANT: ConditionId.IMMUNOSUPPRESSION,
    MedicalCondition.BLEEDING_DISORDER: ConditionId.BLEEDING_DISORDER,
    MedicalCondition.DIABETES_UNCONTROLLED: ConditionId.DIABETES_UNCONTROLLED,
    MedicalCondition.BODY_DYSMORPHIC_DISORDER: ConditionId.BODY_DYSMORPHIC_DISORDER,
    MedicalCondition.PIH_HISTORY: ConditionId.PIH_HISTORY,
    MedicalCondition.HYPERTROPHIC_SCAR_HISTORY: ConditionId.KELOID_HISTORY,
    MedicalCondition.ACTIVE_COLD_SORE: ConditionId.ACTIVE_COLD_SORE,
    Allergy.LIDOCAINE: ConditionId.LIDOCAINE_ALLERGY,
    Allergy.LOCAL_ANAESTHETIC_OTHER: ConditionId.LOCAL_ANAESTHETIC_ALLERGY,
    Allergy.BOVINE_COLLAGEN: ConditionId.BOVINE_COLLAGEN_ALLERGY,
    Allergy.HYALURONIC_ACID: ConditionId.HYALURONIC_ACID_ALLERGY,
    Allergy.HYALURONIDASE: ConditionId.HYALURONIDASE_ALLERGY,
    Implant.IMPLANTED_ELECTRONIC_DEVICE: ConditionId.IMPLANTED_ELECTRONIC_DEVICE,
    Implant.FACIAL_METAL_IMPLANT: ConditionId.FACIAL_METAL_IMPLANT,
    Medication.PHOTOSENSITISING: ConditionId.PHOTOSENSITISING_MEDICATION,
}
HISTORY_WORDS: Mapping[HistoryItem, str] = {
    MedicalCondition.VITILIGO: "vitiligo",
    MedicalCondition.PSORIASIS: "psoriasis",
    MedicalCondition.LICHEN_PLANUS: "lichen planus",
    MedicalCondition.LUPUS: "lupus",
    MedicalCondition.SCLERODERMA: "scleroderma",
    MedicalCondition.AUTOIMMUNE_OTHER: "an autoimmune disease",
    MedicalCondition.IMMUNOSUPPRESSED: "immunosuppressed",
    Medication.IMMUNOSUPPRESSANT: "takes immunosuppressive medicine",
    MedicalCondition.BLEEDING_DISORDER: "bleeding disorder",
    MedicalCondition.DIABETES_UNCONTROLLED: "uncontrolled diabetes",
    MedicalCondition.BODY_DYSMORPHIC_DISORDER: "body dysmorphic disorder (diagnosis or positive "
    "screen)",
    MedicalCondition.PIH_HISTORY: "history of post-inflammatory hyperpigmentation",
    MedicalCondition.HYPERTROPHIC_SCAR_HISTORY: "history of hypertrophic scarring",
    MedicalCondition.ACTIVE_COLD_SORE: "active cold sore now",
    Allergy.LIDOCAINE: "allergic to lidocaine",
    Allergy.LOCAL_ANAESTHETIC_OTHER: "allergic to a local anaesthetic",
    Allergy.BOVINE_COLLAGEN: "allergic to bovine collagen",
    Allergy.HYALURONIC_ACID: "allergic to hyaluronic acid",
    Allergy.HYALURONIDASE: "allergic to hyaluronidase",
    Implant.IMPLANTED_ELECTRONIC_DEVICE: "implanted electronic device (e.g. pacemaker)",
    Implant.FACIAL_METAL_IMPLANT: "metal implant in the face",
    Medication.PHOTOSENSITISING: "takes photosensitising medicine",
}


@dataclass(frozen=True)
class Finding:
    """One condition's consequence for one procedure."""

    condition: ConditionId
    why_active: str
    action: Action
    reason: str
    advice: str
    sources: tuple[str, ...]
    policy: str | None
    not_before: date | None = None
    """For a deferral with a known end (e.g. months after isotretinoin stopped)."""
    test: PreTreatmentTest | None = None
    """A test to book before the first session (action test_first)."""
    priming: Priming | None = None
    """Agents to use at home for some weeks before the first session."""

    @property
    def blocks(self) -> bool:
        """Keeps the procedure off the plan; a dated deferral only moves its earliest date."""
        if self.action is Action.DEFER:
            return self.not_before is None
        return self.action in (Action.EXCLUDE, Action.REFER)


@dataclass(frozen=True)
class Eligibility:
    modality: Modality
    findings: tuple[Finding, ...]

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.findings if finding.blocks)

    @property
    def eligible(self) -> bool:
        return not self.blocking

    def earliest(self, day: date) -> date:
        """The first date the procedure may take place, given dated deferrals."""
        dated = [f.not_before for f in self.findings if f.action is Action.DEFER and f.not_before]
        return max([day, *dated])

    @property
    def cautions(self) -> tuple[Finding, ...]:
        """Cautions, and dated deferrals: the procedure stays possible, so the wait (its advice
        names the date) is shown with it like a caution."""
        return tuple(
            f
            for f in self.findings
            if f.action is Action.CAUTION or (f.action is Action.DEFER and f.not_before)
        )


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def active_conditions(
    case: Case,
    lesion_types: Iterable[ScarType],
    fitzpatrick: Fitzpatrick | None,
    knowledge: KnowledgeBase,
    plan_start: date,
) -> dict[ConditionId, str]:
    """Each condition that applies to this patient, with a plain reason why."""
    patient = case.patient
    found: dict[ConditionId, str] = {}
    flags = {
        ConditionId.PREGNANCY: (patient.pregnant, "the patient is pregnant"),
        ConditionId.BREASTFEEDING: (patient.breastfeeding, "the patient is breastfeeding"),
        ConditionId.KELOID_HISTORY: (patient.keloid_history, "history of keloid scarring"),
        ConditionId.HERPES_LABIALIS_HISTORY: (
            patient.herpes_labialis_history,
            "history of cold sores (herpes labialis)",
        ),
        ConditionId.ANTICOAGULANTS: (patient.anticoagulants, "takes anticoagulant medicine"),
        ConditionId.SKIN_INFECTION: (patient.skin_infection, "active skin infection"),
    }
    for condition, (present, why) in flags.items():
        if present:
            found[condition] = why
    isotretinoin = patient.isotretinoin
    if isotretinoin.status is IsotretinoinStatus.CURRENT:
        found[ConditionId.ISOTRETINOIN_CURRENT] = "currently taking oral isotretinoin"
    elif isotretinoin.status is IsotretinoinStatus.STOPPED and isotretinoin.stopped_on:
        longest = _longest_wait_months(knowledge.conditions[ConditionId.ISOTRETINOIN_RECENT])
        if add_months(isotretinoin.stopped_on, longest) > plan_start:
            found[ConditionId.ISOTRETINOIN_RECENT] = (
                f"stopped oral isotretinoin on {isotretinoin.stopped_on.isoformat()}"
            )
    if patient.active_acne in (AcneSeverity.MODERATE, AcneSeverity.SEVERE):
        found[ConditionId.ACTIVE_ACNE] = f"{patient.active_acne.value} active acne"
    if fitzpatrick is None:
        found[ConditionId.DARKER_SKIN] = "skin type unknown: the higher pigment risk is assumed"
    elif fitzpatrick in DARKER_TYPES:
        found[ConditionId.DARKER_SKIN] = f"Fitzpatrick skin type {fitzpatrick.value}"
    raised = sorted(t.value for t in set(lesion_types) & RAISED_TYPES)
    if raised:
        found[ConditionId.HYPERTROPHIC_OR_KELOID_SCARS] = f"{' and '.join(raised)} scars present"
    for condition, why in _history(patient).items():
        found[condition] = f"{found[condition]}; {why}" if condition in found else why
    if ConditionId.ACTIVE_COLD_SORE in found:
        found.setdefault(ConditionId.HERPES_LABIALIS_HISTORY, "active cold sore now")
    found.update(_age(patient, plan_start))
    found.update(_prior_fillers(case, knowledge, plan_start))
    return found


def _history(patient: Patient) -> dict[ConditionId, str]:
    """The conditions the medical-history lists activate, each with the items that did."""
    items: tuple[HistoryItem, ...] = (
        *patient.conditions,
        *patient.allergies,
        *patient.implants,
        *patient.medications,
    )
    grouped: dict[ConditionId, list[str]] = {}
    for item in items:
        words = grouped.setdefault(HISTORY_CONDITIONS[item], [])
        if HISTORY_WORDS[item] not in words:
            words.append(HISTORY_WORDS[item])
    return {condition: ", ".join(words) for condition, words in grouped.items()}


def _age(patient: Patient, plan_start: date) -> dict[ConditionId, str]:
    """`minor` under 18 and `under_22` under 22 on the start date; nothing if age unknown."""
    age = patient.age_on(plan_start)
    found: dict[ConditionId, str] = {}
    if age is None:
        return found
    if age < ADULT_AGE:
        found[ConditionId.MINOR] = f"aged {age} on the start date (a minor)"
    if age < LABELLED_AGE:
        found[ConditionId.UNDER_22] = f"aged {age} on the start date (under 22)"
    return found


def plan_regions(case: Case) -> frozenset[Region]:
    """The regions the plan treats: those of the assessed lesion groups."""
    return frozenset(lesion.region for lesion in case.assessment.lesions)


def _overlapping(procedure: PriorProcedure, regions: frozenset[Region]) -> bool:
    """A prior procedure without recorded regions is assumed to overlap (the safe reading)."""
    return not procedure.regions or bool(set(procedure.regions) & regions)


def _where(procedure: PriorProcedure) -> str:
    if not procedure.regions:
        return "regions not recorded"
    return ", ".join(region.value.replace("_", " ") for region in procedure.regions)


def recent_ha_fillers(
    case: Case, knowledge: KnowledgeBase, plan_start: date
) -> tuple[PriorProcedure, ...]:
    """Prior HA fillers in the plan's regions that may still be in the skin on `plan_start`:
    injected less than the longest `wait_months` of the `recent_ha_filler` rules before it
    (HA lasts about 6-12 months, FDA-FILLER-MATERIALS), or on an unrecorded date."""
    months = _longest_wait_months(knowledge.conditions[ConditionId.RECENT_HA_FILLER])
    regions = plan_regions(case)
    return tuple(
        p
        for p in case.patient.prior_procedures
        if p.kind == Modality.HA_FILLER.value
        and _overlapping(p, regions)
        and (p.day is None or add_months(p.day, months) > plan_start)
    )


def _prior_fillers(
    case: Case, knowledge: KnowledgeBase, plan_start: date
) -> dict[ConditionId, str]:
    """Permanent fillers (any date) and recent HA fillers in a region the plan treats."""
    regions = plan_regions(case)
    found: dict[ConditionId, str] = {}
    permanent = [
        p
        for p in case.patient.prior_procedures
        if p.kind == PERMANENT_FILLER and _overlapping(p, regions)
    ]
    if permanent:
        found[ConditionId.PERMANENT_FILLER] = "; ".join(
            f"permanent filler{f' ({p.product})' if p.product else ''} in {_where(p)}"
            for p in permanent
        )
    recent = recent_ha_fillers(case, knowledge, plan_start)
    if recent:
        found[ConditionId.RECENT_HA_FILLER] = "; ".join(
            f"hyaluronic-acid filler in {_where(p)} "
            f"{f'on {p.day.isoformat()}' if p.day else '(date not recorded)'}"
            for p in recent
        )
    return found


def _longest_wait_months(condition: ConditionEntry) -> int:
    waits = [
        e.wait_months.max or e.wait_months.min or 0 for e in condition.effects if e.wait_months
    ]
    return int(max(waits, default=0))


def effect_action(effect: Effect, policies: Mapping[str, str]) -> Action:
    """The effect's action under the clinic's policy setting, when it names one."""
    if effect.policy is None or effect.policy not in policies:
        return effect.action
    value = policies[effect.policy]
    if effect.policy == ISOTRETINOIN_POLICY:
        return Action.DEFER if value == "six_months" and effect.wait_months else effect.action
    return Action(value) if value in {action.value for action in Action} else effect.action


def _not_before(
    case: Case, condition: ConditionId, effect: Effect, knowledge: KnowledgeBase, plan_start: date
) -> date | None:
    """The end of a dated deferral: its start (the last isotretinoin dose, the latest recent HA
    filler) plus the rule's `wait_months` (upper end); None when the end is not known."""
    if effect.wait_months is None:
        return None
    months = int(effect.wait_months.max or effect.wait_months.min or 0)
    stopped = case.patient.isotretinoin.stopped_on
    if condition is ConditionId.ISOTRETINOIN_RECENT and stopped:
        return add_months(stopped, months)
    if condition is ConditionId.RECENT_HA_FILLER:
        days = [p.day for p in recent_ha_fillers(case, knowledge, plan_start)]
        if days and all(day is not None for day in days):
            return add_months(max(day for day in days if day is not None), months)
    return None


def advice_for(effect: Effect, lesion_types: Iterable[ScarType]) -> str:
    """The effect's advice, unless it names scar types (`advice_scar_types`) of which none is
    present: "prefer microneedling" helps boxcar and rolling scars, not ice picks alone."""
    if effect.advice_scar_types and not set(effect.advice_scar_types) & set(lesion_types):
        return ""
    return effect.advice


def evaluate_eligibility(
    case: Case,
    lesion_types: Iterable[ScarType],
    fitzpatrick: Fitzpatrick | None,
    knowledge: KnowledgeBase,
    policies: Mapping[str, str],
    plan_start: date,
) -> dict[Modality, Eligibility]:
    """Every procedure with the findings that touch it, for a plan starting on `plan_start`."""
    lesion_types = frozenset(lesion_types)
    active = active_conditions(case, lesion_types, fitzpatrick, knowledge, plan_start)
    findings: dict[Modality, list[Finding]] = {modality: [] for modality in Modality}
    for condition_id, why in active.items():
        for effect in knowledge.conditions[condition_id].effects:
            action = effect_action(effect, policies)
            not_before = (
                _not_before(case, condition_id, effect, knowledge, plan_start)
                if action is Action.DEFER
                else None
            )
            advice = advice_for(effect, lesion_types)
            if not_before is not None:
                advice = f"Not before {not_before.isoformat()}. {advice}".strip()
            finding = Finding(
                condition=condition_id,
                why_active=why,
                action=action,
                reason=effect.reason,
                advice=advice,
                sources=effect.sources,
                policy=effect.policy,
                not_before=not_before,
                test=effect.test,
                priming=effect.priming,
            )
            for modality in effect.modalities:
                findings[modality].append(finding)
    return {modality: Eligibility(modality, tuple(items)) for modality, items in findings.items()}
