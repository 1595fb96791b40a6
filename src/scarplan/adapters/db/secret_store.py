"""The clinic_secrets table: insert a secret unless one of that name is there, read it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Executable, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import ClinicSecretRecord


def insert_secret_if_absent(session: Session, name: str, value: str, created_at: datetime) -> None:
    """Insert the row unless `name` is taken; a row there already (also one that a concurrent
    transaction has just committed) is left as it is, without an error."""
    row = {"name": name, "value": value, "created_at": created_at}
    dialect = session.get_bind().dialect.name
    statement: Executable
    if dialect == "postgresql":
        statement = postgresql.insert(ClinicSecretRecord).values(row).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(ClinicSecretRecord).values(row).on_conflict_do_nothing()
    else:
        raise NotImplementedError(f"clinic secrets on {dialect}: use SQLite or PostgreSQL")
    session.execute(statement)


def stored_secret(session: Session, name: str) -> str | None:
    return session.scalar(select(ClinicSecretRecord.value).where(ClinicSecretRecord.name == name))
