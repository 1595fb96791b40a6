"""The clinic calendar in a real browser: run the optimiser on the demo clinic's accepted plans,
review and confirm, see the bookings by practitioner and device, cancel one, then give a
practitioner a day off and check that the next run moves only that day's bookings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.conftest import screenshot
from e2e.test_clinic_flow import sign_in
from scarplan.services.clinic.calendar.demo_schedule import DEMO_SCHEDULE
from support.server import Server, running_server

SOLVE_TIMEOUT_MS = 90_000
"""The demo clinic's few sessions solve to optimality in about a second; the run page polls
every 2 s. The time limit below caps a slow machine."""


@pytest.fixture
def server(fresh_database_url: str, tmp_path: Path) -> Iterator[Server]:
    env = {"SCARPLAN_SCHEDULE_TIME_LIMIT_S": "20"}
    with running_server(fresh_database_url, tmp_path / "data", env=env) as started:
        yield started


def section_count(page: Page, title: str) -> int:
    heading = page.get_by_role("heading", name=re.compile(rf"^{title} \(\d+\)$"))
    expect(heading).to_be_visible()
    found = re.search(r"\((\d+)\)$", heading.inner_text())
    assert found is not None
    return int(found.group(1))


def section_rows(page: Page, title: str) -> Locator:
    return page.get_by_role("table", name=re.compile(rf"^{title} \(")).locator("tbody tr")


def run_optimiser(page: Page, server: Server) -> None:
    page.goto(f"{server.base_url}/calendar")
    expect(page.get_by_role("heading", name="Clinic calendar")).to_be_visible()
    page.click("text=Run the optimiser")
    expect(page).to_have_url(re.compile(r"/calendar/runs/\d+$"))
    expect(page.get_by_role("button", name="Confirm these bookings")).to_be_visible(
        timeout=SOLVE_TIMEOUT_MS
    )


def test_run_review_confirm_and_reschedule(page: Page, server: Server) -> None:
    sign_in(page, server)
    page.click("nav >> text=Calendar")
    expect(page.get_by_role("heading", name="Clinic calendar")).to_be_visible()
    expect(page.locator("p.alert")).to_have_count(0)  # the demo clinic is set up
    booked, day, practitioner, proposed = first_run(page, server)
    see_the_day_by_practitioner_and_week_by_device(page, server, day, practitioner, proposed)
    moved_to = day_off_moves_only_that_days_bookings(
        page, server, booked, day, practitioner, proposed
    )
    cancel_a_booking(page, server, moved_to)


def first_run(page: Page, server: Server) -> tuple[int, str, str, int]:
    """Every session of the accepted plans becomes a new booking; nothing is left out."""
    run_optimiser(page, server)
    booked = section_count(page, "New bookings")
    assert booked >= 2
    assert section_count(page, "Not booked") == 0
    assert section_count(page, "Moved") == 0
    expect(page.locator("dl.scores")).to_contain_text(f"{booked} / {booked}")
    first = section_rows(page, "New bookings").first.locator("td[data-date]")
    day = first.get_attribute("data-date") or ""
    practitioner = first.get_attribute("data-practitioner") or ""
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", day)
    assert practitioner
    same = f'td[data-date="{day}"][data-practitioner="{practitioner}"]'
    proposed = page.locator(same).count()
    screenshot(page, "20-optimiser-review")
    page.click("text=Confirm these bookings")
    expect(page).to_have_url(re.compile(r"/calendar\?day=.*view=week"))
    return booked, day, practitioner, proposed


def see_the_day_by_practitioner_and_week_by_device(
    page: Page, server: Server, day: str, practitioner: str, proposed: int
) -> None:
    page.goto(f"{server.base_url}/calendar?day={day}&view=day&by=practitioner")
    # Lanes show names ("Dr Okafor"), never the set-up's ids ("dr-okafor").
    names = {p["id"]: p["name"] for p in DEMO_SCHEDULE["resources"]["practitioners"]}
    expect(page.locator("table.day-view thead")).to_contain_text(names[practitioner])
    expect(page.locator("table.day-view thead")).not_to_contain_text(practitioner)
    assert page.locator("table.day-view .appointment").count() >= proposed >= 1
    screenshot(page, "21-calendar-day-by-practitioner")
    page.goto(f"{server.base_url}/calendar?day={day}&view=week&by=device")
    expect(page.locator("table.week-view thead")).to_contain_text("CO2 laser")
    screenshot(page, "22-calendar-week-by-device")


def day_off_moves_only_that_days_bookings(
    page: Page, server: Server, booked: int, day: str, practitioner: str, proposed: int
) -> str:
    """A practitioner's day off: the next run moves their bookings of that day, only those."""
    page.goto(f"{server.base_url}/calendar/setup")
    page.select_option("select[name=who]", f"practitioner:{practitioner}")
    page.fill("input[name=first]", day)
    page.fill("form[action='/calendar/days-off'] input[name=reason]", "conference")
    page.click("text=Add the days off")
    shown = date.fromisoformat(day).strftime("%d %b %Y")
    expect(page.locator("ul.closures")).to_contain_text(f"{shown} (conference)")
    run_optimiser(page, server)
    assert section_count(page, "Moved") == proposed
    assert section_count(page, "New bookings") == 0
    assert section_count(page, "Not booked") == 0
    kept = page.locator("dl.scores div", has_text="Kept as booked").locator("dd")
    expect(kept).to_have_text(str(booked - proposed))
    landed: list[str] = []
    for row in section_rows(page, "Moved").all():
        before_cell, after_cell = row.locator("td[data-date]").all()
        expect(before_cell).to_have_attribute("data-date", day)
        expect(before_cell).to_have_attribute("data-practitioner", practitioner)
        after = (
            after_cell.get_attribute("data-date"),
            after_cell.get_attribute("data-practitioner"),
        )
        assert after != (day, practitioner)
        landed.append(after[0] or "")
    screenshot(page, "23-optimiser-moves")
    page.click("text=Confirm these bookings")

    page.goto(f"{server.base_url}/calendar?day={day}&view=day&by=practitioner")
    lanes = page.locator("table.day-view thead th").all_inner_texts()
    names = {p["id"]: p["name"] for p in DEMO_SCHEDULE["resources"]["practitioners"]}
    # The lanes are headed by names; nth-child counts from 1 and the time is column 1.
    column = lanes.index(names[practitioner]) + 1
    theirs = page.locator(f"table.day-view tbody td:nth-child({column}) .appointment")
    expect(theirs).to_have_count(0)
    return landed[0]


def cancel_a_booking(page: Page, server: Server, day: str) -> None:
    page.goto(f"{server.base_url}/calendar?day={day}&view=day&by=practitioner")
    appointments = page.locator("table.day-view .appointment")
    before = appointments.count()
    assert before >= 1
    appointments.first.get_by_role("button", name="Cancel").click()
    expect(page).to_have_url(re.compile(rf"day={day}"))
    expect(page.locator("table.day-view .appointment")).to_have_count(before - 1)
