"""Back up the whole database to one file, and restore it: SQLite or PostgreSQL.

Every record lives in the database (photo bytes in `photo_blobs`, the audit trail in
`audit_events`), so one file holds all of it. A backup is written to a temporary file beside the
target, verified, then renamed into place: a crash never leaves a half-written file under the
target's name. A restore verifies the backup before it touches the database and changes it in
one step (a rename on SQLite, one transaction on PostgreSQL): when it fails, the database is as
it was.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Literal

import psycopg
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from psycopg import sql
from psycopg.conninfo import make_conninfo
from sqlalchemy import Engine, func, inspect, select, table
from sqlalchemy.engine import make_url

from scarplan.adapters.db.engine import make_engine
from scarplan.adapters.db.migrate import alembic_config, current_revision, head_revision
from scarplan.domain.errors import FieldProblem, InputError

Kind = Literal["sqlite", "postgresql"]
PgConnection = psycopg.Connection[tuple[object, ...]]
URL_FIELD = "SCARPLAN_DATABASE_URL"
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
PG_LOCK_TIMEOUT_S = 10.0
SQLITE_BUSY_TIMEOUT_S = 10.0
TOOL_TIMEOUT_S = 6 * 3600
FROM_BACKUP = "give a file written by `scarplan backup`"
STOP_APP = "stop `scarplan serve` and any other scarplan process using the database, then retry"


class SchemaState(StrEnum):
    CURRENT = "current"  # at this code's newest migration
    OLDER = "older"  # `scarplan serve` applies the missing migrations when it starts
    UNKNOWN = "unknown"  # a revision this code does not know: made by a newer scarplan


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size_bytes: int
    database: Kind
    revision: str
    row_counts: dict[str, int]  # per table, as in the backup file
    seconds: float


@dataclass(frozen=True)
class RestoreReport:
    path: Path
    size_bytes: int
    database: Kind
    revision: str | None  # the restored database's schema revision
    head: str  # the newest revision this code knows
    schema: SchemaState
    row_counts: dict[str, int]  # per table, as restored
    seconds: float


def backup(database_url: str, target: Path, *, overwrite: bool = False) -> BackupReport:
    """Copy the whole database to `target`, consistent as of one moment, while the app runs."""
    started = time.perf_counter()
    kind = _kind(database_url)
    target = target.expanduser().absolute()
    with _headline("the backup failed"), _temporary_beside(target, overwrite) as temporary:
        if kind == "sqlite":
            database = _sqlite_path(database_url)
            if target.resolve() in {database.resolve(), *_sqlite_sidecars(database.resolve())}:
                raise _problem(str(target), "is the database itself", "choose another file")
            revision, counts = _sqlite_backup(database, temporary)
        else:
            revision, counts = _pg_backup(_Server.from_url(database_url), temporary)
        _fsync(temporary)
        os.replace(temporary, target)
        _fsync(target.parent)
    seconds = time.perf_counter() - started
    return BackupReport(target, target.stat().st_size, kind, revision, counts, seconds)


def restore(
    database_url: str, source: Path, *, lock_timeout_s: float = PG_LOCK_TIMEOUT_S
) -> RestoreReport:
    """Replace everything in the database with the backup in `source`.

    SQLite refuses while another connection has the database open; PostgreSQL waits at most
    `lock_timeout_s` for tables other sessions are using, then gives up with nothing changed.
    """
    started = time.perf_counter()
    kind = _kind(database_url)
    source = source.expanduser().absolute()
    with _headline("the restore failed; the database was left as it was"):
        _check_source(source, kind)
        if kind == "sqlite":
            _sqlite_restore(source, _sqlite_path(database_url))
        else:
            _pg_restore(_Server.from_url(database_url), source, lock_timeout_s)
    engine = make_engine(database_url)
    try:
        revision, counts = current_revision(engine), _row_counts(engine)
    finally:
        engine.dispose()
    head = head_revision()
    state = _schema_state(revision, head)
    seconds = time.perf_counter() - started
    size = source.stat().st_size
    return RestoreReport(source, size, kind, revision, head, state, counts, seconds)


# --- both databases ---------------------------------------------------------------------------


def _problem(field: str, message: str, fix: str) -> InputError:
    return InputError("the backup or restore failed", [FieldProblem(field, message, fix)])


@contextlib.contextmanager
def _headline(message: str) -> Iterator[None]:
    """Say which of the two failed, above the problems."""
    try:
        yield
    except InputError as error:
        raise InputError(message, error.problems) from None


def _kind(database_url: str) -> Kind:
    if database_url.startswith("sqlite"):
        return "sqlite"
    if database_url.startswith("postgresql"):
        return "postgresql"
    scheme = database_url.split(":", 1)[0]
    fix = "use sqlite:///path/to/file.sqlite3 or postgresql://user@host/dbname"
    raise _problem(URL_FIELD, f"{scheme!r} databases cannot be backed up", fix)


def _check_source(source: Path, kind: Kind) -> None:
    if not source.is_file():
        raise _problem(str(source), "does not exist or is not a file", FROM_BACKUP)
    with source.open("rb") as handle:
        start = handle.read(len(SQLITE_MAGIC))
    if kind == "sqlite" and start.startswith(PG_DUMP_MAGIC):
        message, fix = "is a PostgreSQL backup, but the database is SQLite", "a PostgreSQL URL"
    elif kind == "postgresql" and start == SQLITE_MAGIC:
        message, fix = "is an SQLite backup, but the database is PostgreSQL", "no URL (SQLite)"
    else:
        return
    raise _problem(str(source), message, f"restore it with {URL_FIELD} set to {fix}")


@contextlib.contextmanager
def _temporary_beside(path: Path, overwrite: bool = True) -> Iterator[Path]:
    """A private (0600) file in `path`'s directory, so that the final rename is atomic."""
    if path.is_dir():
        raise _problem(str(path), "is a directory", "give a file name, e.g. DIR/scarplan.backup")
    if not path.parent.is_dir():
        raise _problem(str(path), "its directory does not exist", "create the directory first")
    if path.exists() and not overwrite:
        raise _problem(str(path), "exists already", "pass --force to overwrite it")
    try:
        descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix="~")
    except OSError as error:
        fix = "use a directory you can write to"
        raise _problem(str(path), f"cannot be written ({error.strerror})", fix) from None
    os.close(descriptor)
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: connection.scalar(select(func.count()).select_from(table(name))) or 0
            for name in sorted(inspect(connection).get_table_names())
        }


