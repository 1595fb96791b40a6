"""`backup` and `restore`: the steps both databases share, around each one's own copy."""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import Engine, inspect

from scarplan.adapters.db import audit_chain
from scarplan.adapters.db.audit_chain import BadEntry, ChainHead, ChainReport, Flaw
from scarplan.adapters.db.backup.files import fsync, temporary_beside
from scarplan.adapters.db.backup.manifest import manifest_anchor, manifest_path, write_manifest
from scarplan.adapters.db.backup.pg_client import Server
from scarplan.adapters.db.backup.postgres import postgres_backup, postgres_restore
from scarplan.adapters.db.backup.problems import FROM_BACKUP, URL_FIELD, headline, problem
from scarplan.adapters.db.backup.reports import (
    BackupReport,
    Kind,
    RestoreReport,
    row_counts,
    schema_state,
)
from scarplan.adapters.db.backup.sqlite import (
    sqlite_backup,
    sqlite_path,
    sqlite_restore,
    sqlite_sidecars,
)
from scarplan.adapters.db.engine import make_engine
from scarplan.adapters.db.migrate import current_revision, head_revision

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
PG_LOCK_TIMEOUT_S = 10.0


def backup(database_url: str, target: Path, *, overwrite: bool = False) -> BackupReport:
    """Copy the whole database to `target`, consistent as of one moment, while the app runs."""
    started = time.perf_counter()
    kind = _kind(database_url)
    target = target.expanduser().absolute()
    with headline("the backup failed"), temporary_beside(target, overwrite) as temporary:
        if kind == "sqlite":
            database = sqlite_path(database_url)
            if target.resolve() in {database.resolve(), *sqlite_sidecars(database.resolve())}:
                raise problem(str(target), "is the database itself", "choose another file")
            revision, counts, head = sqlite_backup(database, temporary)
        else:
            revision, counts, head = postgres_backup(Server.from_url(database_url), temporary)
        fsync(temporary)
        os.replace(temporary, target)
        fsync(target.parent)
        manifest = write_manifest(target, revision, counts, head)
    seconds = time.perf_counter() - started
    size = target.stat().st_size
    return BackupReport(target, size, kind, revision, counts, seconds, head, manifest)


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
    with headline("the restore failed; the database was left as it was"):
        _check_source(source, kind)
        # Read first: a damaged manifest stops the restore before anything is replaced.
        anchor = manifest_anchor(source) if manifest_path(source).exists() else None
        if kind == "sqlite":
            sqlite_restore(source, sqlite_path(database_url))
        else:
            postgres_restore(Server.from_url(database_url), source, lock_timeout_s)
    engine = make_engine(database_url)
    try:
        revision, counts = current_revision(engine), row_counts(engine)
        audit = restored_trail(engine, anchor)
    finally:
        engine.dispose()
    head = head_revision()
    state = schema_state(revision, head)
    seconds = time.perf_counter() - started
    size = source.stat().st_size
    return RestoreReport(
        source, size, kind, revision, head, state, counts, seconds, audit, anchor is not None
    )


def restored_trail(engine: Engine, anchor: ChainHead | None) -> ChainReport | None:
    """The restored audit trail verified, against the backup's manifest when there is one;
    None for a schema from before the hash chain (`scarplan serve` chains it when migrating)."""
    with engine.connect() as connection:
        schema = inspect(connection)
        if not schema.has_table("audit_events"):
            return None
        if "entry_hash" not in {column["name"] for column in schema.get_columns("audit_events")}:
            return None
        report = audit_chain.verify(connection, anchor)
    if report.intact and anchor is not None and report.head.last_id != anchor.last_id:
        message = f"the backup holds entries after entry {anchor.last_id}, its manifest's head"
        bad = BadEntry(report.head.last_id, None, Flaw.UNANCHORED, message)
        return ChainReport(report.head, bad)
    return report


def _kind(database_url: str) -> Kind:
    if database_url.startswith("sqlite"):
        return "sqlite"
    if database_url.startswith("postgresql"):
        return "postgresql"
    scheme = database_url.split(":", 1)[0]
    fix = "use sqlite:///path/to/file.sqlite3 or postgresql://user@host/dbname"
    raise problem(URL_FIELD, f"{scheme!r} databases cannot be backed up", fix)


def _check_source(source: Path, kind: Kind) -> None:
    if not source.is_file():
        raise problem(str(source), "does not exist or is not a file", FROM_BACKUP)
    with source.open("rb") as handle:
        start = handle.read(len(SQLITE_MAGIC))
    if kind == "sqlite" and start.startswith(PG_DUMP_MAGIC):
        message, fix = "is a PostgreSQL backup, but the database is SQLite", "a PostgreSQL URL"
    elif kind == "postgresql" and start == SQLITE_MAGIC:
        message, fix = "is an SQLite backup, but the database is PostgreSQL", "no URL (SQLite)"
    else:
        return
    raise problem(str(source), message, f"restore it with {URL_FIELD} set to {fix}")
