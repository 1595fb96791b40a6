"""Alembic migrations build exactly the models' schema, and can be re-run and rolled back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, event, insert, inspect, select
from sqlalchemy.exc import IntegrityError

from scarplan.adapters.db import current_revision, head_revision, make_engine, sqlite_url, upgrade
from scarplan.adapters.db.migrate import downgrade
from scarplan.adapters.db.tables import Base, LesionRecord, User
from scarplan.adapters.job_queue import queue_tables

DDL_WORDS = ("CREATE", "ALTER", "DROP")


@pytest.fixture
def fresh_engine(fresh_database_url: str) -> Iterator[Engine]:
    """An engine on a database no migration has touched."""
    engine = make_engine(fresh_database_url)
    yield engine
    engine.dispose()


def _ours(name: str | None, kind: str, parent: Any) -> bool:
    """Not the job queue's own tables (PostgreSQL), which its published schema defines."""
    return not (kind == "table" and name in queue_tables())


def schema_diff(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": _ours})
        return list(compare_metadata(context, Base.metadata))


def model_tables() -> set[str]:
    return set(Base.metadata.tables)


def expected_tables(engine: Engine) -> set[str]:
    """Our models' tables, and on PostgreSQL the job queue's."""
    queue = queue_tables() if engine.dialect.name == "postgresql" else set()
    return model_tables() | queue


def database_tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_migrations_on_an_empty_database_build_exactly_the_models_schema(
    fresh_engine: Engine,
) -> None:
    assert database_tables(fresh_engine) == set()

    upgrade(fresh_engine)

    assert database_tables(fresh_engine) == expected_tables(fresh_engine)
    assert schema_diff(fresh_engine) == []


def test_current_revision_is_the_head_after_upgrade(fresh_engine: Engine) -> None:
    assert current_revision(fresh_engine) is None

    upgrade(fresh_engine)

    assert current_revision(fresh_engine) == head_revision()


def test_a_second_upgrade_changes_nothing(fresh_engine: Engine) -> None:
    upgrade(fresh_engine)
    with fresh_engine.begin() as connection:
        connection.execute(
            insert(User).values(
                username="kept",
                full_name="Kept Row",
                password_hash="x",
                role="clinician",
                active=True,
                created_at=datetime(2026, 11, 21, tzinfo=UTC),
            )
        )
    statements: list[str] = []

    def remember(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(fresh_engine, "before_cursor_execute", remember)
    try:
        upgrade(fresh_engine)
    finally:
        event.remove(fresh_engine, "before_cursor_execute", remember)

    assert statements, "the second upgrade did not run at all"
    ddl = [s for s in statements if s.lstrip().upper().startswith(DDL_WORDS)]
    assert ddl == []
    assert current_revision(fresh_engine) == head_revision()
    with fresh_engine.connect() as connection:
        assert connection.scalars(select(User.username)).all() == ["kept"]


def test_downgrade_to_base_then_upgrade_rebuilds_the_schema(fresh_engine: Engine) -> None:
    upgrade(fresh_engine)

    downgrade(fresh_engine, "base")

    assert database_tables(fresh_engine) == set()
    assert current_revision(fresh_engine) is None

    upgrade(fresh_engine)

    assert current_revision(fresh_engine) == head_revision()
    assert schema_diff(fresh_engine) == []


def test_the_database_enforces_foreign_keys(migrated_engine: Engine) -> None:
    orphan = {"assessment_id": 987_654, "position": 0, "region": "chin", "count": 1}
    with pytest.raises(IntegrityError), migrated_engine.begin() as connection:
        connection.execute(insert(LesionRecord).values(**orphan))

    with migrated_engine.connect() as connection:
        stored = select(LesionRecord.id).where(LesionRecord.assessment_id == 987_654)
        assert connection.scalars(stored).all() == []


def test_sqlite_connections_have_foreign_keys_on_and_write_ahead_logging(tmp_path: Path) -> None:
    # The embedded default, whichever database the storage tests run on.
    engine = make_engine(sqlite_url(tmp_path))
    try:
        with engine.connect() as first, engine.connect() as second:
            for connection in (first, second):
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        engine.dispose()
