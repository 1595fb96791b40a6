"""The pre-procedure checklist in a real browser (issue 22, item 3): a session starts with the
procedure, its checklist opens with what the patient's record answers, a red item stops the
session, a reason lets it through, and the answers show on the session. The pages fit 390, 768
and 1366 px. Screenshots go to test-artifacts/screenshots/clinic-day-checklist-*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import screenshot
from e2e.test_clinic_flow import sign_in
from support.server import Server, running_server

REASON = "Test spot on the jaw read last month by Dr Adeyemi; patient accepts the risk"


@pytest.fixture
def server(fresh_database_url: str, tmp_path: Path) -> Iterator[Server]:
    """The demo clinic on one worker process: on a loaded machine, two workers importing the
    app at once miss the supervisor's health check and are restarted again and again (see
    test_portal_invitation.py)."""
    with running_server(fresh_database_url, tmp_path / "data", workers=1) as started:
        yield started


def open_patient(page: Page, server: Server, name: str) -> str:
    """The patient's overview URL, found by searching the list as staff do."""
    page.goto(f"{server.base_url}/patients")
    page.fill("#q", name.rsplit(maxsplit=1)[-1].lower())
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name=re.compile(name))).to_be_visible()
    return page.url.rstrip("/")


def fits(page: Page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll} px wide at {width} px"


def test_a_red_item_stops_the_session_until_a_reason_is_given(page: Page, server: Server) -> None:
    sign_in(page, server)
    overview = open_patient(page, server, "Daniel Okafor")  # skin type V in the demo clinic
    page.goto(f"{overview}/sessions/new")

    # Step one: the procedure.
    expect(page.get_by_role("heading", name="Which procedure?")).to_be_visible()
    screenshot(page, "clinic-day-checklist-choose")
    page.select_option("select[name=modality]", "tca_cross")
    page.click("text=Open the checklist")

    # Step two: its checklist, above the session form, answered from the record where it can.
    checklist = page.get_by_role("group", name="Pre-procedure checklist")
    expect(checklist).to_be_visible()
    expect(page.locator(".chosen-procedure")).to_contain_text("TCA CROSS")
    spot = page.locator("#checklist-test_spot")
    expect(spot).to_contain_text("Test spot done and read without a reaction")
    expect(spot).to_contain_text("Must be confirmed")
    expect(page.locator("#checklist-pregnancy")).to_contain_text("From the intake")
    expect(page.locator("#checklist-pregnancy input[value=yes]")).to_be_checked()

    # Every item confirmed but the test spot, which has no reading: the session is refused.
    for choice in page.locator(".checklist input[type=radio][value=yes]").all():
        choice.check()
    page.fill("input[name=practitioner]", "Dr Demo")
    page.check("input[name=regions][value=cheek_left]")
    screenshot(page, "clinic-day-checklist-open")
    page.click("text=Save session")
    expect(page.get_by_role("alert").first).to_contain_text("pre-procedure checklist stops")
    expect(spot.locator(".field-error")).to_contain_text("no test spot recorded")
    screenshot(page, "clinic-day-checklist-blocked")

    # The answers stay as ticked; a reason lets the session through.
    expect(page.locator("#checklist-consent_signed input[value=yes]")).to_be_checked()
    spot.locator("input[name='checklist.test_spot.reason']").fill(REASON)
    page.click("text=Save session")
    expect(page.get_by_role("heading", name="Sessions")).to_be_visible()

    # The answers show on the session: the unconfirmed red item with its reason.
    recorded = page.locator("article.session").first
    expect(recorded).to_contain_text("TCA CROSS")
    answers = recorded.locator("details.session-checklist")
    expect(answers).to_contain_text("1 not confirmed")
    expect(answers).to_contain_text(REASON)
    expect(answers).to_contain_text("Informed consent for this procedure signed: yes")
    screenshot(page, "clinic-day-checklist-session")


def test_the_checklist_pages_fit_a_phone_a_tablet_and_a_laptop(
    browser: Browser, server: Server
) -> None:
    for width in (390, 768, 1366):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        try:
            sign_in(page, server)
            overview = open_patient(page, server, "Daniel Okafor")
            page.goto(f"{overview}/sessions/new")
            fits(page, width)
            page.goto(f"{overview}/sessions/new?modality=fractional_co2")
            expect(page.locator("#checklist-test_spot")).to_be_visible()
            fits(page, width)
            screenshot(page, f"clinic-day-checklist-open-{width}")
            page.goto(f"{overview}/sessions")
            page.locator("details.session-checklist").first.evaluate("d => d.open = true")
            fits(page, width)
            screenshot(page, f"clinic-day-checklist-session-{width}")
        finally:
            context.close()
