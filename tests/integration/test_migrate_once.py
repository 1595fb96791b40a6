"""Migrations run once for many processes: `scarplan migrate` applies them, processes that start
together take turns instead of creating the same tables twice, and an app started with
`--no-migrate` refuses a schema that is not this release's, naming the fix."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from scarplan.adapters.db import current_revision, head_revision, make_engine, upgrade
from scarplan.adapters.db.migrate import alembic_config
from scarplan.domain.errors import InputError
from scarplan.services.clinic.accounts.setup import migrate_database, require_current_schema

pytestmark = pytest.mark.db
PROCESSES = 3
UPGRADE = "import sys; from scarplan.adapters.db import make_engine, upgrade; " + (
    "upgrade(make_engine(sys.argv[1]))"
)


@pytest.fixture
def fresh_engine(fresh_database_url: str) -> Iterator[Engine]:
    engine = make_engine(fresh_database_url)
    yield engine
    engine.dispose()


def test_migrate_applies_the_migrations_then_finds_nothing_to_do(fresh_engine: Engine) -> None:
    first = migrate_database(fresh_engine)
    assert (first.before, first.after) == (None, head_revision())
    again = migrate_database(fresh_engine)
    assert (again.before, again.after) == (head_revision(), head_revision())


def test_processes_migrating_an_empty_database_at_once_take_turns(
    fresh_database_url: str, fresh_engine: Engine
) -> None:
    started = [
        subprocess.Popen(
            [sys.executable, "-c", UPGRADE, fresh_database_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    outputs = [process.communicate(timeout=300)[0] for process in started]
    assert [process.returncode for process in started] == [0] * PROCESSES, outputs
    assert current_revision(fresh_engine) == head_revision()


def test_an_app_that_does_not_migrate_refuses_an_empty_database(fresh_engine: Engine) -> None:
    with pytest.raises(InputError) as refused:
        require_current_schema(fresh_engine)
    (problem,) = refused.value.problems
    assert problem.path == "SCARPLAN_DATABASE_URL"
    assert "empty database" in problem.message
    assert "scarplan migrate" in problem.hint


def test_an_app_that_does_not_migrate_refuses_a_schema_one_release_behind(
    fresh_engine: Engine,
) -> None:
    head = head_revision()
    behind = ScriptDirectory.from_config(alembic_config()).get_revision(head).down_revision
    assert isinstance(behind, str)
    upgrade(fresh_engine, behind)
    with pytest.raises(InputError) as refused:
        require_current_schema(fresh_engine)
    assert f"schema at {behind}, this release needs {head}" in str(refused.value.problems[0])

    upgrade(fresh_engine)
    require_current_schema(fresh_engine)  # current: no complaint
