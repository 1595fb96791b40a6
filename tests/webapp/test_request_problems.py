"""The API's refusals of a request body use the one rule for validator errors and the one JSON
reader: dotted paths without FastAPI's `body`, the value given, a fix, and a line and column for
a body that is not JSON."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from support.clinic_data import patient_input

JSON = {"content-type": "application/json"}


def problems(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 422, response.text[:300]
    assert response.headers["content-type"] == "application/problem+json"
    found: list[dict[str, str]] = response.json()["problems"]
    return found


def test_a_body_that_is_not_json_names_its_line_and_column(signed_in: TestClient) -> None:
    response = signed_in.post("/api/v1/patients", content='{\n  "full_name": ,\n}', headers=JSON)
    assert response.json()["title"] == "the request is invalid"
    assert problems(response) == [
        {"path": "(body)", "message": "line 2, column 16: Expecting value", "hint": "fix the JSON"}
    ]
    assert signed_in.get("/api/v1/patients").json()["total"] == 0


def test_fields_are_named_by_dotted_paths_with_the_value_given_and_a_fix(
    signed_in: TestClient,
) -> None:
    body = patient_input(age_years="forty", conditions=["vitiligo", "gout"], shoe_size=42)
    found = {p["path"]: p for p in problems(signed_in.post("/api/v1/patients", json=body))}
    assert found["patient.age_years"]["message"] == (
        "Input should be a valid integer (got 'forty')"
    )
    assert found["patient.age_years"]["hint"] == "write a whole number"
    assert found["patient.conditions[1]"]["message"].endswith("(got 'gout')")
    assert found["patient.shoe_size"]["hint"] == "remove it"
    assert signed_in.get("/api/v1/patients").json()["total"] == 0


def test_a_missing_field_and_a_limit_say_what_to_do(signed_in: TestClient) -> None:
    body = patient_input()
    del body["full_name"]
    body["preferences"] = {"max_downtime_days": -3}
    found = {p["path"]: p for p in problems(signed_in.post("/api/v1/patients", json=body))}
    assert found["full_name"] == {
        "path": "full_name",
        "message": "Field required",
        "hint": "this field is required",
    }
    assert found["preferences.max_downtime_days"]["hint"] == "use 0 or more"
