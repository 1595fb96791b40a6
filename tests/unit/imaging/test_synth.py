"""The synthetic surface model: deterministic, shapes as the reference describes, truth kept."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scarplan.domain.errors import InputError
from scarplan.domain.vocabulary import ScarType
from scarplan.imaging.ground_truth import ground_truth_json, planted_from_json
from scarplan.imaging.synth import (
    PlantedScar,
    SynthParameters,
    scar_profile,
    synthesize,
)
from unit.imaging.shapes import SMALL_SYNTH


def test_the_same_seed_gives_the_same_map() -> None:
    params = SynthParameters(
        size_px=256, pixel_size_mm=0.05, ice_pick=2, boxcar=1, rolling=0, touching_pairs=0
    )
    first, second = synthesize(4, params), synthesize(4, params)
    np.testing.assert_array_equal(first.height_map.heights_mm, second.height_map.heights_mm)
    assert first.scars == second.scars
    assert not np.array_equal(
        first.height_map.heights_mm, synthesize(5, params).height_map.heights_mm
    )


def test_scar_sizes_follow_the_reference() -> None:
    scars = [scar for seed in range(4) for scar in synthesize(seed, SMALL_SYNTH).scars]
    for scar in scars:
        if scar.type is ScarType.ICE_PICK:
            assert scar.diameter_mm < 2.0  # under 2 mm [FABB2010]
            assert scar.depth_mm >= scar.diameter_mm / 2  # deep relative to width
        elif scar.type is ScarType.BOXCAR:
            assert 1.5 <= scar.diameter_mm <= 4.0  # 1.5-4 mm [FABB2010]
            assert 0.1 <= scar.depth_mm <= 0.7
        else:
            assert scar.diameter_mm >= 4.5  # wider than 4-5 mm [FABB2010]
            assert scar.depth_mm <= 0.5  # shallow


def test_profiles_are_v_flat_and_sloping() -> None:
    rho = np.linspace(0, 1, 101)

    def planted(scar_type: ScarType, shape: float) -> PlantedScar:
        return PlantedScar(scar_type, 0.0, 0.0, 0.5, 1.0, 1.0, 0.0, shape)

    ice = scar_profile(planted(ScarType.ICE_PICK, 1.0), rho)
    box = scar_profile(planted(ScarType.BOXCAR, 0.1), rho)
    roll = scar_profile(planted(ScarType.ROLLING, 2.0), rho)
    np.testing.assert_allclose(ice, 1 - rho)  # straight walls to a point
    assert (box[rho <= 0.9] == 1).all()
    assert box[-1] == 0
    np.testing.assert_allclose(roll, 1 - rho**2)  # sloping all the way


def test_separate_scars_keep_their_distance_and_pairs_touch() -> None:
    surface = synthesize(2, SMALL_SYNTH)
    scars = surface.scars
    pairs = [s for s in scars if s.touching]
    assert len(pairs) == 2 * SMALL_SYNTH.touching_pairs
    for i, a in enumerate(scars):
        for b in scars[i + 1 :]:
            distance = math.hypot(a.x_mm - b.x_mm, a.y_mm - b.y_mm)
            reach = a.semi_major_mm + b.semi_major_mm
            if a.touching and b.touching and scars.index(b) == scars.index(a) + 1 and i % 2 == 0:
                assert 0.97 * reach <= distance <= 1.02 * reach
            else:
                assert distance >= reach + SMALL_SYNTH.min_gap_mm


def test_a_noise_free_scar_has_its_planted_depth() -> None:
    params = SynthParameters(
        size_px=256,
        pixel_size_mm=0.05,
        noise_um=0,
        texture_um=0,
        waviness_um=0,
        form_radius_mm=math.inf,
        max_tilt_deg=0,
        dropout_fraction=0,
        ice_pick=0,
        boxcar=1,
        rolling=0,
        touching_pairs=0,
    )
    surface = synthesize(1, params)
    assert surface.height_map.heights_mm.min() == pytest.approx(-surface.scars[0].depth_mm)


def test_noise_and_dropouts_are_as_asked() -> None:
    params = SynthParameters(
        size_px=512,
        pixel_size_mm=0.04,
        noise_um=10,
        texture_um=0,
        waviness_um=0,
        form_radius_mm=math.inf,
        max_tilt_deg=0,
        dropout_fraction=0.01,
        ice_pick=0,
        boxcar=0,
        rolling=0,
        touching_pairs=0,
    )
    heights = synthesize(1, params).height_map.heights_mm
    assert np.nanstd(heights) * 1000 == pytest.approx(10, rel=0.02)
    assert np.isnan(heights).mean() == pytest.approx(0.01, rel=0.35)


def test_ground_truth_round_trips_through_json() -> None:
    surface = synthesize(6, SMALL_SYNTH)
    document = ground_truth_json(surface)
    assert document["seed"] == 6
    back = planted_from_json(document)
    assert [(s.type, round(s.x_mm, 3)) for s in back] == [
        (s.type, round(s.x_mm, 3)) for s in surface.scars
    ]
    with pytest.raises(InputError):
        planted_from_json({"scars": [{"type": "boxcar"}]})


def test_impossible_requests_are_refused() -> None:
    with pytest.raises(InputError):
        SynthParameters(size_px=32)
    with pytest.raises(InputError):
        SynthParameters(noise_um=-1)
    with pytest.raises(InputError) as error:
        synthesize(1, SynthParameters(size_px=128, pixel_size_mm=0.02))  # 2.6 mm: no room
    assert error.value.problems[0].path == "--size"
