"""A picture of the analysis: the map shaded in grey, each scar outlined in its type's colour.

Colours are from the Okabe-Ito palette, distinguishable with the common colour-vision
deficiencies (the app had no scar-type colours before; docs/topography.md lists them):
ice pick vermillion, boxcar blue, rolling bluish green. Missing pixels are dark grey.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from scarplan.domain.vocabulary import ScarType
from scarplan.imaging.analyze import Analysis, relative_to_reference
from scarplan.imaging.heightmap import HeightMap
from scarplan.imaging.measure import Footprint

RGB = tuple[int, int, int]
TYPE_COLOURS: dict[ScarType, RGB] = {
    ScarType.ICE_PICK: (213, 94, 0),
    ScarType.BOXCAR: (0, 114, 178),
    ScarType.ROLLING: (0, 158, 115),
}
MISSING_COLOUR: RGB = (40, 40, 40)
LIGHT = np.array([-1.0, -1.0, 1.5]) / np.linalg.norm([-1.0, -1.0, 1.5])
"""Light from the upper left, as in most clinical photographs and relief maps."""
DEPTH_DARKENING_MM = 0.5
"""Scars get darker with depth, fully at this depth, so depth reads without the outlines."""


def overlay(height_map: HeightMap, analysis: Analysis) -> NDArray[np.uint8]:
    """RGB uint8 image (rows, cols, 3) of `height_map` with the scars of `analysis` outlined."""
    relief = relative_to_reference(height_map, analysis.surfaces).astype(np.float32)
    missing = ~np.isfinite(relief)
    relief[missing] = 0.0
    grey = _shaded(relief, analysis.pixel_size_mm)
    darkening = np.clip(-relief / DEPTH_DARKENING_MM, 0.0, 1.0)
    grey *= 1.0 - 0.5 * darkening
    image = np.repeat((grey * 255).astype(np.uint8)[..., None], 3, axis=2)
    image[missing] = MISSING_COLOUR
    thickness = max(1, round(max(analysis.shape) / 700))
    for scar in analysis.scars:
        _outline(image, scar.measurement.footprint, TYPE_COLOURS[scar.call.type], thickness)
    return image


def _shaded(relief: NDArray[np.float32], pixel_size_mm: float) -> NDArray[np.float32]:
    slope_rows, slope_cols = np.gradient(relief, pixel_size_mm)
    # Surface normal (-dz/dx, -dz/dy, 1), normalised; Lambertian light plus some ambient.
    norm = np.sqrt(slope_rows**2 + slope_cols**2 + 1.0)
    lit = (-slope_cols * LIGHT[0] - slope_rows * LIGHT[1] + LIGHT[2]) / norm
    return np.asarray(0.25 + 0.75 * np.clip(lit, 0.0, 1.0), dtype=np.float32)


def _outline(image: NDArray[np.uint8], footprint: Footprint, colour: RGB, thickness: int) -> None:
    mask = np.pad(footprint.mask, thickness)
    edge = mask & ~ndimage.binary_erosion(mask, iterations=thickness)
    rows, cols = np.nonzero(edge)
    rows = rows + footprint.row0 - thickness
    cols = cols + footprint.col0 - thickness
    inside = (rows >= 0) & (rows < image.shape[0]) & (cols >= 0) & (cols < image.shape[1])
    image[rows[inside], cols[inside]] = colour
