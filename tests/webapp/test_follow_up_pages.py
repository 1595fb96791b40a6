"""The follow-up pages through the app: the overview's due visits and Book links, the outcome
review page, and an adverse event's outcome form."""

from __future__ import annotations

import html
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.context import Clinic
from scarplan.services.clinic.plans import follow_up, plans
from scarplan.services.clinic.records import assessments, patients
from support.clinic_data import assessment_input, patient_input
from support.clock import FrozenClock
from support.consent import record_cleared

TODAY = date(2026, 11, 21)
PASSWORD = "a long test password"


@pytest.fixture
def world(clinic: Clinic, client: TestClient) -> tuple[int, int]:
    """A patient with a punch excision today and a pigment change after it: (patient, event)."""
    doctor = users.create_user(clinic, "dr.pages", "Dr Pages", PASSWORD, "clinician")
    patient = patients.create_patient(clinic, doctor, patient_input("P-PG", "Pia Pages"))
    assessments.record_assessment(
        clinic, doctor, patient.id, assessment_input(TODAY - timedelta(days=1))
    )
    plan = plans.propose_plan(clinic, doctor, patient.id)
    plans.accept_plan(clinic, doctor, plan.id)
    done = record_cleared(
        clinic,
        doctor,
        patient.id,
        {
            "performed_on": TODAY.isoformat(),
            "modality": "punch_excision",
            "regions": ["cheek_left"],
            "practitioner": "Dr Pages",
            "adverse_events": [{"kind": "pih", "onset_on": TODAY.isoformat()}],
        },
    )
    return patient.id, done.adverse_events[0].id


def _sign_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    response = client.post("/api/v1/session", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]


def test_the_front_desk_sees_the_due_check_with_its_book_link_and_no_scores(
    clinic: Clinic, client: TestClient, world: tuple[int, int]
) -> None:
    patient_id, _ = world
    users.create_user(clinic, "front.desk", "Front Desk", PASSWORD, "staff")
    _sign_in(client, "front.desk")

    page = client.get(f"/patients/{patient_id}")

    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Follow-ups due" in text
    assert "Follow-up check</strong>: 28 Nov 2026 to 01 Dec 2026" in text
    assert "Stitch removal and a wound check after punch excision" in text
    link = f"/desk/book?patient={patient_id}&kind=follow_up&earliest=2026-11-28&latest=2026-12-01"
    assert f'href="{link}"' in text
    assert "Goodman" not in text
    assert "/adverse-events/" not in text  # staff read the count, not the clinical record
    assert "Outcome review and visits" not in text


def test_the_unresolved_count_links_to_the_event_and_clears_once_resolved(
    client: TestClient, world: tuple[int, int]
) -> None:
    patient_id, event_id = world
    _sign_in(client, "dr.pages")

    page = html.unescape(client.get(f"/patients/{patient_id}").text)
    link = f'<a class="unresolved-events" href="/adverse-events/{event_id}">'
    assert f"{link}1 unresolved adverse event</a>" in page

    refused = client.post(
        f"/adverse-events/{event_id}/outcome", data={"outcome": "resolved", "resolved_on": ""}
    )
    assert refused.status_code == 422
    assert "the resolved date is needed once the event has resolved" in html.unescape(refused.text)
    assert "Nothing was saved." in refused.text

    saved = client.post(
        f"/adverse-events/{event_id}/outcome",
        data={"outcome": "resolved", "resolved_on": "2026-11-21", "treatment": "sun protection"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    event_page = html.unescape(client.get(f"/adverse-events/{event_id}").text)
    assert "recorded by Dr Pages" in event_page
    assert "treatment: sun protection" in event_page
    page = html.unescape(client.get(f"/patients/{patient_id}").text)
    assert "no unresolved adverse events" in page


def test_the_review_page_shows_the_due_check_and_says_what_the_review_lacks(
    client: TestClient, world: tuple[int, int]
) -> None:
    patient_id, _ = world
    _sign_in(client, "dr.pages")

    page = html.unescape(client.get(f"/patients/{patient_id}/follow-up").text)

    assert "Stitch removal and a wound check after punch excision" in page
    # The punch excision is outside the plan, none of whose sessions is done yet.
    assert "No session of the plan has been recorded yet." in page
    assert "Published ranges, not a promise" in page

    future = client.post(
        f"/patients/{patient_id}/follow-up-visits",
        data={"kind": "follow_up", "visited_on": "2026-11-30"},
    )
    assert future.status_code == 422
    assert "is in the future" in future.text


def test_the_patient_reads_their_review_in_plain_words_on_the_portal(
    clinic: Clinic, client: TestClient, clock: FrozenClock
) -> None:
    doctor = users.create_user(clinic, "dr.review", "Dr Review", PASSWORD, "clinician")
    patient = patients.create_patient(clinic, doctor, patient_input("P-RV", "Rita Review"))
    assessments.record_assessment(
        clinic, doctor, patient.id, assessment_input(TODAY - timedelta(days=1))
    )
    plan = plans.propose_plan(clinic, doctor, patient.id)
    plans.accept_plan(clinic, doctor, plan.id)
    first = plans.get_plan(clinic, doctor, plan.id).sessions[0]
    record_cleared(
        clinic,
        doctor,
        patient.id,
        {
            "performed_on": TODAY.isoformat(),
            "modality": first.modality,
            "regions": first.regions,
            "practitioner": "Dr Review",
            "planned_session_id": first.id,
        },
    )
    plans.complete_plan(clinic, doctor, plan.id)
    clock.advance(days=95)
    assessments.record_assessment(clinic, doctor, patient.id, assessment_input(clock().date()))
    follow_up.record_visit(
        clinic,
        doctor,
        patient.id,
        {"kind": "outcome_review", "visited_on": clock().date().isoformat()},
    )
    users.create_user(clinic, "rita", "Rita Review", PASSWORD, "patient", patient_id=patient.id)
    _sign_in(client, "rita")

    page = html.unescape(client.get("/portal/progress").text)

    assert "Your treatment review" in page
    assert "Your scars improved less than published results for these treatments" in page
    assert "Goodman & Baron quantitative" not in page
