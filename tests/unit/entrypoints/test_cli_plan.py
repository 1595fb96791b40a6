"""`scarplan plan` through the real entry point: the JSON contract, the table, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from scarplan.entrypoints.cli.app import main
from scarplan.services.demo_case import demo_cases_dir

MIXED = demo_cases_dir() / "mixed.yaml"


def test_plan_json_prints_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", str(MIXED), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {
        "recommended",
        "excluded",
        "sessions",
        "total_cost",
        "end_date",
        "routine",
        "notes",
        "notice",
    } <= set(data)
    for item in data["recommended"]:
        assert {"modality", "targets", "reasons", "cautions", "sources"} <= set(item)
        assert item["sources"], f"{item['modality']} cites nothing"
    for item in data["excluded"]:
        assert item["reasons"]
    days = [s["date"] for s in data["sessions"]]
    assert days == sorted(days)
    assert data["end_date"] == days[-1]
    for session in data["sessions"]:
        assert {"date", "modality", "regions", "downtime_days", "cost"} <= set(session)
    # Ice pick scars dominate the mixed case: a focal procedure is in the plan (reference 3.1).
    in_plan = {s["modality"] for s in data["sessions"]}
    assert in_plan & {"tca_cross", "punch_excision", "punch_elevation", "punch_grafting"}
    # The patient allows 7 days of downtime: fractional CO2 (up to 10.4 days) is excluded.
    assert "fractional_co2" in {e["modality"] for e in data["excluded"]}
    assert "does not replace" in data["notice"]


def test_plan_readable_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", str(MIXED)]) == 0
    text = capsys.readouterr().out
    assert "Session calendar" in text
    assert "Not possible now" in text
    assert "does not replace" in " ".join(text.split())


def test_impossible_budget_exits_2_naming_the_conflict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Clinic prices for the procedures without a published one, so the budget binds.
    prices = {"tca_cross": 250, "subcision": 400, "rf_microneedling": 600, "punch_grafting": 300}
    monkeypatch.setenv("SCARPLAN_PRICES", json.dumps(prices))
    case = yaml.safe_load(MIXED.read_text())
    case["preferences"]["budget"] = {"amount": 100, "currency": "USD"}
    path = tmp_path / "poor.yaml"
    path.write_text(yaml.safe_dump(case))
    assert main(["plan", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    constraints = {c["constraint"] for c in data["conflicts"]}
    assert "preferences.budget" in constraints
    budget = next(c for c in data["conflicts"] if c["constraint"] == "preferences.budget")
    assert "raise the budget" in budget["relax"]
    assert "preferences.budget" in captured.err


def test_bad_case_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("scarplan_case: 1\npatient: {id: X}\n")
    assert main(["plan", str(path)]) == 2
    assert "assessment" in capsys.readouterr().err
