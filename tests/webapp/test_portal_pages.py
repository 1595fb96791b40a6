"""The patient portal's pages, read by a signed-in patient; the clinic's pages and refusals as a
patient meets them."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans import plans
from scarplan.services.clinic.records import assessments, patients
from support.clinic_data import assessment_input, patient_input
from support.clock import FrozenClock

PASSWORD = "a long test password"
PORTAL_PAGES = ("/portal", "/portal/plan", "/portal/routine", "/portal/progress", "/portal/records")
CLINIC_WORDS = ("patient_id", "clinical.write", "clinical.read", "Record this session", "Upload")
ICE_PICK = [
    {"region": "cheek_left", "type": "ice_pick", "count": 12, "width_mm": 1.1, "depth_mm": 1.4}
]


def _clinician(clinic: Clinic) -> Actor:
    return users.sign_in(clinic, "dr.test", PASSWORD)[0]


def _patient(client: TestClient, clinic: Clinic, **fields: Any) -> int:
    patient_id = patients.create_patient(
        clinic, _clinician(clinic), patient_input("P-0001", "Ana Silva", **fields)
    ).id
    users.create_user(clinic, "ana", "Ana Silva", PASSWORD, "patient", patient_id=patient_id)
    signed = client.post("/api/v1/session", json={"username": "ana", "password": PASSWORD})
    assert signed.status_code == 200
    return patient_id


def _followed_plan(clinic: Clinic, patient_id: int) -> None:
    clinician = _clinician(clinic)
    assessments.record_assessment(
        clinic, clinician, patient_id, assessment_input(clinic.today(), ICE_PICK)
    )
    plans.accept_plan(clinic, clinician, plans.propose_plan(clinic, clinician, patient_id).id)


def _post_forms(page: str) -> list[str]:
    """The page's POST forms, less the patient's own "Your report as a PDF" (asking for one's
    own report is the patient's action, not the clinic's)."""
    found = re.findall(r'<form[^>]*method="post"[^>]*action="([^"]+)"', page)
    return [action for action in found if not re.fullmatch(r"/patients/\d+/report", action)]


def _shows_nothing_for_the_clinic(page: str) -> None:
    for words in CLINIC_WORDS:
        assert words not in page
    assert "P-0001" not in page  # the clinic's code for the patient
    assert "/account/tokens" not in page  # API tokens are for the clinic's integrations
    assert _post_forms(page) == ["/logout"]


def test_a_new_patient_is_welcomed_with_what_to_do_meanwhile(
    client: TestClient, clinic: Clinic
) -> None:
    _patient(client, clinic)

    page = client.get("/portal").text

    assert "Your clinic will add your plan after your first assessment" in page
    assert 'href="/portal/questionnaires"' in page
    assert 'href="/guide"' in page
    _shows_nothing_for_the_clinic(page)
    for path in PORTAL_PAGES:
        answer = client.get(path)
        assert answer.status_code == 200, path
        _shows_nothing_for_the_clinic(answer.text)


def test_the_home_page_says_when_the_next_session_is_and_what_to_stop_before_it(
    client: TestClient, clinic: Clinic
) -> None:
    patient_id = _patient(
        client, clinic, current_agents=["tretinoin"], preferences={"start_date": "2026-12-14"}
    )
    _followed_plan(clinic, patient_id)

    page = client.get("/portal").text

    assert "Monday 14 December 2026" in page
    assert "TCA CROSS, session 1 of 4: left cheek." in page
    # The tretinoin pause before TCA CROSS (agents.yaml): 14 days before, back after the course.
    assert re.search(r"Stop Tretinoin[^<]* from 30 Nov 2026; start again from 02 Feb 2027", page)
    assert "What changes this week" in page
    for path in PORTAL_PAGES:
        answer = client.get(path)
        assert answer.status_code == 200, path
        _shows_nothing_for_the_clinic(answer.text)


def test_the_plan_page_gives_sessions_costs_and_improvement_not_erasure(
    client: TestClient, clinic: Clinic
) -> None:
    patient_id = _patient(client, clinic, preferences={"start_date": "2026-12-14"})
    _followed_plan(clinic, patient_id)

    page = client.get("/portal/plan").text

    assert "Improvement, not erasure" in page
    assert "it does not erase them" in page  # techniques.yaml's expectation, cited
    assert "TCA CROSS 1 of 4" in page
    assert re.search(r"<dt>So far</dt><dd>USD 0</dd>", page)
    assert "Still to come" in page
    assert 'id="source-1"' in page
    assert "Save as version" not in page


def test_progress_is_said_in_words_with_lower_is_better(
    client: TestClient, clinic: Clinic, clock: FrozenClock
) -> None:
    patient_id = _patient(client, clinic)
    clinician = _clinician(clinic)
    assessments.record_assessment(
        clinic, clinician, patient_id, assessment_input(clinic.today(), ICE_PICK)
    )
    clock.advance(days=120)
    fewer = [{**ICE_PICK[0], "count": 4}]
    assessments.record_assessment(
        clinic, clinician, patient_id, assessment_input(clinic.today(), fewer)
    )

    client.cookies.clear()  # the session ran out in those 120 days: sign in again
    client.post("/api/v1/session", json={"username": "ana", "password": PASSWORD})
    page = client.get("/portal/progress").text

    assert re.search(r"ECCA score: down from \d+ to \d+ since November 2026", page)
    assert "fewer or shallower scars" in page
    assert "a lower number is better" in page
    assert "higher means more severe" in page  # the scale's meaning, from the report


def test_a_patient_on_their_clinic_page_is_taken_to_their_portal(
    client: TestClient, clinic: Clinic
) -> None:
    patient_id = _patient(client, clinic)
    other = patients.create_patient(clinic, _clinician(clinic), patient_input("P-0002", "Bo")).id

    own = client.get(f"/patients/{patient_id}", follow_redirects=False)
    progress = client.get(f"/patients/{patient_id}/progress", follow_redirects=False)
    theirs = client.get(f"/patients/{other}")

    assert (own.status_code, own.headers["location"]) == (303, "/portal")
    assert (progress.status_code, progress.headers["location"]) == (303, "/portal/progress")
    assert theirs.status_code == 404
    assert "not one of yours" in theirs.text
    assert "patient_id" not in theirs.text
    assert '<ul class="problems">' not in theirs.text  # "patient_id: 2 names no patient"


def test_a_refused_page_sends_a_patient_back_to_their_page_in_plain_words(
    client: TestClient, clinic: Clinic
) -> None:
    patient_id = _patient(client, clinic)

    refused = client.get(f"/patients/{patient_id}/sessions/new")

    assert refused.status_code == 403
    assert "This page is for the clinic team" in refused.text
    assert 'href="/portal">Back to your page</a>' in refused.text
    assert "clinical.write" not in refused.text
    assert "patient role" not in refused.text
    assert client.get("/portal").status_code == 200


def test_the_portal_is_for_patients_and_a_refused_clinician_is_not_stranded(
    client: TestClient, clinic: Clinic
) -> None:
    client.post("/api/v1/session", json={"username": "dr.test", "password": PASSWORD})

    refused = client.get("/portal")

    assert refused.status_code == 403
    assert 'href="/patients">Back to patients</a>' in refused.text
    assert client.get("/patients").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/patients/{id}/sessions",
        "/assessments/{assessment}",
        "/plans/{plan}",
        "/patients/{id}/calendar",
        "/patients/{id}/topography",
    ],
)
def test_clinic_pages_a_patient_may_read_show_no_clinic_actions(
    client: TestClient, clinic: Clinic, path: str
) -> None:
    patient_id = _patient(client, clinic, preferences={"start_date": "2026-12-14"})
    _followed_plan(clinic, patient_id)
    assessment = assessments.list_assessments(clinic, _clinician(clinic), patient_id)[0].id
    (plan,) = plans.list_plans(clinic, _clinician(clinic), patient_id)

    page = client.get(path.format(id=patient_id, assessment=assessment, plan=plan.id))

    assert page.status_code == 200
    assert _post_forms(page.text) == ["/logout"]
    assert "Record a session" not in page.text
    assert "P-0001" not in page.text  # the clinic's patient bar is not shown to the patient


def test_today_is_the_clinic_day(clinic: Clinic) -> None:
    # The expectations above are written for the frozen clock's day.
    assert clinic.today() == date(2026, 11, 21)
    assert clinic.today() + timedelta(days=23) == date(2026, 12, 14)
