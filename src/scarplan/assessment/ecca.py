"""ECCA, échelle d'évaluation clinique des cicatrices d'acné (docs/assessment.md section 3)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from scarplan.assessment.grouping import group_lesions, total_count
from scarplan.assessment.quantitative import band_value
from scarplan.assessment.results import EccaItemScore, EccaResult, TypedLesion
from scarplan.domain.vocabulary import ScarType
from scarplan.knowledge.schema.scales import Ecca
from scarplan.knowledge.schema.scar_types import ScaleMapping


def ecca_score(
    lesions: Sequence[TypedLesion], scale: Ecca, mappings: Mapping[ScarType, ScaleMapping]
) -> EccaResult:
    """Weight x count score per item; each scar type's item comes from scar_types.yaml."""
    grouped = group_lesions(lesions, lambda lesion: mappings[lesion.type].ecca_item)
    items = []
    for item in scale.items:
        members = grouped.get(item.id, [])
        count = total_count(members)
        items.append(
            EccaItemScore(
                item=item.id,
                label=item.label,
                lesion_indices=tuple(member.index for member in members),
                count=count,
                count_score=band_value(scale.count_scores, count),
                weight=item.weight,
            )
        )
    return EccaResult(
        score=sum(item.score for item in items), max_score=scale.max_score, items=tuple(items)
    )
