"""`scarplan backup` and `scarplan restore` through the real entry point, on an SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from scarplan.adapters.db import make_engine, sqlite_url, upgrade
from scarplan.entrypoints.cli.app import main


def test_backup_writes_a_verified_file_and_will_not_overwrite_one_unless_forced(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "clinic.backup"

    assert main(["backup", str(target)]) == 0
    assert "Verified" in capsys.readouterr().out
    written = target.read_bytes()

    assert main(["backup", str(target)]) == 2
    assert f"{target}: exists already (pass --force" in capsys.readouterr().err
    assert main(["backup", str(target), "--force"]) == 0
    assert target.read_bytes()[:16] == written[:16] == b"SQLite format 3\x00"


def test_restore_asks_for_yes_then_reports_the_schema_revision(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "clinic.backup"
    assert main(["backup", str(target)]) == 0
    capsys.readouterr()

    assert main(["restore", str(target)]) == 2
    assert "--yes: is required" in capsys.readouterr().err

    assert main(["restore", str(target), "--yes"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_restoring_an_older_backup_says_that_serve_migrates_it(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old_dir = tmp_path / "old"
    engine = make_engine(sqlite_url(old_dir))
    upgrade(engine, "0001")
    engine.dispose()
    old = old_dir / "scarplan.sqlite3"

    assert main(["restore", str(old), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "revision 0001" in out
    assert "`scarplan serve` applies the missing migrations" in out


def test_a_bad_file_exits_2_and_says_the_database_was_left_as_it_was(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("not a backup\n" * 100)

    assert main(["restore", str(bad), "--yes"]) == 2
    error = capsys.readouterr().err
    assert "the database was left as it was" in error
    assert str(bad) in error
