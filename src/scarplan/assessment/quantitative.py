"""Goodman & Baron quantitative global scarring score (docs/assessment.md section 2)."""

from __future__ import annotations

from collections.abc import Sequence

from scarplan.assessment.grouping import group_lesions, total_count
from scarplan.assessment.results import QuantitativeItem, QuantitativeResult, TypedLesion
from scarplan.domain.errors import FieldProblem, KnowledgeBaseError
from scarplan.domain.vocabulary import ScarType
from scarplan.knowledge.schema.scales import CountBand, GoodmanBaronQuantitative

# Convention: which scale category each typed lesion group falls into (docs/assessment.md).
_SHALLOW_DEPTH_LIMIT_MM = 0.5  # FABB2010's shallow/deep boxcar boundary


def quantitative_category(lesion: TypedLesion) -> str:
    depth = lesion.lesion.depth_mm
    deep = depth is not None and depth >= _SHALLOW_DEPTH_LIMIT_MM
    if lesion.type is ScarType.ICE_PICK:
        return "punched_deep_abnormal_base"
    if lesion.type is ScarType.BOXCAR:
        return "punched_deep_normal_base" if deep else "punched_shallow_small"
    if lesion.type is ScarType.ROLLING:
        return "deep_broad" if deep else "moderate_dish"
    return "keloidal_hypertrophic"


def band_value(bands: Sequence[CountBand], count: int) -> float:
    for band in bands:
        if band.contains(count):
            return band.value
    raise ValueError(f"no count band contains {count}")  # the schema makes bands tile 0..inf


def goodman_baron_quantitative(
    lesions: Sequence[TypedLesion], scale: GoodmanBaronQuantitative
) -> QuantitativeResult:
    grouped = group_lesions(lesions, quantitative_category)
    unknown = set(grouped) - {category.id for category in scale.categories}
    if unknown:
        raise KnowledgeBaseError(
            "the Goodman & Baron quantitative table lacks categories scarplan maps scars to",
            [
                FieldProblem("scales.yaml: goodman_baron_quantitative.categories", c)
                for c in unknown
            ],
        )
    items = []
    for category in scale.categories:  # the scale's order, for a stable, readable breakdown
        members = grouped.get(category.id)
        if not members:
            continue
        count = total_count(members)
        items.append(
            QuantitativeItem(
                category=category.id,
                label=category.label,
                lesion_indices=tuple(member.index for member in members),
                count=count,
                points=category.points,
                multiplier=band_value(scale.count_multipliers, count),
            )
        )
    return QuantitativeResult(
        score=sum(item.score for item in items), max_score=scale.max_score, items=tuple(items)
    )
