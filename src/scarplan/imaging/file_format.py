"""What a height-map file format provides: a reader, maybe a writer, and the units it uses."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from scarplan.domain.errors import FieldProblem, InputError
from scarplan.imaging.heightmap import FloatArray, HeightMap


class ZUnit(StrEnum):
    """Length units a file's heights (or a GSF file's lateral size) may be stored in."""

    NM = "nm"
    UM = "um"
    MM = "mm"
    M = "m"

    @property
    def to_mm(self) -> float:
        return _MM_PER_UNIT[self]

    @classmethod
    def parse(cls, text: str, path: str) -> ZUnit:
        cleaned = text.strip().replace("\u00b5", "u").replace("\u03bc", "u")
        try:
            return cls(cleaned)
        except ValueError:
            allowed = ", ".join(unit.value for unit in cls)
            raise InputError(
                "unknown length unit",
                [FieldProblem(path, f"{text!r} is not a length unit", f"use one of {allowed}")],
            ) from None


_MM_PER_UNIT = {ZUnit.NM: 1e-6, ZUnit.UM: 1e-3, ZUnit.MM: 1.0, ZUnit.M: 1e3}
DEFAULT_Z_UNIT = ZUnit.UM


@dataclass(frozen=True)
class RawGrid:
    """What a reader found: values in the file's units (float64, a new array the caller may
    change) and any calibration the file carries."""

    values: FloatArray
    pixel_size_mm: float | None = None
    z_unit: ZUnit | None = None


class Reader(Protocol):
    def __call__(self, data: bytes, filename: str, *, max_pixels: int) -> RawGrid:
        """Decode the grid, after checking from the header that it has at most `max_pixels`
        (`check_grid_shape`), so that a small file declaring a huge grid is never decoded."""


Writer = Callable[[HeightMap, ZUnit], bytes]


@dataclass(frozen=True)
class FileFormat:
    name: str
    suffixes: tuple[str, ...]
    read: Reader
    write: Writer | None = None
    carries_pixel_size: bool = False
    """True when the file states its pixel size, so no sidecar is needed."""


def unreadable(filename: str, message: str, hint: str, path: str = "file") -> InputError:
    """The one shape of a bad-file error: what is wrong, where, and how to fix it."""
    return InputError(f"cannot read {filename}", [FieldProblem(path, message, hint)])


DEFAULT_MAX_PIXELS = 4096 * 4096
"""The `height_map_max_pixels` setting's default: more than 3D skin scanners deliver."""
MAX_SIDE_PX = 32_768
"""No skin scan is longer than this on a side; a longer one is a hostile or broken header."""


def check_grid_shape(filename: str, shape: tuple[int, ...], max_pixels: int) -> None:
    """Refuse, from the header alone, a grid that is not one 2-D channel of a sane size: the
    check that comes before any height is decoded, so a declared size never costs memory."""
    if 0 in shape:
        raise unreadable(filename, "holds no data (damaged?)", "export it again")
    grid = tuple(side for side in shape if side != 1)  # as np.squeeze will see it
    if len(grid) != 2:
        raise unreadable(
            filename,
            f"holds an array of shape {tuple(shape)}, not one 2-D grid of heights",
            "export a single height channel",
        )
    rows, cols = grid
    if max(rows, cols) > MAX_SIDE_PX:
        raise unreadable(
            filename,
            f"declares a grid of {rows} x {cols} pixels; no skin scan has a side over "
            f"{MAX_SIDE_PX} pixels",
            "export the measured area again, cropped to the scarred region",
        )
    if math.prod(grid) > max_pixels:
        side = math.isqrt(max_pixels)
        raise unreadable(
            filename,
            f"declares a grid of {rows} x {cols} = {rows * cols:,} pixels, over the limit of "
            f"{max_pixels:,}",
            f"crop the map to the scarred region or resample it to at most about {side} x "
            f"{side} pixels",
        )
