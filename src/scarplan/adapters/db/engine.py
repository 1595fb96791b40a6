"""Engines: SQLite in WAL mode with foreign keys on (the embedded default), or PostgreSQL."""

from __future__ import annotations

import logging
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import NullPool

from scarplan.domain.errors import FieldProblem, InputError

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10_000
WRITE_OPTION = "scarplan_write"
READ_OPTION = "scarplan_read"
"""Set by a read unit of work: its statements may only read (`_refuse_writes_in_reads`)."""
_WRITE_VERBS = frozenset({"INSERT", "UPDATE", "DELETE", "MERGE", "CREATE", "DROP", "ALTER"})


def _refuse_writes_in_reads(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
    # On PostgreSQL a read runs without a transaction of its own (SqlUnitOfWork.read), so a
    # write slipped into one would be kept, not rolled back: refuse it, on SQLite too, where
    # the tests would find it first.
    if connection.get_execution_options().get(READ_OPTION, False):
        verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
        if verb in _WRITE_VERBS:
            raise RuntimeError(f"a read unit of work may not write ({verb}): use uow.write()")


SQLITE_POOL_SIZE = 20


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'scarplan.sqlite3').resolve()}"


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets readers work while one writer commits;
    # synchronous=NORMAL is durable under WAL except for the last commits on power loss.
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # Deleted rows are overwritten with zeros, not left in free pages: an erased patient's
    # name must not stay readable in the file (docs/privacy.md).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # The driver's own transaction handling is off (isolation_level=None), so we begin here.
    # A unit of work that will write asks for BEGIN IMMEDIATE: it takes the write lock up front,
    # so two writers queue on busy_timeout instead of one failing when it upgrades a read lock.
    immediate = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def writable_directory(directory: Path) -> Path:
    """Create `directory` (0700: patient data inside) if missing, and prove it writable.

    Raises one clear problem naming the directory and the fix instead of a traceback from deep
    inside SQLite or a write: a read-only data directory, one under a file, a full or read-only
    file system.
    """
    fix = (
        "make it writable by the account that runs scarplan (e.g. chown that account and "
        "chmod 700), or set SCARPLAN_DATA_DIR (or SCARPLAN_DATABASE_URL) to a directory that is"
    )
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        # os.access says yes to root even on a read-only mount: writing a file is the proof.
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as error:
        problem = FieldProblem(str(directory), f"is not writable ({error.strerror})", fix)
        raise InputError("the data directory cannot be used", [problem]) from None
    return directory


def private_database_file(path: Path) -> None:
    """The database file, created 0600 before SQLite opens it: SQLite gives its -wal and -shm
    files the database file's mode, so none of the three is readable by other accounts."""
    writable_directory(path.parent)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if not os.access(path, os.R_OK | os.W_OK):
            fix = "make it readable and writable by the account that runs scarplan (chmod 600)"
            problem = FieldProblem(str(path), "cannot be written by this account", fix)
            raise InputError("the database file cannot be used", [problem]) from None
        for existing in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            _tighten(existing)
        return
    except OSError as error:
        fix = "check the disk and SCARPLAN_DATA_DIR (or SCARPLAN_DATABASE_URL)"
        problem = FieldProblem(str(path), f"cannot be created ({error.strerror})", fix)
        raise InputError("the database file cannot be used", [problem]) from None
    os.close(descriptor)


def _tighten(path: Path) -> None:
    # A database made before this check (0644 under the usual umask) is closed to others too.
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            os.chmod(path, mode & 0o700)
    except FileNotFoundError:
        return
    except PermissionError as error:
        logger.warning("cannot make %s private (%s): chmod 600 it", path, error.strerror)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for a database URL; SQLite files are created private (0600) in a private
    (0700) directory, and a directory that cannot be written is refused in one message."""
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            private_database_file(Path(path))
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "isolation_level": None},
            # Stored documents are parsed with orjson: several times faster than json.
            json_deserializer=orjson.loads,
            # A pooled connection per concurrent request: opening one costs its pragmas again.
            **(
                {"poolclass": NullPool}
                if path == ":memory:"
                else {"pool_size": SQLITE_POOL_SIZE, "max_overflow": SQLITE_POOL_SIZE}
            ),
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "before_cursor_execute", _refuse_writes_in_reads)
        return engine
    if url.startswith("postgresql"):
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        engine = create_engine(
            url,
            echo=echo,
            json_deserializer=orjson.loads,
            pool_pre_ping=True,
            pool_size=10,
            max_overflow=20,
        )
        event.listen(engine, "before_cursor_execute", _refuse_writes_in_reads)
        return engine
    raise InputError(
        "unsupported database",
        [
            FieldProblem(
                "SCARPLAN_DATABASE_URL",
                f"{url.split(':', 1)[0]!r} is not supported",
                "use sqlite:///path/to/file.sqlite3 or postgresql://user@host/dbname",
            )
        ],
    )
