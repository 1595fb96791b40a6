"""A front-desk day in a real browser at 1366 and 768 px: check a patient in, mark one as not
attended, move an appointment into a free slot, book a patient's next planned session in two
clicks, and see a clash and a too-short healing gap refused with their reasons.

The server is the demo clinic on its real clock. So that the day has working hours whatever
day and time the test runs, the set-up gives Dr Okafor every day, all day; the rest is made
through the same use cases the pages call.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import screenshot
from scarplan.bootstrap import Container
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.calendar import front_desk, schedule_setup
from scarplan.services.clinic.calendar.demo_schedule import DEMO_SCHEDULE
from scarplan.services.clinic.calendar.front_desk import BookingRequest, VisitKind
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.records import patients
from scarplan.settings import Settings
from support.clinic_data import patient_input
from support.server import Server, running_server

PASSWORD = "a long front desk password"
EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Day:
    clinic: Clinic
    staff: Actor
    arriving: int
    missing: int
    moving: int
    planned_patient: int
    planned_name: str
    maya: int
    tom: int


def _clinic(server: Server, database_url: str) -> Clinic:
    settings = Settings(data_dir=server.data_dir, database_url=database_url)
    return Container(settings=settings).clinic


def _prepare(server: Server, database_url: str) -> Day:
    clinic = _clinic(server, database_url)
    clinician = users.sign_in(clinic, "demo", server.demo_password())[0]
    setup = copy.deepcopy(DEMO_SCHEDULE)
    okafor = setup["resources"]["practitioners"][1]
    assert okafor["id"] == "dr-okafor"
    okafor["hours"] = {day: [{"start": "00:00", "end": "24:00"}] for day in EVERY_DAY}
    schedule_setup.save_setup(clinic, clinician, setup, "open every day for the test")
    staff = users.create_user(clinic, "desk.e2e", "Front Desk", PASSWORD, "staff")
    made = {}
    for code, name, phone in (
        ("W-1", "Maya Reed", "+442079460001"),
        ("W-2", "Tom Hale", "+442079460002"),
        ("W-3", "Iris Cole", "+442079460003"),
    ):
        record = patients.create_patient(
            clinic, clinician, {**patient_input(code, name), "phone": phone}
        )
        made[name] = record.id
    today = clinic.today()
    visit = VisitKind.FOLLOW_UP

    def follow_up(patient_id: int, day_offset: int, start: str) -> int:
        booked = front_desk.book(
            clinic,
            staff,
            BookingRequest(patient_id, kind=visit),
            today + timedelta(days=day_offset),
            start,
            "dr-okafor",
            None,
            "room-3",
        )
        return booked.id

    arriving = follow_up(made["Maya Reed"], 0, "00:00")
    missing = follow_up(made["Tom Hale"], 0, "00:15")
    moving = follow_up(made["Iris Cole"], 1, "00:30")
    listed = patients.search_patients(clinic, clinician).items
    planned = next(p for p in listed if front_desk.next_session(clinic, staff, p.id) is not None)
    return Day(
        clinic,
        staff,
        arriving,
        missing,
        moving,
        planned.id,
        planned.full_name,
        made["Maya Reed"],
        made["Tom Hale"],
    )


@pytest.fixture
def one_worker(fresh_database_url: str, tmp_path: Path) -> Iterator[Server]:
    """The demo clinic's server with one worker: it starts in half the time on a busy machine."""
    with running_server(fresh_database_url, tmp_path / "data", workers=1) as started:
        yield started


