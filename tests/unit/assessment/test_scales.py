"""The scale functions on small exact inputs, with the shipped scale tables."""

from __future__ import annotations

import pytest

from scarplan.assessment.ecca import ecca_score
from scarplan.assessment.fitzpatrick import questionnaire_type, skin_type
from scarplan.assessment.qualitative import goodman_baron_qualitative
from scarplan.assessment.quantitative import goodman_baron_quantitative
from scarplan.assessment.results import (
    FitzpatrickSource,
    QualitativeResult,
    TypedLesion,
    TypeSource,
)
from scarplan.domain.case import LesionGroup
from scarplan.domain.vocabulary import Fitzpatrick, Region, ScarType
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.scar_types import ScaleMapping


def _typed(
    index: int, scar_type: ScarType, count: int, region: Region = Region.CHIN, **facts: object
) -> TypedLesion:
    lesion = LesionGroup(region=region, count=count, type=scar_type, **facts)  # type: ignore[arg-type]
    return TypedLesion(index, lesion, scar_type, TypeSource.GIVEN, None, (scar_type,), ())


def _mappings(knowledge: KnowledgeBase) -> dict[ScarType, ScaleMapping]:
    return {scar_type: entry.scales for scar_type, entry in knowledge.scar_types.items()}


@pytest.mark.parametrize(
    ("count", "multiplier"), [(1, 1), (10, 1), (11, 2), (20, 2), (21, 3), (500, 3)]
)
def test_quantitative_count_bands(knowledge: KnowledgeBase, count: int, multiplier: int) -> None:
    result = goodman_baron_quantitative(
        [_typed(0, ScarType.ICE_PICK, count)],
        knowledge.scales.goodman_baron_quantitative,
        _mappings(knowledge),
        0.5,
    )
    assert result.score == 3 * multiplier


def test_quantitative_sums_counts_per_category_across_regions(knowledge: KnowledgeBase) -> None:
    lesions = [
        _typed(0, ScarType.ICE_PICK, 6, Region.CHEEK_LEFT),
        _typed(1, ScarType.ICE_PICK, 6, Region.CHEEK_RIGHT),  # 12 ice pick: x2
        _typed(2, ScarType.BOXCAR, 3, depth_mm=0.5),  # deep boxcar: 3 points
        _typed(3, ScarType.BOXCAR, 3, depth_mm=0.4),  # shallow boxcar: 2 points
        _typed(4, ScarType.ROLLING, 2),  # dish-like: 2 points
        _typed(5, ScarType.KELOID, 1),  # 6 points
    ]
    result = goodman_baron_quantitative(
        lesions, knowledge.scales.goodman_baron_quantitative, _mappings(knowledge), 0.5
    )
    assert result.score == 3 * 2 + 3 + 2 + 2 + 6
    ice_pick_item = next(i for i in result.items if i.lesion_indices == (0, 1))
    assert (ice_pick_item.count, ice_pick_item.multiplier) == (12, 2)


@pytest.mark.parametrize(("count", "count_score"), [(4, 1), (5, 2), (20, 2), (21, 3)])
def test_ecca_count_scores(knowledge: KnowledgeBase, count: int, count_score: int) -> None:
    result = ecca_score(
        [_typed(0, ScarType.BOXCAR, count)], knowledge.scales.ecca, _mappings(knowledge)
    )
    assert result.score == 20 * count_score


def test_ecca_weights_by_morphology(knowledge: KnowledgeBase) -> None:
    lesions = [
        _typed(0, ScarType.ICE_PICK, 1),
        _typed(1, ScarType.BOXCAR, 1),
        _typed(2, ScarType.ROLLING, 1),
        _typed(3, ScarType.HYPERTROPHIC, 1),
    ]
    result = ecca_score(lesions, knowledge.scales.ecca, _mappings(knowledge))
    assert result.score == 15 + 20 + 25 + 50


def test_qualitative_grades_from_recorded_facts() -> None:
    lesions = [
        _typed(0, ScarType.ICE_PICK, 2, Region.FOREHEAD, visible_at_50cm=False),
        _typed(1, ScarType.BOXCAR, 2, Region.NOSE, visible_at_50cm=True, covered_by_makeup=True),
        _typed(2, ScarType.ROLLING, 2, Region.CHIN, visible_at_50cm=True, covered_by_makeup=False),
        _typed(3, ScarType.BOXCAR, 2, Region.CHEEK_LEFT, visible_at_50cm=True, distensible=False),
    ]
    result = goodman_baron_qualitative(lesions, 0.5, 10)
    assert result.by_region == {
        Region.FOREHEAD: 2,
        Region.NOSE: 2,
        Region.CHIN: 3,
        Region.CHEEK_LEFT: 4,
    }
    assert result.grade == 4
    assert result.lesions[3].inferred == ("covered_by_makeup",)


def test_qualitative_inference_rules() -> None:
    def grade(*lesions: TypedLesion) -> QualitativeResult:
        return goodman_baron_qualitative(lesions, 0.5, 10)

    few_shallow = grade(_typed(0, ScarType.ICE_PICK, 10, Region.NOSE))
    many = grade(_typed(0, ScarType.ICE_PICK, 11, Region.NOSE))
    deep = grade(_typed(0, ScarType.BOXCAR, 2, Region.NOSE, depth_mm=0.5))
    rolling = grade(_typed(0, ScarType.ROLLING, 1, Region.NOSE))
    assert (few_shallow.grade, many.grade, deep.grade, rolling.grade) == (2, 4, 4, 3)
    assert set(few_shallow.lesions[0].inferred) == {
        "visible_at_50cm",
        "covered_by_makeup",
        "distensible",
    }


@pytest.mark.parametrize(
    ("total", "expected"),
    [(0, "I"), (6, "I"), (7, "II"), (13, "II"), (14, "III"), (20, "III"), (21, "IV"),
     (27, "IV"), (28, "V"), (34, "V"), (35, "VI"), (40, "VI")],
)  # fmt: skip
def test_fitzpatrick_band_edges(knowledge: KnowledgeBase, total: int, expected: str) -> None:
    answers = [4] * (total // 4) + ([total % 4] if total % 4 else [])
    answers += [0] * (10 - len(answers))
    score, found = questionnaire_type(answers, knowledge.scales.fitzpatrick_questionnaire)
    assert (score, found) == (total, Fitzpatrick(expected))


def test_stated_type_wins_over_the_questionnaire(knowledge: KnowledgeBase) -> None:
    result = skin_type(Fitzpatrick.V, [0] * 10, knowledge.scales.fitzpatrick_questionnaire)
    assert result.type is Fitzpatrick.V
    assert result.source is FitzpatrickSource.GIVEN
    assert result.questionnaire_type is Fitzpatrick.I


def test_unknown_skin_type(knowledge: KnowledgeBase) -> None:
    result = skin_type(None, None, knowledge.scales.fitzpatrick_questionnaire)
    assert (result.type, result.source) == (None, FitzpatrickSource.UNKNOWN)


def test_questionnaire_rejects_out_of_range_answers(knowledge: KnowledgeBase) -> None:
    with pytest.raises(ValueError, match="ten answers"):
        questionnaire_type([5] * 10, knowledge.scales.fitzpatrick_questionnaire)
