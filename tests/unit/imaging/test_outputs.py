"""What an analysis turns into: lesion groups for a case, the overlay image, its PNG."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from scarplan.adapters.imaging_png import overlay_png_bytes
from scarplan.assessment.classify import TypingThresholds
from scarplan.domain.vocabulary import EdgeProfile, Region, ScarType
from scarplan.imaging.analyze import analyze
from scarplan.imaging.lesions import to_lesion_groups
from scarplan.imaging.overlay import TYPE_COLOURS, overlay
from scarplan.imaging.synth import SyntheticSurface


def test_lesion_groups_summarise_each_type(
    thresholds: TypingThresholds, small_surface: SyntheticSurface
) -> None:
    analysis = analyze(small_surface.height_map, thresholds)
    groups = to_lesion_groups(analysis, Region.CHEEK_LEFT)
    assert [g.type for g in groups] == [ScarType.ICE_PICK, ScarType.BOXCAR, ScarType.ROLLING]
    assert sum(g.count for g in groups) == len(analysis.scars)
    assert all(g.region is Region.CHEEK_LEFT for g in groups)
    edges = {g.type: g.edges for g in groups}
    assert edges == {
        ScarType.ICE_PICK: EdgeProfile.SHARP,
        ScarType.BOXCAR: EdgeProfile.SHARP,
        ScarType.ROLLING: EdgeProfile.SLOPED,
    }
    rolling = next(g for g in groups if g.type is ScarType.ROLLING)
    planted = sorted(s.diameter_mm for s in small_surface.scars if s.type is ScarType.ROLLING)
    assert rolling.width_mm is not None
    assert planted[0] - 0.2 <= rolling.width_mm <= planted[-1] + 0.2


def test_overlay_outlines_each_scar_in_its_type_colour(
    thresholds: TypingThresholds, small_surface: SyntheticSurface
) -> None:
    analysis = analyze(small_surface.height_map, thresholds)
    image = overlay(small_surface.height_map, analysis)
    assert image.shape == (*small_surface.height_map.shape, 3)
    assert image.dtype == np.uint8
    for scar in analysis.scars:
        footprint = scar.measurement.footprint
        rows, cols = footprint.mask.shape
        window = image[
            footprint.row0 : footprint.row0 + rows, footprint.col0 : footprint.col0 + cols
        ]
        colour = np.array(TYPE_COLOURS[scar.call.type], dtype=np.uint8)
        assert (window == colour).all(axis=2).any()


def test_png_adapter_encodes_the_overlay_with_a_legend() -> None:
    rgb = np.zeros((40, 60, 3), dtype=np.uint8)
    rgb[10:20, 10:20] = (213, 94, 0)
    encoded = overlay_png_bytes(rgb, {"ice pick": (213, 94, 0)})
    assert encoded.startswith(b"\x89PNG\r\n\x1a\n")
    decoded = Image.open(io.BytesIO(encoded))
    assert decoded.size == (60, 40 + 24)
    assert decoded.getpixel((15, 15)) == (213, 94, 0)
