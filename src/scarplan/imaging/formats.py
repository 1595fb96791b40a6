"""Built-in formats without a pixel size of their own: NumPy .npy, 32-bit float TIFF, CSV grid.

Their pixel size comes from the sidecar or `--pixel-size` (imaging/io.py).
"""

from __future__ import annotations

import io

import numpy as np
import tifffile

from scarplan.domain.errors import InputError
from scarplan.imaging.file_format import FileFormat, RawGrid, ZUnit, check_grid_shape, unreadable
from scarplan.imaging.heightmap import FloatArray, HeightMap

FLOAT_HINT = "export the heights as 32- or 64-bit floating-point numbers (um or mm)"


def _floating_grid(array: np.ndarray, filename: str, kind: str) -> FloatArray:
    if array.size == 0:
        raise unreadable(filename, f"{kind} holds no data (damaged?)", "export it again")
    _check_floating(array.dtype, filename, kind)
    grid = np.squeeze(array)
    if grid.ndim != 2:
        raise unreadable(
            filename,
            f"{kind} holds an array of shape {array.shape}, not one 2-D grid of heights",
            "export a single height channel",
        )
    return np.array(grid, dtype=np.float64)  # a new, native-endian array


def _check_floating(dtype: np.dtype, filename: str, kind: str) -> None:
    """Heights are 16-, 32- or 64-bit floats; anything else is refused before decoding."""
    if dtype.kind != "f" or dtype.itemsize > 8:
        raise unreadable(
            filename,
            f"{kind} holds {dtype} values, not floating-point heights",
            FLOAT_HINT,
        )


NPY_MAX_HEADER_BYTES = 10_000
"""numpy's own default limit on a .npy header (a longer one is refused unread)."""


def _npy_header_length(data: bytes, version: tuple[int, int]) -> int:
    """The header length the file declares: 2 bytes in format 1.0, 4 in 2.0."""
    if version == (1, 0):
        return int.from_bytes(data[8:10], "little")
    return int.from_bytes(data[8:12], "little")


def read_npy(data: bytes, filename: str, *, max_pixels: int) -> RawGrid:
    if not data.startswith(b"\x93NUMPY"):
        raise unreadable(filename, "is not a NumPy .npy file (wrong magic bytes)", "")
    stream = io.BytesIO(data)
    try:
        # The header alone first: the shape and type it declares are checked before the
        # array is read, so a few bytes cannot make numpy allocate gigabytes.
        version = np.lib.format.read_magic(stream)
        if version not in ((1, 0), (2, 0)):
            raise ValueError(f"unsupported .npy format version {version}")
        declared = _npy_header_length(data, version)
        if declared > NPY_MAX_HEADER_BYTES:
            raise unreadable(
                filename,
                f"has a header of {declared} bytes, over the {NPY_MAX_HEADER_BYTES} a .npy "
                "file needs",
                "export the height map again with numpy.save",
            )
        if version == (1, 0):
            header = np.lib.format.read_array_header_1_0(stream, NPY_MAX_HEADER_BYTES)
        else:
            header = np.lib.format.read_array_header_2_0(stream, NPY_MAX_HEADER_BYTES)
    except (ValueError, EOFError, OSError) as error:
        raise unreadable(
            filename, f"is a damaged .npy file ({error})", "export the height map again"
        ) from None
    shape, _fortran_order, dtype = header
    _check_floating(dtype, filename, "the .npy file")
    check_grid_shape(filename, tuple(shape), max_pixels)
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, EOFError, OSError) as error:
        raise unreadable(
            filename, f"is a damaged .npy file ({error})", "export the height map again"
        ) from None
    return RawGrid(_floating_grid(np.asarray(array), filename, "the .npy file"))


def write_npy(height_map: HeightMap, z_unit: ZUnit) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, (height_map.heights_mm / z_unit.to_mm).astype(np.float32))
    return buffer.getvalue()


