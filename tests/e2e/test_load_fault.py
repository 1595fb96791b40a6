"""Many clients save assessments at once; the server is killed mid-run and restarted.

No acknowledged write is lost, nothing is saved in part, and no request fails with a server
error. The full run (50 clients, 60 s) is `bench/load_fault.py`; this is the short version.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support import load

# The database under the pages matters here: this test runs on PostgreSQL too.
pytestmark = pytest.mark.db


def test_concurrent_saves_survive_a_kill_without_losing_an_acknowledged_write(
    fresh_database_url: str, tmp_path: Path
) -> None:
    outcome, assessments, lesions = load.run(
        fresh_database_url, tmp_path / "data", clients=12, seconds=8, kill_after=3
    )

    assert outcome.refused == []
    assert len(outcome.acknowledged) > 12  # the load really ran on both servers
    assert load.missing(fresh_database_url, outcome.acknowledged) == set()
    # In-flight saves at the kill may or may not have landed, but only whole.
    assert len(outcome.acknowledged) <= assessments <= len(outcome.acknowledged) + 12
    assert lesions == assessments * len(load.LESIONS)
