"""The research page: a researcher lands on it, reads what the export holds and leaves out, and
downloads it through the same route (and so the same service and audit entry) as the API."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import timedelta
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from scarplan.adapters.db.tables import AuditEventRecord
from scarplan.adapters.presentation.wording import label
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.context import Clinic
from scarplan.services.clinic.core.job_runner import InProcessJobRunner
from scarplan.services.clinic.exchange.research.deidentify import NUMERIC_PARAMETERS
from scarplan.services.clinic.records import assessments, patients
from support.clinic_data import assessment_input, patient_input

PASSWORD = "a long test password"
NAMES = ("Ana Silva", "Bruno Costa")
CODES = ("P-7001", "P-7002")


def _sign_in(client: TestClient, username: str) -> str:
    """Sign in on the login page; the page the user lands on."""
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    signed = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token[1]},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    landing: str = signed.headers["location"]
    return landing


@pytest.fixture
def cohort(client: TestClient, clinic: Clinic) -> None:
    """Two patients with an assessment each, recorded by the client fixture's clinician."""
    clinician = users.sign_in(clinic, "dr.test", PASSWORD)[0]
    for code, name in zip(CODES, NAMES, strict=True):
        record = patients.create_patient(clinic, clinician, patient_input(code, name))
        assessments.record_assessment(
            clinic, clinician, record.id, assessment_input(clinic.today() - timedelta(days=3))
        )


def _download_form(page: str) -> tuple[str, str, list[str], str]:
    """The form's action, the name of its date choice, the values offered, its CSRF token."""
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', page, re.S)
    assert form is not None
    choices = re.findall(r'type="radio" name="([a-z]+)" value="([a-z]+)"', form[2])
    assert len({name for name, _ in choices}) == 1
    token = re.search(r'name="csrf_token" value="([^"]+)"', form[2])
    assert token is not None
    return unescape(form[1]), choices[0][0], [value for _, value in choices], token[1]


def test_a_researcher_lands_on_the_research_page_with_its_link_in_the_nav(
    client: TestClient, clinic: Clinic
) -> None:
    users.create_user(clinic, "res.one", "Res One", PASSWORD, "researcher")

    assert _sign_in(client, "res.one") == "/research"
    page = client.get("/research")
    assert page.status_code == 200
    assert '<a href="/research">Research</a>' in page.text
    assert 'href="/account/tokens"' in page.text
    for fact in ("HMAC-SHA256", "free-text", "Years only", "Parquet", "audit trail"):
        assert fact in page.text
    assert _download_form(page.text)[1:3] == ("dates", ["shifted", "years"])
    # The parameters the page lists are the export's allow-list, by their labels.
    shared = unescape(page.text)
    assert all(label(name) in shared for name in NUMERIC_PARAMETERS)
    assert label("anaesthesia") not in shared


@pytest.mark.parametrize("role", ["admin", "clinician", "staff"])
def test_other_roles_have_no_research_link_and_are_refused_the_page(
    client: TestClient, clinic: Clinic, role: str
) -> None:
    users.create_user(clinic, f"{role}.r", role, PASSWORD, role)
    landing = _sign_in(client, f"{role}.r")
    assert 'href="/research"' not in client.get(landing).text
    assert client.get("/research").status_code == 403


@pytest.mark.usefixtures("cohort")
@pytest.mark.parametrize("dates", ["shifted", "years"])
def test_the_page_downloads_the_de_identified_export_and_the_download_is_audited(
    client: TestClient, clinic: Clinic, dates: str
) -> None:
    users.create_user(clinic, "res.one", "Res One", PASSWORD, "researcher")
    _sign_in(client, "res.one")
    action, field, _, token = _download_form(client.get("/research").text)

    # The export is made by a job; its page offers the download when it is ready.
    asked = client.post(action, data={field: dates, "csrf_token": token}, follow_redirects=False)
    assert asked.status_code == 303, asked.text
    assert isinstance(clinic.jobs, InProcessJobRunner)
    assert clinic.jobs.wait_idle(60)
    page = client.get(asked.headers["location"])
    assert "The export is ready" in page.text
    link = re.search(r'href="(/api/v1/research/exports/\d+/file)"', page.text)
    assert link is not None
    download = client.get(link[1])
    assert download.status_code == 200, download.text
    assert download.headers["content-type"] == "application/zip"
    assert "attachment" in download.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        names = set(archive.namelist())
        assert {"patients.csv", "patients.parquet", "manifest.json", "README.txt"} <= names
        text = {n: archive.read(n).decode() for n in names if n.endswith((".csv", ".txt"))}
        text["manifest.json"] = archive.read("manifest.json").decode()
    patients_rows = list(csv.reader(io.StringIO(text["patients.csv"])))
    assert patients_rows[0] == ["subject", "birth_year", "sex", "fitzpatrick"]
    assert len(patients_rows) == 1 + len(NAMES)
    assert all(re.fullmatch(r"S[0-9a-f]{16}", row[0]) for row in patients_rows[1:])
    header = next(csv.reader(io.StringIO(text["assessments.csv"])))
    assert ("assessed_year" if dates == "years" else "assessed_on") in header
    for content in text.values():
        for identifying in (*NAMES, *CODES, "1990-05-02"):
            assert identifying not in content

    with clinic.uow.read() as session:
        (entry,) = session.scalars(
            select(AuditEventRecord).where(
                AuditEventRecord.action == "export", AuditEventRecord.entity == "research"
            )
        ).all()
    assert (entry.username, entry.role, entry.patient_id) == ("res.one", "researcher", None)
    assert entry.route == "POST /research/exports"  # in the name of who asked, as they asked
    assert entry.detail["dates"] == dates
    assert entry.detail["rows"]["patients"] == len(NAMES)


@pytest.mark.usefixtures("cohort")
def test_an_export_is_the_researchers_alone_and_the_api_says_where_it_is(
    client: TestClient, clinic: Clinic
) -> None:
    users.create_user(clinic, "res.one", "Res One", PASSWORD, "researcher")
    users.create_user(clinic, "res.two", "Res Two", PASSWORD, "researcher")
    _sign_in(client, "res.one")
    token = _download_form(client.get("/research").text)[3]
    started = client.post("/api/v1/research/exports?dates=years", headers={"X-CSRF-Token": token})
    assert started.status_code == 202, started.text
    state = started.json()
    assert state["status_url"] == f"/api/v1/research/exports/{state['job_id']}"
    assert isinstance(clinic.jobs, InProcessJobRunner)
    assert clinic.jobs.wait_idle(60)
    done = client.get(state["status_url"]).json()
    assert done["status"] == "done"
    assert done["file_url"] == f"{state['status_url']}/file"
    assert done["rows"]["patients"] == len(NAMES)

    client.cookies.clear()
    _sign_in(client, "res.two")
    assert client.get(state["status_url"]).status_code == 404
    assert client.get(done["file_url"]).status_code == 404
    assert client.get(f"/research/exports/{state['job_id']}").status_code == 404
