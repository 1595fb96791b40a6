"""PostgreSQL: pg_dump of one exported snapshot, and a restore in one transaction."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql

from scarplan.adapters.db.audit_chain import ChainHead
from scarplan.adapters.db.backup.manifest import postgres_head
from scarplan.adapters.db.backup.pg_client import (
    PgConnection,
    Server,
    pg_tables,
    pg_tool,
    pg_value,
    run,
)
from scarplan.adapters.db.backup.problems import FROM_BACKUP, STOP_APP, URL_FIELD, problem


def postgres_backup(
    server: Server, temporary: Path
) -> tuple[str, dict[str, int], ChainHead | None]:
    fix = "check that the server is reachable and pg_dump is at least the server's version"
    with server.connect() as connection:
        # The counts, the revision and pg_dump all read one exported snapshot: the report
        # describes exactly what is in the file, whatever the app writes meanwhile.
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        snapshot = pg_value(connection, sql.SQL("SELECT pg_export_snapshot()"))
        tables = pg_tables(connection)
        if ("public", "alembic_version") not in tables:
            raise problem(URL_FIELD, "holds no scarplan data (no alembic_version table)", fix)
        revision = pg_value(connection, sql.SQL("SELECT version_num FROM alembic_version"))
        count = sql.SQL("SELECT count(*) FROM {}")
        counts = {
            name if schema == "public" else f"{schema}.{name}": int(
                str(pg_value(connection, count.format(sql.Identifier(schema, name))))
            )
            for schema, name in tables
        }
        head = postgres_head(connection)
        dump = [pg_tool("pg_dump"), "--format=custom", "--no-password", f"--snapshot={snapshot}"]
        run([*dump, f"--file={temporary}", f"--dbname={server.conninfo}"], server, URL_FIELD, fix)
    if revision is None:
        raise problem(URL_FIELD, "has no schema revision (alembic_version is empty)", fix)
    _pg_dumped(temporary, server, URL_FIELD)
    # Reading every data block back proves the whole file readable, not only its contents list.
    run([pg_tool("pg_restore"), f"--file={os.devnull}", str(temporary)], server, URL_FIELD, fix)
    return str(revision), counts, head


# A line of `pg_restore --list`: "218; 1259 16390 TABLE public patients postgres".
_TOC_ENTRY = re.compile(r"^\d+; \d+ \d+ (TABLE|FUNCTION|TYPE) (?!DATA )(\S+) ([^\s(]+)")
_TOC_REVISION = re.compile(r"^\d+; \d+ \d+ TABLE DATA public alembic_version ")
_ROUTINES = """SELECT n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)
FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE p.prokind IN ('f', 'p') AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')"""
_TYPES = """SELECT n.nspname, t.typname
FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE (t.typtype = 'e' OR (t.typtype = 'c' AND EXISTS (
    SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c')))
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')"""


def _pg_dumped(dump: Path, server: Server, field: str) -> set[tuple[str, str, str]]:
    """The tables and functions in a custom-format dump, as (kind, schema, name); the dump
    must hold scarplan's data."""
    listing = run([pg_tool("pg_restore"), "--list", str(dump)], server, field, FROM_BACKUP)
    lines = listing.splitlines()
    if not any(_TOC_REVISION.match(line) for line in lines):
        raise problem(field, "holds no scarplan data (no alembic_version table)", FROM_BACKUP)
    return {(m[1], m[2], m[3]) for line in lines if (m := _TOC_ENTRY.match(line))}


def _pg_prepare(
    connection: PgConnection, dumped: set[tuple[str, str, str]], timeout_s: float
) -> str:
    """SQL to run before pg_restore's script, in the same transaction."""
    schemas = {schema for _, schema, _ in dumped}
    tables = [pair for pair in pg_tables(connection) if pair[0] in schemas]
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
    # Likewise a type (the job queue's, on a backup from before it).
    for schema, name in connection.execute(_TYPES).fetchall():
        if schema in schemas and ("TYPE", schema, name) not in dumped:
            kind = sql.Identifier(str(schema), str(name)).as_string(connection)
            statements.append(f"DROP TYPE IF EXISTS {kind} CASCADE")
    return "".join(f"{statement};\n" for statement in statements)


def postgres_restore(server: Server, source: Path, lock_timeout_s: float) -> None:
    dumped = _pg_dumped(source, server, str(source))
    with server.connect() as connection:
        prepare = _pg_prepare(connection, dumped, lock_timeout_s)
    with tempfile.TemporaryDirectory(prefix="scarplan-restore-") as work:
        # The whole script first, then one transaction: psql must never commit a stream that
        # pg_restore cut short on a damaged file.
        first, script = Path(work) / "prepare.sql", Path(work) / "restore.sql"
        first.write_text(prepare, encoding="utf-8")
        pg_restore = [pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner"]
        run([*pg_restore, f"--file={script}", str(source)], server, str(source), FROM_BACKUP)
        psql = [pg_tool("psql"), "-X", "-q", "--no-password", "--set=ON_ERROR_STOP=1"]
        files = [f"--file={first}", f"--file={script}", f"--dbname={server.conninfo}"]
        fix = f"if a lock timed out, {STOP_APP}"
        run([*psql, "--single-transaction", *files], server, str(source), fix)
