"""The whole pipeline on exact shapes: a cone, a flat-floored pit, a bowl, touching pits."""

from __future__ import annotations

import numpy as np
import pytest

from scarplan.assessment.classify import TypingThresholds
from scarplan.domain.vocabulary import ScarType
from scarplan.imaging.analyze import Analysis, analyze
from scarplan.imaging.profile import ProfileShape
from unit.imaging.shapes import as_map, bowl, cone, cylinder, grid_mm, radius_from


def only_scar(analysis: Analysis) -> tuple[float, float, ScarType, ProfileShape]:
    assert len(analysis.scars) == 1, [s.measurement for s in analysis.scars]
    scar = analysis.scars[0]
    return (
        scar.measurement.depth_mm,
        scar.measurement.diameter_mm,
        scar.call.type,
        scar.measurement.profile,
    )


def test_a_cone_measures_its_depth_and_opening(thresholds: TypingThresholds) -> None:
    heights = cone(301, 0.02, radius_mm=0.6, depth_mm=0.8)  # apex on a pixel centre
    depth, diameter, scar_type, profile = only_scar(analyze(as_map(heights, 0.02), thresholds))
    assert depth == pytest.approx(0.8, rel=0.02)
    assert diameter == pytest.approx(1.2, abs=0.04)
    assert (scar_type, profile) == (ScarType.ICE_PICK, ProfileShape.V_SHAPED)


def test_a_flat_floored_pit_measures_its_diameter_and_is_boxcar(
    thresholds: TypingThresholds,
) -> None:
    heights = cylinder(300, 0.02, radius_mm=1.25, depth_mm=0.3)
    analysis = analyze(as_map(heights, 0.02), thresholds)
    depth, diameter, scar_type, profile = only_scar(analysis)
    assert diameter == pytest.approx(2.5, abs=0.05)
    assert depth == pytest.approx(0.3, rel=0.01)
    assert (scar_type, profile) == (ScarType.BOXCAR, ProfileShape.FLAT_FLOOR)
    scar = analysis.scars[0].measurement
    assert scar.x_mm == pytest.approx(149.5 * 0.02, abs=0.01)
    assert scar.area_mm2 == pytest.approx(np.pi * 1.25**2, rel=0.04)
    assert scar.volume_mm3 == pytest.approx(np.pi * 1.25**2 * 0.3, rel=0.04)
    assert scar.wall_slope_deg > 60


def test_a_wide_sloping_bowl_is_rolling(thresholds: TypingThresholds) -> None:
    heights = bowl(400, 0.03, radius_mm=3.0, depth_mm=0.3)
    depth, diameter, scar_type, profile = only_scar(analyze(as_map(heights, 0.03), thresholds))
    assert diameter == pytest.approx(6.0, abs=0.1)
    assert depth == pytest.approx(0.3, rel=0.03)
    assert (scar_type, profile) == (ScarType.ROLLING, ProfileShape.SLOPING)


def test_touching_pits_are_split_by_the_watershed(thresholds: TypingThresholds) -> None:
    size, pixel = 400, 0.02
    y, x = grid_mm(size, pixel)
    first = radius_from(size, pixel, 3.0, 4.0)
    second = radius_from(size, pixel, 4.6, 4.0)  # rims touch: 0.8 + 0.8 = 1.6 mm apart
    depth = np.maximum(0.9 * np.clip(1 - first / 0.8, 0, 1), 0.5 * np.clip(1 - second / 0.8, 0, 1))
    analysis = analyze(as_map(-depth + 0 * x + 0 * y, pixel), thresholds)
    assert len(analysis.scars) == 2
    found = sorted((s.measurement.x_mm, s.measurement.depth_mm) for s in analysis.scars)
    assert found[0] == pytest.approx((3.0, 0.9), abs=0.05)
    assert found[1] == pytest.approx((4.6, 0.5), abs=0.05)


def test_a_cone_keeps_its_depth_under_noise_and_dropouts(thresholds: TypingThresholds) -> None:
    rng = np.random.default_rng(5)
    heights = cone(301, 0.02, radius_mm=0.6, depth_mm=0.8) + rng.normal(0, 0.01, (301, 301))
    heights[148:152, 140:144] = np.nan  # a dropout on the wall
    depth, diameter, scar_type, _ = only_scar(analyze(as_map(heights, 0.02), thresholds))
    assert depth == pytest.approx(0.8, rel=0.05)
    assert diameter == pytest.approx(1.2, abs=0.08)
    assert scar_type is ScarType.ICE_PICK


def test_flat_skin_has_no_scars_and_no_roughness(thresholds: TypingThresholds) -> None:
    analysis = analyze(as_map(np.zeros((200, 200)), 0.03), thresholds)
    assert analysis.scars == ()
    assert analysis.roughness.sa_um == pytest.approx(0.0, abs=1e-9)


def test_analysis_never_changes_its_input(thresholds: TypingThresholds) -> None:
    heights = cylinder(200, 0.03, 1.0, 0.2)
    heights[5, 5] = np.nan
    original = heights.copy()
    height_map = as_map(heights, 0.03)
    analyze(height_map, thresholds)
    np.testing.assert_array_equal(heights, original)
    np.testing.assert_array_equal(height_map.heights_mm, original)
    assert not height_map.heights_mm.flags.writeable