def _schema_state(revision: str | None, head: str) -> SchemaState:
    if revision == head:
        return SchemaState.CURRENT
    try:
        known = revision is not None and bool(
            ScriptDirectory.from_config(alembic_config()).get_revision(revision)
        )
    except CommandError:
        known = False
    return SchemaState.OLDER if known else SchemaState.UNKNOWN


# --- SQLite -----------------------------------------------------------------------------------


def _sqlite_path(database_url: str) -> Path:
    name = make_url(database_url).database
    if not name or name == ":memory:":
        raise _problem(URL_FIELD, "names an in-memory database", "use a database file")
    return Path(name).expanduser().absolute()


def _sqlite_sidecars(database: Path) -> tuple[Path, Path]:
    return Path(f"{database}-wal"), Path(f"{database}-shm")


def _sqlite_open(path: Path) -> contextlib.closing[sqlite3.Connection]:
    # mode=rw: a mistyped path is an error, not a new empty database.
    uri = f"{path.as_uri()}?mode=rw"
    return contextlib.closing(sqlite3.connect(uri, uri=True, timeout=SQLITE_BUSY_TIMEOUT_S))


def _sqlite_backup(database: Path, temporary: Path) -> tuple[str, dict[str, int]]:
    if not database.is_file():
        raise _problem(str(database), "does not exist", f"check SCARPLAN_DATA_DIR and {URL_FIELD}")
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
        raise _problem(str(database), f"could not be copied ({error})", fix) from None
    fix = "the database itself may be damaged: restore the last good backup"
    return _sqlite_contents(temporary, str(database), fix)


