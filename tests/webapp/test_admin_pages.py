"""Admins see the audit trail, filter it, and manage accounts from the web app."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import text

from scarplan.adapters.db import audit_guard
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.context import Clinic
from scarplan.services.clinic.records import patients
from support.clinic_data import patient_input

PASSWORD = "a long test password"


def _sign_in_admin(client: TestClient, clinic: Clinic) -> None:
    users.create_user(clinic, "boss", "Boss", PASSWORD, "admin")
    signed = client.post("/api/v1/session", json={"username": "boss", "password": PASSWORD})
    client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]


def test_the_audit_page_shows_who_read_a_patient_and_filters_by_patient(
    client: TestClient, clinic: Clinic
) -> None:
    clinician = users.sign_in(clinic, "dr.test", PASSWORD)[0]
    seen = patients.create_patient(clinic, clinician, patient_input("P-1", "Seen"))
    other = patients.create_patient(clinic, clinician, patient_input("P-2", "Other"))
    patients.get_patient(clinic, clinician, seen.id)
    clinic.audit.flush()
    _sign_in_admin(client, clinic)

    page = client.get("/admin/audit", params={"patient_id": seen.id}).text
    rows = re.findall(r"<tr><td[^>]*>\d{4}-.*?</tr>", page, flags=re.S)
    assert any("dr.test" in r and ">read<" in r for r in rows)
    assert any(">create<" in r for r in rows)
    assert all(re.search(rf"<td[^>]*>{seen.id}</td>", r) for r in rows)
    assert re.search(rf"<td[^>]*>{other.id}</td>", page) is None
    assert "Seen" not in page  # the trail names records by id, never by patient name


def test_an_admin_adds_and_disables_a_user_from_the_users_page(
    client: TestClient, clinic: Clinic
) -> None:
    _sign_in_admin(client, clinic)
    added = client.post(
        "/admin/users",
        data={"username": "nurse.kim", "full_name": "Kim", "role": "staff", "password": PASSWORD},
        follow_redirects=False,
    )
    assert added.status_code == 303
    assert users.sign_in(clinic, "nurse.kim", PASSWORD)[0].role == "staff"
    refused = client.post(
        "/admin/users",
        data={"username": "x", "full_name": "X", "role": "staff", "password": PASSWORD},
    )
    assert refused.status_code == 422
    assert "username" in refused.text
    client.post("/admin/users/nurse.kim/disable", follow_redirects=False)
    assert [u.active for u in users.list_users(clinic) if u.username == "nurse.kim"] == [False]


def test_an_admin_makes_no_portal_account_by_any_route(client: TestClient, clinic: Clinic) -> None:
    """Issue 24, finding 4: portal accounts come from the patient's invitation, not from admin."""
    clinician = users.sign_in(clinic, "dr.test", PASSWORD)[0]
    patient = patients.create_patient(clinic, clinician, patient_input("P-1", "Ana"))
    _sign_in_admin(client, clinic)

    page = client.get("/admin/users").text
    assert re.findall(r'<option value="([a-z]+)"', page) == [
        "admin",
        "clinician",
        "staff",
        "researcher",
    ]
    fields = {"username": "ana.p", "full_name": "Ana", "password": PASSWORD, "role": "patient"}
    by_page = client.post("/admin/users", data={**fields, "patient_id": str(patient.id)})
    assert by_page.status_code == 403
    assert "invite the patient from their page" in by_page.text
    by_api = client.post("/api/v1/users", json={**fields, "patient_id": patient.id})
    assert by_api.status_code == 403
    assert "invite the patient from their page" in by_api.json()["title"]
    assert "ana.p" not in [u.username for u in users.list_users(clinic)]
    export = client.get(f"/api/v1/patients/{patient.id}/export")
    assert export.status_code == 403


def test_an_admin_verifies_the_audit_trail_and_a_tampered_entry_is_named(
    client: TestClient, clinic: Clinic
) -> None:
    clinician = users.sign_in(clinic, "dr.test", PASSWORD)[0]
    seen = patients.create_patient(clinic, clinician, patient_input("P-1", "Seen"))
    patients.get_patient(clinic, clinician, seen.id)
    clinic.audit.flush()
    _sign_in_admin(client, clinic)

    whole = client.get("/api/v1/audit/verify")
    assert whole.status_code == 200
    assert whole.json()["intact"] is True
    assert whole.json()["first_bad"] is None
    assert len(whole.json()["head_hash"]) == 64

    with clinic.uow.engine.begin() as connection:
        audit_guard.remove(connection)
        connection.execute(text("UPDATE audit_events SET patient_id = NULL WHERE action = 'read'"))
        audit_guard.install(connection)
    broken = client.get("/api/v1/audit/verify").json()
    assert broken["intact"] is False
    assert broken["first_bad"]["flaw"] == "altered"
    assert broken["first_bad"]["id"] > whole.json()["entries"] - 3
