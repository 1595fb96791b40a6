"""Read and write height maps: a registry of file formats by suffix, the sidecar, the units.

Everything works on bytes plus a file name, so web uploads and the CLI share it; nothing here
opens a file. Precedence for the pixel size and the height unit (docs/topography.md section 1):
an explicit argument (`--pixel-size`, `--z-unit`), then the file's own header (GSF), then the
sidecar (`NAME.json` next to the file), then, for the height unit only, micrometres.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, TypeVar

import numpy as np

from scarplan.domain.errors import FieldProblem, InputError
from scarplan.domain.json_text import load_json
from scarplan.imaging import formats, gsf
from scarplan.imaging.file_format import DEFAULT_MAX_PIXELS, DEFAULT_Z_UNIT, FileFormat, ZUnit
from scarplan.imaging.heightmap import HeightMap, height_problems, pixel_size_problems

SIDECAR_VERSION = 1
SIDECAR_SUFFIX = ".json"
"""The sidecar of `s.npy` is `s.npy.json`."""


@dataclass(frozen=True)
class Sidecar:
    """Calibration for formats that carry none, plus free-form extras (synthetic ground truth)."""

    pixel_size_mm: float | None = None
    z_unit: ZUnit | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)


_FORMATS: dict[str, FileFormat] = {}


def register_format(file_format: FileFormat) -> None:
    """Make a format readable (and writable) by its suffixes; built-ins register the same way."""
    for suffix in file_format.suffixes:
        _FORMATS[suffix.lower()] = file_format


def registered_formats() -> tuple[FileFormat, ...]:
    return tuple(dict.fromkeys(_FORMATS.values()))


def format_for(filename: str) -> FileFormat:
    suffix = PurePath(filename).suffix.lower()
    known = _FORMATS.get(suffix)
    if known is None:
        supported = ", ".join(sorted(_FORMATS))
        raise InputError(
            f"cannot read {filename}",
            [
                FieldProblem(
                    "file",
                    f"unknown height-map format {suffix or '(no suffix)'!r}",
                    f"export the height map as one of {supported}",
                )
            ],
        )
    return known


@dataclass(frozen=True)
class OptionNames:
    """What the caller calls the pixel size and height unit it passes, so that an error names
    the field the user filled in: a command-line option or a form field."""

    pixel_size: str
    z_unit: str

    def pixel_size_hint(self, example: str = "0.025") -> str:
        if self.pixel_size.startswith("-"):
            return f"{self.pixel_size} {example}"
        return f"{self.pixel_size} = {example}"


CLI_OPTIONS = OptionNames(pixel_size="--pixel-size", z_unit="--z-unit")
FORM_FIELDS = OptionNames(pixel_size="pixel_size_mm", z_unit="z_unit")


def read_height_map(
    data: bytes,
    filename: str,
    *,
    pixel_size_mm: float | None = None,
    z_unit: str | None = None,
    sidecar: bytes | None = None,
    names: OptionNames = CLI_OPTIONS,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> HeightMap:
    """Decode a height map; heights come back in mm with NaN for missing pixels. A grid over
    `max_pixels` is refused from its header, before its heights are decoded."""
    file_format = format_for(filename)
    override_pixel = _checked_pixel_size(pixel_size_mm, names)
    override_unit = ZUnit.parse(z_unit, names.z_unit) if z_unit is not None else None
    side = parse_sidecar(sidecar) if sidecar is not None else Sidecar()
    raw = file_format.read(data, filename, max_pixels=max_pixels)
    pixel, pixel_from = _first_known(
        (override_pixel, "option"), (raw.pixel_size_mm, "file"), (side.pixel_size_mm, "sidecar")
    )
    if pixel is None:
        raise InputError(
            f"cannot analyse {filename}",
            [
                FieldProblem(
                    names.pixel_size,
                    f"a {file_format.name} file does not say how large its pixels are",
                    f"give the pixel size in mm ({names.pixel_size_hint()}), or put "
                    f"pixel_size_mm in {filename}{SIDECAR_SUFFIX}",
                )
            ],
        )
    unit, unit_from = _first_known(
        (override_unit, "option"), (raw.z_unit, "file"), (side.z_unit, "sidecar")
    )
    if unit is None:
        unit, unit_from = DEFAULT_Z_UNIT, "default"
    heights = raw.values * unit.to_mm
    heights[~np.isfinite(heights)] = np.nan  # devices mark dropouts with NaN or +-inf
    pixel_field = names.pixel_size if pixel_from == "option" else f"pixel size ({pixel_from})"
    problems = height_problems(heights) + pixel_size_problems(pixel, pixel_field)
    if problems:
        raise InputError(f"cannot analyse {filename}", problems)
    source = (
        f"{PurePath(filename).name} ({file_format.name}; pixel size from {pixel_from}, "
        f"heights in {unit.value} from {unit_from})"
    )
    return HeightMap(heights, pixel, source)


def write_height_map(height_map: HeightMap, filename: str, z_unit: ZUnit = ZUnit.UM) -> bytes:
    file_format = format_for(filename)
    if file_format.write is None:
        raise InputError(
            f"cannot write {filename}",
            [FieldProblem("-o", f"{file_format.name} files can be read, not written", "")],
        )
    return file_format.write(height_map, z_unit)


def needs_sidecar(filename: str) -> bool:
    return not format_for(filename).carries_pixel_size


def sidecar_name(filename: str) -> str:
    return filename + SIDECAR_SUFFIX


def sidecar_bytes(
    pixel_size_mm: float, z_unit: ZUnit, extras: Mapping[str, Any] | None = None
) -> bytes:
    document: dict[str, Any] = {
        "scarplan_height_map": SIDECAR_VERSION,
        "pixel_size_mm": pixel_size_mm,
        "z_unit": z_unit.value,
        **(extras or {}),
    }
    return (json.dumps(document, indent=2) + "\n").encode()


SIDECAR_KEYS = frozenset({"scarplan_height_map", "pixel_size_mm", "z_unit", "synthetic"})


def parse_sidecar(data: bytes) -> Sidecar:
    document = load_json(data, path="sidecar", what="sidecar", hint=SIDECAR_EXAMPLE)
    if not isinstance(document, dict):
        raise _sidecar_error("sidecar", "must be a JSON object")
    unknown = sorted(set(document) - SIDECAR_KEYS)
    if unknown:
        raise _sidecar_error(f"sidecar.{unknown[0]}", "unknown key")
    if document.get("scarplan_height_map") != SIDECAR_VERSION:
        raise _sidecar_error("sidecar.scarplan_height_map", f"must be {SIDECAR_VERSION}")
    pixel = document.get("pixel_size_mm")
    if pixel is not None and (isinstance(pixel, bool) or not isinstance(pixel, int | float)):
        raise _sidecar_error("sidecar.pixel_size_mm", f"must be a number, got {pixel!r}")
    if pixel is not None:
        problems = pixel_size_problems(float(pixel), "sidecar.pixel_size_mm")
        if problems:
            raise InputError("the sidecar is invalid", problems)
    unit = document.get("z_unit")
    if unit is not None and not isinstance(unit, str):
        raise _sidecar_error("sidecar.z_unit", f"must be a unit name, got {unit!r}")
    extras = {key: document[key] for key in document.keys() - {"pixel_size_mm", "z_unit"}}
    return Sidecar(
        pixel_size_mm=float(pixel) if pixel is not None else None,
        z_unit=ZUnit.parse(unit, "sidecar.z_unit") if unit is not None else None,
        extras=extras,
    )


SIDECAR_EXAMPLE = 'e.g. {"scarplan_height_map": 1, "pixel_size_mm": 0.025, "z_unit": "um"}'


def _sidecar_error(path: str, message: str) -> InputError:
    return InputError("the sidecar is invalid", [FieldProblem(path, message, SIDECAR_EXAMPLE)])


def _checked_pixel_size(pixel_size_mm: float | None, names: OptionNames) -> float | None:
    if pixel_size_mm is None:
        return None
    problems = pixel_size_problems(pixel_size_mm, names.pixel_size)
    if problems:
        raise InputError("invalid pixel size", problems)
    return float(pixel_size_mm)


T = TypeVar("T")


def _first_known(*candidates: tuple[T | None, str]) -> tuple[T | None, str]:
    for value, origin in candidates:
        if value is not None:
            return value, origin
    return None, ""


for _builtin in (*formats.BUILTIN_FORMATS, gsf.GSF_FORMAT):
    register_format(_builtin)
