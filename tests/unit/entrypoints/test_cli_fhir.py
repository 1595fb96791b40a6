"""`scarplan fhir export-case|export|import` through the real entry point, on an SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from scarplan.entrypoints.cli.app import main
from scarplan.services.demo_case import demo_cases_dir
from support.fhir import assert_valid, clinical_content, resources

MIXED = demo_cases_dir() / "mixed.yaml"


def test_export_case_writes_a_valid_bundle_readable_by_its_owner_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out" / "bundle.json"
    assert main(["fhir", "export-case", str(MIXED), "-o", str(target)]) == 0
    bundle = json.loads(target.read_text(encoding="utf-8"))
    assert_valid(bundle)
    assert f"resources to {target}" in capsys.readouterr().err
    assert target.stat().st_mode & 0o077 == 0


def test_export_case_without_a_file_prints_the_bundle(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fhir", "export-case", str(MIXED)]) == 0
    assert json.loads(capsys.readouterr().out)["resourceType"] == "Bundle"


def test_export_case_of_a_bad_case_exits_2_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = yaml.safe_load(MIXED.read_text(encoding="utf-8"))
    case["assessment"]["lesions"][0]["region"] = "cheek_middle"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(case), encoding="utf-8")
    assert main(["fhir", "export-case", str(path), "-o", str(tmp_path / "b.json")]) == 2
    assert "assessment.lesions[0].region" in capsys.readouterr().err
    assert not (tmp_path / "b.json").exists()


def test_export_case_import_export_round_trip(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert main(["fhir", "export-case", str(MIXED), "-o", str(first)]) == 0
    assert main(["fhir", "import", str(first)]) == 0
    assert "Imported patient EX-MIXED" in capsys.readouterr().out
    assert main(["fhir", "export", "EX-MIXED", "-o", str(second)]) == 0
    exported = json.loads(first.read_text(encoding="utf-8"))
    again = json.loads(second.read_text(encoding="utf-8"))
    (patient,) = resources(again, "Patient")
    assert patient.pop("name") == [{"text": "EX-MIXED"}]
    assert clinical_content(again) == clinical_content(exported)

    assert main(["fhir", "import", str(first)]) == 2  # the code is taken now
    err = capsys.readouterr().err
    assert "entry[0].resource.identifier[0].value" in err
    assert "already used" in err


def test_import_errors_exit_2_naming_the_bundle_path(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bundle.json"
    path.write_text("this is not JSON", encoding="utf-8")
    assert main(["fhir", "import", str(path)]) == 2
    assert "line 1, column 1" in capsys.readouterr().err

    assert main(["fhir", "export-case", str(MIXED), "-o", str(path)]) == 0
    bundle = json.loads(path.read_text(encoding="utf-8"))
    request = next(
        n
        for n, e in enumerate(bundle["entry"])
        if e["resource"]["resourceType"] == "ServiceRequest"
    )
    bundle["entry"][request]["resource"]["code"]["coding"][0]["code"] = "laser_magic"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    capsys.readouterr()
    assert main(["fhir", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"entry[{request}].resource.code.coding[0].code: 'laser_magic'" in err
    assert main(["fhir", "import", str(tmp_path / "missing.json")]) == 2


def test_export_of_an_unknown_patient_exits_2(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fhir", "export", "P-NOBODY"]) == 2
    assert "PATIENT_ID: no patient has the code 'P-NOBODY'" in capsys.readouterr().err
