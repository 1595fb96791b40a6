"""Database triggers that keep the audit trail append-only, on SQLite and PostgreSQL.

The app never updates or deletes an audit row; these make the database refuse it too, so a bug
or a stray SQL statement through the app's connection cannot rewrite history. Migration 0002
installs them. Only tests (emptying tables between cases) lift them, and put them back.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

_SQLITE_INSTALL = [
    f"""CREATE TRIGGER audit_events_no_{verb} BEFORE {verb.upper()} ON audit_events
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"""
    for verb in ("update", "delete")
]
_SQLITE_REMOVE = ["DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete"]
_POSTGRESQL_INSTALL = [
    """CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$""",
    """CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE
    ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()""",
]
_POSTGRESQL_REMOVE = [
    "DROP TRIGGER audit_events_append_only ON audit_events",
    "DROP FUNCTION audit_events_append_only()",
]


def install(connection: Connection) -> None:
    postgresql = connection.dialect.name == "postgresql"
    for statement in _POSTGRESQL_INSTALL if postgresql else _SQLITE_INSTALL:
        connection.execute(text(statement))


def remove(connection: Connection) -> None:
    postgresql = connection.dialect.name == "postgresql"
    for statement in _POSTGRESQL_REMOVE if postgresql else _SQLITE_REMOVE:
        connection.execute(text(statement))
