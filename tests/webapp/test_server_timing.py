"""Server-Timing: only when the setting asks for it (bench/web.py measures server time by it)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from scarplan.bootstrap import Container
from scarplan.entrypoints.web import create_app
from scarplan.services.clinic.core.context import Clinic
from scarplan.settings import Settings


def _client(clinic: Clinic, *, server_timing: bool) -> TestClient:
    settings = Settings(
        data_dir=clinic.settings.data_dir,
        database_url=clinic.settings.database_url,
        secure_cookies=False,
        server_timing=server_timing,
    )
    container = Container(settings=settings, clock=clinic.clock)
    container.__dict__["clinic"] = clinic
    return TestClient(create_app(container, "x" * 48))


def test_the_app_says_how_long_it_worked_only_when_asked(clinic: Clinic) -> None:
    with _client(clinic, server_timing=True) as timed:
        for path in ("/guide", "/guide/options?skin=V", "/patients", "/no-such-page"):
            header = timed.get(path, follow_redirects=False).headers.get("server-timing", "")
            took = re.fullmatch(r"app;dur=(\d+\.\d\d)", header)
            assert took is not None, (path, header)
            assert 0 < float(took.group(1)) < 10_000
    with _client(clinic, server_timing=False) as plain:
        assert "server-timing" not in plain.get("/guide").headers