def _sqlite_contents(path: Path, field: str, fix: str) -> tuple[str, dict[str, int]]:
    """Check a database file's integrity and scarplan schema; return its revision and counts."""
    try:
        with _sqlite_open(path) as connection:
            found = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            if found != ["ok"]:
                raise _problem(field, f"fails SQLite's integrity check: {found[:3]}", fix)
            names = [
                row[0]
                for row in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
            if "alembic_version" not in names:
                raise _problem(field, "holds no scarplan data (no alembic_version table)", fix)
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            counts = {
                name: connection.execute(
                    'SELECT count(*) FROM "{}"'.format(name.replace('"', '""'))
                ).fetchone()[0]
                for name in names
            }
    except sqlite3.DatabaseError as error:
        raise _problem(field, f"is not a readable SQLite database ({error})", fix) from None
    if revision is None:
        raise _problem(field, "has no schema revision (alembic_version is empty)", fix)
    return str(revision[0]), counts


def _sqlite_restore(source: Path, database: Path) -> None:
    database.parent.mkdir(parents=True, exist_ok=True)
    with _temporary_beside(database) as temporary:
        shutil.copyfile(source, temporary)
        _sqlite_contents(temporary, str(source), FROM_BACKUP)
        _sqlite_quiesce(database)
        _keep_owner_and_mode(database, temporary)
        _fsync(temporary)
        # The old log is folded into the old file by now. Left beside the new file, SQLite
        # would replay its pages into a database they do not belong to.
        for sidecar in _sqlite_sidecars(database):
            sidecar.unlink(missing_ok=True)
        os.replace(temporary, database)
        _fsync(database.parent)


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
    if any(sidecar.exists() for sidecar in _sqlite_sidecars(database)):
        raise _problem(str(database), "is open in another program", STOP_APP)


# --- PostgreSQL -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Server:
    """libpq settings without the password, which goes through PGPASSWORD: never on a
    command line, where any local user could read it in the process list."""

    conninfo: str
    password: str | None

    @classmethod
    def from_url(cls, database_url: str) -> _Server:
        url = make_url(database_url)
        params = {key: value for key, value in url.query.items() if isinstance(value, str)}
        named = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
        params |= {key: str(value) for key, value in named.items() if value is not None}
        return cls(make_conninfo("", **params), url.password)

    def environment(self) -> dict[str, str]:
        password = {} if self.password is None else {"PGPASSWORD": self.password}
        return {**os.environ, **password}

    def connect(self) -> PgConnection:
        try:
            return psycopg.connect(make_conninfo(self.conninfo, password=self.password))
        except psycopg.OperationalError as error:
            fix = "check that the server runs and the URL's host, port, user and password"
            raise _problem(URL_FIELD, f"cannot connect ({str(error).strip()})", fix) from None


def _pg_tool(name: str) -> str:
    """A PostgreSQL client program: in pg_config's directory, else the newest Debian install
    (/usr/lib/postgresql/N/bin, not on PATH), else on PATH; as tests/support/postgres.py finds
    the server. pg_dump refuses a server newer than itself, so the newest is the one to use."""
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            bindir = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=30
            ).stdout.strip()
            if bindir and (Path(bindir) / name).is_file():
                return str(Path(bindir) / name)
    installed = [Path(d) / name for d in glob.glob("/usr/lib/postgresql/*/bin")]
    installed = [path for path in installed if path.is_file()]
    if installed:
        newest = max(installed, key=lambda p: [int(n) for n in re.findall(r"\d+", p.parts[-3])])
        return str(newest)
    found = shutil.which(name)
    if found is None:
        raise _problem(name, "was not found", "install the PostgreSQL client (postgresql-client)")
    return found


def _run(command: Sequence[str], server: _Server, field: str, fix: str) -> str:
    program = Path(command[0]).name
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=server.environment(),
            stdin=subprocess.DEVNULL,
            timeout=TOOL_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise _problem(field, f"{program} failed ({error})", fix) from None
    if done.returncode != 0:
        message = " ".join(done.stderr.split())[-600:] or f"exit code {done.returncode}"
        raise _problem(field, f"{program}: {message}", fix)
    return done.stdout


def _pg_value(connection: PgConnection, query: sql.SQL | sql.Composed) -> object:
    row = connection.execute(query).fetchone()
    return None if row is None else row[0]


def _pg_tables(connection: PgConnection) -> list[tuple[str, str]]:
    rows = connection.execute(
        "SELECT schemaname, tablename FROM pg_catalog.pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
    ).fetchall()
    return [(str(schema), str(name)) for schema, name in rows]


