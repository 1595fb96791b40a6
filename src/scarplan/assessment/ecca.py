"""ECCA, échelle d'évaluation clinique des cicatrices d'acné (docs/assessment.md section 3)."""

from __future__ import annotations

from collections.abc import Sequence

from scarplan.assessment.grouping import group_lesions, total_count
from scarplan.assessment.quantitative import band_value
from scarplan.assessment.results import EccaItemScore, EccaResult, TypedLesion
from scarplan.domain.vocabulary import ScarType
from scarplan.knowledge.schema.scales import Ecca

# Morphology -> ECCA item: V-shaped < 2 mm, U-shaped 2-4 mm, M-shaped > 4 mm; raised scars of
# unknown age are scored as older than a year (the case file does not record scar age).
ECCA_ITEM_BY_TYPE = {
    ScarType.ICE_PICK: "v_shaped",
    ScarType.BOXCAR: "u_shaped",
    ScarType.ROLLING: "m_shaped",
    ScarType.HYPERTROPHIC: "keloid_hypertrophic_old",
    ScarType.KELOID: "keloid_hypertrophic_old",
}


def ecca_score(lesions: Sequence[TypedLesion], scale: Ecca) -> EccaResult:
    grouped = group_lesions(lesions, lambda lesion: ECCA_ITEM_BY_TYPE[lesion.type])
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
