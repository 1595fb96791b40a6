"""Words for people in a real browser (issue 22 item 6): the assessment form records what the
Goodman & Baron qualitative grade needs, so its warning, a clinical sentence, clears once the
clinician answers; the page fits 390, 768 and 1366 px wide (the lesion table scrolls inside its
panel, never the page)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from e2e.conftest import screenshot
from e2e.test_clinic_flow import add_lesion_by_click, sign_in
from support.server import Server

ASKED = re.compile(
    r"Scar group 1 \(left cheek, rolling\): record whether it is visible at 50 cm, covered by "
    r"make-up and distensible — needed for the Goodman & Baron qualitative grade\."
)


def _document_fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"the page is {width} px wide in a {viewport} px window"


def test_the_qualitative_warning_clears_once_the_form_records_its_inputs_at_every_width(
    page: Page, server: Server
) -> None:
    sign_in(page, server)
    page.click("text=New patient")
    page.fill("input[name=full_name]", "Ana Silva")
    page.fill("input[name=code]", "P-2201")
    page.fill("input[name=birth_date]", "1990-05-02")
    page.click("text=Save patient")
    page.click("text=New assessment")
    page.locator("#lesion-rows tr [data-remove-row]").evaluate_all(
        "buttons => buttons.forEach(b => b.click())"
    )
    add_lesion_by_click(page, "cheek_left", "rolling", "6", "5")
    warnings = page.locator("#scores .warnings")
    expect(warnings).to_contain_text(ASKED)
    expect(page.locator("#scores")).not_to_contain_text("lesions[0]")

    row = page.locator("#lesion-rows tr").first
    row.locator("select[name=lesion_visible_at_50cm]").select_option("yes")
    row.locator("select[name=lesion_covered_by_makeup]").select_option("no")
    row.locator("select[name=lesion_distensible]").select_option("yes")
    expect(page.locator("[data-score=gb-qualitative]")).to_have_text("grade 3")
    expect(page.locator("#scores")).not_to_contain_text("record whether")
    screenshot(page, "clinic-day-words-assessment")

    # One server for the widths too (each start seeds the demo clinic).
    for width in (390, 768, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(100)  # one layout pass
        _document_fits(page)
        screenshot(page, f"clinic-day-words-assessment-{width}")
