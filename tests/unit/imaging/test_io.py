"""Readers by file type, the sidecar and the precedence of calibrations, and bad files."""

from __future__ import annotations

import io
import json
import struct

import numpy as np
import pytest
import tifffile

from scarplan.domain.errors import InputError
from scarplan.imaging.file_format import ZUnit
from scarplan.imaging.heightmap import HeightMap
from scarplan.imaging.io import (
    FORM_FIELDS,
    read_height_map,
    registered_formats,
    sidecar_bytes,
    write_height_map,
)

GRID_UM = np.arange(20 * 24, dtype=np.float64).reshape(20, 24) / 7.0


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def tiff_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    tifffile.imwrite(buffer, array)
    return buffer.getvalue()


def gsf_by_hand(values: np.ndarray, header_lines: list[str]) -> bytes:
    """A Gwyddion Simple Field file built byte by byte, as the format's description says."""
    header = b"Gwyddion Simple Field 1.0\n" + "".join(f"{line}\n" for line in header_lines).encode()
    padding = b"\0" * (4 - len(header) % 4)
    payload = b"".join(struct.pack("<f", float(v)) for v in values.ravel())
    return header + padding + payload


def problem_paths(error: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [problem.path for problem in error.value.problems]


# --- each reader ----------------------------------------------------------------------------


def test_npy_heights_default_to_micrometres() -> None:
    found = read_height_map(npy_bytes(GRID_UM), "map.npy", pixel_size_mm=0.05)
    assert found.pixel_size_mm == 0.05
    np.testing.assert_allclose(found.heights_mm, GRID_UM / 1000)
    assert "heights in um from default" in found.source


def test_z_unit_option_reads_millimetres() -> None:
    found = read_height_map(npy_bytes(GRID_UM), "map.npy", pixel_size_mm=0.05, z_unit="mm")
    np.testing.assert_allclose(found.heights_mm, GRID_UM)


def test_float32_tiff() -> None:
    data = tiff_bytes(GRID_UM.astype(np.float32))
    found = read_height_map(data, "map.TIF", pixel_size_mm=0.02)
    np.testing.assert_allclose(found.heights_mm, GRID_UM / 1000, rtol=1e-6)


def test_csv_grid_with_comments_and_missing_cells() -> None:
    rows = [",".join(["1.5"] * 16) for _ in range(16)]
    rows[3] = "4,," + ",".join(["NaN"] * 14)
    text = "# exported heights, um\n" + "\n".join(rows) + "\n"
    found = read_height_map(text.encode(), "grid.csv", pixel_size_mm=0.05)
    assert found.shape == (16, 16)
    assert found.heights_mm[0, 0] == pytest.approx(0.0015)
    assert found.heights_mm[3, 0] == pytest.approx(0.004)
    assert np.isnan(found.heights_mm[3, 1:]).all()


@pytest.mark.parametrize("separator", [";", "\t", " "])
def test_csv_grid_with_other_separators(separator: str) -> None:
    text = "\n".join(separator.join(["2"] * 16) for _ in range(16))
    found = read_height_map(text.encode(), "grid.csv", pixel_size_mm=0.05)
    assert found.shape == (16, 16)
    assert found.heights_mm.max() == pytest.approx(0.002)


def test_gsf_written_by_hand_carries_pixel_size_and_height_unit() -> None:
    values = np.linspace(-2e-6, 3e-6, 18 * 20).reshape(18, 20)  # metres
    data = gsf_by_hand(
        values,
        [
            "XRes = 20",
            "YRes = 18",
            "XReal = 0.0005",
            "YReal = 0.00045",
            "XYUnits = m",
            "ZUnits = m",
            "Title = hand made",
        ],
    )
    found = read_height_map(data, "scan.gsf")
    assert found.pixel_size_mm == pytest.approx(0.025)
    np.testing.assert_allclose(found.heights_mm, values * 1000, rtol=1e-6)
    assert "pixel size from file" in found.source


def test_gsf_without_size_needs_the_option() -> None:
    data = gsf_by_hand(np.zeros((16, 16)), ["XRes = 16", "YRes = 16"])
    with pytest.raises(InputError) as error:
        read_height_map(data, "scan.gsf")
    assert problem_paths(error) == ["--pixel-size"]
    assert read_height_map(data, "scan.gsf", pixel_size_mm=0.03).pixel_size_mm == 0.03


def test_writers_round_trip_every_format() -> None:
    original = HeightMap(GRID_UM / 1000, 0.04, "round trip")
    for name in ("m.npy", "m.tif", "m.csv", "m.gsf"):
        encoded = write_height_map(original, name, ZUnit.UM)
        found = read_height_map(encoded, name, sidecar=sidecar_bytes(0.04, ZUnit.UM))
        assert found.pixel_size_mm == pytest.approx(0.04), name
        np.testing.assert_allclose(found.heights_mm, original.heights_mm, atol=1e-7, err_msg=name)


# --- missing values -------------------------------------------------------------------------


def test_nan_and_infinite_values_become_missing() -> None:
    grid = GRID_UM.copy()
    grid[2, 3] = np.nan
    grid[4, 5] = np.inf
    found = read_height_map(npy_bytes(grid), "map.npy", pixel_size_mm=0.05)
    assert np.isnan(found.heights_mm[2, 3])
    assert np.isnan(found.heights_mm[4, 5])
    assert np.isfinite(found.heights_mm).sum() == grid.size - 2


# --- calibration: option > file > sidecar > default -----------------------------------------


def test_sidecar_supplies_pixel_size_and_unit() -> None:
    side = sidecar_bytes(0.03, ZUnit.MM)
    found = read_height_map(npy_bytes(GRID_UM), "map.npy", sidecar=side)
    assert found.pixel_size_mm == 0.03
    np.testing.assert_allclose(found.heights_mm, GRID_UM)
    assert "pixel size from sidecar" in found.source


def test_options_override_the_sidecar_and_the_file() -> None:
    side = sidecar_bytes(0.03, ZUnit.MM)
    found = read_height_map(
        npy_bytes(GRID_UM), "map.npy", pixel_size_mm=0.01, z_unit="um", sidecar=side
    )
    assert found.pixel_size_mm == 0.01
    np.testing.assert_allclose(found.heights_mm, GRID_UM / 1000)
    gsf = gsf_by_hand(np.zeros((16, 16)), ["XRes = 16", "YRes = 16", "XReal = 0.0008"])
    assert read_height_map(gsf, "s.gsf", pixel_size_mm=0.02).pixel_size_mm == 0.02


def test_no_pixel_size_anywhere_names_the_option() -> None:
    with pytest.raises(InputError) as error:
        read_height_map(npy_bytes(GRID_UM), "map.npy")
    assert problem_paths(error) == ["--pixel-size"]
    assert "map.npy.json" in str(error.value)


# --- bad files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "path", "words"),
    [
        (b"not numpy at all", "m.npy", "file", "wrong magic"),
        (npy_bytes(GRID_UM)[:-40], "m.npy", "file", "damaged"),
        (npy_bytes(GRID_UM.astype(np.int16)), "m.npy", "file", "int16"),
        (npy_bytes(np.zeros((4, 16, 16))), "m.npy", "file", "not one 2-D grid"),
        (npy_bytes(np.zeros((8, 8))), "m.npy", "file", "at least 16 x 16"),
        (npy_bytes(np.full((16, 16), np.nan)), "m.npy", "file", "every height is missing"),
        (b"1,2,3\n4,abc,6\n", "m.csv", "file: line 2, column 2", "'abc' is not a number"),
        (b"1,2,3\n4,5\n7,8,9\n", "m.csv", "file: line 2", "2 values where the first row has 3"),
        (b"\xff\xfe\x00", "m.csv", "file", "not UTF-8"),
        (b"", "m.csv", "file", "no numbers"),
        (tiff_bytes(np.zeros((16, 16), dtype=np.uint16)), "m.tif", "file", "uint16"),
        (b"II*\x00garbage", "m.tif", "file", "holds no data"),
        (b"MM\x00\x2a", "m.tif", "file", "not a readable TIFF"),
        (b"Gwyddion Simple Field 2.0\n", "m.gsf", "file", "wrong magic line"),
        (
            gsf_by_hand(np.zeros((16, 16)), ["XRes = 16", "YRes = 16"])[:-10],
            "m.gsf",
            "file",
            "truncated",
        ),
        (gsf_by_hand(np.zeros((16, 16)), ["YRes = 16"]), "m.gsf", "file: XRes", "missing"),
        (
            gsf_by_hand(np.zeros((16, 16)), ["XRes = 16", "YRes = -4"]),
            "m.gsf",
            "file: YRes",
            "positive integer",
        ),
        (
            gsf_by_hand(
                np.zeros((16, 16)), ["XRes = 16", "YRes = 16", "XReal = 1e-3", "YReal = 2e-3"]
            ),
            "m.gsf",
            "file: XReal/YReal",
            "not square",
        ),
        (
            gsf_by_hand(np.zeros((16, 16)), ["XRes = 16", "YRes = 16", "ZUnits = furlong"]),
            "m.gsf",
            "file: ZUnits",
            "not a length unit",
        ),
        (b"whatever", "m.xyz", "file", "unknown height-map format"),
    ],
)
def test_bad_files_say_what_and_where(data: bytes, name: str, path: str, words: str) -> None:
    with pytest.raises(InputError) as error:
        read_height_map(data, name, pixel_size_mm=0.05)
    assert path in problem_paths(error)
    assert words in str(error.value)