@pytest.fixture(params=[1366, 768], ids=["1366px", "768px"])
def wide_page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    width: int = request.param
    context = browser.new_context(viewport={"width": width, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def _fits(page: Page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow} px wider than the window at {page.url}"


def _shot(page: Page, name: str) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    screenshot(page, f"clinic-day-front-desk-{name}-{width}")


def test_a_front_desk_day(  # noqa: PLR0915 - one day at the desk, step by step
    wide_page: Page, one_worker: Server, fresh_database_url: str
) -> None:
    page, server = wide_page, one_worker
    day = _prepare(server, fresh_database_url)
    page.goto(f"{server.base_url}/login")
    page.fill("input[name=username]", "desk.e2e")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    # The front desk lands on today's appointments, by practitioner, with names and phones.
    expect(page).to_have_url(re.compile(r"/desk$"))
    expect(page.get_by_role("heading", name=re.compile(r"^Front desk"))).to_be_visible()
    expect(page.get_by_role("heading", name="Dr Okafor")).to_be_visible()
    arriving = page.locator(f"#appointment-{day.arriving}")
    expect(arriving).to_contain_text("Maya Reed")
    expect(arriving).to_contain_text("+442079460001")
    expect(arriving).to_contain_text("Treatment room 3")
    expect(page.locator("main")).not_to_contain_text("dr-okafor")
    _fits(page)
    _shot(page, "day")

    arriving.get_by_role("button", name="Check in").click()
    expect(page.locator(f"#appointment-{day.arriving}")).to_contain_text("Checked in at")
    page.locator(f"#appointment-{day.missing}").get_by_role("button", name="Did not attend").click()
    expect(page.locator(f"#appointment-{day.missing} .status")).to_have_text("Did not attend")

    # Move tomorrow's visit into a free slot.
    page.get_by_role("link", name=re.compile("Next")).click()
    moving = page.locator(f"#appointment-{day.moving}")
    expect(moving).to_contain_text("00:30")
    moving.get_by_role("link", name="Reschedule").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Move: Follow-up visit"))).to_be_visible()
    _fits(page)
    _shot(page, "book")
    # The page opens on the first day with a free time, which late in the evening is still
    # today with only a few times left: show tomorrow, where Dr Okafor's whole day is free.
    tomorrow = day.clinic.today() + timedelta(days=1)
    page.get_by_label("Day", exact=True).fill(tomorrow.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Free times on"))).to_contain_text(
        f"{tomorrow:%A}"
    )
    page.locator("ul.slot-list button.slot").nth(3).click()
    expect(page).to_have_url(re.compile(rf"/desk\?day=.*#appointment-{day.moving}$"))
    expect(page.locator(f"#appointment-{day.moving}")).not_to_contain_text("00:30")

    # Book the next planned session in two clicks: the button, then a slot.
    page.goto(f"{server.base_url}/patients/{day.planned_patient}")
    page.get_by_role("link", name="Book next session").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Book: "))).to_contain_text(
        day.planned_name
    )
    first = page.locator("ul.slot-list button.slot").first
    when = first.locator("strong").inner_text()
    first.click()
    expect(page).to_have_url(re.compile(r"/desk\?day=(\d{4}-\d{2}-\d{2})#appointment-\d+$"))
    booked_day = re.search(r"day=(\d{4}-\d{2}-\d{2})", page.url)
    assert booked_day is not None
    expect(page.locator("main")).to_contain_text(day.planned_name)
    expect(page.locator("main")).to_contain_text(when)
    page.goto(f"{server.base_url}/patients/{day.planned_patient}")
    expect(page.locator("#next-h + p")).to_contain_text("(booked)")

    # The session after it cannot go the next day: the plan's healing gap says why.
    page.get_by_role("link", name="Book next session").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Book: "))).to_be_visible()
    following = page.url.split("&day=")[0]
    too_soon = (date.fromisoformat(booked_day[1]) + timedelta(days=1)).isoformat()
    page.goto(f"{following}&day={too_soon}")
    expect(page.locator("#gap")).to_contain_text(re.compile(r"Only 1 day after the last .*"))
    expect(page.locator("#gap")).to_contain_text("are needed")
    expect(page.locator("ul.slot-list")).to_have_count(0)

    # A clash: the slot is taken by someone else while the page is open.
    page.goto(
        f"{server.base_url}/desk/book?patient={day.maya}&kind=follow_up"
        f"&earliest={tomorrow.isoformat()}&day={tomorrow.isoformat()}"
    )
    slot = page.locator("ul.slot-list li").first
    start = slot.locator("input[name=start]").get_attribute("value")
    room = slot.locator("input[name=room]").get_attribute("value")
    practitioner = slot.locator("input[name=practitioner]").get_attribute("value")
    assert start
    assert room
    assert practitioner
    front_desk.book(
        day.clinic,
        day.staff,
        BookingRequest(day.tom, kind=VisitKind.FOLLOW_UP),
        tomorrow,
        start,
        practitioner,
        None,
        room,
    )
    slot.locator("button").click()
    expect(page.locator("#refusal")).to_contain_text(
        re.compile(rf"already sees Tom Hale at {start}")
    )
    _fits(page)
    _shot(page, "refused")
