"""Alembic environment: runs on the engine handed over by scarplan.adapters.db.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from scarplan.adapters.db.engine import WRITE_OPTION
from scarplan.adapters.db.migrate import MIGRATION_LOCK
from scarplan.adapters.db.tables import Base

engine = context.config.attributes["engine"]

# One migrating process at a time, so processes starting together do not both create the same
# tables: SQLite's write lock taken up front (BEGIN IMMEDIATE), PostgreSQL's advisory lock; each
# is held to the end of this transaction. The revision is read after the wait, so a process that
# waited finds what the first one applied, and does nothing.
with engine.execution_options(**{WRITE_OPTION: True}).begin() as connection:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
