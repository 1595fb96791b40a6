"""The patient's forms at home in a real browser, on a phone (390 px) and a laptop (1366 px):
a treated patient fills in the intake step by step (the skin type questions, the medical
history, preferences) and a questionnaire; the clinician then sees the answer and its trend on
the progress page. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import screenshot
from scarplan.bootstrap import Container
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.context import Clinic
from scarplan.settings import Settings
from support.server import Server, running_server
from support.treated_patient import PORTAL_PASSWORD, TreatedPatient, treated_patient

CLINICIAN_PASSWORD = "a long clinician password"


@pytest.fixture
def server(fresh_database_url: str, tmp_path: Path) -> Iterator[Server]:
    """`scarplan serve --demo` with one worker: starts in a third of the time of two on a
    loaded machine, and nothing here needs a second process."""
    with running_server(fresh_database_url, tmp_path / "data", workers=1) as started:
        yield started


@pytest.fixture
def clinic(server: Server, fresh_database_url: str) -> Iterator[Clinic]:
    """The services on the server's own database, to set the scene as the clinic would."""
    container = Container(Settings(data_dir=server.data_dir, database_url=fresh_database_url))
    yield container.clinic
    container.clinic.audit.close()


def open_page(browser: Browser, width: int) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 900})
    return context.new_page()


def sign_in(page: Page, server: Server, username: str, password: str) -> None:
    page.goto(f"{server.base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/login"))


def fits(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def fill_in_the_intake(page: Page, server: Server, width: int) -> None:
    page.goto(f"{server.base_url}/portal/intake")
    page.click("text=Start")
    expect(page.get_by_role("heading", name="Is your name or date of birth wrong?")).to_be_visible()
    page.click("text=Next: your skin")

    for question in range(10):
        # Clicking the words, not the small circle: the whole row is the target.
        page.locator(f"#question-{question} label.option").nth(2).click()
    screenshot(page, f"portal-intake-skin-{width}")
    fits(page, width)
    page.click("text=Save and continue")

    expect(page.get_by_role("heading", name="Your health")).to_be_visible()
    expect(page.get_by_text("Saved. Thank you.")).to_be_visible()
    pregnant = page.locator("fieldset", has_text="Are you pregnant")
    pregnant.get_by_label("No", exact=True).check()
    page.locator("#history-conditions").get_by_label("Vitiligo", exact=True).check()
    isotretinoin = page.locator("fieldset", has_text="isotretinoin tablets")
    isotretinoin.get_by_label("Never", exact=True).check()
    screenshot(page, f"portal-intake-{width}")
    fits(page, width)
    page.click("text=Save and continue")

    expect(page.get_by_role("heading", name="What suits you")).to_be_visible()
    page.fill("input[name=budget_amount]", "lots")
    page.click("button:has-text('Save')")
    expect(page.get_by_text("Write the amount as a number, for example 2000.")).to_be_visible()
    page.fill("input[name=budget_amount]", "2500")
    page.fill("input[name=max_downtime_days]", "7")
    page.click("button:has-text('Save')")
    expect(page.get_by_text("All saved.")).to_be_visible()


def answer_a_questionnaire(page: Page, server: Server, width: int) -> None:
    page.goto(f"{server.base_url}/portal/questionnaires")
    page.click("text=How your scars have changed")
    page.get_by_text("Much better", exact=True).click()
    screenshot(page, f"portal-questionnaire-{width}")
    fits(page, width)
    page.click("text=Send my answers")
    expect(page.get_by_text("your answers are saved")).to_be_visible()
    expect(page.locator(".answered")).to_contain_text("Much better")
    screenshot(page, f"portal-questionnaire-list-{width}")


@pytest.mark.parametrize("width", [390, 1366])
def test_a_patient_fills_in_the_intake_and_a_questionnaire_and_the_clinician_sees_it(
    browser: Browser, server: Server, clinic: Clinic, width: int
) -> None:
    clinician = users.create_user(clinic, "dr.home", "Dr Home", CLINICIAN_PASSWORD, "clinician")
    home: TreatedPatient = treated_patient(clinic, clinician, fitzpatrick=None)

    page = open_page(browser, width)
    sign_in(page, server, home.username, PORTAL_PASSWORD)
    fill_in_the_intake(page, server, width)
    answer_a_questionnaire(page, server, width)
    page.context.close()

    staff = open_page(browser, width)
    sign_in(staff, server, "dr.home", CLINICIAN_PASSWORD)
    staff.goto(f"{server.base_url}/patients/{home.patient_id}")
    expect(staff.locator("section", has_text="Patient-reported outcomes")).to_contain_text(
        "Much better"
    )
    expect(staff.get_by_text("Vitiligo")).to_be_visible()
    staff.goto(f"{server.base_url}/patients/{home.patient_id}/progress")
    table = staff.locator("table.outcomes")
    expect(table).to_contain_text("Patient Global Impression of Improvement (PGI-I)")
    expect(table).to_contain_text("Much better")
    expect(staff.locator("figure.chart", has_text="PGI-I")).to_be_visible()
    fits(staff, width)
    screenshot(staff, f"portal-questionnaire-clinician-progress-{width}")
    staff.context.close()
