"""A refused form shows each problem beside the field it names, not only in the summary."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.context import Clinic
from scarplan.services.clinic.records import patients
from support.clinic_data import patient_input
from support.height_maps import small_map_npy

PASSWORD = "a long test password"


def _beside(page: str, field: str) -> str:
    """The inline error inside the label that holds the input named `field`."""
    label = re.search(
        rf'<label>[^<]*<(?:input|select|textarea)[^>]*name="{field}".*?</label>', page, re.S
    )
    assert label is not None, f"no label for {field}"
    error = re.search(r'<span class="field-error" role="alert">([^<]+)</span>', label[0])
    assert error is not None, f"no error beside {field}: {label[0]}"
    return error[1]


def test_intake_shows_the_bad_birth_date_beside_its_field(signed_in: TestClient) -> None:
    answer = signed_in.post(
        "/patients",
        data={"full_name": "Lena Park", "code": "P-2001", "birth_date": "2099-01-01"},
    )
    assert answer.status_code == 422
    assert "future" in _beside(answer.text, "birth_date")
    assert 'name="full_name"' in answer.text  # the form is shown again with what was typed


def test_a_height_map_without_a_pixel_size_names_the_form_field(
    signed_in: TestClient, clinic: Clinic
) -> None:
    clinician = users.sign_in(clinic, "dr.test", PASSWORD)[0]
    patient = patients.create_patient(clinic, clinician, patient_input())
    answer = signed_in.post(
        f"/patients/{patient.id}/topography",
        data={"region": "cheek_left", "taken_on": "2026-11-20"},
        files={"file": ("cheek.npy", small_map_npy(), "application/octet-stream")},
    )
    assert answer.status_code == 422
    assert "pixels" in _beside(answer.text, "pixel_size_mm")
    assert "--pixel-size" not in answer.text


def test_a_plan_edit_on_an_old_version_is_refused_on_the_plan_page(signed_in: TestClient) -> None:
    patient_id = signed_in.post(
        "/api/v1/patients",
        json={"full_name": "Ana Souza", "patient": {"id": "P-9", "birth_date": "1995-04-02"}},
    ).json()["id"]
    signed_in.post(
        f"/api/v1/patients/{patient_id}/assessments",
        json={
            "date": "2026-11-20",
            "lesions": [{"region": "cheek_left", "type": "ice_pick", "count": 12}],
        },
    )
    plan = signed_in.post(f"/api/v1/patients/{patient_id}/plans").json()
    last = plan["sessions"][-1]["id"]
    answer = signed_in.post(
        f"/plans/{plan['id']}/edit",
        data={"based_on": "7", "reason": "patient travels", "remove_session": str(last)},
    )
    # A colleague's newer version: the plan page again, the problem beside the edit, not an
    # error page.
    assert answer.status_code == 409
    assert "Reason for the change" in answer.text
    assert re.search(r'<span class="field-error" role="alert">[^<]*version 7', answer.text)
    short = signed_in.post(
        f"/plans/{plan['id']}/edit",
        data={"based_on": "1", "reason": "x", "remove_session": str(last)},
    )
    assert short.status_code == 422
    assert "at least 3" in _beside(short.text, "reason")
