"""`scarplan routine` through the real entry point (issue 5 'done when')."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from scarplan.entrypoints.cli.app import main
from scarplan.services.demo_case import demo_cases_dir

MIXED = demo_cases_dir() / "mixed.yaml"
RETINOIDS = {"tretinoin", "adapalene", "retinol"}


def _agents(data: dict[str, list[dict[str, object]]]) -> set[object]:
    return {step["agent"] for step in data["am"] + data["pm"]}


def test_mixed_routine_has_am_pm_calendar_and_checks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["routine", str(MIXED), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["am"][-1]["agent"] == "sunscreen"  # last in the morning, always
    assert _agents(data) & RETINOIDS
    events = {entry["event"] for entry in data["calendar"]}
    assert {"start", "step up", "healing"} <= events  # titration and the planned sessions
    assert data["checks"]
    assert all(check["resolution"] for check in data["checks"])
    assert "does not replace" in data["notice"]


def test_pregnancy_removes_every_retinoid_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = yaml.safe_load(MIXED.read_text())
    case["patient"]["pregnant"] = True
    path = tmp_path / "pregnant.yaml"
    path.write_text(yaml.safe_dump(case))
    assert main(["routine", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert not _agents(data) & RETINOIDS
    left = {item["agent"]: item for item in data["left_out"]}
    assert set(left) >= RETINOIDS
    assert all(left[r]["sources"] for r in RETINOIDS)
    assert "pregnancy" in {check["kind"] for check in data["checks"]}


def test_readable_routine(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["routine", str(MIXED)]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "Morning" in text
    assert "Evening" in text
    assert "Calendar" in text
