"""Operability (issue 23): /healthz, /readyz, /metrics, request ids and structured log lines."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from scarplan.adapters.db.migrate import downgrade, upgrade
from scarplan.adapters.logs import configure_logging
from scarplan.bootstrap import Container
from scarplan.entrypoints.web import create_app
from scarplan.services.clinic.core.context import Clinic
from scarplan.settings import Settings

TOKEN = "m" * 40


def _app(clinic: Clinic, **settings: Any) -> TestClient:
    container = Container(
        settings=Settings(
            data_dir=clinic.settings.data_dir,
            database_url=clinic.settings.database_url,
            secure_cookies=False,
            **settings,
        ),
        clock=clinic.clock,
    )
    container.__dict__["clinic"] = replace(clinic, settings=container.settings)
    return TestClient(create_app(container, "x" * 48))


@pytest.fixture
def scraped(clinic: Clinic) -> Iterator[TestClient]:
    with _app(clinic, metrics_token=TOKEN) as client:
        yield client


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    stream = io.StringIO()
    configure_logging("json", "INFO", stream)
    yield stream
    root.handlers[:] = before[0]
    root.setLevel(before[1])


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_healthz_answers_without_a_session(client: TestClient) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


@pytest.mark.db
def test_readyz_names_each_check_when_ready(client: TestClient) -> None:
    answer = client.get("/readyz")
    assert answer.status_code == 200, answer.text
    checks = answer.json()["checks"]
    assert set(checks) == {"database", "migrations", "queue"}
    assert all(check["ok"] for check in checks.values())
    assert checks["queue"]["detail"] == "0 jobs queued or running; run on threads of this process"


@pytest.mark.db
def test_readyz_is_503_while_the_schema_is_behind_this_release(
    client: TestClient, clinic: Clinic
) -> None:
    engine = clinic.uow.engine
    downgrade(engine, "0015")
    try:
        answer = client.get("/readyz")
    finally:
        upgrade(engine)
    assert answer.status_code == 503
    migrations = answer.json()["checks"]["migrations"]
    assert migrations["ok"] is False
    assert "0015" in migrations["detail"]


def test_readyz_is_503_not_500_when_the_database_is_away(clinic: Clinic, tmp_path: Any) -> None:
    away = Settings(
        data_dir=tmp_path,
        database_url="postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2",
        secure_cookies=False,
    )
    container = Container(settings=away, clock=clinic.clock)
    with TestClient(create_app(container, "x" * 48), raise_server_exceptions=False) as client:
        answer = client.get("/readyz")
    assert answer.status_code == 503
    checks = answer.json()["checks"]
    assert checks["database"] == {"ok": False, "detail": "does not answer"}
    assert checks["queue"]["ok"] is False


def test_metrics_do_not_exist_without_a_configured_token(client: TestClient) -> None:
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404


def test_metrics_refuse_a_wrong_or_missing_token(scraped: TestClient) -> None:
    assert scraped.get("/metrics").status_code == 401
    wrong = scraped.get("/metrics", headers={"Authorization": "Bearer " + "n" * 40})
    assert wrong.status_code == 401
    assert "scarplan_" not in wrong.text


@pytest.mark.db
def test_metrics_count_requests_by_route_and_sign_in_failures(scraped: TestClient) -> None:
    scraped.get("/healthz")
    scraped.get("/kb")
    scraped.cookies.clear()  # no session: a sign-in needs no CSRF token
    refused = scraped.post("/api/v1/session", json={"username": "nobody", "password": "x" * 12})
    assert refused.status_code == 401
    answer = scraped.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    text = answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    assert (
        'scarplan_http_request_duration_seconds_count{method="GET",route="/healthz",status="2xx"}'
        " 1.0" in text
    )
    assert 'route="/api/v1/session",status="4xx"' in text
    assert "scarplan_sign_in_failures_total 1.0" in text
    assert "scarplan_audit_queue_length" in text
    assert "# TYPE scarplan_jobs gauge" in text


def test_a_plain_request_id_is_kept_and_a_strange_one_replaced(client: TestClient) -> None:
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-1234abcd"})
    assert kept.headers["x-request-id"] == "lb-1234abcd"
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert replaced.headers["x-request-id"] != "bad id\twith spaces"
    assert len(replaced.headers["x-request-id"]) == 32


@pytest.mark.db
def test_each_request_logs_one_line_with_its_id_route_and_actor(
    signed_in: TestClient, log_lines: io.StringIO
) -> None:
    answer = signed_in.get("/patients?q=Silva", headers={"X-Request-ID": "trace-0001"})
    assert answer.status_code == 200
    lines = [line for line in _lines(log_lines) if line.get("request_id") == "trace-0001"]
    request_lines = [line for line in lines if line["logger"] == "scarplan.request"]
    assert len(request_lines) == 1
    line = request_lines[0]
    assert line["route"] == "/patients"
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert line["actor"].startswith("clinician:")
    assert line["level"] == "info"
    # The path's query (a patient's name) never reaches the server's log (the test's own HTTP
    # client, httpx, logs the URL it asked for: that is the client's side).
    server_side = [line for line in _lines(log_lines) if line["logger"] != "httpx"]
    assert "Silva" not in json.dumps(server_side)


def test_a_line_logged_while_handling_a_request_carries_its_request_id(
    clinic: Clinic, tmp_path: Any, log_lines: io.StringIO
) -> None:
    away = Settings(
        data_dir=tmp_path,
        database_url="postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2",
        secure_cookies=False,
    )
    with TestClient(create_app(Container(settings=away, clock=clinic.clock), "x" * 48)) as client:
        client.get("/readyz", headers={"X-Request-ID": "trace-0002"})
    failures = [
        line
        for line in _lines(log_lines)
        if line["logger"] == "scarplan.services.clinic.core.health"
    ]
    assert failures, log_lines.getvalue()
    assert all(line["request_id"] == "trace-0002" for line in failures)
    assert all(line["level"] == "error" and "exception" in line for line in failures)
