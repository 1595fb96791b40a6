"""Shared fixtures of the command-line tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from scarplan.adapters.db import make_engine, sqlite_url, upgrade


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A migrated SQLite database in the data directory the commands read from settings."""
    directory = tmp_path / "data"
    monkeypatch.setenv("SCARPLAN_DATA_DIR", str(directory))
    monkeypatch.delenv("SCARPLAN_DATABASE_URL", raising=False)
    engine = make_engine(sqlite_url(directory))
    upgrade(engine)
    engine.dispose()
    return directory
