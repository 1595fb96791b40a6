"""A portal patient sees their name and birth date read-only and asks the clinic to correct
them; the front desk answers on its list or the patient's page (issue 24, finding 4)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.context import Clinic
from scarplan.services.clinic.records import patients
from support.clinic_data import patient_input
from webapp.conftest import PASSWORD


def _sign_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    signed = client.post("/api/v1/session", json={"username": username, "password": PASSWORD})
    assert signed.status_code == 200, signed.text
    client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]


def _portal_patient(client: TestClient, clinic: Clinic) -> int:
    clinician = users.sign_in(clinic, "dr.test", PASSWORD)[0]
    record = patients.create_patient(clinic, clinician, patient_input("P-0001", "Ana Silva"))
    patients.create_patient(clinic, clinician, patient_input("P-0002", "Bruno Costa"))
    users.create_user(clinic, "ana.p", "Ana", PASSWORD, "patient", patient_id=record.id)
    users.create_user(clinic, "front.desk", "Front Desk", PASSWORD, "staff")
    _sign_in(client, "ana.p")
    return record.id


def test_the_patient_sees_their_identity_read_only_and_cannot_probe_codes(
    client: TestClient, clinic: Clinic
) -> None:
    patient_id = _portal_patient(client, clinic)
    clinic_form = client.get(f"/patients/{patient_id}/edit", follow_redirects=False)
    assert clinic_form.headers["location"] == "/portal/intake"  # their own steps instead
    page = client.get("/portal/intake/about").text
    assert "<dd>Ana Silva</dd>" in page  # shown, not in a field to edit
    assert 'name="code"' not in page  # no clinic-code field to type into
    assert "Is your name or date of birth wrong?" in page

    answers = []
    for code in ("P-0002", "P-0777"):  # one taken by another patient, one free
        sent = client.put(f"/api/v1/patients/{patient_id}", json=patient_input(code, "Ana Silva"))
        assert sent.status_code == 422
        answers.append(sent.json()["problems"])
    assert answers[0] == answers[1]
    renamed = client.post(
        f"/patients/{patient_id}",
        data={"code": "P-0001", "full_name": "Someone Else", "birth_date": "1990-05-02"},
    )
    assert renamed.status_code == 422
    assert "ask the clinic to correct it" in renamed.text
    assert "<code>full_name</code>" not in renamed.text  # no field paths for a patient
    assert "Someone Else" not in client.get(f"/api/v1/patients/{patient_id}").text


def test_the_patient_asks_and_the_front_desk_approves_on_its_list(
    client: TestClient, clinic: Clinic
) -> None:
    patient_id = _portal_patient(client, clinic)
    empty = client.post(f"/patients/{patient_id}/identity-requests", data={"reason": "typo"})
    assert empty.status_code == 422
    assert "nothing to correct" in empty.text
    asked = client.post(
        f"/patients/{patient_id}/identity-requests",
        data={"full_name": "Ana Souza", "reason": "my married name"},
        follow_redirects=False,
    )
    assert asked.status_code == 303
    assert "Waiting for the clinic" in client.get("/portal/intake/about").text
    assert client.get("/identity-requests").status_code == 403

    _sign_in(client, "front.desk")
    listed = client.get("/identity-requests").text
    for shown in ("Ana Silva", "Ana Souza", "my married name"):
        assert shown in listed
    request_id = re.search(r'action="/identity-requests/(\d+)/approve"', listed)
    assert request_id is not None
    assert 'href="/identity-requests"' in listed
    on_page = client.get(f"/patients/{patient_id}").text
    assert f'action="/identity-requests/{request_id[1]}/approve"' in on_page
    approved = client.post(f"/identity-requests/{request_id[1]}/approve", data={"back": "patient"})
    assert approved.status_code == 200  # followed to the patient's page
    assert "<h1>Ana Souza" in approved.text
    assert "No request is waiting" in client.get("/identity-requests").text

    _sign_in(client, "ana.p")
    assert "Corrected" in client.get("/portal/intake/about").text


def test_a_decline_needs_a_note_and_the_patient_reads_it(
    client: TestClient, clinic: Clinic
) -> None:
    patient_id = _portal_patient(client, clinic)
    made = client.post(
        f"/api/v1/patients/{patient_id}/identity-requests",
        json={"birth_date": "1990-05-20", "reason": "wrong day"},
    )
    assert made.status_code == 201, made.text
    request_id = made.json()["id"]
    assert (
        client.post(
            f"/api/v1/identity-requests/{request_id}/decline", json={"note": "no"}
        ).status_code
        == 403
    )

    _sign_in(client, "front.desk")
    bare = client.post(f"/identity-requests/{request_id}/decline", data={"note": ""})
    assert bare.status_code == 422
    assert re.search(r'<span class="field-error" role="alert">[^<]*at least 3', bare.text)
    pending = client.get("/api/v1/identity-requests").json()
    assert [r["id"] for r in pending] == [request_id]
    declined = client.post(
        f"/api/v1/identity-requests/{request_id}/decline",
        json={"note": "Please bring your passport to the next visit."},
    )
    assert declined.status_code == 200, declined.text
    again = client.post(f"/api/v1/identity-requests/{request_id}/approve")
    assert again.status_code == 409

    _sign_in(client, "ana.p")
    page = client.get("/portal/intake/about").text
    assert "Not changed" in page
    assert "Please bring your passport to the next visit." in page
    mine = client.get(f"/api/v1/patients/{patient_id}/identity-requests").json()
    assert [(r["status"], r["birth_date"]) for r in mine] == [("declined", "1990-05-20")]
