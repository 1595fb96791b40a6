"""`scarplan topo synth` and `scarplan topo analyze` through the real entry point."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from scarplan.entrypoints.cli.app import main

SMALL = [
    "--size",
    "640",
    "--pixel-size",
    "0.04",
    "--ice-pick",
    "3",
    "--boxcar",
    "3",
    "--rolling",
    "2",
    "--touching-pairs",
    "1",
]


@pytest.fixture(scope="module")
def small_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("topo") / "s.npy"
    assert main(["topo", "synth", "--seed", "2", "-o", str(path), *SMALL]) == 0
    return path


def analyze_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    capsys.readouterr()
    assert main(["topo", "analyze", *args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert isinstance(data, dict)
    return data


def test_synth_writes_the_map_and_its_sidecar(small_map: Path) -> None:
    sidecar = json.loads(small_map.with_name("s.npy.json").read_text())
    assert sidecar["pixel_size_mm"] == 0.04
    assert sidecar["z_unit"] == "um"
    assert len(sidecar["synthetic"]["scars"]) == 10
    assert np.load(small_map).shape == (640, 640)


def test_analyze_json_prints_the_contract(
    small_map: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = analyze_json(capsys, str(small_map))
    scars = data["scars"]
    assert isinstance(scars, list)
    assert len(scars) == 10
    required = {
        "x_mm",
        "y_mm",
        "type",
        "confidence",
        "diameter_mm",
        "depth_mm",
        "area_mm2",
        "volume_mm3",
    }
    assert all(required <= set(scar) for scar in scars)
    planted = json.loads(small_map.with_name("s.npy.json").read_text())["synthetic"]["scars"]
    assert data["counts_by_type"] == {
        name: sum(1 for scar in planted if scar["type"] == name)
        for name in ("ice_pick", "boxcar", "rolling")
    }
    roughness = data["roughness"]
    assert isinstance(roughness, dict)
    assert roughness["sq_um"] > roughness["sa_um"] > 0
    info = data["map"]
    assert isinstance(info, dict)
    assert info["shape"] == [640, 640]
    assert info["pixel_size_mm"] == 0.04
    truth = data["ground_truth"]
    assert isinstance(truth, dict)
    assert truth["f1"] >= 0.95
    assert truth["typing_accuracy"] >= 0.9
    assert "lesions" not in data


def test_region_adds_lesion_groups_as_a_case_file_names_them(
    small_map: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = analyze_json(capsys, str(small_map), "--region", "cheek_left")
    lesions = data["lesions"]
    assert isinstance(lesions, list)
    assert {lesion["type"] for lesion in lesions} == {"ice_pick", "boxcar", "rolling"}
    for lesion in lesions:
        assert set(lesion) == {"region", "type", "count", "width_mm", "depth_mm", "edges"}
        assert lesion["region"] == "cheek_left"
        assert lesion["edges"] in {"sharp", "sloped"}


def test_overlay_and_readable_summary(
    small_map: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    png = tmp_path / "o.png"
    assert main(["topo", "analyze", str(small_map), "--overlay", str(png)]) == 0
    text = capsys.readouterr().out
    assert "Scars" in text
    assert "Against the planted scars" in text
    assert png.read_bytes().startswith(b"\x89PNG")


def test_gsf_output_carries_its_own_pixel_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.gsf"
    assert main(["topo", "synth", "--seed", "4", "-o", str(path), *SMALL]) == 0
    path.with_name("s.gsf.json").unlink()  # the file alone is enough
    data = analyze_json(capsys, str(path))
    info = data["map"]
    assert isinstance(info, dict)
    assert info["pixel_size_mm"] == pytest.approx(0.04)
    assert "pixel size from file" in str(info["source"])


def test_options_override_the_sidecar(small_map: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = analyze_json(capsys, str(small_map), "--pixel-size", "0.05", "--z-unit", "um")
    info = data["map"]
    assert isinstance(info, dict)
    assert info["pixel_size_mm"] == 0.05


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--pixel-size", "-0.02"], "--pixel-size"),
        (["--region", "ear"], "--region"),
        (["--z-unit", "inch"], "--z-unit"),
        (["--overlay", "out.jpg"], "--overlay"),
    ],
)
def test_bad_options_exit_2_naming_them(
    small_map: Path, capsys: pytest.CaptureFixture[str], args: list[str], field: str
) -> None:
    assert main(["topo", "analyze", str(small_map), *args]) == 2
    captured = capsys.readouterr()
    assert field in captured.err
    assert captured.out == ""


def test_npy_without_pixel_size_exits_2_naming_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bare.npy"
    buffer = io.BytesIO()
    np.save(buffer, np.zeros((32, 32)))
    path.write_bytes(buffer.getvalue())
    assert main(["topo", "analyze", str(path)]) == 2
    assert "--pixel-size" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("broken.npy", b"\x93NUMPY garbage", "damaged"),
        ("grid.csv", b"1,2\n3\n", "line 2"),
        ("missing.npy", None, "No such file"),
    ],
)
def test_bad_files_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: bytes | None,
    words: str,
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    assert main(["topo", "analyze", str(path), "--pixel-size", "0.05"]) == 2
    assert words in capsys.readouterr().err


@pytest.mark.slow
def test_done_when_default_synth_then_analyze_recovers_the_scars(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's acceptance check, with the default 2048 x 2048 map."""
    path = tmp_path / "s.npy"
    assert main(["topo", "synth", "--seed", "1", "-o", str(path)]) == 0
    data = analyze_json(capsys, str(path))
    truth = data["ground_truth"]
    assert isinstance(truth, dict)
    assert truth["f1"] >= 0.95
    assert truth["typing_accuracy"] >= 0.90
    assert truth["median_diameter_error_mm"] <= 0.1
    assert truth["median_depth_error_fraction"] <= 0.10


def test_a_map_over_the_pixel_limit_exits_2_before_decoding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "wide.npy"
    buffer = io.BytesIO()
    np.save(buffer, np.zeros((80, 80)))
    path.write_bytes(buffer.getvalue())
    monkeypatch.setenv("SCARPLAN_HEIGHT_MAP_MAX_PIXELS", "4096")
    assert main(["topo", "analyze", str(path), "--pixel-size", "0.05"]) == 2
    assert "80 x 80 = 6,400 pixels, over the limit of 4,096" in capsys.readouterr().err
