"""Storage: SQLAlchemy tables, engines for SQLite and PostgreSQL, Alembic migrations."""

from scarplan.adapters.db.engine import make_engine, sqlite_url, writable_directory
from scarplan.adapters.db.migrate import (
    current_revision,
    head_revision,
    schema_mismatch,
    upgrade,
)
from scarplan.adapters.db.unit_of_work import SqlUnitOfWork

__all__ = [
    "SqlUnitOfWork",
    "current_revision",
    "head_revision",
    "make_engine",
    "schema_mismatch",
    "sqlite_url",
    "upgrade",
    "writable_directory",
]
