"""The kb, config and version commands, driven through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from scarplan import __version__
from scarplan.entrypoints.cli.app import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"scarplan {__version__}"


def test_kb_validate_passes_on_the_shipped_knowledge_base(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["kb", "validate", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is True
    assert report["counts"]["procedures"] == 17


def test_kb_validate_fails_with_exit_2_naming_file_entry_and_field(
    kb_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = kb_copy / "modalities.yaml"
    data = yaml.safe_load(path.read_text())
    next(m for m in data["modalities"] if m["id"] == "tca_cross")["downtime_days"]["max"] = "x"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    monkeypatch.setenv("SCARPLAN_KNOWLEDGE_DIR", str(kb_copy))
    assert main(["kb", "validate"]) == 2
    err = capsys.readouterr().err
    assert "modalities.yaml" in err
    assert "'tca_cross'" in err
    assert "downtime_days.max" in err


def test_kb_show_tca_cross_is_a_readable_page(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "show", "tca_cross"]) == 0
    page = capsys.readouterr().out
    for expected in (
        "TCA concentration",
        "65-100 %",
        "sessions",
        "interval",
        "2-4 weeks",
        "downtime",
        "Risk by Fitzpatrick skin type",
        "IV, V, VI",
        "KHUNGER2011",
        "Sources",
    ):
        assert expected in page, expected


def test_kb_show_unknown_id_suggests_close_ids(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "show", "tca"]) == 2
    assert "tca_cross" in capsys.readouterr().err


def test_kb_list_kinds(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "list", "modalities", "--json"]) == 0
    ids = {row["id"] for row in json.loads(capsys.readouterr().out)["modalities"]}
    assert {"tca_cross", "subcision", "fractional_co2"} <= ids


def test_kb_list_rejects_an_unknown_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "list", "lasers"]) == 2


def test_config_show_lists_every_setting_with_a_description(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["config", "show", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    names = {row["setting"] for row in rows}
    assert {"data_dir", "currency", "prices", "default_gap_between_modalities_days"} <= names
    assert all(row["description"] for row in rows)
    assert all(row["env"].startswith("SCARPLAN_") for row in rows)


def test_bad_setting_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SCARPLAN_CURRENCY", "dollars")
    assert main(["config", "show"]) == 2
    assert "currency" in capsys.readouterr().err.lower()
