"""Form removal: the large-scale curvature of the face (cheek, forehead, chin).

Across a 50 mm patch a cheek sags by millimetres, ten times a scar's depth; a robust
polynomial of low degree follows that form but not the scars, which the robust fit leaves
out as outliers. What the polynomial misses (waviness over a few mm) is left to the local
reference surface (imaging/reference.py).
"""

from __future__ import annotations

from scarplan.imaging.grid import block_means
from scarplan.imaging.heightmap import HeightMap
from scarplan.imaging.level import FIT_BLOCKS_PER_SIDE, fit_surface_on_blocks, subtract_surface
from scarplan.imaging.polynomial import Polynomial2D

DEFAULT_FORM_DEGREE = 4


def fit_form(height_map: HeightMap, degree: int = DEFAULT_FORM_DEGREE) -> Polynomial2D:
    factor = max(1, max(height_map.shape) // FIT_BLOCKS_PER_SIDE)
    blocks = block_means(height_map.heights_mm, factor)
    return fit_surface_on_blocks(blocks.values, factor, height_map.pixel_size_mm, degree)


def remove_form(height_map: HeightMap, degree: int = DEFAULT_FORM_DEGREE) -> HeightMap:
    """A new map with the face's large-scale form (a robust polynomial) removed."""
    return subtract_surface(height_map, fit_form(height_map, degree), "(form removed)")
