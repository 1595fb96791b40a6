"""The public decision aid in a real browser (issue 21): a visitor, not signed in, goes from the
scar types to "which scars do I have", "what might suit me", the option grid and the printable
summary, at phone (390 px) and desktop (1366 px) width. Screenshots go to
test-artifacts/screenshots/guide-*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import screenshot
from support.server import Server, running_server

WIDTHS = {"phone": 390, "desktop": 1366}


@pytest.fixture
def public_server(fresh_database_url: str, tmp_path: Path) -> Iterator[Server]:
    """A clinic without the demo data: the guide needs no records (and starts faster)."""
    with running_server(fresh_database_url, tmp_path / "data", demo=False) as started:
        yield started


def _no_sideways_scroll(page: Page) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    width = page.evaluate("window.innerWidth")
    assert scroll <= width, f"the page scrolls sideways: {scroll} px wide in a {width} px window"


@pytest.mark.parametrize("device", WIDTHS)
def test_a_visitor_goes_through_the_guide_and_prints_the_summary(
    browser: Browser, public_server: Server, device: str
) -> None:
    context = browser.new_context(viewport={"width": WIDTHS[device], "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    server = public_server
    try:
        # From the sign-in page, as a visitor would find it.
        page.goto(f"{server.base_url}/login")
        page.get_by_role("link", name=re.compile("guide to your options")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Acne scars: a guide to your options"
        )
        for name in ("Ice pick scar", "Boxcar scar", "Rolling scar"):
            expect(page.get_by_role("img", name=re.compile(name))).to_be_visible()
        _no_sideways_scroll(page)
        screenshot(page, f"guide-1-scar-types-{device}")

        # Which scars do I have: narrow, sharp, stays when stretched.
        page.get_by_role("link", name="Start: which scars do I have?").click()
        page.get_by_label(re.compile("^Narrow")).check()
        page.get_by_label(re.compile("^Sharp and steep")).check()
        page.get_by_label("It stays the same").check()
        page.get_by_role("button", name="Show what this may be").click()
        result = page.locator("section.result")
        expect(result).to_contain_text("This may be: ice pick scars")
        expect(result).to_contain_text("Only an examination can tell")
        _no_sideways_scroll(page)
        screenshot(page, f"guide-2-which-scars-{device}")

        # What might suit me: skin type V, stopped isotretinoin 2 months ago, a small budget.
        page.get_by_role("button", name="Next: what might suit me?").click()
        page.get_by_label("If you know it").select_option("V")
        page.locator("input[name=isotretinoin][value=stopped]").check()
        page.get_by_label("Months since the last tablet").fill("2")
        page.get_by_label(re.compile("Your budget")).fill("400")
        page.get_by_role("button", name="Show what to discuss").click()
        tca = page.locator("#fit-tca_cross")
        expect(tca).to_contain_text("Ice pick scars: a first choice")
        expect(tca).to_contain_text("Darker skin (Fitzpatrick types IV to VI)")
        expect(tca).to_contain_text("Stopped oral isotretinoin recently")
        expect(tca).to_contain_text("more than your budget of 400 USD")
        expect(page.locator("#result")).not_to_contain_text("prescri")  # never a prescription
        _no_sideways_scroll(page)
        screenshot(page, f"guide-3-what-might-suit-me-{device}")

        # The option grid, with what matters most.
        page.get_by_role("link", name="Next: compare the options").click()
        page.get_by_label("Lower cost").check()
        page.get_by_label("Low risk of dark marks").check()
        page.get_by_role("button", name="Show", exact=True).click()
        grid = page.locator("table.option-grid")
        for option in ("Do nothing for now", "Home care only", "TCA CROSS", "Subcision"):
            expect(grid).to_contain_text(option)
        expect(page.locator("table.values-table thead")).to_contain_text("Cost")
        expect(page.locator("table.values-table thead")).not_to_contain_text("Number of visits")
        grid_display = grid.locator("tbody tr").first.evaluate("e => getComputedStyle(e).display")
        assert grid_display == ("block" if device == "phone" else "table-row")
        _no_sideways_scroll(page)
        screenshot(page, f"guide-4-compare-{device}")

        # The printable summary carries the answers.
        page.get_by_role("link", name="Your summary").click()
        summary = page.locator("article.summary")
        expect(summary).to_contain_text("Ice pick scars")
        expect(summary).to_contain_text("V (as you chose it)")
        expect(summary).to_contain_text("Stopped 2 months ago")
        expect(summary).to_contain_text("400 US dollars")
        expect(page.get_by_role("button", name="Print this summary")).to_be_visible()
        expect(page.get_by_text(re.compile("Evidence last reviewed: 0?7 Dec"))).to_be_visible()
        _no_sideways_scroll(page)
        screenshot(page, f"guide-5-summary-{device}")

        page.emulate_media(media="print")
        expect(page.get_by_role("button", name="Print this summary")).to_be_hidden()
        expect(page.locator("nav.guide-steps")).to_be_hidden()
        expect(summary).to_be_visible()
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
        page.emulate_media(media="screen")
        assert context.cookies() == []  # the guide set no cookie: nothing of the visit is kept
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
