"""`scarplan audit verify` through the real entry point, on an SQLite file (issue 24)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from scarplan.adapters.db import audit_guard, make_engine, sqlite_url
from scarplan.bootstrap import bootstrap
from scarplan.entrypoints.cli.app import main
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.records import patients
from support.clinic_data import patient_input


def use() -> None:
    container = bootstrap()
    clinic = container.clinic
    actor = users.create_user(
        clinic, "dr.lee", "Dr Lee", "correct horse battery staple", "clinician"
    )
    for code, name in (("P-0001", "Ana Silva"), ("P-0002", "Ben Okafor")):
        created = patients.create_patient(clinic, actor, patient_input(code, name))
        patients.get_patient(clinic, actor, created.id)
    clinic.audit.close()
    container.engine.dispose()


def tamper(data_dir: Path, statement: str) -> None:
    engine = make_engine(sqlite_url(data_dir))
    with engine.begin() as connection:
        audit_guard.remove(connection)
        connection.execute(text(statement))
        audit_guard.install(connection)
    engine.dispose()


def test_a_fresh_trail_verifies(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "verify"]) == 0
    assert "The audit trail is unbroken: 0 entries" in capsys.readouterr().out


def test_after_use_the_trail_verifies_with_its_count_and_head(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    use()

    assert main(["audit", "verify", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["intact"] is True
    assert result["entries"] == 4
    assert result["head"]["id"] == 4
    assert len(result["head"]["hash"]) == 64
    assert result["first_bad"] is None


def test_a_tampered_entry_is_named_and_exits_1(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    use()
    tamper(data_dir, "UPDATE audit_events SET address = '203.0.113.9' WHERE id = 2")

    assert main(["audit", "verify"]) == 1
    error = capsys.readouterr().err
    assert "The audit trail is broken at entry 2 (" in error
    assert "altered: its contents do not match its hash" in error


def test_backup_records_the_head_and_restore_checks_it(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    use()
    target = tmp_path / "clinic.backup"

    assert main(["backup", str(target)]) == 0
    said = capsys.readouterr().out
    manifest = json.loads((tmp_path / "clinic.backup.manifest.json").read_text())
    head = manifest["audit_head"]
    assert head["entries"] == 4
    assert head["last_id"] == 4
    assert head["last_hash"] in said

    # History rewritten after the backup, rehashed or not: the anchor still finds it.
    tamper(data_dir, "DELETE FROM audit_events WHERE id = 4")
    assert main(["audit", "verify"]) == 0
    capsys.readouterr()
    assert main(["audit", "verify", "--anchor", str(target)]) == 1
    assert "broken at entry 4: unanchored" in capsys.readouterr().err

    assert main(["restore", str(target), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "The audit trail is unbroken: 4 entries, head entry 4" in out
    assert "checked against the backup's manifest" in out
    assert main(["audit", "verify", "--anchor", str(target)]) == 0


def test_a_restore_whose_trail_does_not_match_its_manifest_exits_1(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    use()
    target = tmp_path / "clinic.backup"
    assert main(["backup", str(target)]) == 0
    manifest = tmp_path / "clinic.backup.manifest.json"
    document = json.loads(manifest.read_text())
    document["audit_head"]["last_hash"] = "f" * 64
    manifest.write_text(json.dumps(document))
    capsys.readouterr()

    assert main(["restore", str(target), "--yes"]) == 1
    assert "broken at entry 4" in capsys.readouterr().err


def test_a_damaged_manifest_stops_the_restore_before_it_starts(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "clinic.backup"
    assert main(["backup", str(target)]) == 0
    (tmp_path / "clinic.backup.manifest.json").write_text("{not json")
    capsys.readouterr()

    assert main(["restore", str(target), "--yes"]) == 2
    error = capsys.readouterr().err
    assert "the database was left as it was" in error
    assert "is not a backup manifest" in error
