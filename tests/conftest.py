"""Shared fixtures. In CI a skipped test is a failure: nothing may pass by not running."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from scarplan.knowledge import KnowledgeBase, default_data_dir, load_knowledge_base


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
