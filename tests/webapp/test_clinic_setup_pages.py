"""The clinic set-up pages (issue 22): forms with pickers, names in words and no ids, each
refusal shown beside its field; prices valid from a day; the plan page's price hint."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from scarplan.adapters.presentation.wording import plan_note
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.calendar import schedule_setup
from scarplan.services.clinic.calendar.demo_schedule import DEMO_SCHEDULE
from scarplan.services.clinic.core.context import Clinic

PASSWORD = "a long test password"


def _visible(html: str) -> str:
    """The page's text as a person reads it: tags and attribute values removed."""
    body = html.split("<body", 1)[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


@pytest.fixture
def staff(client: TestClient, clinic: Clinic) -> TestClient:
    clinician = users.create_user(clinic, "dr.setup", "Dr S", PASSWORD, "clinician")
    schedule_setup.save_setup(clinic, clinician, DEMO_SCHEDULE, "opening set-up")
    users.create_user(clinic, "front.desk", "Front Desk", PASSWORD, "staff")
    signed = client.post("/api/v1/session", json={"username": "front.desk", "password": PASSWORD})
    client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
    return client


def test_the_set_up_page_shows_names_and_no_ids(staff: TestClient) -> None:
    page = staff.get("/calendar/setup")
    assert page.status_code == 200
    shown = _visible(page.text)
    for name in ("Dr Okafor", "Nurse Silva", "CO2 laser", "Laser room", "Treatment room 1"):
        assert name in shown
    for slug in ("dr-okafor", "room-1", "co2-1", "laser-room", "JSON", "co2_laser"):
        assert slug not in shown
    assert 'type="time" name="open_tue_start"' in page.text
    assert 'type="date" name="first"' in page.text
    assert "<textarea" not in page.text


def test_a_practitioner_with_backwards_hours_is_refused_beside_the_field(
    staff: TestClient,
) -> None:
    refused = staff.post(
        "/calendar/setup/resources/practitioner",
        data={
            "name": "Dr Amara Obi",
            "procedures": ["subcision", "microneedling"],
            "hours_tue_start": "17:00",
            "hours_tue_end": "09:00",
        },
    )
    assert refused.status_code == 422
    assert "Finishing time 09:00 is before starting time 17:00 on Tuesday" in refused.text
    assert 'value="Dr Amara Obi"' in refused.text
    assert 'value="subcision" checked' in refused.text
    assert "Dr Amara Obi" not in _visible(staff.get("/calendar/setup").text)


def test_a_practitioner_added_and_a_day_off_picked_by_name(staff: TestClient) -> None:
    added = staff.post(
        "/calendar/setup/resources/practitioner",
        data={
            "name": "Dr Amara Obi",
            "procedures": ["subcision"],
            "hours_wed_start": "09:00",
            "hours_wed_end": "13:00",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    page = staff.get("/calendar/setup")
    assert "Dr Amara Obi" in _visible(page.text)
    assert '<option value="practitioner:dr-amara-obi">Dr Amara Obi</option>' in page.text
    day = "2026-12-14"
    off = staff.post(
        "/calendar/days-off",
        data={"who": "practitioner:dr-amara-obi", "first": day, "last": day, "reason": "course"},
        follow_redirects=False,
    )
    assert off.status_code == 303
    shown = _visible(staff.get("/calendar/setup").text)
    assert "Dr Amara Obi : 14 Dec 2026 (course)" in shown
    overlap = staff.post(
        "/calendar/days-off",
        data={"who": "practitioner:dr-amara-obi", "first": day, "reason": "again"},
    )
    assert overlap.status_code == 422
    assert "Dr Amara Obi is already off from 14 Dec 2026 to 14 Dec 2026 (course)" in overlap.text


def test_opening_hours_backwards_are_refused_in_words(staff: TestClient) -> None:
    week = {
        f"open_{d}_{e}": t
        for d in ("mon", "wed", "thu", "fri")
        for e, t in (("start", "08:00"), ("end", "18:00"))
    }
    refused = staff.post(
        "/calendar/setup/hours",
        data={
            **week,
            "open_tue_start": "17:00",
            "open_tue_end": "09:00",
            "open_sat_start": "09:00",
            "open_sat_end": "13:00",
        },
    )
    assert refused.status_code == 422
    assert "Closing time 09:00 is before opening time 17:00 on Tuesday" in refused.text
    assert 'name="open_tue_start" step="900" value="17:00"' in refused.text


def test_an_admin_reaches_the_set_up_from_the_menu(client: TestClient, clinic: Clinic) -> None:
    users.create_user(clinic, "admin.s", "Admin", PASSWORD, "admin")
    signed = client.post("/api/v1/session", json={"username": "admin.s", "password": PASSWORD})
    client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
    home = client.get("/admin/prices")
    assert '<a href="/calendar/setup">Clinic set-up</a>' in home.text
    page = client.get("/calendar/setup")
    assert page.status_code == 200
    assert "Start the set-up" in page.text
    assert "Back to the calendar" not in page.text
    started = client.post(
        "/calendar/setup/start",
        data={"practitioner": "Dr Lee", "room": "Room 1", "procedures": ["subcision"]},
        follow_redirects=False,
    )
    assert started.status_code == 303


def test_prices_take_a_valid_from_day_and_refuse_one_in_the_past(
    client: TestClient, clinic: Clinic
) -> None:
    users.create_user(clinic, "admin.p", "Admin", PASSWORD, "admin")
    signed = client.post("/api/v1/session", json={"username": "admin.p", "password": PASSWORD})
    client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
    page = client.get("/admin/prices")
    assert f'type="date" name="valid_from" value="{clinic.today().isoformat()}"' in page.text
    assert '<option value="EUR">EUR</option>' in page.text
    yesterday = (clinic.today() - timedelta(days=1)).isoformat()
    refused = client.post(
        "/admin/prices",
        data={
            "currency": "USD",
            "reason": "opening",
            "amount_tca_cross": "250",
            "valid_from": yesterday,
        },
    )
    assert refused.status_code == 422
    assert "is before today" in refused.text
    later = (clinic.today() + timedelta(days=30)).isoformat()
    saved = client.post(
        "/admin/prices",
        data={
            "currency": "USD",
            "reason": "new year",
            "amount_tca_cross": "250",
            "valid_from": later,
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    shown = _visible(client.get("/admin/prices").text)
    assert "No price list is in force yet" in shown
    # A version is numbered by its row (PostgreSQL's sequences go on across tests).
    assert re.search(r"Coming: version \d+, valid from 21 Dec 2026", shown), shown


def test_an_old_plans_note_no_longer_points_to_a_setting() -> None:
    old = (
        "No price for subcision: the total and the budget check leave it out; set the "
        "clinic's prices (SCARPLAN_PRICES)."
    )
    assert plan_note(old) == "No price for subcision: the total and the budget check leave it out."
    assert plan_note("Costs are estimates.") == "Costs are estimates."
