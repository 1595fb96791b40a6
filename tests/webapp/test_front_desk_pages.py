"""The front desk's pages through the app: the day, booking a slot with a click, a clash
refused in words, the patient overview's next-session line and what staff are shown."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.calendar import front_desk, schedule_setup
from scarplan.services.clinic.calendar.demo_schedule import DEMO_SCHEDULE
from scarplan.services.clinic.calendar.front_desk import BookingRequest
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans import plans
from scarplan.services.clinic.records import assessments, patients
from support.clinic_data import assessment_input, patient_input

PASSWORD = "a long test password"
TODAY = date(2026, 11, 21)


@pytest.fixture
def desk(client: TestClient, clinic: Clinic) -> tuple[TestClient, Actor, int]:
    clinician = users.sign_in(clinic, "dr.test", PASSWORD)[0]
    schedule_setup.save_setup(clinic, clinician, DEMO_SCHEDULE, "opening set-up")
    record = patients.create_patient(clinic, clinician, patient_input("P-1", "Ana Silva"))
    assessments.record_assessment(
        clinic, clinician, record.id, assessment_input(date(2026, 11, 16))
    )
    proposed = plans.propose_plan(clinic, clinician, record.id)
    plans.accept_plan(clinic, clinician, proposed.id)
    staff = users.create_user(clinic, "front.desk", "Front Desk", PASSWORD, "staff")
    _sign_in(client)
    return client, staff, record.id


def _sign_in(client: TestClient) -> None:
    client.cookies.clear()
    response = client.post("/api/v1/session", json={"username": "front.desk", "password": PASSWORD})
    assert response.status_code == 200
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]


def _forms(html: str) -> list[dict[str, str]]:
    found = []
    for form in re.findall(r'<form method="post" action="/desk/book">(.*?)</form>', html, re.S):
        found.append(dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form)))
    return found


def test_book_next_opens_the_slots_and_one_click_books_it_onto_the_day_page(
    desk: tuple[TestClient, Actor, int],
) -> None:
    client, _, patient_id = desk

    opened = client.get(f"/patients/{patient_id}/book-next")
    assert opened.status_code == 200
    assert opened.url.path == "/desk/book"
    assert "Subcision" in opened.text
    assert "dr-okafor" not in re.sub(r'value="[^"]*"', "", opened.text)  # names, not ids
    slots = _forms(opened.text)
    assert slots
    booked = client.post("/desk/book", data=slots[0], follow_redirects=False)
    assert booked.status_code == 303

    day = client.get(booked.headers["location"])
    assert day.status_code == 200
    assert "Ana Silva" in day.text
    # The first free slot (the plan's first session is not before the day after the proposal,
    # a Saturday here: Monday) is shown with the practitioner's and the room's names.
    chosen = next(
        p
        for p in DEMO_SCHEDULE["resources"]["practitioners"]
        if p["id"] == slots[0]["practitioner"]
    )
    assert chosen["name"] in day.text
    assert slots[0]["practitioner"] not in re.sub(r'(value|href|action)="[^"]*"', "", day.text)
    assert "Treatment room 1" in day.text
    assert "Reschedule" in day.text

    again = client.post("/desk/book", data=slots[0] | {"session": ""}, follow_redirects=False)
    assert again.status_code == 422


def test_a_clash_is_refused_on_the_page_with_who_is_in_the_way(
    desk: tuple[TestClient, Actor, int], clinic: Clinic
) -> None:
    client, staff, patient_id = desk
    bruno = patients.create_patient(clinic, staff, patient_input("P-2", "Bruno Costa"))
    follow_up = BookingRequest(bruno.id, kind=front_desk.VisitKind.FOLLOW_UP)
    front_desk.book(
        clinic, staff, follow_up, date(2026, 11, 23), "10:00", "dr-okafor", None, "room-1"
    )

    refused = client.post(
        "/desk/book",
        data={
            "patient": str(patient_id),
            "kind": "follow_up",
            "day": "2026-11-23",
            "start": "10:00",
            "practitioner": "dr-okafor",
            "room": "room-2",
            "earliest": "2026-11-23",
        },
    )

    assert refused.status_code == 409
    assert "Dr Okafor already sees Bruno Costa at 10:00" in refused.text
    assert "<code>" not in refused.text


def test_check_in_from_the_day_page_records_the_time(
    desk: tuple[TestClient, Actor, int], clinic: Clinic
) -> None:
    client, staff, patient_id = desk
    booked = front_desk.book(
        clinic,
        staff,
        BookingRequest(patient_id, kind=front_desk.VisitKind.FOLLOW_UP),
        TODAY,
        "11:00",
        "dr-okafor",
        None,
        "room-1",
    )

    done = client.post(f"/desk/appointments/{booked.id}/check-in", data={"day": TODAY.isoformat()})

    assert done.status_code == 200
    assert "Checked in" in done.text
    assert "at 09:00" in done.text
    again = client.post(f"/desk/appointments/{booked.id}/check-in", data={"day": TODAY.isoformat()})
    assert again.status_code == 409
    assert "only a booked appointment can be checked in" in again.text


def test_staff_see_counts_not_a_missing_assessment_and_no_link_they_are_refused(
    desk: tuple[TestClient, Actor, int],
) -> None:
    client, _, patient_id = desk

    page = client.get(f"/patients/{patient_id}").text

    assert "1 assessment" in page
    assert "No assessment yet" not in page
    for link in re.findall(r'href="(/[^"?#]*)', page):
        if link.startswith(("/static", "/logout")) or link.endswith(("/export", "/report")):
            continue
        assert client.get(link).status_code == 200, link


def test_the_next_session_line_reads_the_booking(
    desk: tuple[TestClient, Actor, int], clinic: Clinic
) -> None:
    client, staff, patient_id = desk
    clinic.clock.set(clinic.clock.now().replace(day=28))  # type: ignore[attr-defined]
    _sign_in(client)  # a week later: a new day at the desk
    before = client.get(f"/patients/{patient_id}").text
    assert "overdue" in before

    nxt = front_desk.next_session(clinic, staff, patient_id)
    assert nxt is not None
    front_desk.book(
        clinic,
        staff,
        BookingRequest(patient_id, session_key=nxt.session_key),
        date(2026, 12, 8),
        "10:00",
        "dr-okafor",
        None,
        "room-1",
    )

    after = client.get(f"/patients/{patient_id}").text
    assert "overdue" not in after
    assert "08 Dec 2026" in after


CONTACT_FORM = {
    "full_name": "Lena Park",
    "code": "P-2001",
    "birth_date": "1997-05-14",
    "email": "lena@example.org",
}


def test_a_phone_number_is_checked_stored_with_its_country_code_and_shown(
    signed_in: TestClient, clinic: Clinic
) -> None:
    refused = signed_in.post("/patients", data={**CONTACT_FORM, "phone": "0207 946"})
    assert refused.status_code == 422
    beside = re.search(r'<label>Phone[^<]*<input[^>]*name="phone".*?</label>', refused.text, re.S)
    assert beside is not None
    assert "write the number with its country code, e.g. +44 20 7946 0958" in beside[0]
    clinician = users.sign_in(clinic, "dr.test", PASSWORD)[0]
    assert patients.search_patients(clinic, clinician).items == []

    saved = signed_in.post(
        "/patients", data={**CONTACT_FORM, "phone": "+44 (20) 7946-0958"}, follow_redirects=True
    )

    assert saved.status_code == 200
    assert 'href="tel:+442079460958"' in saved.text
    assert "lena@example.org" in saved.text
