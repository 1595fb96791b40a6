"""SQLite: an online copy with the backup API, and a restore by rename while nobody has it open."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import stat
from pathlib import Path

from sqlalchemy.engine import make_url

from scarplan.adapters.db.audit_chain import ChainHead
from scarplan.adapters.db.backup.files import fsync, temporary_beside
from scarplan.adapters.db.backup.manifest import sqlite_head
from scarplan.adapters.db.backup.problems import FROM_BACKUP, STOP_APP, URL_FIELD, problem

SQLITE_BUSY_TIMEOUT_S = 10.0


def sqlite_path(database_url: str) -> Path:
    name = make_url(database_url).database
    if not name or name == ":memory:":
        raise problem(URL_FIELD, "names an in-memory database", "use a database file")
    return Path(name).expanduser().absolute()


def sqlite_sidecars(database: Path) -> tuple[Path, Path]:
    return Path(f"{database}-wal"), Path(f"{database}-shm")


def _sqlite_open(path: Path) -> contextlib.closing[sqlite3.Connection]:
    # mode=rw: a mistyped path is an error, not a new empty database.
    uri = f"{path.as_uri()}?mode=rw"
    return contextlib.closing(sqlite3.connect(uri, uri=True, timeout=SQLITE_BUSY_TIMEOUT_S))


def sqlite_backup(database: Path, temporary: Path) -> tuple[str, dict[str, int], ChainHead | None]:
    if not database.is_file():
        raise problem(str(database), "does not exist", f"check SCARPLAN_DATA_DIR and {URL_FIELD}")
    try:
        with (
            _sqlite_open(database) as source,
            contextlib.closing(sqlite3.connect(temporary)) as copy,
        ):
            # All pages in one step: one read transaction, so one consistent moment; under WAL
            # the app's writers carry on meanwhile.
            source.backup(copy)
            # A self-contained file: no -wal beside it that copying could leave behind.
            copy.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as error:
        fix = "check disk space and permissions"
        raise problem(str(database), f"could not be copied ({error})", fix) from None
    fix = "the database itself may be damaged: restore the last good backup"
    revision, counts = _sqlite_contents(temporary, str(database), fix)
    with _sqlite_open(temporary) as copied:
        head = sqlite_head(copied)
    return revision, counts, head


def _sqlite_contents(path: Path, field: str, fix: str) -> tuple[str, dict[str, int]]:
    """Check a database file's integrity and scarplan schema; return its revision and counts."""
    try:
        with _sqlite_open(path) as connection:
            found = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            if found != ["ok"]:
                raise problem(field, f"fails SQLite's integrity check: {found[:3]}", fix)
            names = [
                row[0]
                for row in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
            if "alembic_version" not in names:
                raise problem(field, "holds no scarplan data (no alembic_version table)", fix)
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            counts = {
                name: connection.execute(
                    'SELECT count(*) FROM "{}"'.format(name.replace('"', '""'))
                ).fetchone()[0]
                for name in names
            }
    except sqlite3.DatabaseError as error:
        raise problem(field, f"is not a readable SQLite database ({error})", fix) from None
    if revision is None:
        raise problem(field, "has no schema revision (alembic_version is empty)", fix)
    return str(revision[0]), counts


def sqlite_restore(source: Path, database: Path) -> None:
    database.parent.mkdir(parents=True, exist_ok=True)
    with temporary_beside(database) as temporary:
        shutil.copyfile(source, temporary)
        _sqlite_contents(temporary, str(source), FROM_BACKUP)
        _sqlite_quiesce(database)
        _keep_owner_and_mode(database, temporary)
        fsync(temporary)
        # The old log is folded into the old file by now. Left beside the new file, SQLite
        # would replay its pages into a database they do not belong to.
        for sidecar in sqlite_sidecars(database):
            sidecar.unlink(missing_ok=True)
        os.replace(temporary, database)
        fsync(database.parent)


def _keep_owner_and_mode(database: Path, replacement: Path) -> None:
    """The app's account must still be able to write the database after root restored it."""
    if not database.exists():
        return
    status = database.stat()
    os.chmod(replacement, stat.S_IMODE(status.st_mode))
    with contextlib.suppress(PermissionError):  # only root can give a file away; others own it
        os.chown(replacement, status.st_uid, status.st_gid)


def _sqlite_quiesce(database: Path) -> None:
    """Refuse if anyone has the database open; else its write-ahead log is folded in by now.

    Replacing the file under a running app would leave the app writing to the old, unlinked
    file: those writes would be lost without a word. When the last connection closes, SQLite
    checkpoints the -wal file into the database and deletes it; if it is still there after
    ours closed, another connection is open.
    """
    if not database.exists():
        return
    try:
        with _sqlite_open(database) as connection:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError:
        return  # a damaged database is what a restore is for: nothing in it can be kept
    if any(sidecar.exists() for sidecar in sqlite_sidecars(database)):
        raise problem(str(database), "is open in another program", STOP_APP)