def _pg_backup(server: _Server, temporary: Path) -> tuple[str, dict[str, int]]:
    fix = "check that the server is reachable and pg_dump is at least the server's version"
    with server.connect() as connection:
        # The counts, the revision and pg_dump all read one exported snapshot: the report
        # describes exactly what is in the file, whatever the app writes meanwhile.
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        snapshot = _pg_value(connection, sql.SQL("SELECT pg_export_snapshot()"))
        tables = _pg_tables(connection)
        if ("public", "alembic_version") not in tables:
            raise _problem(URL_FIELD, "holds no scarplan data (no alembic_version table)", fix)
        revision = _pg_value(connection, sql.SQL("SELECT version_num FROM alembic_version"))
        count = sql.SQL("SELECT count(*) FROM {}")
        counts = {
            name if schema == "public" else f"{schema}.{name}": int(
                str(_pg_value(connection, count.format(sql.Identifier(schema, name))))
            )
            for schema, name in tables
        }
        dump = [_pg_tool("pg_dump"), "--format=custom", "--no-password", f"--snapshot={snapshot}"]
        _run([*dump, f"--file={temporary}", f"--dbname={server.conninfo}"], server, URL_FIELD, fix)
    if revision is None:
        raise _problem(URL_FIELD, "has no schema revision (alembic_version is empty)", fix)
    _pg_dumped(temporary, server, URL_FIELD)
    # Reading every data block back proves the whole file readable, not only its contents list.
    _run([_pg_tool("pg_restore"), f"--file={os.devnull}", str(temporary)], server, URL_FIELD, fix)
    return str(revision), counts


# A line of `pg_restore --list`: "218; 1259 16390 TABLE public patients postgres".
_TOC_ENTRY = re.compile(r"^\d+; \d+ \d+ (TABLE|FUNCTION) (?!DATA )(\S+) ([^\s(]+)")
_TOC_REVISION = re.compile(r"^\d+; \d+ \d+ TABLE DATA public alembic_version ")
_ROUTINES = """SELECT n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)
FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE p.prokind IN ('f', 'p') AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')"""


def _pg_dumped(dump: Path, server: _Server, field: str) -> set[tuple[str, str, str]]:
    """The tables and functions in a custom-format dump, as (kind, schema, name); the dump
    must hold scarplan's data."""
    listing = _run([_pg_tool("pg_restore"), "--list", str(dump)], server, field, FROM_BACKUP)
    lines = listing.splitlines()
    if not any(_TOC_REVISION.match(line) for line in lines):
        raise _problem(field, "holds no scarplan data (no alembic_version table)", FROM_BACKUP)
    return {(m[1], m[2], m[3]) for line in lines if (m := _TOC_ENTRY.match(line))}


def _pg_prepare(
    connection: PgConnection, dumped: set[tuple[str, str, str]], timeout_s: float
) -> str:
    """SQL to run before pg_restore's script, in the same transaction."""
    schemas = {schema for _, schema, _ in dumped}
    tables = [pair for pair in _pg_tables(connection) if pair[0] in schemas]
    names = [sql.Identifier(*pair).as_string(connection) for pair in tables]
    statements = [f"SET LOCAL lock_timeout = {int(timeout_s * 1000)}"]
    if tables:
        # Dropped here, while our lock timeout holds (pg_restore's script sets it to 0 and would
        # wait without end for a busy app), and with CASCADE: a newer schema's tables and
        # foreign keys, which the backup does not know of, would make --clean's drops fail.
        statements.append(f"DROP TABLE {', '.join(names)} CASCADE")
    # A function the backup lacks (from a newer migration) would make that migration fail.
    for schema, name, arguments in connection.execute(_ROUTINES).fetchall():
        if schema in schemas and ("FUNCTION", schema, name) not in dumped:
            routine = sql.Identifier(str(schema), str(name)).as_string(connection)
            statements.append(f"DROP ROUTINE IF EXISTS {routine}({arguments}) CASCADE")
    return "".join(f"{statement};\n" for statement in statements)


def _pg_restore(server: _Server, source: Path, lock_timeout_s: float) -> None:
    dumped = _pg_dumped(source, server, str(source))
    with server.connect() as connection:
        prepare = _pg_prepare(connection, dumped, lock_timeout_s)
    with tempfile.TemporaryDirectory(prefix="scarplan-restore-") as work:
        # The whole script first, then one transaction: psql must never commit a stream that
        # pg_restore cut short on a damaged file.
        first, script = Path(work) / "prepare.sql", Path(work) / "restore.sql"
        first.write_text(prepare, encoding="utf-8")
        pg_restore = [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner"]
        _run([*pg_restore, f"--file={script}", str(source)], server, str(source), FROM_BACKUP)
        psql = [_pg_tool("psql"), "-X", "-q", "--no-password", "--set=ON_ERROR_STOP=1"]
        files = [f"--file={first}", f"--file={script}", f"--dbname={server.conninfo}"]
        fix = f"if a lock timed out, {STOP_APP}"
        _run([*psql, "--single-transaction", *files], server, str(source), fix)
