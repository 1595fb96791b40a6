"""Database triggers that keep signed procedure consents unchangeable, on SQLite and PostgreSQL.

A signed consent, its countersignature and its withdrawal are each written once; an UPDATE of
any of them is refused by the database itself (as the audit trail's are, audit_guard.py), so
neither a bug nor a stray SQL statement can alter what a patient signed. Deleting stays
possible: erasing a patient on request removes their consents with them.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

REFUSED = "a signed consent cannot be changed"
TABLES = (
    "procedure_consents",
    "procedure_consent_countersignatures",
    "procedure_consent_withdrawals",
)


def _sqlite_install(table: str) -> str:
    return f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
    BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END"""


_POSTGRESQL_FUNCTION = f"""CREATE FUNCTION procedure_consents_unchangeable() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{REFUSED}'; END $$"""


def _postgresql_install(table: str) -> str:
    return f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION procedure_consents_unchangeable()"""


def install(connection: Connection) -> None:
    """Refuse UPDATE on the three consent tables (migration 0012)."""
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        connection.execute(text(_POSTGRESQL_FUNCTION))
    for table in TABLES:
        statement = _postgresql_install(table) if postgresql else _sqlite_install(table)
        connection.execute(text(statement))


def remove(connection: Connection) -> None:
    postgresql = connection.dialect.name == "postgresql"
    for table in TABLES:
        suffix = f" ON {table}" if postgresql else ""
        connection.execute(text(f"DROP TRIGGER {table}_no_update{suffix}"))
    if postgresql:
        connection.execute(text("DROP FUNCTION procedure_consents_unchangeable()"))
