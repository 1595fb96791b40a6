"""`scarplan schedule` through the real entry point: both forms, the contract, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scarplan.entrypoints.cli.app import main

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "schedule" / "small.json"


def test_schedule_json_prints_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", str(EXAMPLE), "--json", "--time-limit", "10"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"assignments", "unscheduled", "objective", "bound", "status", "moves", "stats"} <= set(
        data
    )
    assert data["status"] == "optimal"
    for booking in data["assignments"]:
        assert {
            "session",
            "patient",
            "date",
            "start",
            "end",
            "practitioner",
            "device",
            "room",
        } == set(booking)
    reasons = {u["session"]: u for u in data["unscheduled"]}
    assert reasons["P-004/2"]["code"] == "no_device"
    assert data["objective"]["scheduled"] == len(data["assignments"]) == 11


def test_schedule_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", str(EXAMPLE)]) == 0
    text = capsys.readouterr().out
    assert "Bookings" in text
    assert "Not booked" in text


def test_generate_then_schedule_then_reschedule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    instance = tmp_path / "clinic.json"
    arguments = ["schedule", "generate", "--patients", "3", "--seed", "5", "--start", "2027-01-04"]
    assert main([*arguments, "-o", str(instance)]) == 0
    capsys.readouterr()
    assert main([*arguments]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(instance.read_text())
    assert main(["schedule", str(instance), "--json", "--time-limit", "10"]) == 0
    previous = tmp_path / "result.json"
    previous.write_text(capsys.readouterr().out)
    assert main(["schedule", str(instance), "--json", "--previous", str(previous)]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["moves"] == []
    assert again["objective"]["moved"] == 0


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["schedule", "generate", "--seed", "1"], "--patients"),
        (["schedule", "generate", "--patients", "2", "--workers", "2"], "--workers"),
        (["schedule", str(EXAMPLE), "--patients", "2"], "--patients"),
        (["schedule", "generate", "--patients", "2", "--start", "soon"], "--start"),
        (["schedule", "missing.json"], "missing.json"),
    ],
)
def test_bad_input_exits_2_naming_the_field(
    arguments: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(arguments) == 2
    assert named in capsys.readouterr().err


def test_an_invalid_instance_names_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(EXAMPLE.read_text())
    document["patients"][0]["sessions"][0]["min_days_after_previous"] = 3
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document))
    assert main(["schedule", str(broken)]) == 2
    assert "patients[0].sessions[0].min_days_after_previous" in capsys.readouterr().err
