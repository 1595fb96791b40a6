"""Plan editing in a real browser: add a procedure, swap one for another, and see a refused
change say why in words; the plan page with its change forms fits 390, 768 and 1366 px."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import screenshot
from e2e.test_clinic_flow import sign_in
from support.server import Server, running_server

LESIONS = [
    {"region": "cheek_right", "type": "ice_pick", "count": 11, "width_mm": 0.9, "depth_mm": 1.2},
    {"region": "forehead", "type": "boxcar", "count": 4, "width_mm": 2.5, "depth_mm": 0.3},
]


@pytest.fixture
def server(fresh_database_url: str, tmp_path: Path) -> Iterator[Server]:
    """The demo server with one worker process: one browser needs no more, and a single
    worker starts without uvicorn's worker health check (5 s), which a busy machine misses."""
    with running_server(fresh_database_url, tmp_path / "data", workers=1) as started:
        yield started


def api(page: Page, server: Server, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """A write through the signed-in browser's own session (cookie and CSRF token)."""
    token = page.locator("input[name=csrf_token]").first.get_attribute("value") or ""
    response = page.request.post(
        f"{server.base_url}/api/v1{path}", data=body, headers={"X-CSRF-Token": token}
    )
    assert response.ok, response.text()
    found: dict[str, Any] = response.json()
    return found


def proposed_plan(page: Page, server: Server) -> dict[str, Any]:
    page.goto(f"{server.base_url}/patients/new")
    patient = api(
        page,
        server,
        "/patients",
        {
            "full_name": "Noah Reyes",
            "patient": {
                "id": "P-2201",
                "birth_date": "1991-02-03",
                "sex": "male",
                "fitzpatrick": "II",
            },
        },
    )
    api(
        page,
        server,
        f"/patients/{patient['id']}/assessments",
        {"date": "2026-11-20", "lesions": LESIONS},
    )
    return api(page, server, f"/patients/{patient['id']}/plans", {})


WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .filter(e => !e.parentElement || e.parentElement.getBoundingClientRect().right
    <= document.documentElement.clientWidth + 1)
  .slice(0, 8)
  .map(e => `${e.tagName.toLowerCase()}.${e.className} `
    + `${Math.round(e.getBoundingClientRect().right)}`)"""


def no_page_overflow(page: Page) -> None:
    for width in (390, 768, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        wide = page.evaluate("document.documentElement.scrollWidth")
        offenders = page.evaluate(WIDEST)
        assert wide <= width, f"the plan page is {wide} px wide at {width} px: {offenders}"


def test_add_swap_and_a_refused_change(page: Page, server: Server) -> None:
    sign_in(page, server)
    plan = proposed_plan(page, server)
    field = next(s["modality"] for s in plan["sessions"] if s["modality"] != "tca_cross")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{server.base_url}/plans/{plan['id']}")
    expect(page.get_by_role("heading", name="Change the plan")).to_be_visible()

    # Add a procedure by its name, with its regions and a reason.
    page.get_by_text("Add a procedure", exact=True).click()
    add = page.get_by_role("form", name="Add a procedure")
    add.locator("select[name=modality]").select_option(label="Hyaluronic acid filler")
    add.locator("input[name=regions][value=forehead]").check()
    add.locator("input[name=reason]").fill("volume loss on the forehead")
    add.get_by_role("button", name="Add to the plan").click()
    expect(page.get_by_role("heading", name=re.compile("version 2"))).to_be_visible()
    sessions = page.locator("table.sessions")
    expect(sessions).to_contain_text("Hyaluronic acid filler")
    expect(page.get_by_role("alert")).to_have_count(0)
    screenshot(page, "clinic-day-planedit-added")

    # Swap the field course for another resurfacing laser: it keeps its place.
    other = "fractional_co2" if field == "fractional_erbium" else "fractional_erbium"
    page.get_by_text("Swap a procedure for another", exact=True).click()
    swap = page.get_by_role("form", name="Swap a procedure")
    swap.locator("select[name=replace]").select_option(field)
    swap.locator("select[name=modality]").select_option(other)
    swap.locator("input[name=reason]").fill("shorter downtime for his work")
    swap.get_by_role("button", name="Swap").click()
    expect(page.get_by_role("heading", name=re.compile("version 3"))).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)

    # A setting outside the published range is refused, with the reason in words.
    page.get_by_text("Regions and settings: TCA CROSS", exact=False).first.click()
    change = page.get_by_role("form", name=re.compile("Regions and settings of TCA CROSS"))
    change.locator("input[name=setting_value]").first.fill("30")
    change.locator("input[name=reason]").fill("weaker acid")
    change.evaluate("form => form.noValidate = true")  # the server's check, not the browser's
    change.get_by_role("button", name="Save changes").click()
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text("Not saved")
    expect(refusal).to_contain_text("TCA concentration 30 % is outside the published range")
    expect(refusal).not_to_contain_text("change.parameters")
    expect(page.get_by_role("heading", name=re.compile("version 3"))).to_be_visible()
    screenshot(page, "clinic-day-planedit-refused")

    page.goto(f"{server.base_url}/plans/{plan['id']}")
    for summary in ("Add a procedure", "Swap a procedure for another"):
        page.get_by_text(summary, exact=True).click()
    no_page_overflow(page)
    page.set_viewport_size({"width": 390, "height": 900})
    screenshot(page, "clinic-day-planedit-plan-390")
