"""The medical history in a real browser (issue 20): a patient with vitiligo, a lidocaine
allergy, an implanted electronic device and a permanent filler in the left cheek is entered on
the intake form; the patient page shows them, and the patient's FHIR export carries each as its
resource. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from e2e import test_clinic_flow as flow
from e2e.conftest import screenshot
from support.fhir import local, resources
from support.server import Server

DEVICE = "Implanted electronic device (pacemaker, defibrillator, neurostimulator)"


def test_the_intake_records_the_history_and_the_fhir_export_carries_it(
    page: Page, server: Server
) -> None:
    flow.sign_in(page, server)
    page.click("text=New patient")
    page.fill("input[name=full_name]", "Rosa Diaz")
    page.fill("input[name=code]", "P-3001")
    page.fill("input[name=birth_date]", "1985-09-30")

    history = page.locator("fieldset", has=page.get_by_text("Medical history", exact=True))
    history.get_by_label("Vitiligo", exact=True).check()
    history.get_by_label("Lidocaine allergy", exact=True).check()
    history.get_by_label(DEVICE, exact=True).check()

    # The permanent filler in the blank row; then a row added in the browser, left empty.
    page.select_option("select[name=prior_kind_0]", "permanent_filler")
    page.fill("input[name=prior_product_0]", "silicone")
    page.check("input[name=prior_regions_0][value=cheek_left]")
    page.fill("input[name=prior_date_0]", "2015-05-01")
    page.click("text=Add another procedure")
    expect(page.locator("select[name=prior_kind_1]")).to_be_focused()
    screenshot(page, "history-01-intake")
    page.click("text=Save patient")

    expect(page.get_by_role("heading", name=re.compile("Rosa Diaz"))).to_be_visible()
    card = page.locator("section", has=page.get_by_role("heading", name="Medical history"))
    for shown in (
        "Vitiligo",
        "Lidocaine allergy",
        DEVICE,
        "Permanent filler (silicone, PMMA) · silicone · Left cheek · 01 May 2015",
    ):
        expect(card).to_contain_text(shown)
    expect(card).not_to_contain_text("_")  # words, never the raw ids
    screenshot(page, "history-02-patient-page")

    patient_id = page.url.rstrip("/").rsplit("/", 1)[1]
    answer = page.request.get(f"{server.base_url}/fhir/Patient/{patient_id}/$everything")
    assert answer.ok, answer.text()
    assert answer.headers["content-type"].startswith("application/fhir+json")
    bundle: dict[str, Any] = answer.json()
    conditions = [local(r["code"], "condition") for r in resources(bundle, "Condition")]
    assert conditions == ["vitiligo"]
    (allergy,) = resources(bundle, "AllergyIntolerance")
    assert local(allergy["code"], "allergy") == "lidocaine"
    (device,) = resources(bundle, "Device")
    assert local(device["type"], "implant") == "implanted_electronic_device"
    (filler,) = resources(bundle, "Procedure")
    assert local(filler["code"], "prior-procedure") == "permanent_filler"
    assert [local(site, "region") for site in filler["bodySite"]] == ["cheek_left"]
    assert filler["performedDateTime"] == "2015-05-01"
    assert filler["usedCode"] == [{"text": "silicone"}]
