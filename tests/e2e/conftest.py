"""Browser tests: Debian's Chromium driven by Playwright against a real server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from support.server import Server, running_server
from support.smtp import Inbox, free_port, smtp_server

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run `make test`, which installs chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def server(fresh_database_url: str, tmp_path: Path) -> Iterator[Server]:
    """`scarplan serve --demo` on its own empty database: the demo clinic and its login."""
    with running_server(fresh_database_url, tmp_path / "data") as started:
        yield started


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def confirm_checklist(page: Page, read_on: str) -> None:
    """Answer yes to every item of the pre-procedure checklist on the page; a test spot, when
    the checklist asks for one, done and read on `read_on` without a reaction."""
    for choice in page.locator(".checklist input[type=radio][value=yes]").all():
        choice.check()
    for spot in page.locator(".checklist .test-spot").all():
        spot.locator("input[type=date]").first.fill(read_on)
        spot.locator("input[type=date]").nth(1).fill(read_on)
        spot.locator("select").select_option("no_reaction")


@pytest.fixture
def inbox() -> Iterator[tuple[int, Inbox]]:
    """A real SMTP server on 127.0.0.1: its port, and what it received."""
    port = free_port()
    with smtp_server(port) as received:
        yield port, received