def read_tiff(data: bytes, filename: str, *, max_pixels: int) -> RawGrid:
    try:
        with tifffile.TiffFile(io.BytesIO(data)) as tiff:
            if not tiff.series:
                raise unreadable(
                    filename, "the TIFF image holds no data (damaged?)", "export it again"
                )
            series = tiff.series[0]
            # The declared shape and type, from the tags, before any strip is decompressed:
            # a compressed TIFF of a few hundred KB can declare gigabytes of pixels.
            _check_floating(np.dtype(series.dtype), filename, "the TIFF image")
            check_grid_shape(filename, tuple(series.shape), max_pixels)
            array = series.asarray()
    except InputError:
        raise
    except Exception as error:  # a damaged file surfaces as many different error types
        raise unreadable(
            filename,
            f"is not a readable TIFF file ({type(error).__name__}: {error})",
            "export the height map as a 32-bit float TIFF",
        ) from None
    return RawGrid(_floating_grid(np.asarray(array), filename, "the TIFF image"))


def write_tiff(height_map: HeightMap, z_unit: ZUnit) -> bytes:
    buffer = io.BytesIO()
    tifffile.imwrite(buffer, (height_map.heights_mm / z_unit.to_mm).astype(np.float32))
    return buffer.getvalue()


MISSING_TOKENS = frozenset({"", "nan", "na", "-"})


def read_csv(data: bytes, filename: str, *, max_pixels: int) -> RawGrid:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise unreadable(filename, "is not UTF-8 text", "export the grid as a text CSV") from None
    rows = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not rows:
        raise unreadable(filename, "holds no numbers", "export the grid of heights")
    delimiter = _delimiter(rows[0][1])
    width = len(_split(rows[0][1], delimiter))
    check_grid_shape(filename, (len(rows), width), max_pixels)
    cells = [_split(line, delimiter) for _, line in rows]
    for (number, _), row in zip(rows, cells, strict=True):
        if len(row) != width:
            raise unreadable(
                filename,
                f"has {len(row)} values where the first row has {width}",
                "every row of the grid needs the same number of values",
                path=f"file: line {number}",
            )
    tokens = [_missing_as_nan(cell) for row in cells for cell in row]
    try:
        values = np.array(tokens, dtype=np.float64)
    except ValueError:
        raise _first_bad_cell(filename, rows, cells) from None
    return RawGrid(values.reshape(len(cells), width))


def _delimiter(line: str) -> str | None:
    for candidate in (",", ";", "\t"):
        if candidate in line:
            return candidate
    return None  # whitespace-separated


def _split(line: str, delimiter: str | None) -> list[str]:
    return line.split(delimiter) if delimiter is not None else line.split()


def _missing_as_nan(cell: str) -> str:
    cleaned = cell.strip()
    return "nan" if cleaned.lower() in MISSING_TOKENS else cleaned


def _first_bad_cell(
    filename: str, rows: list[tuple[int, str]], cells: list[list[str]]
) -> Exception:
    for (number, _), row in zip(rows, cells, strict=True):
        for column, cell in enumerate(row, start=1):
            try:
                float(_missing_as_nan(cell))
            except ValueError:
                return unreadable(
                    filename,
                    f"{cell.strip()!r} is not a number",
                    "the grid may hold only numbers; leave a cell empty or write NaN if missing",
                    path=f"file: line {number}, column {column}",
                )
    return unreadable(filename, "holds a value that is not a number", "")


def write_csv(height_map: HeightMap, z_unit: ZUnit) -> bytes:
    buffer = io.StringIO()
    np.savetxt(buffer, height_map.heights_mm / z_unit.to_mm, delimiter=",", fmt="%.7g")
    return buffer.getvalue().encode()


BUILTIN_FORMATS = (
    FileFormat("NumPy", (".npy",), read_npy, write_npy),
    FileFormat("TIFF", (".tif", ".tiff"), read_tiff, write_tiff),
    FileFormat("CSV", (".csv",), read_csv, write_csv),
)
