"""`scarplan research export` through the real entry point, on an SQLite file: the subject ids
come from the salt in the database, so a second host (another data directory, the same
database) exports the same ones."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from scarplan.bootstrap import bootstrap
from scarplan.entrypoints.cli.app import main
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.records import patients
from support.clinic_data import patient_input


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'host-a' / 'scarplan.sqlite3'}"
    monkeypatch.setenv("SCARPLAN_DATA_DIR", str(tmp_path / "host-a"))
    monkeypatch.setenv("SCARPLAN_DATABASE_URL", url)
    monkeypatch.setenv("SCARPLAN_SECRET_KEY", "s" * 48)
    assert main(["mail", "status"]) == 0  # migrates the empty database
    clinic = bootstrap().clinic
    clinician = users.create_user(clinic, "dr.lee", "Dr Lee", "a long password 1", "clinician")
    patients.create_patient(clinic, clinician, patient_input("P-2001", "Lena Park"))
    patients.create_patient(clinic, clinician, patient_input("P-2002", "Omar Haddad"))
    clinic.audit.close()
    return url


def subjects(directory: Path) -> list[str]:
    with (directory / "patients.csv").open(encoding="utf-8", newline="") as rows:
        return sorted(row["subject"] for row in csv.DictReader(rows))


def test_two_hosts_export_the_same_subject_ids_and_write_no_salt_file(
    database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    assert main(["research", "export", str(tmp_path / "first")]) == 0
    assert "Research export (shifted dates)" in capsys.readouterr().out
    monkeypatch.setenv("SCARPLAN_DATA_DIR", str(tmp_path / "host-b"))
    assert main(["research", "export", str(tmp_path / "second"), "--dates", "years"]) == 0

    first, second = subjects(tmp_path / "first"), subjects(tmp_path / "second")
    assert len(first) == 2
    assert second == first
    assert not (tmp_path / "host-a" / "research_salt").exists()
    assert not (tmp_path / "host-b").exists()


def test_a_target_that_is_not_empty_is_refused_naming_it(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "full"
    target.mkdir()
    (target / "keep.txt").write_text("mine", encoding="utf-8")
    capsys.readouterr()

    assert main(["research", "export", str(target)]) == 2

    assert f"target: {target} is not an empty directory" in capsys.readouterr().err
    assert [path.name for path in target.iterdir()] == ["keep.txt"]
