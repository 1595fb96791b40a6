"""Procedure consent in a real browser (issue 22): recording a TCA CROSS session is refused
without consent; the patient reads the form on the clinic's tablet, types their name, draws a
signature (a finger on a 390 px phone-sized screen, the mouse at 768 px), ticks that they
understood and signs; the clinician countersigns; then the session is recorded. The drawn
signature is read back as stored. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import confirm_checklist, screenshot
from scarplan.bootstrap import Container
from scarplan.services.clinic.core.context import Actor
from scarplan.services.clinic.plans import consents
from scarplan.services.clinic.records import assessments, patients
from scarplan.settings import Settings
from support.clinic_data import assessment_input, patient_input
from support.server import Server, running_server

ICE_PICK = [
    {"region": "cheek_left", "type": "ice_pick", "count": 12, "width_mm": 1.1, "depth_mm": 1.4}
]
SETUP = Actor(None, "test-setup", "clinician", route="test set-up")


@pytest.fixture
def server(fresh_database_url: str, tmp_path: Path) -> Iterator[Server]:
    """The demo server with one worker process (a loaded machine starts two slowly)."""
    with running_server(fresh_database_url, tmp_path / "data", workers=1) as started:
        yield started


def _fits(page: Page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll} px wide at {width} px"


def _sign_in(page: Page, server: Server) -> None:
    page.goto(f"{server.base_url}/login")
    page.fill("input[name=username]", "demo")
    page.fill("input[name=password]", server.demo_password())
    page.click("button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/login"))


def _record_session(page: Page, server: Server, patient_id: int) -> None:
    """Record a TCA CROSS session with its pre-procedure checklist all confirmed, so only the
    consent decides."""
    page.goto(f"{server.base_url}/patients/{patient_id}/sessions/new?modality=tca_cross")
    confirm_checklist(page, page.evaluate("new Date().toISOString().slice(0, 10)"))
    page.fill("input[name=practitioner]", "Demo Clinician")
    page.check("input[name=regions][value=cheek_left]")
    page.get_by_role("button", name="Save session").click()


def draw_signature(page: Page, touch: bool) -> None:
    """A signature: a zig-zag stroke across the pad, by touch or with the mouse."""
    canvas = page.locator("#signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    points = [
        (
            box["x"] + box["width"] * (0.1 + 0.1 * i),
            box["y"] + box["height"] * (0.3 + 0.4 * (i % 2)),
        )
        for i in range(8)
    ]
    if touch:
        cdp = page.context.new_cdp_session(page)
        first = points[0]
        cdp.send(
            "Input.dispatchTouchEvent",
            {"type": "touchStart", "touchPoints": [{"x": first[0], "y": first[1]}]},
        )
        for x, y in points[1:]:
            cdp.send(
                "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]}
            )
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        return
    page.mouse.move(*points[0])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(x, y, steps=4)
    page.mouse.up()


@pytest.mark.parametrize(("width", "touch"), [(390, True), (768, False)])
def test_consent_is_signed_on_a_tablet_and_then_the_session_is_recorded(  # noqa: PLR0915
    browser: Browser,
    server: Server,
    fresh_database_url: str,
    tmp_path: Path,
    width: int,
    touch: bool,
) -> None:
    settings = Settings(data_dir=tmp_path / "setup", database_url=fresh_database_url)
    clinic = Container(settings=settings).clinic
    patient_id = patients.create_patient(
        clinic, SETUP, patient_input("P-7001", "Ana Silva", fitzpatrick="IV")
    ).id
    assessments.record_assessment(
        clinic, SETUP, patient_id, assessment_input(clinic.today(), ICE_PICK)
    )

    context = browser.new_context(viewport={"width": width, "height": 900}, has_touch=touch)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _sign_in(page, server)

    # Before: the session is refused, in plain words, with the way forward.
    _record_session(page, server, patient_id)
    alert = page.get_by_role("alert").first
    expect(alert).to_contain_text(
        "No signed consent for TCA CROSS: ask Ana Silva to sign it (Consent page), or give a "
        "reason to go ahead without it."
    )
    expect(page.get_by_label(re.compile("Reason to go ahead without it"))).to_be_visible()

    # The consents page, then the form handed over on the tablet.
    page.goto(f"{server.base_url}/patients/{patient_id}/consents/tca_cross")
    expect(page.get_by_role("heading", name="Consent to treatment: TCA CROSS")).to_be_visible()
    form = page.locator(".consent-form")
    expect(form).to_contain_text("most patients (about 3 in 4) improved more than 70 %")
    expect(form).to_contain_text("(Source: Khunger N et al., 2011)")
    expect(form).to_contain_text("For your skin type (Fitzpatrick IV)")
    expect(form).to_contain_text("No treatment:")
    _fits(page, width)
    screenshot(page, f"clinic-day-consent-form-{width}")

    # Signing with nothing drawn is stopped in the page.
    page.fill("#patient-name", "Ana Silva")
    page.check("#understood")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.locator("#signature-missing")).to_be_visible()

    draw_signature(page, touch)
    # A turn of the tablet resizes the pad: the strokes are drawn again at once, so a quick tap
    # on Sign never sends an empty pad.
    inked_after_turn = page.evaluate(
        """() => {
          const canvas = document.getElementById('signature-canvas');
          canvas.style.width = '300px';
          window.dispatchEvent(new Event('resize'));
          const pixels = canvas.getContext('2d')
            .getImageData(0, 0, canvas.width, canvas.height).data;
          let inked = 0;
          for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) { inked += 1; } }
          canvas.style.width = '';
          window.dispatchEvent(new Event('resize'));
          return inked;
        }"""
    )
    assert inked_after_turn > 100, "the strokes are redrawn as soon as the pad is resized"
    screenshot(page, f"clinic-day-consent-signing-{width}")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("the consent is signed")
    record = page.locator(".consent-record").first
    expect(record).to_contain_text("Awaiting countersignature: signed by Ana Silva")

    # The clinician takes the tablet back and countersigns with their own name.
    record.get_by_label("Your name, to countersign").fill("Demo Clinician")
    record.get_by_role("button", name="Countersign").click()
    expect(page.locator(".consent-record").first).to_contain_text("Countersigned by Demo Clinician")
    _fits(page, width)
    screenshot(page, f"clinic-day-consent-signed-{width}")

    page.goto(f"{server.base_url}/patients/{patient_id}/consents")
    expect(page.locator(".consent-row")).to_contain_text("Signed and countersigned")
    _fits(page, width)
    screenshot(page, f"clinic-day-consent-list-{width}")

    # After: the same session is recorded.
    _record_session(page, server, patient_id)
    expect(page).to_have_url(re.compile(rf"/patients/{patient_id}/sessions$"))
    expect(page.get_by_text("TCA CROSS").first).to_be_visible()

    # The drawn signature is stored as a PNG with the stroke in it.
    (stored,) = consents.list_consents(clinic, SETUP, patient_id)
    assert stored.status == "signed"
    assert stored.intact
    image = Image.open(io.BytesIO(stored.signature_png)).convert("RGBA")
    inked = sum(1 for alpha in image.getchannel("A").tobytes() if alpha > 0)
    assert inked > 200, "the signature holds the drawn stroke"

    if width == 768:  # and the consent pages fit a laptop too
        page.set_viewport_size({"width": 1366, "height": 900})
        for path in ("consents", "consents/tca_cross"):
            page.goto(f"{server.base_url}/patients/{patient_id}/{path}")
            _fits(page, 1366)
        screenshot(page, "clinic-day-consent-form-1366")
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
