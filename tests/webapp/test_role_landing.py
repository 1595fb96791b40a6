"""After signing in on the login page, each role lands on a page it may see."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.context import Clinic
from scarplan.services.clinic.records import patients
from support.clinic_data import patient_input

PASSWORD = "a long test password"


@pytest.mark.parametrize("role", ["admin", "clinician", "staff", "patient", "researcher"])
def test_each_role_lands_on_a_page_it_may_see(
    client: TestClient, clinic: Clinic, role: str
) -> None:
    clinician = users.sign_in(clinic, "dr.test", PASSWORD)[0]
    patient = patients.create_patient(clinic, clinician, patient_input())
    linked = patient.id if role == "patient" else None
    users.create_user(clinic, f"{role}.land", role, PASSWORD, role, patient_id=linked)
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    signed = client.post(
        "/login",
        data={"username": f"{role}.land", "password": PASSWORD, "csrf_token": token[1]},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    landing = client.get(signed.headers["location"])
    assert landing.status_code == 200, (signed.headers["location"], landing.text[:300])
    # The logo's link, "/", leads the same role to the same page.
    home = client.get("/", follow_redirects=False)
    assert (home.status_code, home.headers["location"]) == (303, signed.headers["location"])


def test_a_portal_patient_downloads_their_data_from_their_page_and_sees_no_clinic_actions(
    client: TestClient, clinic: Clinic
) -> None:
    clinician = users.sign_in(clinic, "dr.test", PASSWORD)[0]
    patient = patients.create_patient(clinic, clinician, patient_input())
    users.create_user(clinic, "ana.p", "Ana", PASSWORD, "patient", patient_id=patient.id)
    client.post("/api/v1/session", json={"username": "ana.p", "password": PASSWORD})

    # Their clinic page is their portal; the data download is with their documents.
    home = client.get(f"/patients/{patient.id}")
    assert home.url.path == "/portal"
    assert 'href="/portal/records"' in home.text
    page = client.get("/portal/records").text
    link = re.search(r'href="([^"]+/export)"', page)
    assert link is not None
    assert "New assessment" not in page
    assert "Propose a plan" not in page
    archive = client.get(link[1])
    assert archive.status_code == 200
    assert archive.headers["content-type"] == "application/zip"
    assert archive.content[:2] == b"PK"
