"""An invited patient's whole first visit to the portal, in a real browser (issue 21's evidence),
at a phone's 390 px and a laptop's 1366 px.

The clinic has assessed the patient, agreed a TCA CROSS plan starting in two weeks (the
patient uses tretinoin at home) and done a subcision session yesterday, then sends the portal
invitation. The server's sender delivers it to a real SMTP server on 127.0.0.1; the patient
opens the link from the e-mail, chooses a password, and on their portal home finds the next
session with how to prepare (tretinoin paused before it) and today's morning and evening
routine; then answers the skin-type questions of the intake at home and the improvement
questionnaire that is due after a session. What they answered is read back through the clinic's
own use cases. Nothing on the way is wider than the screen.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import screenshot
from scarplan.bootstrap import Container
from scarplan.services.clinic.accounts import invitations, users
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans import plans
from scarplan.services.clinic.records import assessments, patients, questionnaires, sessions
from scarplan.settings import Settings
from support.checklists import with_checklist
from support.clinic_data import assessment_input, patient_input
from support.consent import ensure_consents
from support.server import Server, running_server
from support.smtp import Inbox, mail_settings, text_of, wait_for_mail

EMAIL = "mara.quinn@example.org"
CODE = "P-8001"
CLINIC_PASSWORD = "a long clinic password"
PATIENT_PASSWORD = "mara's own long password"
ICE_PICK = [
    {"region": "cheek_left", "type": "ice_pick", "count": 12, "width_mm": 1.1, "depth_mm": 1.4}
]
SKIN_ANSWERS = [1, 2, 1, 2, 1, 2, 1, 2, 1, 2]
"""One answer per Fitzpatrick question (option positions), as the patient clicks them."""


@pytest.fixture
def mail_server(
    fresh_database_url: str, tmp_path: Path, inbox: tuple[int, Inbox]
) -> Iterator[Server]:
    smtp_port, _ = inbox
    settings = mail_settings(smtp_port)
    # One worker process (see test_portal_invitation.py: a loaded machine's start-up check).
    with running_server(
        fresh_database_url, tmp_path / "data", demo=False, workers=1, env=settings
    ) as started:
        yield started


def _clinic(database_url: str, tmp_path: Path, server: Server) -> Clinic:
    """The clinic's use cases on the server's database; e-mails link to the server."""
    settings = Settings(
        data_dir=tmp_path / "setup", database_url=database_url, public_base_url=server.base_url
    )
    return Container(settings=settings).clinic


def _treated_patient(clinic: Clinic) -> tuple[Actor, int]:
    """Assessed, a TCA CROSS plan agreed to start in two weeks, a session done yesterday."""
    clinician = users.create_user(clinic, "dr.quinn", "Dr Quinn", CLINIC_PASSWORD, "clinician")
    today = clinic.today()
    intake = patient_input(
        CODE,
        "Mara Quinn",
        current_agents=["tretinoin"],
        preferences={"start_date": (today + timedelta(days=14)).isoformat()},
    )
    patient_id = patients.create_patient(clinic, clinician, {**intake, "email": EMAIL}).id
    assessments.record_assessment(clinic, clinician, patient_id, assessment_input(today, ICE_PICK))
    plan = plans.propose_plan(clinic, clinician, patient_id)
    plans.accept_plan(clinic, clinician, plan.id)
    yesterday = with_checklist(
        {
            "performed_on": (today - timedelta(days=1)).isoformat(),
            "modality": "subcision",
            "regions": ["cheek_right"],
            "practitioner": "Dr Quinn",
        }
    )
    ensure_consents(clinic, clinician, patient_id, "subcision")
    sessions.record_session(clinic, clinician, patient_id, yesterday)
    return clinician, patient_id


def _link(message: EmailMessage) -> str:
    found = re.search(r"http://127\.0\.0\.1:\d+/welcome/\S+", text_of(message))
    assert found is not None, text_of(message)
    return found.group(0)


def _fits(page: Page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll} px wide at {width} px"


@pytest.mark.parametrize("width", [390, 1366])
def test_an_invited_patient_sets_a_password_fills_in_forms_and_sees_how_to_prepare(
    browser: Browser,
    mail_server: Server,
    inbox: tuple[int, Inbox],
    fresh_database_url: str,
    tmp_path: Path,
    width: int,
) -> None:
    _, received = inbox
    clinic = _clinic(fresh_database_url, tmp_path, mail_server)
    clinician, patient_id = _treated_patient(clinic)
    invitations.invite_patient(clinic, clinician, CODE)  # the e-mail is queued with it
    link = _link(wait_for_mail(received, EMAIL, 1))

    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(link)
    page.fill("input[name=password]", PATIENT_PASSWORD)
    page.fill("input[name=password_repeat]", PATIENT_PASSWORD)
    page.click("text=Save and open my portal")
    expect(page).to_have_url(re.compile(r"/portal$"))

    # The next session and how to prepare: tretinoin rests before TCA CROSS.
    next_session = page.locator(
        "section", has=page.get_by_role("heading", name="Your next session")
    )
    expect(next_session).to_contain_text("TCA CROSS")
    expect(next_session.get_by_role("heading", name="How to prepare")).to_be_visible()
    expect(
        next_session.locator("li strong", has_text=re.compile("tretinoin", re.I))
    ).to_be_visible()
    today = page.locator("section", has=page.get_by_role("heading", name="Today at home"))
    expect(today.get_by_role("heading", name="Morning")).to_be_visible()
    expect(today.get_by_role("heading", name="Evening")).to_be_visible()
    # Tretinoin rests from today, two weeks before the session, and the page says why.
    expect(today).to_contain_text(re.compile(r"Tretinoin[^;.]*paused around your session", re.I))
    after = page.locator("section", has=page.get_by_role("heading", name="After your last session"))
    expect(after).to_contain_text("Subcision")
    _fits(page, width)
    screenshot(page, f"journey-home-{width}")

    # The intake at home: the skin-type questions.
    page.click("text=About you and your health")
    expect(page).to_have_url(re.compile(r"/portal/intake$"))
    page.goto(page.url + "/skin")
    for number, option in enumerate(SKIN_ANSWERS):
        page.locator(f"input[name=q{number}]").nth(option).check()
    _fits(page, width)
    page.click("text=Save and continue")
    expect(page.get_by_role("status")).to_contain_text("Saved")

    # The questionnaire that is due after yesterday's session.
    if width < 640:  # on a phone the main menu is folded behind its button
        page.get_by_role("button", name="Menu").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Questionnaires").click()
    page.get_by_role("link", name="How your scars have changed").click()
    page.get_by_role("radio", name="Much better", exact=True).check()
    _fits(page, width)
    screenshot(page, f"journey-questionnaire-{width}")
    page.click("text=Send my answers")
    expect(page.get_by_role("status")).to_contain_text("your answers are saved")
    context.close()

    # What the patient entered, read back through the clinic's own use cases.
    record = patients.get_patient(clinic, clinician, patient_id)
    assert record.intake["patient"]["fitzpatrick_answers"] == SKIN_ANSWERS
    state = questionnaires.patient_questionnaires(clinic, clinician, patient_id)
    assert [(r.instrument_id, r.score) for r in state.answered] == [("pgi_i", 2.0)]
    assert "pgi_i" not in [d.instrument_id for d in state.due]
