"""The clinic set-up in a real browser (issue 22): the demo clinic comes set up; a practitioner
added from the form (a backwards time refused in words first), a day off picked by name on a
date picker, the admin's price list valid from a day; at 1366 and 390 px without the page
overflowing sideways. Screenshots: test-artifacts/screenshots/clinic-day-setup-*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import screenshot
from e2e.test_clinic_flow import sign_in
from scarplan.bootstrap import bootstrap
from scarplan.services.clinic.accounts import users
from scarplan.settings import Settings
from support.server import Server, running_server

ADMIN_PASSWORD = "a long admin password"
WIDTHS = (1366, 390)


@pytest.fixture
def server(fresh_database_url: str, tmp_path: Path) -> Iterator[Server]:
    """The demo clinic on one worker process: on a loaded machine, uvicorn's supervisor
    restarts a worker whose start-up outlasts its health check, again and again."""
    with running_server(fresh_database_url, tmp_path / "data", workers=1) as started:
        yield started


@pytest.fixture
def admin_login(server: Server, fresh_database_url: str) -> str:
    container = bootstrap(Settings(data_dir=server.data_dir, database_url=fresh_database_url))
    try:
        users.create_user(container.clinic, "admin.setup", "Admin", ADMIN_PASSWORD, "admin")
    finally:
        container.clinic.audit.close()
        container.engine.dispose()
    return "admin.setup"


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def sized(browser: Browser, request: pytest.FixtureRequest) -> Iterator[tuple[Page, int]]:
    width: int = request.param
    context = browser.new_context(viewport={"width": width, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened, width
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def no_sideways_overflow(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"{page.url}: the page is {width} px wide in {viewport} px"


def test_set_up_a_practitioner_and_a_day_off(sized: tuple[Page, int], server: Server) -> None:
    page, width = sized
    sign_in(page, server)
    page.goto(f"{server.base_url}/calendar/setup")
    expect(page.get_by_role("heading", name="Clinic set-up")).to_be_visible()
    for name in ("Dr Okafor", "CO2 laser", "Laser room"):
        expect(page.locator("main")).to_contain_text(name)
    expect(page.locator("ul.closures")).to_contain_text("Nurse Silva")  # the demo's day off
    no_sideways_overflow(page)
    screenshot(page, f"clinic-day-setup-overview-{width}")

    page.get_by_role("link", name="Add a practitioner").click()
    expect(page.get_by_role("heading", name="New practitioner")).to_be_visible()
    page.fill("input[name=name]", "Dr Amara Obi")
    page.get_by_label("Subcision").check()
    page.get_by_label("Microneedling", exact=True).check()
    page.fill("input[name=hours_tue_start]", "17:00")
    page.fill("input[name=hours_tue_end]", "09:00")
    page.get_by_role("button", name="Add the practitioner").click()
    expect(page.locator(".field-error")).to_contain_text(
        "Finishing time 09:00 is before starting time 17:00 on Tuesday"
    )
    no_sideways_overflow(page)
    screenshot(page, f"clinic-day-setup-practitioner-{width}")
    page.fill("input[name=hours_tue_start]", "09:00")
    page.fill("input[name=hours_tue_end]", "13:00")
    page.get_by_role("button", name="Add the practitioner").click()
    expect(page).to_have_url(re.compile(r"/calendar/setup"))
    expect(page.locator("section[aria-labelledby=practitioners]")).to_contain_text("Dr Amara Obi")

    away = date.today() + timedelta(days=30)
    page.select_option("select[name=who]", label="Dr Amara Obi")
    page.fill("input[name=first]", away.isoformat())
    page.fill("form[action='/calendar/days-off'] input[name=reason]", "conference")
    page.get_by_role("button", name="Add the days off").click()
    expect(page.locator("ul.closures")).to_contain_text(
        f"Dr Amara Obi: {away:%d %b %Y} (conference)"
    )
    page.locator("#days-off").scroll_into_view_if_needed()
    no_sideways_overflow(page)
    screenshot(page, f"clinic-day-setup-days-off-{width}")


def test_the_admin_prices_from_a_day(
    sized: tuple[Page, int], server: Server, admin_login: str
) -> None:
    page, width = sized
    page.goto(f"{server.base_url}/login")
    page.fill("input[name=username]", admin_login)
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{server.base_url}/admin/prices")
    expect(page.get_by_role("heading", name="Prices")).to_be_visible()
    expect(page.locator("main")).to_contain_text("In force: version 1, valid from")
    start = date.today() + timedelta(days=14)
    page.fill("input[name=valid_from]", start.isoformat())
    page.locator("input[name=amount_tca_cross]").fill("260")
    page.fill("input[name=reason]", "new year prices")
    page.get_by_role("button", name="Save a new version").click()
    expect(page.locator("main")).to_contain_text(f"Coming: version 2, valid from {start:%d %b %Y}")
    no_sideways_overflow(page)
    screenshot(page, f"clinic-day-setup-prices-{width}")
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible():  # on a phone the navigation sits behind the menu button
        menu.click()
    page.get_by_role("link", name="Clinic set-up").click()
    expect(page.get_by_role("heading", name="Clinic set-up")).to_be_visible()
    no_sideways_overflow(page)
