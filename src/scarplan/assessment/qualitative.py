"""Goodman & Baron qualitative grade, per region and overall (docs/assessment.md section 4)."""

from __future__ import annotations

from collections.abc import Sequence

from scarplan.assessment.grouping import group_lesions, total_count
from scarplan.assessment.results import QualitativeLesion, QualitativeResult, TypedLesion
from scarplan.domain.case import MacularMarks
from scarplan.domain.vocabulary import Region, ScarType

MACULAR, MILD, MODERATE, SEVERE = 1, 2, 3, 4


def _region_looks_visible(
    members: Sequence[TypedLesion], deep_mm: float, visible_above_count: int
) -> bool:
    """The documented inference when visibility at 50 cm is not recorded (section 4)."""
    deep = any(
        member.lesion.depth_mm is not None and member.lesion.depth_mm >= deep_mm
        for member in members
    )
    rolling = any(member.type is ScarType.ROLLING for member in members)
    return total_count(members) > visible_above_count or deep or rolling


def _grade(lesion: TypedLesion, region_visible: bool) -> QualitativeLesion:
    facts = lesion.lesion
    inferred = []
    visible = facts.visible_at_50cm
    if visible is None:
        visible = region_visible
        inferred.append("visible_at_50cm")
    covered = facts.covered_by_makeup
    if covered is None:
        covered = not visible
        inferred.append("covered_by_makeup")
    distensible = facts.distensible
    if distensible is None:
        distensible = lesion.type is ScarType.ROLLING
        inferred.append("distensible")
    if not visible or covered:
        grade = MILD
    elif distensible:
        grade = MODERATE
    else:
        grade = SEVERE
    return QualitativeLesion(
        lesion.index, facts.region, grade, visible, covered, distensible, tuple(inferred)
    )


def goodman_baron_qualitative(
    lesions: Sequence[TypedLesion],
    deep_mm: float,
    visible_above_count: int,
    macular: Sequence[MacularMarks] = (),
) -> QualitativeResult:
    """`deep_mm`: boxcar's shallow/deep split; `visible_above_count`: the last count of the
    quantitative scale's first band. Both come from the knowledge base (docs/assessment.md).

    A region with flat (macular) marks and no contour scar is grade 1; where it also has
    contour scars, they decide (grade 2-4). Marks never count toward a region's visibility."""
    by_region = group_lesions(lesions, lambda lesion: lesion.lesion.region)
    graded = []
    region_grades: dict[Region, int] = {}
    for region, members in by_region.items():
        region_visible = _region_looks_visible(members, deep_mm, visible_above_count)
        region_lesions = [_grade(member, region_visible) for member in members]
        graded.extend(region_lesions)
        region_grades[region] = max(lesion.grade for lesion in region_lesions)
    for marks in macular:
        region_grades.setdefault(marks.region, MACULAR)
    graded.sort(key=lambda lesion: lesion.index)
    return QualitativeResult(
        grade=max(region_grades.values(), default=0), by_region=region_grades, lesions=tuple(graded)
    )
