"""The report download of the web app: PDF and HTML as attachments; bad options are 422."""

from __future__ import annotations

import subprocess

import pytest
from fastapi.testclient import TestClient

from scarplan.services.clinic.accounts.users import create_user
from scarplan.services.clinic.core.context import Clinic
from scarplan.services.clinic.records import assessments, patients
from support.clinic_data import assessment_input, patient_input

pytestmark = pytest.mark.db


@pytest.fixture
def patient_id(clinic: Clinic, signed_in: TestClient) -> int:
    actor = create_user(clinic, "dr.other", "Dr Other", "another long password", "clinician")
    record = patients.create_patient(clinic, actor, patient_input("P-0001"))
    assessments.record_assessment(clinic, actor, record.id, assessment_input(clinic.today()))
    return record.id


def test_the_web_app_downloads_the_report_as_pdf_and_html(
    signed_in: TestClient, patient_id: int
) -> None:
    pdf = signed_in.get(f"/patients/{patient_id}/report")
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.content, check=True, capture_output=True
    ).stdout.decode()
    assert "Your acne scar treatment plan" in text
    assert "Ana Silva" in text

    html = signed_in.get(f"/patients/{patient_id}/report?variant=clinician&format=html")
    assert html.status_code == 200
    assert html.text.startswith("<!doctype html>")
    assert "Clinician summary" in html.text

    bad = signed_in.get(f"/patients/{patient_id}/report?format=docx")
    assert bad.status_code == 422
