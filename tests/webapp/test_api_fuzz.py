"""Schemathesis against the OpenAPI schema: generated requests never get a server error.

A bounded number of examples per operation (EXAMPLES), signed in as a clinician with a bearer
token, on the test run's database (SQLite, or PostgreSQL in the second pass). Anything below
500 is an answer: 4xx means the input was refused with problem details, which is the point.
"""

from __future__ import annotations

from typing import Any, cast

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from starlette.routing import Route

from scarplan.entrypoints.web import api
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.context import Clinic

EXAMPLES = 10


def test_generated_api_requests_never_get_a_server_error(
    client: TestClient, clinic: Clinic
) -> None:
    clinician = users.sign_in(clinic, "dr.test", "a long test password")[0]
    token = users.issue_api_token(clinic, clinician, {"name": "fuzz"}).token
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", client.app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = cast(Any, result).ok()  # an invalid operation raises here
        operations += 1

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def call(case: Any) -> None:
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        call()
    assert operations == len(api_operations())  # the whole API was walked
    assert failures == []


def api_operations() -> set[tuple[str, str]]:
    return {
        (method, route.path)
        for router in api.routers
        for route in router.routes
        if isinstance(route, Route) and route.include_in_schema
        for method in (route.methods or set()) - {"HEAD"}
    }
