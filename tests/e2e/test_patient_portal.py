"""The patient portal in a real browser (issue 21), at a phone's 390 px and a laptop's 1366 px.

A patient with a followed TCA CROSS plan, a retinoid at home, a session done yesterday, two
assessments and a photo signs in and walks every portal page. On each: every link leads to a page
the patient may open (no 403 or 404), no form posts but signing out and asking for their own
report as a PDF, no clinic wording (field paths, permission ids, the clinic's patient code), and
nothing wider than the screen. The report PDF is asked for, made and downloaded as a patient
does it. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import screenshot
from scarplan.bootstrap import Container
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.plans import plans
from scarplan.services.clinic.records import assessments, patients, photos
from scarplan.settings import Settings
from support.clinic_data import assessment_input, jpeg, patient_input
from support.consent import record_cleared
from support.server import Server, running_server

PASSWORD = "a long portal password"
CODE = "P-7001"
PAGES = {
    "portal-home": "/portal",
    "portal-plan": "/portal/plan",
    "portal-routine": "/portal/routine",
    "portal-progress": "/portal/progress",
    "portal-records": "/portal/records",
}
CLINIC_WORDS = ("patient_id", "clinical.write", "clinical.read", "patients.write", CODE)
ICE_PICK = [
    {"region": "cheek_left", "type": "ice_pick", "count": 12, "width_mm": 1.1, "depth_mm": 1.4}
]


@pytest.fixture
def server(fresh_database_url: str, tmp_path: Path) -> Iterator[Server]:
    """The app on its own database without the demo clinic (this test makes what it needs), in
    one process: on a busy machine a worker process can miss the process manager's start-up
    health check and be restarted over and over."""
    with running_server(fresh_database_url, tmp_path / "data", demo=False, workers=1) as started:
        yield started


@pytest.fixture
def patient(server: Server, fresh_database_url: str, tmp_path: Path) -> tuple[str, int]:
    """The patient's records and portal account, made with the clinic's own use cases on the
    server's database; their username."""
    settings = Settings(data_dir=tmp_path / "setup", database_url=fresh_database_url)
    clinic = Container(settings=settings).clinic
    clinician = users.create_user(clinic, "dr.portal", "Dr Portal", PASSWORD, "clinician")
    today = clinic.today()
    start = today + timedelta(days=14)
    patient_id = patients.create_patient(
        clinic,
        clinician,
        patient_input(
            CODE,
            "Ana Portal",
            current_agents=["tretinoin"],
            preferences={"start_date": start.isoformat()},
        ),
    ).id
    earlier = [{**ICE_PICK[0], "count": 18}]
    assessments.record_assessment(
        clinic, clinician, patient_id, assessment_input(today - timedelta(days=90), earlier)
    )
    assessments.record_assessment(clinic, clinician, patient_id, assessment_input(today, ICE_PICK))
    plan = plans.propose_plan(clinic, clinician, patient_id)
    plans.accept_plan(clinic, clinician, plan.id)
    record_cleared(
        clinic,
        clinician,
        patient_id,
        {
            "performed_on": (today - timedelta(days=1)).isoformat(),
            "modality": "subcision",
            "regions": ["cheek_right"],
            "practitioner": "Dr Portal",
        },
    )
    photo = {
        "region": "cheek_left",
        "angle": "front",
        "taken_on": today.isoformat(),
        "consent": "clinical_record",
        "consent_confirmed": True,
    }
    photos.add_photo(clinic, clinician, patient_id, photo, jpeg())
    users.create_user(
        clinic, "ana.portal", "Ana Portal", PASSWORD, "patient", patient_id=patient_id
    )
    clinic.audit.close()
    return "ana.portal", patient_id


def _sign_in(page: Page, server: Server, username: str) -> None:
    page.goto(f"{server.base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/portal$"))


def _links(page: Page) -> set[str]:
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    return {h.split("#", 1)[0] for h in hrefs if h.split("#", 1)[0]}


def _check_page(page: Page, server: Server, patient_id: int) -> list[str]:
    wrong = []
    for link in sorted(_links(page)):
        if not link.startswith(server.base_url):
            continue  # a source's publisher: not the app's
        path = link.removeprefix(server.base_url)
        status = page.request.get(link, max_redirects=5).status
        if status in (401, 403, 404) or status >= 500:
            wrong.append(f"link {path}: {status}")
    forms = page.eval_on_selector_all(
        "form", "els => els.map(e => [e.method.toLowerCase(), new URL(e.action).pathname])"
    )
    # Signing out, and asking for one's own report as a PDF: nothing else a patient may post.
    allowed = {"/logout", f"/patients/{patient_id}/report"}
    wrong.extend(f"form {m} {a}" for m, a in forms if m == "post" and a not in allowed)
    text = page.inner_text("body")
    wrong.extend(f"shows {w!r}" for w in CLINIC_WORDS if w in text)
    if re.search(r"(?<![\w-])P-\d", text):
        wrong.append("shows a patient code")
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if wide > 0:
        wrong.append(f"{wide} px wider than the screen")
    return wrong


@pytest.mark.parametrize("width", [390, 1366])
def test_a_patient_walks_every_portal_page_and_meets_only_what_they_may_do(
    browser: Browser, server: Server, patient: tuple[str, int], width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        username, patient_id = patient
        _sign_in(page, server, username)
        home = page.locator("main")
        expect(home).to_contain_text("Your next session")
        expect(home).to_contain_text("TCA CROSS, session 1 of 4")
        expect(home).to_contain_text(re.compile(r"Stop Tretinoin.* from \d{2} \w{3} \d{4}"))
        expect(home).to_contain_text("After your last session")
        expect(home).to_contain_text("Today at home")
        wrong: dict[str, list[str]] = {}
        for name, path in PAGES.items():
            page.goto(f"{server.base_url}{path}")
            expect(page.locator("h1")).to_be_visible()
            screenshot(page, f"{name}-{width}")
            found = _check_page(page, server, patient_id)
            if found:
                wrong[path] = found
        assert wrong == {}
        # The report as a PDF: asked for, made by a job, downloaded from its page.
        page.goto(f"{server.base_url}/portal/records")
        page.get_by_role("button", name="Your report as a PDF").click()
        expect(page.get_by_role("heading", name="Your report as a PDF")).to_be_visible()
        expect(page.get_by_role("status")).to_contain_text("The PDF is ready", timeout=60_000)
        assert _check_page(page, server, patient_id) == []
        screenshot(page, f"portal-report-{width}")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the PDF").click()
        assert download.value.suggested_filename.endswith(".pdf")
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
        # A clinic page the patient may not open: plain words and the way back.
        page.goto(f"{server.base_url}/patients")
        expect(page.locator("h1")).to_have_text("This page is for the clinic team")
        page.click("text=Back to your page")
        expect(page).to_have_url(re.compile(r"/portal$"))
    finally:
        context.close()
    assert errors == []
