"""Engines: SQLite in WAL mode with foreign keys on (the embedded default), or PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import NullPool

from scarplan.domain.errors import FieldProblem, InputError

SQLITE_BUSY_TIMEOUT_MS = 10_000
WRITE_OPTION = "scarplan_write"
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
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # The driver's own transaction handling is off (isolation_level=None), so we begin here.
    # A unit of work that will write asks for BEGIN IMMEDIATE: it takes the write lock up front,
    # so two writers queue on busy_timeout instead of one failing when it upgrades a read lock.
    immediate = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for a database URL; SQLite files get their directory created."""
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
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
        return engine
    if url.startswith("postgresql"):
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return create_engine(
            url,
            echo=echo,
            json_deserializer=orjson.loads,
            pool_pre_ping=True,
            pool_size=10,
            max_overflow=20,
        )
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
