"""A height map: one height per pixel on a square grid, in millimetres.

Conventions used by every imaging module (docs/topography.md section 1):
- `heights_mm[row, col]`; larger values are higher (towards the viewer); NaN marks a pixel the
  device did not measure.
- Pixel (row, col) has its centre at x = col * pixel_size_mm, y = row * pixel_size_mm: x grows to
  the right, y grows downwards, as in the image.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from scarplan.domain.errors import FieldProblem, InputError

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

MIN_SIDE_PX = 16
"""Smaller maps cannot hold a reference surface and a scar; they are refused."""

MIN_PIXEL_SIZE_MM = 0.001
"""One micrometre: finer than any skin scanner; a smaller number is a unit slip or hostile
(1e-300 mm pixels overflow every area the analysis computes)."""

MAX_PIXEL_SIZE_MM = 0.25
"""Coarser pixels cannot outline an ice pick scar (under 2 mm wide); a bigger number is
almost always micrometres given as millimetres."""


@dataclass(frozen=True)
class HeightMap:
    """Heights in mm (NaN = missing) on square pixels of `pixel_size_mm`.

    The array is kept as a read-only view, so nothing downstream can change the caller's data
    through it; build a new map to change heights.
    """

    heights_mm: FloatArray
    pixel_size_mm: float
    source: str = ""

    def __post_init__(self) -> None:
        heights = self.heights_mm
        if not isinstance(heights, np.ndarray) or heights.dtype != np.float64:
            raise TypeError("heights_mm must be a float64 numpy array")
        problems = height_problems(heights) + pixel_size_problems(self.pixel_size_mm)
        if problems:
            raise InputError("the height map cannot be analysed", problems)
        view = heights.view()
        view.flags.writeable = False
        object.__setattr__(self, "heights_mm", view)
        object.__setattr__(self, "pixel_size_mm", float(self.pixel_size_mm))

    @property
    def shape(self) -> tuple[int, int]:
        rows, cols = self.heights_mm.shape
        return int(rows), int(cols)

    @property
    def width_mm(self) -> float:
        return self.shape[1] * self.pixel_size_mm

    @property
    def height_mm(self) -> float:
        return self.shape[0] * self.pixel_size_mm

    @property
    def pixel_area_mm2(self) -> float:
        return self.pixel_size_mm**2


def height_problems(heights: FloatArray, path: str = "file") -> list[FieldProblem]:
    if heights.ndim != 2:
        return [
            FieldProblem(
                path,
                f"holds a {heights.ndim}-dimensional array, not a 2-D grid of heights",
                "export one height channel as a single 2-D grid",
            )
        ]
    rows, cols = heights.shape
    if rows < MIN_SIDE_PX or cols < MIN_SIDE_PX:
        return [
            FieldProblem(
                path,
                f"grid is {rows} x {cols} pixels; at least {MIN_SIDE_PX} x {MIN_SIDE_PX} needed",
                "export the whole measured area",
            )
        ]
    if not np.isfinite(heights).any():
        return [FieldProblem(path, "every height is missing (NaN)", "check the export")]
    return []


def pixel_size_problems(pixel_size_mm: float, path: str = "--pixel-size") -> list[FieldProblem]:
    if not np.isfinite(pixel_size_mm) or pixel_size_mm <= 0:
        return [
            FieldProblem(
                path,
                f"pixel size must be a positive number of mm, got {pixel_size_mm!r}",
                "give the lateral size of one pixel in mm, e.g. 0.025",
            )
        ]
    if pixel_size_mm < MIN_PIXEL_SIZE_MM:
        return [
            FieldProblem(
                path,
                f"pixel size {pixel_size_mm:g} mm is finer than any skin scanner "
                f"(at least {MIN_PIXEL_SIZE_MM:g} mm, one micrometre)",
                "give the lateral size of one pixel in mm, e.g. 0.025",
            )
        ]
    if pixel_size_mm > MAX_PIXEL_SIZE_MM:
        return [
            FieldProblem(
                path,
                f"pixel size {pixel_size_mm:g} mm is too coarse to resolve acne scars",
                f"give the pixel size in mm, not um; at most {MAX_PIXEL_SIZE_MM:g} mm "
                "(ice pick scars are under 2 mm wide)",
            )
        ]
    return []
