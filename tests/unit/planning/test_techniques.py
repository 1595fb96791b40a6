"""Which technique each lesion group gets (techniques.yaml), with the thresholds from the
sources: ice pick under 2 mm (FABB2010), excision punches 1.5-3.5 mm (HEBER), boxcar deep over
0.5 mm (FABB2010), punch elevation for wide deep sharp-edged boxcar (JACOB2001)."""

from __future__ import annotations

import pytest

from scarplan.assessment.results import TypedLesion, TypeSource
from scarplan.domain.case import LesionGroup
from scarplan.domain.vocabulary import EdgeProfile, Fitzpatrick, Modality, Region, ScarType
from scarplan.knowledge import KnowledgeBase
from scarplan.planning.techniques import assign_techniques, field_tier


def _typed(*lesions: LesionGroup) -> list[TypedLesion]:
    return [
        TypedLesion(i, lesion, lesion.type or ScarType.BOXCAR, TypeSource.GIVEN, None, (), ())
        for i, lesion in enumerate(lesions)
    ]


def _group(
    scar_type: ScarType,
    width: float | None = None,
    depth: float | None = None,
    edges: EdgeProfile | None = None,
    distensible: bool | None = None,
) -> LesionGroup:
    return LesionGroup(Region.CHEEK_LEFT, 5, scar_type, width, depth, edges, distensible)


def _allowed(_: Modality) -> str | None:
    return None


@pytest.mark.parametrize(
    ("group", "technique", "then"),
    [
        (_group(ScarType.ICE_PICK, 1.2, 1.4), Modality.TCA_CROSS, None),
        (_group(ScarType.ICE_PICK), Modality.TCA_CROSS, None),  # width unknown: narrow
        (_group(ScarType.ICE_PICK, 2.0, 2.2), Modality.PUNCH_EXCISION, None),  # 2 mm is wide
        (_group(ScarType.ICE_PICK, 3.5, 2.0), Modality.PUNCH_EXCISION, None),
        (_group(ScarType.ICE_PICK, 3.6, 2.0), Modality.PUNCH_GRAFTING, None),
        (
            _group(ScarType.BOXCAR, 3.2, 1.4, EdgeProfile.SHARP),
            Modality.PUNCH_ELEVATION,
            None,
        ),
        (_group(ScarType.BOXCAR, 2.5, 0.8, EdgeProfile.SHARP), Modality.PUNCH_EXCISION, None),
        (_group(ScarType.BOXCAR, 2.5, 0.8, EdgeProfile.SLOPED), Modality.TCA_CROSS, None),
        (_group(ScarType.BOXCAR, 2.5, 0.5, EdgeProfile.SHARP), None, None),  # 0.5 is shallow
        (_group(ScarType.BOXCAR, 3.0), None, None),  # depth unknown: field only
        (
            _group(ScarType.ROLLING, 6.0, 0.3, distensible=True),
            Modality.SUBCISION,
            Modality.HA_FILLER,
        ),
        (_group(ScarType.ROLLING, 6.0, 0.3, distensible=False), Modality.SUBCISION, None),
    ],
)
def test_each_group_gets_the_technique_its_measurements_call_for(
    knowledge: KnowledgeBase, group: LesionGroup, technique: Modality | None, then: Modality | None
) -> None:
    (treatment,) = assign_techniques(_typed(group), knowledge, _allowed)
    assert (treatment.technique, treatment.then) == (technique, then)
    assert treatment.sources


def test_an_excluded_technique_falls_to_the_next_and_says_why(knowledge: KnowledgeBase) -> None:
    def no_cross(modality: Modality) -> str | None:
        return "downtime too long" if modality is Modality.TCA_CROSS else None

    (treatment,) = assign_techniques(
        _typed(_group(ScarType.ICE_PICK, 1.0, 1.2)), knowledge, no_cross
    )
    assert treatment.technique is Modality.PUNCH_EXCISION
    assert treatment.blocked == ((Modality.TCA_CROSS, "downtime too long"),)


def test_field_lines_follow_skin_type(knowledge: KnowledgeBase) -> None:
    lines = knowledge.techniques.field_lines
    boxcar = [ScarType.BOXCAR]
    assert field_tier(Modality.FRACTIONAL_CO2, boxcar, Fitzpatrick.II, lines).tier == 0
    assert field_tier(Modality.MICRONEEDLING, boxcar, Fitzpatrick.II, lines).tier == 1
    assert field_tier(Modality.FRACTIONAL_CO2, boxcar, Fitzpatrick.VI, lines).tier == 1
    assert field_tier(Modality.RF_MICRONEEDLING, boxcar, Fitzpatrick.VI, lines).tier == 0
    # Unknown skin type: the most cautious lines' view.
    assert field_tier(Modality.FRACTIONAL_CO2, boxcar, None, lines).tier == 1


def test_wide_deep_boxcar_falls_back_to_grafting_when_elevation_is_not_possible(
    knowledge: KnowledgeBase,
) -> None:
    """JACOB2001 / HEBER: a base that cannot be elevated is grafted (the rule's next choice)."""

    def no_elevation(modality: Modality) -> str | None:
        return "not possible" if modality is Modality.PUNCH_ELEVATION else None

    (treatment,) = assign_techniques(
        _typed(_group(ScarType.BOXCAR, 3.4, 1.0, EdgeProfile.SHARP)), knowledge, no_elevation
    )
    assert treatment.technique is Modality.PUNCH_GRAFTING
    assert treatment.blocked == ((Modality.PUNCH_ELEVATION, "not possible"),)
