"""A 3D height map uploaded in a real browser: a bad upload is refused beside its field, a good
one is analysed as a job and shown with its overlay, then recorded as an assessment."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from e2e.conftest import screenshot
from e2e.test_clinic_flow import sign_in
from support.height_maps import PIXEL_SIZE_MM, small_map_npy
from support.server import Server

ANALYSIS_TIMEOUT_MS = 60_000


def test_upload_analyse_and_record(page: Page, server: Server, tmp_path: Path) -> None:
    height_map = tmp_path / "cheek.npy"
    height_map.write_bytes(small_map_npy())
    sign_in(page, server)
    page.get_by_role("link", name="Maya Chen").click()
    page.click("nav.patient-nav >> text=3D")
    expect(page.get_by_role("heading", name=re.compile("3D"))).to_be_visible()

    # Without a pixel size a .npy file cannot be measured: said beside the field.
    page.set_input_files("input[name=file]", str(height_map))
    page.select_option("select[name=region]", "cheek_left")
    page.click("button.primary >> text=Analyse")
    pixel_label = page.locator("label", has=page.locator("input[name=pixel_size_mm]"))
    expect(pixel_label.locator(".field-error")).to_contain_text("pixels")

    page.set_input_files("input[name=file]", str(height_map))
    page.select_option("select[name=region]", "cheek_left")
    page.fill("input[name=pixel_size_mm]", str(PIXEL_SIZE_MM))
    page.click("button.primary >> text=Analyse")
    overlay = page.locator("img.overlay")
    expect(overlay).to_be_visible(timeout=ANALYSIS_TIMEOUT_MS)
    assert page.evaluate("document.querySelector('img.overlay').naturalWidth") > 0
    expect(page.locator("dl.scores")).to_contain_text("Ice pick")
    expect(page.get_by_role("heading", name=re.compile(r"Scars found \(4\)"))).to_be_visible()
    screenshot(page, "30-topography-analysis")

    page.click("text=Record as a new assessment")
    expect(page.get_by_role("heading", name=re.compile("Assessment of"))).to_be_visible()
    expect(page.locator("body")).to_contain_text("Ice pick")
