"""The app in-process (ASGI) on the test database, for API and page tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from scarplan.bootstrap import Container
from scarplan.entrypoints.web import create_app
from scarplan.services.clinic.accounts.users import create_user
from scarplan.services.clinic.core.context import Clinic
from scarplan.settings import Settings

PASSWORD = "a long test password"


@pytest.fixture
def client(clinic: Clinic) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=clinic.settings.data_dir,
        database_url=clinic.settings.database_url,
        secure_cookies=False,
    )
    container = Container(settings=settings, clock=clinic.clock)
    container.__dict__["clinic"] = clinic  # the fixture's engine and frozen clock
    create_user(clinic, "dr.test", "Dr Test", PASSWORD, "clinician")
    with TestClient(create_app(container, "x" * 48)) as test_client:
        yield test_client


@pytest.fixture
def signed_in(client: TestClient) -> TestClient:
    response = client.post("/api/v1/session", json={"username": "dr.test", "password": PASSWORD})
    assert response.status_code == 200
    # Writes riding the session cookie must send the session's CSRF token back.
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client
