"""Exact shapes on flat ground, for tests that need a known answer; a small synthetic map."""

from __future__ import annotations

import numpy as np

from scarplan.imaging.heightmap import FloatArray, HeightMap
from scarplan.imaging.synth import SynthParameters

SMALL_SYNTH = SynthParameters(
    size_px=768, pixel_size_mm=0.04, ice_pick=3, boxcar=3, rolling=2, touching_pairs=1
)
"""A 30 mm map with ten scars (one touching pair): fast enough for many tests."""


def grid_mm(size: int, pixel_mm: float) -> tuple[FloatArray, FloatArray]:
    coords = np.arange(size, dtype=np.float64) * pixel_mm
    return coords[:, None], coords[None, :]


def radius_from(size: int, pixel_mm: float, x_mm: float, y_mm: float) -> FloatArray:
    y, x = grid_mm(size, pixel_mm)
    return np.asarray(np.hypot(x - x_mm, y - y_mm), dtype=np.float64)


def cone(size: int, pixel_mm: float, radius_mm: float, depth_mm: float) -> FloatArray:
    """Heights of a V-shaped pit (a cone) in the middle of flat ground."""
    centre = (size - 1) / 2 * pixel_mm
    r = radius_from(size, pixel_mm, centre, centre)
    return -depth_mm * np.clip(1 - r / radius_mm, 0, 1)


def cylinder(size: int, pixel_mm: float, radius_mm: float, depth_mm: float) -> FloatArray:
    """Heights of a flat-floored pit with vertical walls in the middle of flat ground."""
    centre = (size - 1) / 2 * pixel_mm
    r = radius_from(size, pixel_mm, centre, centre)
    return np.where(r <= radius_mm, -depth_mm, 0.0)


def bowl(size: int, pixel_mm: float, radius_mm: float, depth_mm: float) -> FloatArray:
    """Heights of a paraboloid bowl (sloping walls) in the middle of flat ground."""
    centre = (size - 1) / 2 * pixel_mm
    r = radius_from(size, pixel_mm, centre, centre)
    return -depth_mm * np.clip(1 - (r / radius_mm) ** 2, 0, 1)


def as_map(heights: FloatArray, pixel_mm: float) -> HeightMap:
    return HeightMap(np.asarray(heights, dtype=np.float64), pixel_mm, "test shape")
