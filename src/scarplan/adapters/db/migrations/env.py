"""Alembic environment: runs on the engine handed over by scarplan.adapters.db.migrate."""

from __future__ import annotations

from alembic import context

from scarplan.adapters.db.tables import Base

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
