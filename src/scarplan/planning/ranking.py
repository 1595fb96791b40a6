"""Rank the possible procedures the way a specialist reads them.

First the techniques each lesion group calls for (techniques.yaml; the one booked before the
rule's alternatives) and the first-line field treatments for the patient's scar and skin types
(its field lines), then second-line options, then the rest; within a tier the stronger
evidence, then the expected benefit for this patient (the recommendation score: suitability for
the scars present weighted by their share, minus the skin-type risk), then the shorter downtime,
then the lower price. Benefit comes before downtime because the patient's downtime limit has
already excluded what they cannot accept, and a day less of redness does not outweigh a higher
pigment risk for the skin type (e.g. non-ablative laser PIH 7-12 % in Asian skin, CHAN2007).
Never the earliest end date: the order is fixed before any schedule exists.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from scarplan.domain.vocabulary import Fitzpatrick, Modality, ScarType
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.modalities import EvidenceLevel, PlanRole, PriceUnit
from scarplan.planning.conventions import PlanningConventions, planning_downtime
from scarplan.planning.recommend import Recommendation, Recommendations
from scarplan.planning.techniques import LesionTreatment, field_tier

FIELD_TYPES = frozenset({ScarType.BOXCAR, ScarType.ROLLING})
PUNCHES = frozenset({Modality.PUNCH_EXCISION, Modality.PUNCH_ELEVATION, Modality.PUNCH_GRAFTING})
EVIDENCE_ORDER = [EvidenceLevel.MODERATE, EvidenceLevel.LOW, EvidenceLevel.VERY_LOW]


def _types(values: Sequence[ScarType]) -> str:
    return ", ".join(t.value.replace("_", " ") for t in values)


def _placed(
    recommendation: Recommendation,
    treatments: Sequence[LesionTreatment],
    fitzpatrick: Fitzpatrick | None,
    knowledge: KnowledgeBase,
) -> Recommendation:
    m = recommendation.modality
    chosen = [t for t in treatments if m in (t.technique, t.then)]
    if chosen:
        labels = "; ".join(dict.fromkeys(t.label for t in chosen))
        return replace(
            recommendation,
            tier=0,
            line=f"the technique for {labels}",
            lesion_groups=tuple(t.index for t in chosen),
        )
    entry = knowledge.modalities[m]
    if entry.plan_role is PlanRole.RESURFACING:
        field_groups = [t for t in treatments if t.field and t.scar_type in recommendation.targets]
        types = [t for t in recommendation.targets if t in FIELD_TYPES]
        tier = field_tier(m, types, fitzpatrick, knowledge.techniques.field_lines)
        skin = f"skin type {fitzpatrick.value}" if fitzpatrick else "an unknown skin type"
        line = (
            f"{('first-line', 'second-line', 'other')[tier.tier]} field treatment for "
            f"{_types(types) or _types(recommendation.targets)} scars in {skin}"
        )
        return replace(
            recommendation,
            tier=tier.tier,
            line=line,
            lesion_groups=tuple(t.index for t in field_groups),
        )
    alternative = [t for t in treatments if m in t.wanted]
    if alternative:
        # The rule's other techniques are first-line options too (e.g. punch excision for
        # narrow ice picks, PMMA-collagen for distensible rolling scars); the one booked comes
        # first because the rule prefers it.
        labels = "; ".join(dict.fromkeys(t.label for t in alternative))
        return replace(
            recommendation,
            tier=0,
            line=f"a first-line alternative for {labels}",
            lesion_groups=tuple(t.index for t in alternative),
        )
    return replace(
        recommendation,
        tier=2,
        line="not the usual technique for these scars",
        lesion_groups=tuple(t.index for t in treatments if t.scar_type in recommendation.targets),
    )


def rank(
    found: Recommendations,
    treatments: Sequence[LesionTreatment],
    fitzpatrick: Fitzpatrick | None,
    knowledge: KnowledgeBase,
    conventions: PlanningConventions,
) -> Recommendations:
    """The same recommendations, each with its tier and lesion groups, best first."""
    placed = [_placed(r, treatments, fitzpatrick, knowledge) for r in found.recommended]

    booked = {m for t in treatments for m in (t.technique, t.then) if m is not None}

    def key(r: Recommendation) -> tuple[int, bool, int, float, int, float, str]:
        entry = knowledge.modalities[r.modality]
        downtime = planning_downtime(entry, conventions).value
        return (
            r.tier,
            r.modality not in booked,
            EVIDENCE_ORDER.index(entry.evidence.level),
            -r.score,
            downtime,
            _session_cost(r.modality, knowledge, conventions),
            r.modality.value,
        )

    placed.sort(key=key)
    return replace(found, recommended=tuple(placed))


def _session_cost(
    modality: Modality, knowledge: KnowledgeBase, conventions: PlanningConventions
) -> float:
    """A session's price for comparing options: the clinic's, else the upper published
    estimate per session; unknown or per-scar prices compare last."""
    clinic = (conventions.clinic_prices or {}).get(modality)
    if clinic is not None:
        return float(clinic.amount) if clinic.per is PriceUnit.SESSION else math.inf
    estimate = knowledge.prices.get(modality)
    if estimate is None or estimate.per is not PriceUnit.SESSION:
        return math.inf
    return estimate.max if estimate.max is not None else estimate.min


def ranked_value(position: int, count: int, recommendation: Recommendation) -> int:
    """What a course is worth to the solver: its tier first, then its place in the ranking,
    so the solver keeps the ranking's order and never meets a tie."""
    return (3 - recommendation.tier) * 1000 + (count - position)


def is_chosen(modality: Modality, treatments: Sequence[LesionTreatment]) -> bool:
    return any(modality in (t.technique, t.then) for t in treatments)
