"""Levelling: remove the tilt of the measured patch (a robust plane, or a low-order polynomial).

A device never holds the skin exactly perpendicular to its axis; the tilt would otherwise make
one side of every scar look deeper than the other.
"""

from __future__ import annotations

import numpy as np

from scarplan.imaging.grid import block_centres, block_means, pixel_range
from scarplan.imaging.heightmap import FloatArray, HeightMap
from scarplan.imaging.polynomial import Polynomial2D, fit_polynomial

ROBUST_ITERATIONS = 10
"""Enough for a fit pulled down by a large scar to climb back onto the skin (it stops early
when nothing changes)."""
FIT_BLOCKS_PER_SIDE = 256
"""Fits use block means on a grid of about this many blocks a side: plenty for a few
coefficients, and fast for any map size."""


def fit_surface_on_blocks(
    block_values: FloatArray, factor: int, pixel_size_mm: float, degree: int
) -> Polynomial2D:
    """Robust polynomial through block means (NaN blocks ignored), in mm coordinates."""
    rows, cols = block_values.shape
    y_mm = block_centres(rows, factor) * pixel_size_mm
    x_mm = block_centres(cols, factor) * pixel_size_mm
    y_grid, x_grid = np.meshgrid(y_mm, x_mm, indexing="ij")
    return fit_polynomial(
        y_grid.ravel(),
        x_grid.ravel(),
        block_values.ravel(),
        degree,
        iterations=ROBUST_ITERATIONS,
    )


def fit_level(height_map: HeightMap, degree: int = 1) -> Polynomial2D:
    factor = max(1, max(height_map.shape) // FIT_BLOCKS_PER_SIDE)
    blocks = block_means(height_map.heights_mm, factor)
    return fit_surface_on_blocks(blocks.values, factor, height_map.pixel_size_mm, degree)


def subtract_surface(height_map: HeightMap, surface: Polynomial2D, label: str) -> HeightMap:
    rows, cols = height_map.shape
    pixel = height_map.pixel_size_mm
    fitted = surface.evaluate_grid(pixel_range(0, rows) * pixel, pixel_range(0, cols) * pixel)
    return HeightMap(height_map.heights_mm - fitted, pixel, f"{height_map.source} {label}".strip())


def level(height_map: HeightMap, degree: int = 1) -> HeightMap:
    """A new map with the robustly fitted plane (degree 1) or polynomial removed."""
    return subtract_surface(height_map, fit_level(height_map, degree), "(levelled)")
