"""Uploads through the HTML forms (not the JSON API): a progress photo and a height map.

Both once failed with "no file" whatever was sent: the pages checked the form's part against
FastAPI's UploadFile, a subclass of the Starlette class that form parsing returns."""

from __future__ import annotations

import io
import re

from fastapi.testclient import TestClient
from PIL import Image

from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.context import Clinic
from scarplan.services.clinic.core.job_runner import InProcessJobRunner
from scarplan.services.clinic.records import patients
from support.clinic_data import patient_input
from support.height_maps import PIXEL_SIZE_MM, small_map_npy

PASSWORD = "a long test password"


def _patient(clinic: Clinic) -> int:
    clinician = users.sign_in(clinic, "dr.test", PASSWORD)[0]
    return patients.create_patient(clinic, clinician, patient_input()).id


def _jpeg() -> bytes:
    raw = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 160, 140)).save(raw, format="JPEG")
    return raw.getvalue()


def test_a_photo_uploaded_on_the_progress_page_is_stored(
    signed_in: TestClient, clinic: Clinic
) -> None:
    patient_id = _patient(clinic)
    answer = signed_in.post(
        f"/patients/{patient_id}/photos",
        data={
            "region": "cheek_left",
            "angle": "front",
            "taken_on": "2026-11-20",
            "consent": "clinical_record",
            "consent_confirmed": "yes",
        },
        files={"file": ("face.jpg", _jpeg(), "image/jpeg")},
        follow_redirects=False,
    )
    assert answer.status_code == 303, re.findall(r'role="alert">[^<]+', answer.text)
    listed = signed_in.get(f"/api/v1/patients/{patient_id}/photos").json()
    assert [p["region"] for p in listed] == ["cheek_left"]


def test_a_height_map_uploaded_on_the_page_is_analysed_and_shown(
    signed_in: TestClient, clinic: Clinic
) -> None:
    patient_id = _patient(clinic)
    answer = signed_in.post(
        f"/patients/{patient_id}/topography",
        data={"region": "cheek_left", "taken_on": "2026-11-20", "pixel_size_mm": PIXEL_SIZE_MM},
        files={"file": ("cheek.npy", small_map_npy(), "application/octet-stream")},
        follow_redirects=False,
    )
    assert answer.status_code == 303, re.findall(r'role="alert">[^<]+', answer.text)
    assert isinstance(clinic.jobs, InProcessJobRunner)
    assert clinic.jobs.wait_idle(60)
    shown = signed_in.get(answer.headers["location"])
    assert shown.status_code == 200
    overlay = re.search(r'src="(/topography/\d+/overlay\.png)"', shown.text)
    assert overlay is not None, shown.text[:2000]
    assert "Ice pick" in shown.text
    png = signed_in.get(overlay[1])
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    # The map is kept: downloaded as uploaded, and analysed again as a new analysis.
    analysis_id = overlay[1].split("/")[2]
    kept = signed_in.get(f"/topography/{analysis_id}/map")
    assert kept.content == small_map_npy()
    assert 'filename="cheek.npy"' in kept.headers["content-disposition"]
    again = signed_in.post(f"/topography/{analysis_id}/reanalyse", follow_redirects=False)
    assert again.status_code == 303
    assert clinic.jobs.wait_idle(60)
    second = signed_in.get(again.headers["location"], follow_redirects=False)
    assert second.status_code == 303
    assert second.headers["location"] != f"/topography/{analysis_id}"


def test_the_synthetic_example_uploads_without_calibration_and_finds_its_scars(
    signed_in: TestClient, clinic: Clinic
) -> None:
    patient_id = _patient(clinic)
    example = signed_in.get("/topography/example.gsf")
    assert example.status_code == 200
    assert 'filename="synthetic-cheek.gsf"' in example.headers["content-disposition"]
    answer = signed_in.post(
        f"/patients/{patient_id}/topography",
        data={"region": "cheek_right", "taken_on": "2026-11-20"},  # no pixel size: the file has it
        files={"file": ("synthetic-cheek.gsf", example.content, "application/octet-stream")},
        follow_redirects=False,
    )
    assert answer.status_code == 303, re.findall(r'role="alert">[^<]+', answer.text)
    assert isinstance(clinic.jobs, InProcessJobRunner)
    assert clinic.jobs.wait_idle(60)
    shown = signed_in.get(answer.headers["location"]).text
    # Planted: two ice pick scars, a boxcar and a rolling scar (EXAMPLE_MAP).
    counts = dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", shown))
    assert counts == {"Ice pick": "2", "Boxcar": "1", "Rolling": "1"}
