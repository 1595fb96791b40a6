"""Database triggers that keep the audit trail append-only, on SQLite and PostgreSQL.

The app never updates or deletes an audit row; these make the database refuse it too, so a bug
or a stray SQL statement through the app's connection cannot rewrite history. Migration 0002
installs the update and delete guards; migration 0007 adds the one against SQLite's
`INSERT OR REPLACE`, which deletes the old row without firing delete triggers. PostgreSQL needs
no extra guard: `INSERT ... ON CONFLICT DO UPDATE` fires the statement-level UPDATE trigger.
Only tests (emptying tables between cases) lift them with `remove`, and put them back with
`install`.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

REFUSED = "the audit trail is append-only"

_SQLITE_APPEND_ONLY = [
    f"""CREATE TRIGGER audit_events_no_{verb} BEFORE {verb.upper()} ON audit_events
    BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END"""
    for verb in ("update", "delete")
]
_SQLITE_APPEND_ONLY_REMOVE = [
    "DROP TRIGGER audit_events_no_update",
    "DROP TRIGGER audit_events_no_delete",
]
# REPLACE resolves the id conflict by deleting the old row first (delete triggers do not fire
# unless recursive_triggers is on): refusing any insert whose id is taken closes it.
_SQLITE_NO_REPLACE = [
    f"""CREATE TRIGGER audit_events_no_replace BEFORE INSERT ON audit_events
    WHEN EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END"""
]
_SQLITE_NO_REPLACE_REMOVE = ["DROP TRIGGER audit_events_no_replace"]
_POSTGRESQL_APPEND_ONLY = [
    f"""CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '{REFUSED}'; END $$""",
    """CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE
    ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()""",
]
_POSTGRESQL_APPEND_ONLY_REMOVE = [
    "DROP TRIGGER audit_events_append_only ON audit_events",
    "DROP FUNCTION audit_events_append_only()",
]


def _run(connection: Connection, statements: list[str]) -> None:
    for statement in statements:
        connection.execute(text(statement))


def _postgresql(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def install_append_only(connection: Connection) -> None:
    """Refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE): migration 0002."""
    _run(connection, _POSTGRESQL_APPEND_ONLY if _postgresql(connection) else _SQLITE_APPEND_ONLY)


def remove_append_only(connection: Connection) -> None:
    postgresql = _postgresql(connection)
    _run(connection, _POSTGRESQL_APPEND_ONLY_REMOVE if postgresql else _SQLITE_APPEND_ONLY_REMOVE)


def install_no_replace(connection: Connection) -> None:
    """Refuse an insert over an existing id (SQLite's REPLACE): migration 0007."""
    if not _postgresql(connection):
        _run(connection, _SQLITE_NO_REPLACE)


def remove_no_replace(connection: Connection) -> None:
    if not _postgresql(connection):
        _run(connection, _SQLITE_NO_REPLACE_REMOVE)


def install(connection: Connection) -> None:
    """Every guard of the current schema."""
    install_append_only(connection)
    install_no_replace(connection)


def remove(connection: Connection) -> None:
    remove_no_replace(connection)
    remove_append_only(connection)
