"""The FHIR endpoints: `$everything` as application/fhir+json, and the import; errors as
OperationOutcomes (or problem details from the import when FHIR is not asked for) that name
the bundle path."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from fhir.resources.R4B.operationoutcome import OperationOutcome
from markupsafe import escape

from support.fhir import assert_valid, clinical_content, resources

INTAKE: dict[str, Any] = {
    "full_name": "Ana Souza",
    "patient": {"id": "P-9", "birth_date": "1995-04-02", "sex": "female", "fitzpatrick": "IV"},
    "preferences": {
        "start_date": "2026-12-01",
        "budget": {"amount": 3000, "currency": "EUR"},
        "max_downtime_days": 7,
        "avoid": [{"from": "2027-02-10", "to": "2027-02-20", "reason": "wedding"}],
        "home_care_budget": "low",
    },
}
BUDGET = {"amount": 3000.0, "currency": "EUR"}
LESIONS = [
    {"region": "cheek_left", "type": "ice_pick", "count": 12, "width_mm": 1.2, "depth_mm": 1.5},
    {"region": "cheek_right", "type": "rolling", "count": 6, "distensible": True},
]


def stored_patient(client: TestClient) -> int:
    patient_id: int = client.post("/api/v1/patients", json=INTAKE).json()["id"]
    saved = client.post(
        f"/api/v1/patients/{patient_id}/assessments",
        json={"date": "2026-11-20", "lesions": LESIONS},
    )
    assert saved.status_code == 201, saved.text
    assert client.post(f"/api/v1/patients/{patient_id}/plans").status_code == 201
    return patient_id


def test_everything_is_a_fhir_bundle(signed_in: TestClient) -> None:
    patient_id = stored_patient(signed_in)
    response = signed_in.get(f"/fhir/Patient/{patient_id}/$everything")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/fhir+json"
    bundle = response.json()
    assert bundle["type"] == "collection"
    assert_valid(bundle)
    (patient,) = resources(bundle, "Patient")
    assert patient["name"] == [{"text": "Ana Souza"}]


def outcome(response: Any) -> list[dict[str, Any]]:
    """The issues of a FHIR OperationOutcome answer, checked against the R4B model."""
    assert response.headers["content-type"].startswith("application/fhir+json")
    body = response.json()
    OperationOutcome.model_validate(body)
    assert body["resourceType"] == "OperationOutcome"
    issues: list[dict[str, Any]] = body["issue"]
    return issues


def test_everything_for_no_such_patient_is_a_404_operation_outcome(signed_in: TestClient) -> None:
    response = signed_in.get("/fhir/Patient/999/$everything")
    assert response.status_code == 404
    (issue,) = outcome(response)
    assert (issue["severity"], issue["code"]) == ("error", "not-found")
    assert "999" in issue["diagnostics"]


def test_without_signing_in_a_fhir_client_gets_401_not_the_login_page(
    client: TestClient,
) -> None:
    response = client.get("/fhir/Patient/1/$everything", follow_redirects=False)
    assert response.status_code == 401
    (issue,) = outcome(response)
    assert issue["code"] == "login"


def test_an_import_asking_for_fhir_gets_an_operation_outcome_with_the_bundle_path(
    signed_in: TestClient,
) -> None:
    patient_id = stored_patient(signed_in)
    bundle = signed_in.get(f"/fhir/Patient/{patient_id}/$everything").json()
    structure = next(
        n for n, e in enumerate(bundle["entry"]) if e["resource"]["resourceType"] == "BodyStructure"
    )
    bundle["entry"][structure]["resource"]["location"]["coding"][0]["code"] = "ear"
    response = signed_in.post(
        "/api/v1/fhir/import", json=bundle, headers={"accept": "application/fhir+json"}
    )
    assert response.status_code == 422
    (issue,) = outcome(response)
    assert issue["code"] == "invalid"
    path = f"Bundle.entry[{structure}].resource.location.coding[0].code"
    assert issue["expression"] == [path]
    assert "ear" in issue["diagnostics"]


def test_import_then_export_gives_the_same_bundle(signed_in: TestClient) -> None:
    patient_id = stored_patient(signed_in)
    bundle = signed_in.get(f"/fhir/Patient/{patient_id}/$everything").json()
    # Another patient code, so the import does not clash with the stored one.
    text = json.dumps(bundle).replace('"value": "P-9"', '"value": "P-10"')
    imported = signed_in.post(
        "/api/v1/fhir/import",
        content=text,
        headers={"content-type": "application/fhir+json"},
    )
    assert imported.status_code == 201, imported.text
    report = imported.json()
    assert (report["code"], report["assessments"], report["plans"]) == ("P-10", 1, 1)
    assert report["warnings"] == []
    again = signed_in.get(f"/fhir/Patient/{report['patient_id']}/$everything").json()
    assert again["entry"][0]["resource"]["identifier"][0]["value"] == "P-10"
    # Resource ids derive from the patient's code, so the bundles differ in them; the
    # preferences and the plan's reasoning (the CarePlan's extensions) come back the same.
    (before,) = resources(bundle, "Patient")
    (after,) = resources(again, "Patient")
    assert after["extension"] == before["extension"]
    assert len(after["extension"]) == 5
    (plan_before,) = resources(bundle, "CarePlan")
    (plan_after,) = resources(again, "CarePlan")
    assert plan_after["extension"] == plan_before["extension"]
    stored = signed_in.get(f"/api/v1/patients/{report['patient_id']}").json()
    assert stored["intake"]["preferences"] == {**INTAKE["preferences"], "budget": BUDGET}


def test_an_imported_plan_page_shows_the_planners_reasons(signed_in: TestClient) -> None:
    patient_id = stored_patient(signed_in)
    (original,) = signed_in.get(f"/api/v1/patients/{patient_id}/plans").json()
    bundle = signed_in.get(f"/fhir/Patient/{patient_id}/$everything").json()
    text = json.dumps(bundle).replace('"value": "P-9"', '"value": "P-10"')
    imported = signed_in.post("/api/v1/fhir/import", content=text)
    assert imported.status_code == 201, imported.text
    (plan,) = signed_in.get(f"/api/v1/patients/{imported.json()['patient_id']}/plans").json()
    assert plan["document"] == original["document"]
    page = signed_in.get(f"/plans/{plan['id']}")
    assert page.status_code == 200
    first = original["document"]["recommended"][0]
    assert str(escape(first["reasons"][0])) in page.text
    assert f'href="/kb/{first["sources"][0]}"' in page.text
    assert original["document"]["excluded"], "a 7-day downtime limit leaves procedures out"
    for excluded in original["document"]["excluded"]:
        assert str(escape(excluded["reasons"][0])) in page.text


def test_an_invalid_bundle_is_422_naming_the_path(signed_in: TestClient) -> None:
    patient_id = stored_patient(signed_in)
    bundle = signed_in.get(f"/fhir/Patient/{patient_id}/$everything").json()
    structure = next(
        n for n, e in enumerate(bundle["entry"]) if e["resource"]["resourceType"] == "BodyStructure"
    )
    bundle["entry"][structure]["resource"]["location"]["coding"][0]["code"] = "ear"
    response = signed_in.post("/api/v1/fhir/import", json=bundle)
    assert response.status_code == 422
    (problem,) = response.json()["problems"]
    assert problem["path"] == f"entry[{structure}].resource.location.coding[0].code"
    broken = signed_in.post("/api/v1/fhir/import", content=b"{not json")
    assert broken.status_code == 422
    assert broken.json()["problems"][0]["path"] == "(text)"
    assert broken.json()["problems"][0]["message"].startswith("line 1, column 2: ")


def test_exported_bundles_compare_equal_apart_from_the_timestamp(signed_in: TestClient) -> None:
    patient_id = stored_patient(signed_in)
    first = signed_in.get(f"/fhir/Patient/{patient_id}/$everything").json()
    second = signed_in.get(f"/fhir/Patient/{patient_id}/$everything").json()
    assert clinical_content(first) == clinical_content(second)