@pytest.mark.parametrize("pixel", [-0.02, 0.0, float("nan"), 25.0])
def test_bad_pixel_size_names_the_option(pixel: float) -> None:
    with pytest.raises(InputError) as error:
        read_height_map(npy_bytes(GRID_UM), "m.npy", pixel_size_mm=pixel)
    assert problem_paths(error) == ["--pixel-size"]


def test_a_form_caller_gets_its_own_field_names() -> None:
    # The web upload form calls these pixel_size_mm and z_unit, not --pixel-size and --z-unit.
    with pytest.raises(InputError) as error:
        read_height_map(npy_bytes(GRID_UM), "m.npy", names=FORM_FIELDS)
    assert problem_paths(error) == ["pixel_size_mm"]
    assert "pixel_size_mm = 0.025" in error.value.problems[0].hint
    with pytest.raises(InputError) as error:
        read_height_map(npy_bytes(GRID_UM), "m.npy", pixel_size_mm=9.0, names=FORM_FIELDS)
    assert problem_paths(error) == ["pixel_size_mm"]
    with pytest.raises(InputError) as error:
        read_height_map(
            npy_bytes(GRID_UM), "m.npy", pixel_size_mm=0.05, z_unit="inch", names=FORM_FIELDS
        )
    assert problem_paths(error) == ["z_unit"]


