"""The SQLite files hold patient data: private to the app's account, scrubbed after an erasure,
and a data directory that cannot be written is one clear message, not a traceback (issue 24).

These run on SQLite files of their own (the findings are about SQLite's files), whatever
database the rest of the suite uses.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scarplan.adapters.db import make_engine, sqlite_url, upgrade
from scarplan.bootstrap import Container, bootstrap
from scarplan.entrypoints.cli.app import main
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.exchange import patient_data
from scarplan.services.clinic.records import patients
from scarplan.settings import Settings
from support.clinic_data import patient_input

NAME, CODE = "Zephyrine Quillfeather", "P-ERASE-7731"
PASSWORD = "correct horse battery staple"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most accounts have (022): files come out 0644 unless the app says otherwise."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


@pytest.fixture
def container(tmp_path: Path, usual_umask: None) -> Iterator[Container]:
    now = datetime(2026, 12, 7, 9, tzinfo=UTC)
    built = bootstrap(Settings(data_dir=tmp_path / "data"), clock=lambda: now)
    upgrade(built.engine)
    yield built
    built.clinic.audit.close()
    built.engine.dispose()


def test_a_new_database_its_log_and_its_directory_are_private(
    container: Container, tmp_path: Path
) -> None:
    users.create_user(container.clinic, "dr.lee", "Dr Lee", PASSWORD, "clinician")
    database = tmp_path / "data" / "scarplan.sqlite3"
    wal, shm = Path(f"{database}-wal"), Path(f"{database}-shm")

    assert wal.exists()  # the engine is open: WAL mode
    assert shm.exists()
    assert mode(tmp_path / "data") == 0o700
    assert {path.name: mode(path) for path in (database, wal, shm)} == {
        database.name: 0o600,
        wal.name: 0o600,
        shm.name: 0o600,
    }


def test_an_existing_world_readable_database_is_made_private(
    tmp_path: Path, usual_umask: None
) -> None:
    engine = make_engine(sqlite_url(tmp_path))
    upgrade(engine)
    engine.dispose()
    database = tmp_path / "scarplan.sqlite3"
    database.chmod(0o644)

    engine = make_engine(sqlite_url(tmp_path))
    engine.dispose()

    assert mode(database) == 0o600


def test_after_an_erasure_the_name_and_code_are_gone_from_the_database_files(
    container: Container, tmp_path: Path
) -> None:
    clinic = container.clinic
    clinician = users.create_user(clinic, "dr.lee", "Dr Lee", PASSWORD, "clinician")
    admin = users.create_user(clinic, "admin", "Admin", PASSWORD, "admin")
    patient = patients.create_patient(clinic, clinician, patient_input(CODE, NAME))
    patients.create_patient(clinic, clinician, patient_input("P-0002", "Ben Okafor"))
    files = [tmp_path / "data" / "scarplan.sqlite3", tmp_path / "data" / "scarplan.sqlite3-wal"]

    def raw() -> bytes:
        return b"".join(path.read_bytes() for path in files if path.exists())

    assert NAME.encode() in raw()  # the test can fail: the name is there before

    patient_data.erase_patient(clinic, admin, patient.id, "patient asked by letter")

    found = raw()
    assert NAME.encode() not in found
    assert CODE.encode() not in found
    assert NAME.split()[1].encode() not in found  # the search name (folded) too
    assert b"Ben Okafor" in found  # the others' records stay


def unwritable(tmp_path: Path) -> Path:
    """A data directory the app cannot write: chmod 0500, or, where that does not stop this
    account (root), a directory under a regular file."""
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        (locked / "probe").touch()
    except PermissionError:
        return locked
    (locked / "probe").unlink()
    locked.chmod(0o700)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")
    return blocker / "data"


@pytest.mark.parametrize(
    "command",
    [["serve"], ["serve", "--demo"], ["audit", "verify"], ["user", "list"]],
    ids=" ".join,
)
def test_an_unwritable_data_directory_is_one_clear_line_and_exit_2(
    command: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    directory = unwritable(tmp_path)
    monkeypatch.setenv("SCARPLAN_DATA_DIR", str(directory))
    monkeypatch.delenv("SCARPLAN_DATABASE_URL", raising=False)
    monkeypatch.setenv("SCARPLAN_SECRET_KEY", "q8VnX2rLk4Tz9WmC1pH7sJd3Fb6Ye0Ua")
    monkeypatch.setenv("SCARPLAN_SECURE_COOKIES", "true")

    code = main(command)

    error = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in error
    problem = [line for line in error.splitlines() if str(directory) in line]
    assert len(problem) == 1
    assert "is not writable" in problem[0]
    assert "chmod 700" in problem[0]
