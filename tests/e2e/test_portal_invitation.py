"""An invited patient in a real browser, at phone and desktop width: the front desk records the
e-mail address and sends the invitation; the server's sender delivers it to a real SMTP server
on 127.0.0.1; the patient opens the link from the received e-mail, chooses a password and lands
on their portal home, signed in. Re-inviting ends the earlier link. Screenshots go to
test-artifacts/screenshots/ (portal-welcome-390.png, portal-welcome-1366.png)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e import test_clinic_flow as flow
from e2e.conftest import screenshot
from support.server import Server, running_server
from support.smtp import Inbox, mail_settings, text_of, wait_for_mail

EMAIL = "lena.park@example.org"
PASSWORD = "lena's own long password"
WIDTHS = ((390, 844), (1366, 900))


@pytest.fixture
def mail_server(
    fresh_database_url: str, tmp_path: Path, inbox: tuple[int, Inbox]
) -> Iterator[Server]:
    smtp_port, _ = inbox
    settings = {**mail_settings(smtp_port), "SCARPLAN_CLINIC_NAME": "Harbour Skin Clinic"}
    # One worker: on a loaded machine uvicorn's supervisor kills a worker that takes over 5 s to
    # import the app (its health check), and restarts it again and again. Two senders at once
    # are tested in tests/integration/test_mail.py (on PostgreSQL too).
    with running_server(fresh_database_url, tmp_path / "data", workers=1, env=settings) as started:
        yield started


def _link(message: EmailMessage) -> str:
    found = re.search(r"http://127\.0\.0\.1:\d+/welcome/\S+", text_of(message))
    assert found is not None, text_of(message)
    return found.group(0)


def _invite(page: Page, patient_url: str) -> None:
    page.goto(patient_url)
    page.click("text=Invite to the portal by e-mail")
    expect(page.get_by_role("heading", name="Invitation sent")).to_be_visible()
    expect(page.locator("main")).to_contain_text(EMAIL)


def test_an_invited_patient_sets_a_password_from_the_email_and_lands_on_the_portal(
    page: Page, browser: Browser, mail_server: Server, inbox: tuple[int, Inbox]
) -> None:
    _, received = inbox
    flow.sign_in(page, mail_server)
    page.click("text=New patient")
    page.fill("input[name=full_name]", "Lena Park")
    page.fill("input[name=code]", "P-2001")
    page.fill("input[name=email]", EMAIL)
    page.click("text=Save patient")
    expect(page.get_by_role("heading", name=re.compile("Lena Park"))).to_be_visible()
    patient_url = page.url

    links = []
    for number, (width, height) in enumerate(WIDTHS, start=1):
        _invite(page, patient_url)
        link = _link(wait_for_mail(received, EMAIL, number))
        links.append(link)
        context = browser.new_context(viewport={"width": width, "height": height})
        patient = context.new_page()
        patient.goto(link)
        expect(patient.get_by_role("heading", name="Welcome")).to_be_visible()
        expect(patient.locator("main")).to_contain_text("p-2001")
        patient.fill("input[name=password]", PASSWORD)
        patient.fill("input[name=password_repeat]", PASSWORD)
        screenshot(patient, f"portal-welcome-{width}")
        scroll = patient.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"the page is {scroll} px wide at {width} px"
        patient.click("text=Save and open my portal")
        expect(patient).to_have_url(re.compile(r"/portal$"))
        expect(patient.get_by_role("heading", name="Hello, Lena")).to_be_visible()
        screenshot(patient, f"portal-welcome-home-{width}")
        context.close()

    # The first link was used; the second invitation would have ended it anyway.
    stranger = browser.new_context(viewport={"width": 390, "height": 844})
    again = stranger.new_page()
    again.goto(links[0])
    expect(again.get_by_role("heading", name="Link no longer valid")).to_be_visible()
    expect(again.locator("main")).to_contain_text("Ask the clinic to send you a new invitation")
    stranger.close()
