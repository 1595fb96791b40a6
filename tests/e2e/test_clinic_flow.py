"""The clinic's main flow in a real browser: sign in, intake, face-map assessment, plan,
session, trend chart. Screenshots of each page go to test-artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import confirm_checklist, screenshot
from e2e.test_procedure_consent import draw_signature
from support.server import Server

# The database under the pages matters here: this test runs on PostgreSQL too.
pytestmark = pytest.mark.db


def sign_in(page: Page, server: Server) -> None:
    page.goto(f"{server.base_url}/patients")
    expect(page).to_have_url(re.compile(r"/login"))
    page.fill("input[name=username]", "demo")
    page.fill("input[name=password]", server.demo_password())
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name="Patients")).to_be_visible()


def add_lesion_by_click(page: Page, region: str, kind: str, count: str, width: str) -> None:
    page.click(f"#face-region-{region}")
    expect(page.locator("#new-lesion-region")).to_have_value(region)
    page.select_option("#new-lesion-type", kind)
    page.fill("#new-lesion-count", count)
    page.fill("#new-lesion-width", width)
    page.click("[data-add-lesion]")


def test_wrong_password_is_refused(page: Page, server: Server) -> None:
    page.goto(f"{server.base_url}/login")
    page.fill("input[name=username]", "demo")
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")
    page.goto(f"{server.base_url}/patients")
    expect(page).to_have_url(re.compile(r"/login"))


def test_clinic_flow(page: Page, server: Server) -> None:
    sign_in(page, server)
    search_and_intake(page)
    assess_on_the_face_map(page)
    propose_accept_and_record(page)
    see_progress_calendar_and_knowledge(page)


def search_and_intake(page: Page) -> None:
    expect(page.get_by_role("link", name="Maya Chen")).to_be_visible()  # the demo clinic
    screenshot(page, "01-patient-list")

    page.fill("#q", "okafor")
    expect(page.locator("#patient-rows")).to_contain_text("Daniel Okafor")
    expect(page.locator("#patient-rows")).not_to_contain_text("Maya Chen")

    # Intake: a bad date is refused with the field named, then fixed.
    page.click("text=New patient")
    page.fill("input[name=full_name]", "Lena Park")
    page.fill("input[name=code]", "P-2001")
    page.fill("input[name=birth_date]", "2099-01-01")
    page.select_option("select[name=fitzpatrick]", "IV")
    for flag in ("pregnant", "breastfeeding", "keloid_history", "skin_infection"):
        page.select_option(f"select[name={flag}]", "no")
    page.click("text=Save patient")
    # The field in words, never its path (issue 22, words for people).
    expect(page.get_by_role("alert").first).to_contain_text("Date of birth")
    expect(page.get_by_role("alert").first).not_to_contain_text("patient.birth_date")
    page.fill("input[name=birth_date]", "1997-05-14")
    page.fill("input[name=budget_amount]", "3000")
    screenshot(page, "02-intake")
    page.click("text=Save patient")
    expect(page.get_by_role("heading", name=re.compile("Lena Park"))).to_be_visible()
    screenshot(page, "03-overview-new")


def assess_on_the_face_map(page: Page) -> None:

    # Assessment on the face map: by mouse, then by keyboard; the scales update live.
    page.click("text=New assessment")
    add_lesion_by_click(page, "cheek_left", "ice_pick", "12", "1.2")
    gb_score = page.locator("[data-score=gb-quantitative]")
    expect(gb_score).to_be_visible()
    first_score = gb_score.inner_text()
    page.focus("#face-region-forehead")
    page.keyboard.press("Enter")
    expect(page.locator("#new-lesion-region")).to_have_value("forehead")
    page.select_option("#new-lesion-type", "boxcar")
    page.fill("#new-lesion-count", "6")
    page.fill("#new-lesion-width", "3.0")
    page.keyboard.press("Enter")  # Enter in the composer adds the group
    expect(page.locator("#lesion-rows tr")).to_have_count(2)
    expect(gb_score).not_to_have_text(first_score)
    expect(page.locator("#face-region-cheek_left")).to_have_attribute(
        "aria-label", re.compile("12 scar")
    )
    screenshot(page, "04-assessment-face-map")
    page.click("text=Save assessment")
    expect(page.get_by_role("heading", name=re.compile("Assessment of"))).to_be_visible()
    screenshot(page, "05-assessment")


def propose_accept_and_record(page: Page) -> None:

    # Plan: proposed with reasons, then accepted.
    page.click("text=Propose a plan from it")
    expect(page.locator(".status")).to_have_text("Proposed")
    expect(page.get_by_role("heading", name="Why these procedures")).to_be_visible()
    screenshot(page, "06-plan-proposed")
    page.click("text=Accept plan")
    expect(page.locator(".status")).to_have_text("Accepted")

    # Record the first planned session: its checklist opens first, and the session is refused
    # until the patient has signed the procedure's consent.
    page.locator("table.sessions a", has_text="record").first.click()
    record_form = page.url
    today = page.evaluate("new Date().toISOString().slice(0, 10)")
    expect(page.get_by_role("group", name="Pre-procedure checklist")).to_be_visible()
    confirm_checklist(page, today)
    page.fill("input[name=practitioner]", "Dr Test")
    page.fill("input[name=performed_on]", today)
    screenshot(page, "07-record-session")
    page.click("text=Save session")
    expect(page.get_by_role("alert").first).to_contain_text("No signed consent for")
    page.get_by_role("link", name=re.compile("Open the consent page for")).click()
    page.fill("#patient-name", "Lena Park")
    draw_signature(page, touch=False)
    page.check("#understood")
    page.get_by_role("button", name="Sign", exact=True).click()
    page.get_by_label("Your name, to countersign").fill("Demo Clinician")
    page.get_by_role("button", name="Countersign").click()
    expect(page.locator(".consent-record").first).to_contain_text("In force")
    page.goto(record_form)
    confirm_checklist(page, today)
    page.fill("input[name=practitioner]", "Dr Test")
    page.fill("input[name=performed_on]", today)
    page.click("text=Save session")
    expect(page.locator("article.session")).to_have_count(1)
    expect(page.locator("article.session")).to_contain_text("Dr Test")
    screenshot(page, "08-sessions")


def see_progress_calendar_and_knowledge(page: Page) -> None:

    # A re-assessment with fewer scars; the trend chart shows both.
    page.click("nav.patient-nav >> text=Assess")
    page.locator("input[name=lesion_count]").first.fill("7")
    page.click("text=Save assessment")
    page.click("nav.patient-nav >> text=Progress")
    chart = page.locator("figure.chart").first
    expect(chart.locator("circle.point")).to_have_count(2)
    expect(chart.locator("line.session-marker")).to_have_count(1)
    screenshot(page, "09-progress")

    page.click("nav.patient-nav >> text=Calendar")
    expect(page.locator(".calendar li.kind-done")).to_have_count(1)
    screenshot(page, "10-calendar")
    page.click("text=Knowledge base")
    page.click("text=tca_cross")
    expect(page.get_by_role("heading", name="The evidence")).to_be_visible()
    screenshot(page, "11-knowledge-base")
