"""What a height-map file format provides: a reader, maybe a writer, and the units it uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

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


Reader = Callable[[bytes, str], RawGrid]
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
