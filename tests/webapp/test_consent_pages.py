"""The consent pages through the app: who sees which buttons, plain refusals, no field paths."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans import consents
from scarplan.services.clinic.records import assessments, patients
from support.clinic_data import assessment_input, patient_input
from support.consent import sign, signature_data_url

PASSWORD = "a long test password"


@pytest.fixture
def patient_id(clinic: Clinic, clinician: Actor) -> int:
    record = patients.create_patient(clinic, clinician, patient_input())
    day = clinic.today() - timedelta(days=1)
    assessments.record_assessment(clinic, clinician, record.id, assessment_input(day))
    return record.id


def signed_in_as(client: TestClient, username: str) -> TestClient:
    answer = client.post("/api/v1/session", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client


def test_the_front_desk_hands_the_form_over_but_never_countersigns(
    client: TestClient, clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    users.create_user(clinic, "desk", "Front Desk", PASSWORD, "staff")
    sign(clinic, clinician, patient_id)
    desk = signed_in_as(client, "desk")

    page = desk.get(f"/patients/{patient_id}/consents/tca_cross")

    assert page.status_code == 200
    assert "Consent to treatment: TCA CROSS" in page.text
    assert 'id="signature-canvas"' in page.text
    assert "Awaiting countersignature" in page.text
    assert "Countersign" not in page.text
    assert "Record a withdrawal" not in page.text
    assert desk.get(f"/patients/{patient_id}/consents").status_code == 200


def test_a_refused_signature_says_what_to_do_without_field_names(
    client: TestClient, clinic: Clinic, patient_id: int
) -> None:
    doctor = signed_in_as(client, "dr.test")
    version = consents.form_to_sign(clinic, patient_id, "tca_cross").version
    form = {
        "form_version": version,
        "patient_name": "Somebody Else",
        "signature": signature_data_url(),
        "understood": "",
    }

    answer = doctor.post(f"/patients/{patient_id}/consents/tca_cross", data=form)

    assert answer.status_code == 422
    assert "Type your full name: Ana Silva" in answer.text
    assert "Tick &#39;I have read and understood&#39;" in answer.text
    for path in ("patient_name", "understood", "form_version"):
        assert f"<code>{path}</code>" not in answer.text


def test_a_portal_patient_sees_no_clinicians_buttons_and_no_seal(
    client: TestClient, clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    users.create_user(clinic, "ana", "Ana Silva", PASSWORD, "patient", patient_id=patient_id)
    sign(clinic, clinician, patient_id)
    portal = signed_in_as(client, "ana")

    page = portal.get(f"/patients/{patient_id}/consents/tca_cross")

    assert page.status_code == 200
    assert "Countersign" not in page.text
    assert "SHA-256" not in page.text
    listed = portal.get(f"/patients/{patient_id}/consents")
    assert "Your consent forms" in listed.text


def test_a_malformed_countersignature_is_refused_plainly(
    client: TestClient, clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    signed = sign(clinic, clinician, patient_id)
    doctor = signed_in_as(client, "dr.test")

    answer = doctor.post(
        f"/consents/{signed.id}/countersign",
        data={"patient_id": "x" * 30, "modality": "tca_cross", "clinician_name": ""},
    )

    assert 400 <= answer.status_code < 500
