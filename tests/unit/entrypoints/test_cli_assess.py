"""`scarplan assess` and `scarplan schema case` through the real entry point."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scarplan.entrypoints.cli.app import main
from scarplan.services.demo_case import demo_cases_dir

MIXED = demo_cases_dir() / "mixed.yaml"


def test_assess_json_prints_the_contract_for_the_mixed_example(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["assess", str(MIXED), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    # Contract keys (architecture.md), values checked by hand in docs/assessment.md.
    assert data["patient_id"] == "EX-MIXED"
    assert data["fitzpatrick"] == "III"
    assert data["counts_by_type"] == {"ice_pick": 23, "boxcar": 4, "rolling": 6}
    assert [lesion["type_source"] for lesion in data["lesions"]] == ["given"] * 4
    assert all(
        {"region", "type", "count", "type_source"} <= set(lesion) for lesion in data["lesions"]
    )
    assert data["goodman_baron"]["quantitative_score"] == 13
    assert data["goodman_baron"]["qualitative_grade"] == 4
    assert data["ecca"] == 115
    assert isinstance(data["warnings"], list)
    assert "does not replace" in data["notice"]


def test_assess_readable_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", str(MIXED)]) == 0
    text = capsys.readouterr().out
    assert "EX-MIXED" in text
    assert "ECCA" in text
    assert "115 / 540" in text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"assessment": {"lesions": [{"region": "ear", "count": 1, "type": "boxcar"}]}}, "region"),
        ({"assessment": {"lesions": [{"region": "chin", "count": -2, "type": "boxcar"}]}}, "count"),
        (
            {"assessment": {"lesions": [{"region": "chin", "count": 1, "width_mm": "abc"}]}},
            "width_mm",
        ),
        ({"patient": {"sex": "female"}}, "patient.id"),
        ({"assessment": {"date": "2999-01-01"}}, "assessment.date"),
        ({"scarplan_case": 7}, "scarplan_case"),
    ],
)
def test_bad_input_exits_2_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict[str, object], field: str
) -> None:
    case = yaml.safe_load(MIXED.read_text())
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(case.get(key), dict):
            if key == "patient":
                case[key] = value  # replaces the patient, dropping its id
            else:
                case[key] = {**case[key], **value}
        else:
            case[key] = value
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(case))
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["assess", str(path)]) == 2
    captured = capsys.readouterr()
    assert field in captured.err
    assert captured.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


def test_missing_case_file_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", "/no/such/case.yaml"]) == 2
    assert "/no/such/case.yaml" in capsys.readouterr().err


def test_schema_case_prints_a_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "case"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert set(schema["required"]) == {"scarplan_case", "patient", "assessment"}


def test_installed_console_script_uses_exit_code_2() -> None:
    script = shutil.which("scarplan", path=str(Path(sys.executable).parent))
    assert script is not None
    result = subprocess.run(
        [script, "assess", "/no/such/case.yaml"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "error" in result.stderr


def test_demo_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    assert "EX-MIXED" in capsys.readouterr().out
