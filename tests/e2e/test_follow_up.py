"""Follow-up in a real browser (issue 22): an adverse event resolved from the overview's red
count, and the outcome review of the demo's treated patient recorded; each page usable at
390, 768 and 1366 px. Screenshots go to test-artifacts/screenshots/clinic-day-follow-up-*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from e2e import test_clinic_flow as flow
from e2e.conftest import screenshot
from support.server import Server, running_server

WIDTHS = (390, 768, 1366)


@pytest.fixture
def server(fresh_database_url: str, tmp_path: Path) -> Iterator[Server]:
    """The demo clinic on one worker process: on a loaded machine two workers importing the
    app at once miss uvicorn's start-up health check and are restarted again and again."""
    with running_server(fresh_database_url, tmp_path / "data", workers=1) as started:
        yield started


def _fits(page: Page, name: str) -> None:
    """No horizontal overflow of the document at each width; a screenshot at each."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} overflows by {overflow} px at {width} px"
        screenshot(page, f"clinic-day-follow-up-{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def _open_patient(page: Page, server: Server, name: str) -> None:
    page.goto(f"{server.base_url}/patients")
    page.get_by_role("link", name=name).first.click()
    expect(page.get_by_role("heading", name=re.compile(name))).to_be_visible()


def test_an_adverse_event_is_resolved_from_the_overview(page: Page, server: Server) -> None:
    flow.sign_in(page, server)
    _open_patient(page, server, "Daniel Okafor")
    count = page.get_by_role("link", name="1 unresolved adverse event")
    expect(count).to_be_visible()
    _fits(page, "overview")

    count.click()
    expect(page.get_by_role("heading", name="PIH")).to_be_visible()
    expect(page.get_by_text("unresolved", exact=True)).to_be_visible()
    _fits(page, "adverse-event")

    # Resolving, with treatment; then resolved: both kept in the history.
    page.select_option("select[name=outcome]", "resolving")
    page.fill("input[name=resolved_on]", "")
    page.fill("input[name=treatment]", "Hydroquinone 4 % at night")
    page.click("text=Save the outcome")
    history = page.locator("section", has=page.get_by_role("heading", name="History"))
    expect(history).to_contain_text("treatment: Hydroquinone 4 % at night")

    page.select_option("select[name=outcome]", "resolved")
    today = page.locator("input[name=resolved_on]").get_attribute("max")
    assert today is not None
    page.fill("input[name=resolved_on]", today)
    page.fill("input[name=note]", "Faded completely")
    page.click("text=Save the outcome")
    expect(history.locator("li")).to_have_count(2)
    expect(history).to_contain_text("Faded completely")
    expect(history).to_contain_text("recorded by")
    screenshot(page, "clinic-day-follow-up-adverse-event-resolved")

    page.click("text=Sessions of Daniel Okafor")
    _open_patient(page, server, "Daniel Okafor")
    expect(page.get_by_text("no unresolved adverse events")).to_be_visible()


def test_the_outcome_review_is_recorded_with_its_comparison(page: Page, server: Server) -> None:
    flow.sign_in(page, server)
    _open_patient(page, server, "Maya Chen")
    page.get_by_role("link", name="Follow-up", exact=True).click()
    expect(page.get_by_role("heading", name="Follow-up and outcome review")).to_be_visible()

    review = page.locator("section", has=page.get_by_role("heading", name="Outcome review"))
    expect(review).to_contain_text("Goodman & Baron quantitative score")
    expect(review).to_contain_text("Published ranges, not a promise")
    verdict = review.locator(".verdict")
    expect(verdict).to_contain_text(re.compile(r"As expected|Better than expected|Below expected"))
    expect(review.locator(".side-by-side img")).to_have_count(2)
    _fits(page, "review")

    page.select_option("select[name=kind]", "outcome_review")
    page.fill("textarea[name=notes]", "Discussed the result with the patient.")
    page.click("text=Record the visit")
    visits = page.locator("section", has=page.get_by_role("heading", name="Visits recorded"))
    expect(visits).to_contain_text("Outcome review")
    expect(visits).to_contain_text("Discussed the result with the patient.")
    screenshot(page, "clinic-day-follow-up-review-recorded")
