"""Goodman & Baron quantitative global scarring score (docs/assessment.md section 2)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from scarplan.assessment.grouping import group_lesions, total_count
from scarplan.assessment.results import QuantitativeItem, QuantitativeResult, TypedLesion
from scarplan.domain.case import MacularMarks
from scarplan.domain.vocabulary import ScarType
from scarplan.knowledge.schema.scales import CountBand, GoodmanBaronQuantitative
from scarplan.knowledge.schema.scar_types import ScaleMapping

MACULAR_CATEGORY = "macular"
"""The scale's category for flat erythematous or pigmented marks (scales.yaml)."""


def quantitative_category(lesion: TypedLesion, mapping: ScaleMapping, deep_mm: float) -> str:
    """The scale category of a typed lesion group (scar_types.yaml `scales`)."""
    depth = lesion.lesion.depth_mm
    if mapping.goodman_baron_category_deep and depth is not None and depth >= deep_mm:
        return mapping.goodman_baron_category_deep
    return mapping.goodman_baron_category


def band_value(bands: Sequence[CountBand], count: int) -> float:
    for band in bands:
        if band.contains(count):
            return band.value
    raise ValueError(f"no count band contains {count}")  # the schema makes bands tile 0..inf


def goodman_baron_quantitative(
    lesions: Sequence[TypedLesion],
    scale: GoodmanBaronQuantitative,
    mappings: Mapping[ScarType, ScaleMapping],
    deep_mm: float,
    macular: Sequence[MacularMarks] = (),
) -> QuantitativeResult:
    """Points x count multiplier per category; `deep_mm` is boxcar's shallow/deep split. Flat
    marks (`macular`, every region together) are the scale's macular category; their item lists
    no lesion groups."""
    grouped = group_lesions(
        lesions, lambda lesion: quantitative_category(lesion, mappings[lesion.type], deep_mm)
    )
    marks = sum(m.count for m in macular)
    items = []
    for category in scale.categories:  # the scale's order, for a stable, readable breakdown
        members = grouped.get(category.id, [])
        count = total_count(members) + (marks if category.id == MACULAR_CATEGORY else 0)
        if not count:
            continue
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
