"""The report in the web app: the PDF made by a job and downloaded from its page by the one who
asked for it; the HTML downloaded at once; bad options are 422."""

from __future__ import annotations

import re
import subprocess

import pytest
from fastapi.testclient import TestClient

from scarplan.services.clinic.accounts.users import create_user
from scarplan.services.clinic.core.context import Clinic
from scarplan.services.clinic.core.job_runner import InProcessJobRunner
from scarplan.services.clinic.records import assessments, patients
from support.clinic_data import assessment_input, patient_input

pytestmark = pytest.mark.db
OTHER_PASSWORD = "another long password"


@pytest.fixture
def patient_id(clinic: Clinic, signed_in: TestClient) -> int:
    actor = create_user(clinic, "dr.other", "Dr Other", OTHER_PASSWORD, "clinician")
    record = patients.create_patient(clinic, actor, patient_input("P-0001"))
    assessments.record_assessment(clinic, actor, record.id, assessment_input(clinic.today()))
    return record.id


def pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=data, check=True, capture_output=True
    ).stdout.decode()


def test_the_pdf_is_made_by_a_job_and_downloaded_from_its_page(
    signed_in: TestClient, clinic: Clinic, patient_id: int
) -> None:
    # A GET makes nothing: it offers the button (old links land here).
    offer = signed_in.get(f"/patients/{patient_id}/report")
    assert offer.status_code == 200
    assert "Make the PDF" in offer.text

    asked = signed_in.post(
        f"/patients/{patient_id}/report", data={"variant": "patient"}, follow_redirects=False
    )
    assert asked.status_code == 303
    page_url = asked.headers["location"]
    assert re.fullmatch(r"/reports/\d+", page_url)
    assert isinstance(clinic.jobs, InProcessJobRunner)
    assert clinic.jobs.wait_idle(60)

    page = signed_in.get(page_url)
    assert page.status_code == 200
    assert "The PDF is ready" in page.text
    assert f'href="{page_url}/file"' in page.text
    pdf = signed_in.get(f"{page_url}/file")
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    assert f"scarplan-patient-report-{patient_id}-" in pdf.headers["content-disposition"]
    text = pdf_text(pdf.content)
    assert "Your acne scar treatment plan" in text
    assert "Ana Silva" in text

    # Another clinician, who may read the record, still does not get this request's file.
    signed_in.cookies.clear()
    other = signed_in.post(
        "/api/v1/session", json={"username": "dr.other", "password": OTHER_PASSWORD}
    )
    assert other.status_code == 200
    assert signed_in.get(f"{page_url}/file").status_code == 404
    assert signed_in.get(page_url).status_code == 404


def test_the_clinician_summary_pdf_and_the_html_report(
    signed_in: TestClient, clinic: Clinic, patient_id: int
) -> None:
    asked = signed_in.post(
        f"/patients/{patient_id}/report", data={"variant": "clinician"}, follow_redirects=False
    )
    assert isinstance(clinic.jobs, InProcessJobRunner)
    assert clinic.jobs.wait_idle(60)
    pdf = signed_in.get(f"{asked.headers['location']}/file")
    assert "Clinician summary" in pdf_text(pdf.content)

    html = signed_in.get(f"/patients/{patient_id}/report?variant=clinician&format=html")
    assert html.status_code == 200
    assert html.text.startswith("<!doctype html>")
    assert "Clinician summary" in html.text

    assert signed_in.get(f"/patients/{patient_id}/report?format=docx").status_code == 422
    bad = signed_in.post(f"/patients/{patient_id}/report", data={"variant": "everyone"})
    assert bad.status_code == 422


def test_a_patient_without_an_assessment_gets_the_reason_on_the_job_page(
    signed_in: TestClient, clinic: Clinic
) -> None:
    actor = create_user(clinic, "dr.third", "Dr Third", OTHER_PASSWORD, "clinician")
    empty = patients.create_patient(clinic, actor, patient_input("P-0002")).id
    asked = signed_in.post(f"/patients/{empty}/report", data={"variant": "patient"})
    assert isinstance(clinic.jobs, InProcessJobRunner)
    assert clinic.jobs.wait_idle(60)
    page = signed_in.get(asked.url.path)
    assert "The PDF could not be made: the patient has no assessment to report on" in page.text
    assert "Try again" in page.text


def test_a_patient_whose_report_failed_reads_plain_words_not_the_clinics(
    client: TestClient, clinic: Clinic
) -> None:
    actor = create_user(clinic, "dr.fourth", "Dr Fourth", OTHER_PASSWORD, "clinician")
    empty = patients.create_patient(clinic, actor, patient_input("P-0003")).id
    create_user(clinic, "ana.plain", "Ana", OTHER_PASSWORD, "patient", patient_id=empty)
    signed = client.post(
        "/api/v1/session", json={"username": "ana.plain", "password": OTHER_PASSWORD}
    )
    client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
    asked = client.post(f"/patients/{empty}/report", data={"variant": "patient"})
    assert isinstance(clinic.jobs, InProcessJobRunner)
    assert clinic.jobs.wait_idle(60)
    page = client.get(asked.url.path)
    assert "Your report could not be made just now" in page.text
    for clinic_words in ("assessment:", "problem", "server log", "record an assessment"):
        assert clinic_words not in page.text
