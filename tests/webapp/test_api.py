"""The REST API: same services as the pages, problem details that name the field."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image

from support.checklists import with_checklist

INTAKE: dict[str, Any] = {
    "full_name": "Ana Souza",
    "patient": {"id": "P-9", "birth_date": "1995-04-02", "sex": "female", "fitzpatrick": "IV"},
    "preferences": {"budget": {"amount": 3000, "currency": "USD"}},
}
LESIONS = [
    {"region": "cheek_left", "type": "ice_pick", "count": 12, "width_mm": 1.2, "depth_mm": 1.5},
    {"region": "cheek_right", "type": "rolling", "count": 6, "distensible": True},
]


def add_patient(client: TestClient) -> int:
    response = client.post("/api/v1/patients", json=INTAKE)
    assert response.status_code == 201, response.text
    patient_id: int = response.json()["id"]
    return patient_id


def test_every_record_needs_a_login(client: TestClient) -> None:
    response = client.get("/api/v1/patients")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


def test_wrong_password_is_401(client: TestClient) -> None:
    response = client.post("/api/v1/session", json={"username": "dr.test", "password": "nope"})
    assert response.status_code == 401


def test_patient_round_trip_and_search(signed_in: TestClient) -> None:
    patient_id = add_patient(signed_in)
    read = signed_in.get(f"/api/v1/patients/{patient_id}").json()
    assert read["code"] == "P-9"
    assert read["intake"]["patient"]["fitzpatrick"] == "IV"
    assert "pregnant" not in read["intake"]["patient"]  # unstated stays unstated
    found = signed_in.get("/api/v1/patients", params={"q": "souz"}).json()
    assert [p["id"] for p in found["items"]] == [patient_id]
    changed = {**INTAKE, "full_name": "Ana Souza Lima"}
    assert signed_in.put(f"/api/v1/patients/{patient_id}", json=changed).status_code == 200
    assert signed_in.get(f"/api/v1/patients/{patient_id}").json()["full_name"] == "Ana Souza Lima"


def test_bad_input_names_the_field_and_saves_nothing(signed_in: TestClient) -> None:
    bad = {**INTAKE, "patient": {**INTAKE["patient"], "fitzpatrick": "VII"}}
    response = signed_in.post("/api/v1/patients", json=bad)
    assert response.status_code == 422
    paths = [p["path"] for p in response.json()["problems"]]
    assert "patient.fitzpatrick" in paths
    assert signed_in.get("/api/v1/patients").json()["total"] == 0


def test_unknown_patient_is_404(signed_in: TestClient) -> None:
    response = signed_in.get("/api/v1/patients/999")
    assert response.status_code == 404
    assert response.json()["problems"][0]["path"] == "patient_id"


def test_assessment_plan_session_flow(signed_in: TestClient) -> None:
    patient_id = add_patient(signed_in)
    today = "2026-11-21"
    preview = signed_in.post(
        f"/api/v1/patients/{patient_id}/assessments/preview",
        json={"date": today, "lesions": LESIONS},
    )
    assert preview.status_code == 200
    assert signed_in.get(f"/api/v1/patients/{patient_id}/assessments").json() == []
    saved = signed_in.post(
        f"/api/v1/patients/{patient_id}/assessments", json={"date": today, "lesions": LESIONS}
    )
    assert saved.status_code == 201
    assert saved.json()["ecca"] == preview.json()["ecca"]
    assert saved.json()["counts_by_type"]["ice_pick"] == 12

    plan = signed_in.post(f"/api/v1/patients/{patient_id}/plans").json()
    assert plan["status"] == "proposed"
    assert plan["document"]["recommended"]
    accepted = signed_in.post(f"/api/v1/plans/{plan['id']}/accept").json()
    assert accepted["status"] == "accepted"
    again = signed_in.post(f"/api/v1/plans/{plan['id']}/accept")
    assert again.status_code == 409

    first = accepted["sessions"][0]
    performed = {
        "performed_on": today,
        "modality": first["modality"],
        "regions": first["regions"],
        "practitioner": "Dr Test",
        "parameters": {"needle_depth_mm": 1.5},
    }
    # No signed consent on file: refused, naming the field that lets it go ahead.
    refused = signed_in.post(f"/api/v1/patients/{patient_id}/sessions", json=performed)
    assert refused.status_code == 422, refused.text
    assert "No signed consent for" in refused.text
    assert "consent_override_reason" in refused.text
    reason = {"consent_override_reason": "signed on paper at the visit; scanned into the file"}
    session = signed_in.post(
        f"/api/v1/patients/{patient_id}/sessions", json=with_checklist({**performed, **reason})
    )
    assert session.status_code == 201, session.text
    assert session.json()["planned_session_id"] == first["id"]
    assert signed_in.get(f"/api/v1/plans/{plan['id']}").json()["status"] == "in_progress"
    overview = signed_in.get(f"/api/v1/patients/{patient_id}/overview").json()
    assert overview["plan"]["sessions_done"] == 1


def test_plan_edit_makes_a_version(signed_in: TestClient) -> None:
    patient_id = add_patient(signed_in)
    signed_in.post(
        f"/api/v1/patients/{patient_id}/assessments",
        json={"date": "2026-11-21", "lesions": LESIONS},
    )
    plan = signed_in.post(f"/api/v1/patients/{patient_id}/plans").json()
    last = plan["sessions"][-1]
    edited = signed_in.post(
        f"/api/v1/plans/{plan['id']}/versions",
        json={
            "reason": "patient travels",
            "move": [{"position": last["position"], "day": "2028-01-10"}],
            "based_on": 1,
        },
    )
    assert edited.status_code == 201, edited.text
    assert edited.json()["version"] == 2
    assert edited.json()["sessions"][-1]["day"] == "2028-01-10"
    first = signed_in.get(f"/api/v1/plans/{plan['id']}", params={"version": 1}).json()
    assert first["sessions"][-1]["day"] == last["day"]
    past = signed_in.post(
        f"/api/v1/plans/{plan['id']}/versions",
        json={"reason": "oops", "move": [{"position": 0, "day": "2020-01-01"}], "based_on": 2},
    )
    assert past.status_code == 422
    assert past.json()["problems"][0]["path"] == "move[0].day"


def test_two_edits_from_the_same_version_cannot_remove_the_wrong_session(
    signed_in: TestClient,
) -> None:
    """Issue 24, finding 5: removal was by position and `based_on` optional, so a second
    clinician's "remove the 3rd session", made on the version before a colleague removed the
    1st, removed what had been the 4th. `based_on` is required and a removal names the session
    by its id."""
    patient_id = add_patient(signed_in)
    signed_in.post(
        f"/api/v1/patients/{patient_id}/assessments",
        json={"date": "2026-11-21", "lesions": LESIONS},
    )
    plan = signed_in.post(f"/api/v1/patients/{patient_id}/plans").json()
    versions = f"/api/v1/plans/{plan['id']}/versions"
    first, target = plan["sessions"][0], plan["sessions"][2]

    unversioned = signed_in.post(versions, json={"reason": "no base", "remove": [target["id"]]})
    assert unversioned.status_code == 422
    assert [p["path"] for p in unversioned.json()["problems"]] == ["based_on"]
    colleague = signed_in.post(
        versions, json={"reason": "not needed", "remove": [first["id"]], "based_on": 1}
    )
    assert colleague.status_code == 201, colleague.text
    stale = signed_in.post(
        versions, json={"reason": "too many", "remove": [target["id"]], "based_on": 1}
    )
    assert stale.status_code == 409
    assert "version 2 is current" in stale.json()["problems"][0]["message"]

    current = signed_in.get(f"/api/v1/plans/{plan['id']}").json()
    same = next(
        s
        for s in current["sessions"]
        if (s["day"], s["modality"]) == (target["day"], target["modality"])
    )
    old_id = signed_in.post(
        versions, json={"reason": "too many", "remove": [target["id"]], "based_on": 2}
    )
    assert old_id.status_code == 422
    assert old_id.json()["problems"][0]["path"] == "remove[0]"
    removed = signed_in.post(
        versions, json={"reason": "too many", "remove": [same["id"]], "based_on": 2}
    )
    assert removed.status_code == 201, removed.text
    left = [(s["day"], s["modality"]) for s in removed.json()["sessions"]]
    kept = [(s["day"], s["modality"]) for s in current["sessions"] if s["id"] != same["id"]]
    assert left == kept
    assert (target["day"], target["modality"]) not in left


def test_photo_upload_strips_metadata(signed_in: TestClient) -> None:
    patient_id = add_patient(signed_in)
    exif = Image.Exif()
    exif[0x010F] = "SecretCamCo"
    raw = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 160, 140)).save(raw, format="JPEG", exif=exif)
    metadata = (
        '{"region": "cheek_left", "taken_on": "2026-11-20", "consent": "clinical_record", '
        '"consent_confirmed": true}'
    )
    response = signed_in.post(
        f"/api/v1/patients/{patient_id}/photos",
        files={"file": ("face.jpg", raw.getvalue(), "image/jpeg")},
        data={"metadata": metadata},
    )
    assert response.status_code == 201, response.text
    image = signed_in.get(f"/api/v1/photos/{response.json()['id']}/image")
    assert image.headers["content-type"] == "image/jpeg"
    assert b"SecretCamCo" in raw.getvalue()
    assert b"SecretCamCo" not in image.content
    assert not Image.open(io.BytesIO(image.content)).getexif()


def test_cross_site_writes_are_refused(signed_in: TestClient) -> None:
    response = signed_in.post(
        "/api/v1/patients", json=INTAKE, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert signed_in.get("/api/v1/patients").json()["total"] == 0


def test_security_headers(client: TestClient) -> None:
    response = client.get("/login")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"


def test_openapi_documents_the_records(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/patients",
        "/api/v1/patients/{patient_id}/assessments",
        "/api/v1/patients/{patient_id}/plans",
        "/api/v1/plans/{plan_id}/versions",
        "/api/v1/patients/{patient_id}/sessions",
        "/api/v1/patients/{patient_id}/photos",
        "/api/v1/patients/{patient_id}/progress",
    ):
        assert path in spec["paths"], path
    assert "PatientIntake" in spec["components"]["schemas"]


def test_openapi_shows_the_plans_real_schema(client: TestClient) -> None:
    """The plan document is a typed model in the OpenAPI document, not a free-form object:
    its lesion groups with their technique, its sessions and its re-assessment visits."""
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    view = schemas["PlanView"]["properties"]["document"]
    assert view == {"$ref": "#/components/schemas/PlanDocument"}
    document = schemas["PlanDocument"]["properties"]
    assert {"lesion_groups", "sessions", "reviews", "recommended", "sequence"} <= set(document)
    group = schemas["LesionGroupPlan"]["properties"]
    assert {"region", "type", "technique", "field", "then", "reason", "sources"} <= set(group)
    modality = schemas["Modality"]["enum"]
    assert "tca_cross" in modality
    assert "punch_elevation" in modality
