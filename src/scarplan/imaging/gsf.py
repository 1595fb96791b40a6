"""Gwyddion Simple Field (.gsf): a text header, NUL padding, little-endian float32 data.

Layout (gwyddion.net user guide, "Simple Field Files"): the magic line
`Gwyddion Simple Field 1.0\\n`; `name = value` lines (XRes and YRes mandatory; XReal and YReal
give the physical size in XYUnits, metres unless stated; ZUnits the height unit); one to four
NUL bytes so the data starts at a multiple of 4; then XRes * YRes float32 values, row by row.
"""

from __future__ import annotations

import numpy as np

from scarplan.imaging.file_format import (
    FileFormat,
    RawGrid,
    ZUnit,
    check_grid_shape,
    unreadable,
)
from scarplan.imaging.heightmap import HeightMap

MAGIC = b"Gwyddion Simple Field 1.0\n"
SQUARE_PIXEL_TOLERANCE = 0.01


def read_gsf(data: bytes, filename: str, *, max_pixels: int) -> RawGrid:
    if not data.startswith(MAGIC):
        raise unreadable(filename, "is not a Gwyddion Simple Field file (wrong magic line)", "")
    end = data.find(b"\0", len(MAGIC))
    if end < 0:
        raise unreadable(filename, "header never ends (no NUL byte)", "the file is truncated")
    header = _header(data[len(MAGIC) : end], filename)
    start = end + (4 - end % 4)
    if data[end:start] != b"\0" * (start - end):
        raise unreadable(filename, "header padding is not 1-4 NUL bytes", "")
    cols, rows = _positive_int(header, "XRes", filename), _positive_int(header, "YRes", filename)
    check_grid_shape(filename, (rows, cols), max_pixels)
    payload = data[start:]
    expected = 4 * cols * rows
    if len(payload) != expected:
        state = "is truncated" if len(payload) < expected else "has extra bytes after the data"
        raise unreadable(
            filename,
            f"{state}: XRes x YRes = {cols} x {rows} needs {expected} data bytes, "
            f"found {len(payload)}",
            "export the file again",
        )
    values = np.frombuffer(payload, dtype="<f4").reshape(rows, cols).astype(np.float64)
    return RawGrid(
        values,
        pixel_size_mm=_pixel_size_mm(header, cols, rows, filename),
        z_unit=ZUnit.parse(header["ZUnits"], "file: ZUnits") if "ZUnits" in header else None,
    )


def _header(raw: bytes, filename: str) -> dict[str, str]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise unreadable(filename, "header is not UTF-8 text", "") from None
    fields: dict[str, str] = {}
    for line in text.split("\n"):
        if not line.strip():
            continue
        name, equals, value = line.partition("=")
        if not equals:
            raise unreadable(filename, f"header line {line.strip()!r} is not `name = value`", "")
        fields[name.strip()] = value.strip()
    return fields


def _positive_int(header: dict[str, str], name: str, filename: str) -> int:
    text = header.get(name)
    if text is None:
        raise unreadable(filename, "mandatory header field missing", "", path=f"file: {name}")
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise unreadable(filename, f"{text!r} is not a positive integer", "", path=f"file: {name}")
    return value


def _positive_float(header: dict[str, str], name: str, filename: str) -> float | None:
    text = header.get(name)
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not np.isfinite(value) or value <= 0:
        raise unreadable(filename, f"{text!r} is not a positive number", "", path=f"file: {name}")
    return value


def _pixel_size_mm(header: dict[str, str], cols: int, rows: int, filename: str) -> float | None:
    x_real = _positive_float(header, "XReal", filename)
    y_real = _positive_float(header, "YReal", filename)
    if x_real is None:
        return None
    # GSF lateral sizes are in base SI units (metres) unless XYUnits says otherwise.
    unit = ZUnit.parse(header.get("XYUnits", "m"), "file: XYUnits")
    x_pixel = x_real * unit.to_mm / cols
    if y_real is not None:
        y_pixel = y_real * unit.to_mm / rows
        if abs(y_pixel - x_pixel) > SQUARE_PIXEL_TOLERANCE * x_pixel:
            raise unreadable(
                filename,
                f"pixels are not square ({x_pixel:g} x {y_pixel:g} mm)",
                "resample the map to square pixels before exporting",
                path="file: XReal/YReal",
            )
    return x_pixel


def write_gsf(height_map: HeightMap, requested_unit: ZUnit = ZUnit.M) -> bytes:
    """Write heights and the physical size in metres whatever unit is requested: GSF expects
    base SI units and its header names the unit, so readers need nothing else."""
    del requested_unit
    z_unit = ZUnit.M
    rows, cols = height_map.shape
    lines = [
        f"XRes = {cols}",
        f"YRes = {rows}",
        f"XReal = {height_map.width_mm * 1e-3!r}",
        f"YReal = {height_map.height_mm * 1e-3!r}",
        "XYUnits = m",
        f"ZUnits = {z_unit.value}",
        f"Title = {' '.join((height_map.source or 'height map').split())}",
    ]
    header = MAGIC + ("\n".join(lines) + "\n").encode()
    padding = b"\0" * (4 - len(header) % 4)
    values = (height_map.heights_mm / z_unit.to_mm).astype("<f4")
    return header + padding + values.tobytes()


GSF_FORMAT = FileFormat(
    "Gwyddion Simple Field", (".gsf",), read_gsf, write_gsf, carries_pixel_size=True
)
