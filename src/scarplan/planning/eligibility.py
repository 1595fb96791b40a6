"""Which procedures a patient may have, which must wait, which are ruled out, and why.

Every rule comes from conditions.yaml with its sources; where a rule names a clinic policy,
the clinic's setting (passed in as `policies`) decides its action. Time is an argument.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from scarplan.domain.case import Case
from scarplan.domain.vocabulary import (
    AcneSeverity,
    Fitzpatrick,
    IsotretinoinStatus,
    Modality,
    ScarType,
)
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.common import PreTreatmentTest, Priming
from scarplan.knowledge.schema.rules import Action, ConditionEntry, ConditionId, Effect

DARKER_TYPES = frozenset({Fitzpatrick.IV, Fitzpatrick.V, Fitzpatrick.VI})
RAISED_TYPES = frozenset({ScarType.HYPERTROPHIC, ScarType.KELOID})
ISOTRETINOIN_POLICY = "isotretinoin_wait_policy"


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
        return tuple(f for f in self.findings if f.action is Action.CAUTION)


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
    return found


def _longest_wait_months(condition: ConditionEntry) -> int:
    waits = [
        e.wait_months.max or e.wait_months.min or 0 for e in condition.effects if e.wait_months
    ]
    return int(max(waits, default=0))


def _action(effect: Effect, policies: Mapping[str, str]) -> Action:
    """The effect's action under the clinic's policy setting, when it names one."""
    if effect.policy is None or effect.policy not in policies:
        return effect.action
    value = policies[effect.policy]
    if effect.policy == ISOTRETINOIN_POLICY:
        return Action.DEFER if value == "six_months" and effect.wait_months else effect.action
    return Action(value) if value in {action.value for action in Action} else effect.action


def _not_before(case: Case, condition: ConditionId, effect: Effect) -> date | None:
    stopped = case.patient.isotretinoin.stopped_on
    if condition is ConditionId.ISOTRETINOIN_RECENT and stopped and effect.wait_months:
        months = effect.wait_months.max or effect.wait_months.min or 0
        return add_months(stopped, int(months))
    return None


def evaluate_eligibility(
    case: Case,
    lesion_types: Iterable[ScarType],
    fitzpatrick: Fitzpatrick | None,
    knowledge: KnowledgeBase,
    policies: Mapping[str, str],
    plan_start: date,
) -> dict[Modality, Eligibility]:
    """Every procedure with the findings that touch it, for a plan starting on `plan_start`."""
    active = active_conditions(case, lesion_types, fitzpatrick, knowledge, plan_start)
    findings: dict[Modality, list[Finding]] = {modality: [] for modality in Modality}
    for condition_id, why in active.items():
        for effect in knowledge.conditions[condition_id].effects:
            action = _action(effect, policies)
            finding = Finding(
                condition=condition_id,
                why_active=why,
                action=action,
                reason=effect.reason,
                advice=effect.advice,
                sources=effect.sources,
                policy=effect.policy,
                not_before=_not_before(case, condition_id, effect)
                if action is Action.DEFER
                else None,
                test=effect.test,
                priming=effect.priming,
            )
            for modality in effect.modalities:
                findings[modality].append(finding)
    return {modality: Eligibility(modality, tuple(items)) for modality, items in findings.items()}