def test_bad_z_unit_names_the_option() -> None:
    with pytest.raises(InputError) as error:
        read_height_map(npy_bytes(GRID_UM), "m.npy", pixel_size_mm=0.05, z_unit="inch")
    assert problem_paths(error) == ["--z-unit"]


@pytest.mark.parametrize(
    ("document", "path"),
    [
        (b"{not json", "sidecar"),
        (b"[1, 2]", "sidecar"),
        (json.dumps({"scarplan_height_map": 1, "pixel_size": 0.1}).encode(), "sidecar.pixel_size"),
        (json.dumps({"scarplan_height_map": 2}).encode(), "sidecar.scarplan_height_map"),
        (
            json.dumps({"scarplan_height_map": 1, "pixel_size_mm": "x"}).encode(),
            "sidecar.pixel_size_mm",
        ),
        (
            json.dumps({"scarplan_height_map": 1, "pixel_size_mm": -1}).encode(),
            "sidecar.pixel_size_mm",
        ),
        (json.dumps({"scarplan_height_map": 1, "z_unit": "yard"}).encode(), "sidecar.z_unit"),
    ],
)
def test_bad_sidecar_names_its_field(document: bytes, path: str) -> None:
    with pytest.raises(InputError) as error:
        read_height_map(npy_bytes(GRID_UM), "m.npy", sidecar=document)
    assert problem_paths(error) == [path]


def test_reading_never_changes_the_bytes_given() -> None:
    data = npy_bytes(GRID_UM)
    before = bytes(data)
    found = read_height_map(data, "m.npy", pixel_size_mm=0.05)
    assert data == before
    assert not found.heights_mm.flags.writeable


def test_builtin_formats_are_registered_like_any_other() -> None:
    suffixes = {suffix for fmt in registered_formats() for suffix in fmt.suffixes}
    assert suffixes == {".npy", ".tif", ".tiff", ".csv", ".gsf"}


def test_a_height_map_is_checked_and_read_only() -> None:
    with pytest.raises(TypeError):
        HeightMap(np.zeros((20, 20), dtype=np.float32), 0.05)
    with pytest.raises(InputError) as error:
        HeightMap(np.zeros((20, 20)), -1.0)
    assert problem_paths(error) == ["--pixel-size"]
    height_map = HeightMap(np.zeros((20, 30)), 0.05, "test")
    assert height_map.shape == (20, 30)
    assert height_map.width_mm == pytest.approx(1.5)
    with pytest.raises(ValueError, match="read-only"):
        height_map.heights_mm[0, 0] = 1.0
