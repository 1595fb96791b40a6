"""Typing: width thresholds from the knowledge base combined with the cross-section."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from scarplan.assessment.classify import TypingThresholds
from scarplan.assessment.results import Confidence
from scarplan.domain.vocabulary import ScarType
from scarplan.imaging.analyze import analyze
from scarplan.imaging.measure import Footprint, ScarMeasurement
from scarplan.imaging.parameters import AnalysisParameters
from scarplan.imaging.profile import ProfileShape, profile_memberships
from scarplan.imaging.scar_typing import type_scar, width_memberships
from scarplan.imaging.synth import SynthParameters, synthesize

PARAMS = AnalysisParameters()
SHAPES = {  # (wall slope, floor flatness, apex slope), as measured on clean synthetic scars
    ProfileShape.V_SHAPED: (55.0, 0.15, 55.0),
    ProfileShape.FLAT_FLOOR: (75.0, 0.9, 10.0),
    ProfileShape.SLOPING: (9.0, 0.25, 9.0),
}


def scar(diameter_mm: float, depth_mm: float, shape: ProfileShape) -> ScarMeasurement:
    wall, flatness, apex = SHAPES[shape]
    scores = profile_memberships(apex, wall, flatness, PARAMS)
    return ScarMeasurement(
        x_mm=1.0,
        y_mm=1.0,
        diameter_mm=diameter_mm,
        max_diameter_mm=diameter_mm,
        depth_mm=depth_mm,
        area_mm2=np.pi * diameter_mm**2 / 4,
        volume_mm3=0.1,
        wall_slope_deg=wall,
        apex_slope_deg=apex,
        floor_flatness=flatness,
        profile=max(scores, key=lambda s: scores[s]),
        profile_scores=scores,
        footprint=Footprint(0, 0, np.ones((2, 2), dtype=bool)),
    )


def test_thresholds_come_from_the_knowledge_base(thresholds: TypingThresholds) -> None:
    assert thresholds.ice_pick_max_width_mm == 2
    assert (thresholds.boxcar_min_width_mm, thresholds.boxcar_max_width_mm) == (1.5, 4.0)
    assert thresholds.rolling_min_width_mm == 4
    assert "FABB2010" in thresholds.sources


@pytest.mark.parametrize(
    ("diameter", "depth", "shape", "expected"),
    [
        (1.0, 0.7, ProfileShape.V_SHAPED, ScarType.ICE_PICK),
        (2.8, 0.3, ProfileShape.FLAT_FLOOR, ScarType.BOXCAR),
        (6.0, 0.3, ProfileShape.SLOPING, ScarType.ROLLING),
    ],
)
def test_width_and_shape_agreeing_give_high_confidence(
    thresholds: TypingThresholds,
    diameter: float,
    depth: float,
    shape: ProfileShape,
    expected: ScarType,
) -> None:
    call = type_scar(scar(diameter, depth, shape), thresholds, PARAMS)
    assert call.type is expected
    assert call.confidence > 0.9
    assert call.level is Confidence.HIGH
    assert sum(call.scores.values()) == pytest.approx(1.0)


def test_shape_decides_where_width_ranges_overlap(thresholds: TypingThresholds) -> None:
    # 1.5-2 mm is both ice pick (under 2) and boxcar (1.5-4) width [FABB2010].
    assert type_scar(scar(1.75, 1.0, ProfileShape.V_SHAPED), thresholds, PARAMS).type is (
        ScarType.ICE_PICK
    )
    assert type_scar(scar(1.75, 0.3, ProfileShape.FLAT_FLOOR), thresholds, PARAMS).type is (
        ScarType.BOXCAR
    )


def test_conflicting_evidence_lowers_the_confidence(thresholds: TypingThresholds) -> None:
    call = type_scar(scar(6.0, 0.3, ProfileShape.FLAT_FLOOR), thresholds, PARAMS)
    assert call.confidence < 0.7
    assert call.level is not Confidence.HIGH
    assert any("width suggests rolling, shape suggests boxcar" in r for r in call.reasons)


def test_deep_wide_bowls_are_less_surely_rolling(thresholds: TypingThresholds) -> None:
    shallow = type_scar(scar(6.0, 0.3, ProfileShape.SLOPING), thresholds, PARAMS)
    deep = type_scar(scar(6.0, 0.9, ProfileShape.SLOPING), thresholds, PARAMS)
    assert deep.type is ScarType.ROLLING
    assert deep.scores[ScarType.ROLLING] < shallow.scores[ScarType.ROLLING]


def test_changed_thresholds_change_the_type(thresholds: TypingThresholds) -> None:
    narrower = dataclasses.replace(thresholds, rolling_min_width_mm=7.0, boxcar_max_width_mm=7.0)
    assert type_scar(scar(5.0, 0.3, ProfileShape.FLAT_FLOOR), narrower, PARAMS).type is (
        ScarType.BOXCAR
    )
    wide = scar(5.0, 0.3, ProfileShape.FLAT_FLOOR)
    assert (
        type_scar(wide, thresholds, PARAMS).confidence
        < type_scar(wide, narrower, PARAMS).confidence
    )


def test_width_memberships_switch_at_the_thresholds(thresholds: TypingThresholds) -> None:
    below = width_memberships(1.0, thresholds, PARAMS.width_softness_mm)
    middle = width_memberships(3.0, thresholds, PARAMS.width_softness_mm)
    above = width_memberships(6.0, thresholds, PARAMS.width_softness_mm)
    assert max(below, key=lambda t: below[t]) is ScarType.ICE_PICK
    assert max(middle, key=lambda t: middle[t]) is ScarType.BOXCAR
    assert max(above, key=lambda t: above[t]) is ScarType.ROLLING


@pytest.mark.parametrize("noise_um", [0.0, 10.0])
def test_synthetic_scars_are_typed_as_planted(
    thresholds: TypingThresholds, noise_um: float
) -> None:
    surface = synthesize(
        11,
        SynthParameters(
            size_px=640,
            pixel_size_mm=0.04,
            noise_um=noise_um,
            ice_pick=3,
            boxcar=3,
            rolling=2,
            touching_pairs=0,
        ),
    )
    analysis = analyze(surface.height_map, thresholds)
    assert len(analysis.scars) == len(surface.scars)
    for planted in surface.scars:
        nearest = min(
            analysis.scars,
            key=lambda s: np.hypot(
                s.measurement.x_mm - planted.x_mm, s.measurement.y_mm - planted.y_mm
            ),
        )
        assert nearest.call.type is planted.type
