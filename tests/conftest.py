"""Shared fixtures. In CI a skipped test is a failure: nothing may pass by not running.

Storage tests run on SQLite by default and on a real PostgreSQL server, which the suite starts
itself, with `SCARPLAN_TEST_DATABASE=postgresql`. Every test that uses `database_url` (directly
or through `migrated_engine`, `clinic`, ...) is marked `db`, so
`SCARPLAN_TEST_DATABASE=postgresql pytest -m db` re-runs exactly the storage tests there.

Browser tests (tests/e2e) are the exception: what they check is the pages, which are the same on
either database, and each takes seconds, so they run on SQLite only, except those that check what
the database does under them (a killed server, many writers, the main flow end to end), which
say `pytestmark = pytest.mark.db` themselves.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine

from scarplan.adapters.db import SqlUnitOfWork, audit_guard, make_engine, upgrade
from scarplan.adapters.db.audit_trail import SqlAuditTrail
from scarplan.adapters.db.tables import Base
from scarplan.knowledge import KnowledgeBase, default_data_dir, load_knowledge_base
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.settings import Settings

if TYPE_CHECKING:
    from support.clock import FrozenClock

DATABASE_SWITCH = "SCARPLAN_TEST_DATABASE"
DATABASES = ("sqlite", "postgresql")
PERSONA_PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped knowledge base, for tests that break it on purpose."""
    target = tmp_path / "kb"
    source = Path(str(default_data_dir()))
    shutil.copytree(source, target)
    return target


# --- storage ---------------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    database_kind()  # a misspelt switch stops the run before anything is collected
    # Jobs run on a thread of the process that accepted them, on PostgreSQL too (where the
    # default is the queue, which needs `scarplan worker` processes): the queue and its
    # workers have tests of their own (tests/integration/test_job_queue.py), which say so.
    os.environ.setdefault("SCARPLAN_JOB_RUNNER", "in_process")


def database_kind() -> str:
    """Which database the storage tests use: `SCARPLAN_TEST_DATABASE`, sqlite by default."""
    kind = os.environ.get(DATABASE_SWITCH, "").strip().lower() or "sqlite"
    if kind not in DATABASES:
        raise pytest.UsageError(f"{DATABASE_SWITCH}={kind!r}: use one of {', '.join(DATABASES)}")
    return kind


BROWSER_TESTS = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            continue  # marked by hand (see the module's docstring)
        if "database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The session's database: an SQLite file, or a PostgreSQL server started for the session."""
    if database_kind() == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "scarplan.sqlite3"
        yield f"sqlite:///{path}"
        return
    # Imported here, not at the top: tests/unit/test_ci_skip_policy.py runs a copy of this file
    # where the tests' own packages are not importable.
    from support.postgres import temporary_postgres  # noqa: PLC0415

    with temporary_postgres(tmp_path_factory.mktemp("postgres")) as url:
        yield url


@pytest.fixture
def fresh_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database of the same kind (same server), dropped after the test."""
    if database_kind() == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    from support.postgres import create_database, drop_database  # noqa: PLC0415

    name = f"scarplan_fresh_{uuid.uuid4().hex[:12]}"
    url = create_database(database_url, name)
    try:
        yield url
    finally:
        drop_database(database_url, name)


@pytest.fixture(scope="session")
def migrated_engine(database_url: str) -> Iterator[Engine]:
    """An engine on the session's database with every migration applied (once)."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def empty_tables(engine: Engine) -> None:
    """Delete every row, children before parents, in one transaction (the audit trail's
    append-only triggers are lifted for it and put back)."""
    with engine.begin() as connection:
        audit_guard.remove(connection)
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
        audit_guard.install(connection)


@pytest.fixture
def clock() -> FrozenClock:
    from support.clock import FrozenClock  # noqa: PLC0415

    return FrozenClock()


@pytest.fixture
def clinic(
    migrated_engine: Engine, knowledge: KnowledgeBase, clock: FrozenClock, tmp_path: Path
) -> Iterator[Clinic]:
    """The clinic's use cases on an emptied database, with the clock stopped at `clock`."""
    empty_tables(migrated_engine)
    url = migrated_engine.url.render_as_string(hide_password=False)
    settings = Settings(data_dir=tmp_path / "data", database_url=url)
    uow = SqlUnitOfWork(migrated_engine)
    clinic = Clinic(uow, knowledge, settings, clock, SqlAuditTrail(uow, clock))
    yield clinic
    # The read entries still queued belong to this test: written now, not into the next one.
    clinic.audit.close()


@pytest.fixture
def clinician(clinic: Clinic) -> Actor:
    return users.create_user(clinic, "dr.lee", "Dr Lee", PERSONA_PASSWORD, "clinician")


@pytest.fixture
def admin(clinic: Clinic) -> Actor:
    return users.create_user(clinic, "admin", "Clinic Admin", PERSONA_PASSWORD, "admin")


# --- CI policy -------------------------------------------------------------------------------


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    if os.environ.get("CI") == "true" and skipped:
        terminalreporter.write_line(
            f"CI: {len(skipped)} skipped test(s); in CI a skip is a failure.", red=True
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if os.environ.get("CI") == "true" and skipped and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
