"""Apply Alembic migrations programmatically; the scripts ship inside the package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 0x5C4A_9D1A_0017
"""PostgreSQL advisory lock key held while migrations run (env.py), so processes that start
together (N app processes, a migration unit on each host) take turns: the second waits, then
finds the schema current and does nothing, instead of both creating the same tables."""


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`; a no-op when it is there already."""
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS}")
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_mismatch(engine: Engine) -> str | None:
    """Why the database's schema is not the one this release needs, or None when it is."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return None
    return f"schema at {current or 'nothing (an empty database)'}, this release needs {head}"
