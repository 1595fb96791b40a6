"""Goodman & Baron qualitative grade, per region and overall (docs/assessment.md section 4)."""

from __future__ import annotations

from collections.abc import Sequence

from scarplan.assessment.grouping import group_lesions, total_count
from scarplan.assessment.results import QualitativeLesion, QualitativeResult, TypedLesion
from scarplan.domain.vocabulary import Region, ScarType

# Conventions for facts the case does not record (docs/assessment.md section 4).
_FIRST_COUNT_BAND_MAX = 10  # last count of the quantitative scale's first band
_DEEP_MM = 0.5  # FABB2010's deep-boxcar threshold

MILD, MODERATE, SEVERE = 2, 3, 4


def _region_looks_visible(members: Sequence[TypedLesion]) -> bool:
    total = total_count(members)
    deep = any(
        member.lesion.depth_mm is not None and member.lesion.depth_mm >= _DEEP_MM
        for member in members
    )
    rolling = any(member.type is ScarType.ROLLING for member in members)
    return total > _FIRST_COUNT_BAND_MAX or deep or rolling


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


def goodman_baron_qualitative(lesions: Sequence[TypedLesion]) -> QualitativeResult:
    by_region = group_lesions(lesions, lambda lesion: lesion.lesion.region)
    graded = []
    region_grades: dict[Region, int] = {}
    for region, members in by_region.items():
        region_visible = _region_looks_visible(members)
        region_lesions = [_grade(member, region_visible) for member in members]
        graded.extend(region_lesions)
        region_grades[region] = max(lesion.grade for lesion in region_lesions)
    graded.sort(key=lambda lesion: lesion.index)
    return QualitativeResult(
        grade=max(region_grades.values()), by_region=region_grades, lesions=tuple(graded)
    )
