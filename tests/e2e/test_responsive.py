"""Every page of the app at a phone's 390 px, a tablet's 768 px and a laptop's 1366 px (issue 22).

The demo clinic (patients with assessments, plans, sessions and photos) plus a 3D analysis, a
confirmed optimiser run and one user of each role, on a real server. The pages are the app's own
GET routes (so a page added later is walked too), each opened by every role the authorization
matrix lets in, and by a visitor who is not signed in for the public ones. On each page, at each
width: the document is no wider than the window, and no element sticks out past the window's
right edge unless it sits inside a labelled scroll box (`.scroll-box` with `role="region"`, an
`aria-label` and `tabindex="0"`, which a keyboard user can scroll). One browser; each page is
loaded once per role and then resized, which keeps the walk near a minute.
"""

from __future__ import annotations

import itertools
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, BrowserContext, Error, Page, expect
from sqlalchemy import select
from starlette.routing import Route

from e2e.conftest import screenshot
from scarplan.adapters.db.tables import (
    AdverseEventRecord,
    AssessmentRecord,
    PatientRecord,
    PlanRecord,
)
from scarplan.adapters.reports.content import Variant
from scarplan.bootstrap import Container
from scarplan.entrypoints.web import pages
from scarplan.services.clinic.accounts import identity_requests, users
from scarplan.services.clinic.accounts.demo_clinic import seed_demo_clinic
from scarplan.services.clinic.calendar import schedule_runs
from scarplan.services.clinic.core.job_runner import InProcessJobRunner
from scarplan.services.clinic.exchange import report_jobs
from scarplan.services.clinic.exchange.research import export_jobs
from scarplan.services.clinic.records import stored_topography
from scarplan.services.clinic.records.instruments import instrument_catalogue
from scarplan.services.clinic.records.patient_fields import IntakeStep
from scarplan.settings import Settings
from support.height_maps import PIXEL_SIZE_MM, small_map_npy
from support.postgres import create_database, drop_database
from support.server import Server, running_server
from webapp.test_authorization_matrix import MATRIX, OPEN_TO_EVERYONE, PUBLIC, SELF_SERVICE

log = logging.getLogger(__name__)

WIDTHS = (1366, 768, 390)
PASSWORD = "a long responsive password"
ROLES = ("clinician", "staff", "admin", "patient", "researcher")
SIGNED_OUT = "signed out"
# The matrix's short role names are the roles themselves.
EXCLUDED = {
    "/": "redirects to the role's landing page, which is walked under its own route",
    "/topography/example.gsf": "a file download (the example height map), not a page",
    "/topography/{topography_id}/map": "a file download (the height map), not a page",
    "/topography/{topography_id}/overlay.png": "an image, walked inside the analysis page",
    "/topography/jobs/{analysis_job_id}": "redirects to the finished analysis, walked as "
    "/topography/{topography_id}",
    "/reports/{report_job_id}/file": "a PDF document, not a page",
    "/patients/{patient_id}/book-next": "redirects to /desk/book for the next planned session "
    "(walked with its query below)",
}
# Pages that need a query to show what they are for: the booking page books something.
QUERIES = {"/desk/book": "?patient={patient_id}&kind=follow_up"}
# Pages a link opens with a one-time token: walked with an unknown token, which shows the
# visitor the plain "this link no longer works" page.
TOKEN_PAGES = {"/welcome/{token}", "/unsubscribe/{token}"}
# Pages whose screenshots at 390 and 768 px go into the docs.
SCREENSHOTS = {
    "/patients": "patients",
    "/patients/{patient_id}": "patient",
    "/patients/{patient_id}/edit": "intake",
    "/patients/{patient_id}/assessments/new": "assessment",
    "/plans/{plan_id}": "plan",
    "/patients/{patient_id}/sessions": "sessions",
    "/patients/{patient_id}/calendar": "patient-calendar",
    "/calendar": "calendar",
    "/topography/{topography_id}": "3d",
    "/patients/{patient_id}/progress": "progress",
}

OVERFLOW_JS = """
() => {
  const width = window.innerWidth;
  const box = '.scroll-box[role="region"][aria-label][tabindex="0"]';
  const out = new Set();
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.parentElement && el.parentElement.closest(box)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right <= width + 1) continue;
    out.add(el);
    if (el.parentElement && out.has(el.parentElement)) continue;
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.classList.length ? '.' + [...el.classList].join('.') : '');
    const text = (el.innerText || el.getAttribute('aria-label') || '').trim().slice(0, 30);
    found.push(`${name} "${text}" to ${Math.round(r.right)} px`);
  }
  return {
    document: document.documentElement.scrollWidth,
    window: width,
    elements: found.slice(0, 5),
  };
}
"""
WIDE_BOX_JS = """
() => {
  const box = document.createElement('div');
  box.id = 'wide-box';
  box.className = 'scroll-box';
  box.setAttribute('role', 'region');
  box.setAttribute('aria-label', 'A wide test strip');
  box.tabIndex = 0;
  const wide = document.createElement('div');
  wide.className = 'wide';
  wide.style.width = '900px';
  wide.textContent = 'wide';
  box.appendChild(wide);
  document.querySelector('main').appendChild(box);
}
"""


@dataclass(frozen=True)
class Seeded:
    """The ids a page route's path parameters are filled from."""

    values: dict[str, list[str]]


@pytest.fixture(scope="module")
def walk_database_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database of the configured kind for this module's tests (they only read)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path_factory.mktemp('responsive') / 'walk.sqlite3'}"
        return
    name = f"scarplan_walk_{uuid.uuid4().hex[:12]}"
    url = create_database(database_url, name)
    try:
        yield url
    finally:
        drop_database(database_url, name)


@pytest.fixture(scope="module")
def server(walk_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app in one process on its own database, without the demo flag (the test seeds)."""
    data = tmp_path_factory.mktemp("responsive-server")
    with running_server(walk_database_url, data, demo=False, workers=1) as started:
        yield started


@pytest.fixture(scope="module")
def seeded(
    server: Server, walk_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Seeded:
    """The demo clinic, a 3D analysis, a correction request and a confirmed optimiser run,
    seeded with the clinic's own use cases on the server's database; a user of each role (the
    patient is Maya Chen)."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("responsive-setup"), database_url=walk_database_url
    )
    clinic = Container(settings=settings).clinic
    seed_demo_clinic(clinic)
    with clinic.uow.read() as session:
        maya = session.scalar(select(PatientRecord.id).where(PatientRecord.code == "P-1001"))
        assert maya is not None
        assessment = session.scalars(
            select(AssessmentRecord.id)
            .where(AssessmentRecord.patient_id == maya)
            .order_by(AssessmentRecord.id.desc())
        ).first()
        plan = session.scalars(select(PlanRecord.id).where(PlanRecord.patient_id == maya)).first()
        event = session.scalars(
            select(AdverseEventRecord.id).order_by(AdverseEventRecord.id)
        ).first()
    assert event is not None  # the demo clinic has one
    assert assessment is not None
    assert plan is not None
    clinician = users.create_user(clinic, "clinician.wide", "Dr Wide", PASSWORD, "clinician")
    for role in ("staff", "admin", "researcher"):
        users.create_user(clinic, f"{role}.wide", f"{role.title()} Wide", PASSWORD, role)
    researcher = users.sign_in(clinic, "researcher.wide", PASSWORD)[0]
    users.create_user(clinic, "patient.wide", "Maya Chen", PASSWORD, "patient", patient_id=maya)
    today = clinic.today()
    job = stored_topography.start_analysis(
        clinic,
        clinician,
        maya,
        {"region": "cheek_left", "taken_on": today.isoformat(), "pixel_size_mm": PIXEL_SIZE_MM},
        "cheek.npy",
        small_map_npy(),
    )
    # A correction waiting for the front desk: its table of approve and decline forms.
    identity_requests.request_change(
        clinic, clinician, maya, {"full_name": "Maya Chen-Lindqvist", "reason": "married name"}
    )
    run = schedule_runs.start_run(clinic, clinician, today + timedelta(days=1), 60)
    report = report_jobs.start_report(clinic, clinician, maya, Variant.PATIENT)
    export = export_jobs.start_research_export(clinic, researcher, "shifted")
    assert isinstance(clinic.jobs, InProcessJobRunner)
    assert clinic.jobs.wait_idle(90)
    schedule_runs.confirm_run(clinic, clinician, run)
    analysis = stored_topography.analysis_job(clinic, clinician, job).result
    assert analysis is not None
    instruments = [i.id for i in instrument_catalogue(clinic).instruments]
    clinic.audit.close()
    return Seeded(
        {
            "patient_id": [str(maya)],
            "assessment_id": [str(assessment)],
            "plan_id": [str(plan)],
            "job_id": [str(run)],
            "report_job_id": [str(report)],
            "export_job_id": [str(export)],
            "topography_id": [str(analysis["topography_id"])],
            "entry_id": ["tca_cross", "ice_pick", "microneedling"],
            "step": [step.value for step in IntakeStep],
            "instrument_id": instruments,
            "token": ["no-such-link"],
            "event_id": [str(event)],
            "kind": ["practitioner", "device", "room"],
            "modality": ["tca_cross"],
        }
    )


def page_routes() -> list[str]:
    """Every GET route of the web pages (not the API), less the listed non-pages."""
    found = set()
    for router in pages.routers:
        for route in router.routes:
            assert isinstance(route, Route)
            if "GET" in (route.methods or ()):
                found.add(route.path)
    return sorted(found - set(EXCLUDED))


def roles_for(path: str) -> set[str]:
    key = ("GET", path)
    if key in OPEN_TO_EVERYONE:
        return {*ROLES, SIGNED_OUT}
    if key in PUBLIC:
        return {SIGNED_OUT}
    if key in SELF_SERVICE:
        return set(ROLES)
    return set(MATRIX[key])


def urls_for(path: str, seeded: Seeded) -> list[str]:
    names = re.findall(r"{(\w+)}", path)
    missing = [n for n in names if n not in seeded.values]
    assert not missing, f"{path}: add a seeded value for {missing} to the test"
    query = QUERIES.get(path, "")
    names += [n for n in re.findall(r"{(\w+)}", query) if n not in names]
    combos = itertools.product(*(seeded.values[n] for n in names))
    return [(path + query).format(**dict(zip(names, combo, strict=True))) for combo in combos]


def sign_in(context: BrowserContext, server: Server, role: str) -> Page:
    page = context.new_page()
    if role != SIGNED_OUT:
        page.goto(f"{server.base_url}/login")
        page.fill("input[name=username]", f"{role}.wide")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page).not_to_have_url(re.compile(r"/login"))
    return page


def record_errors(errors: list[str], role: str) -> Callable[[Error], None]:
    def record(error: Error) -> None:
        errors.append(f"{role}: {error}")

    return record


def check_widths(page: Page, role: str, path: str, url: str) -> list[str]:
    wrong = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        measured = page.evaluate(OVERFLOW_JS)
        if measured["document"] > measured["window"] or measured["elements"]:
            wrong.append(
                f"{role} {url} at {width} px: document {measured['document']} px, "
                f"sticking out: {measured['elements']}"
            )
        name = SCREENSHOTS.get(path)
        if name and role in ("clinician", "staff") and width != 1366:
            screenshot(page, f"clinic-day-responsive-{name}-{role}-{width}")
    return wrong


def test_every_page_fits_a_phone_a_tablet_and_a_laptop(
    browser: Browser, server: Server, seeded: Seeded
) -> None:
    started = time.monotonic()
    routes = page_routes()
    wrong: list[str] = []
    errors: list[str] = []
    walked = 0
    for role in (*ROLES, SIGNED_OUT):
        context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
        page = sign_in(context, server, role)
        page.on("pageerror", record_errors(errors, role))
        try:
            for path in routes:
                if role not in roles_for(path):
                    continue
                for url in urls_for(path, seeded):
                    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
                    response = page.goto(f"{server.base_url}{url}")
                    assert response is not None
                    expected = (404, 410) if path in TOKEN_PAGES else (200,)
                    content_type = response.headers.get("content-type", "")
                    if response.status not in expected or "text/html" not in content_type:
                        wrong.append(f"{role} {url}: {response.status} {content_type}")
                        continue
                    walked += 1
                    wrong.extend(check_widths(page, role, path, url))
        finally:
            context.close()
    seconds = time.monotonic() - started
    log.warning("walked %d pages at %d widths in %.0f s", walked, len(WIDTHS), seconds)
    print(f"walked {walked} pages at {len(WIDTHS)} widths in {seconds:.0f} s")
    assert walked > 60
    assert wrong == [], "\n".join(wrong)
    assert errors == []


def test_the_assessment_shows_map_groups_and_scales_together_on_a_laptop(
    browser: Browser, server: Server, seeded: Seeded
) -> None:
    """At 1366 x 900 the face map, every column of the scar groups and the live scales are on
    screen at once, and the scales stay in view when the page scrolls."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = sign_in(context, server, "clinician")
    try:
        patient = seeded.values["patient_id"][0]
        page.goto(f"{server.base_url}/patients/{patient}/assessments/new")
        expect(page.locator("#scores dl.scores")).to_be_visible()  # the live scales came in

        def in_view(selector: str) -> bool:
            box = page.locator(selector).first.bounding_box()
            assert box is not None, selector
            return box["x"] >= 0 and box["x"] + box["width"] <= 1366 and box["y"] < 900 - 40

        assert in_view(".face-map-svg")
        assert in_view("table.lesions")
        assert in_view(".scores-panel")
        # The scar groups are a table here, not cards: every column on screen.
        assert page.locator("table.lesions").evaluate("e => getComputedStyle(e).display") == "table"
        headers = page.locator("table.lesions thead th")
        # Region, type, count, width, depth, edges, the qualitative signs, remove.
        assert headers.count() == 8
        for index in range(headers.count()):
            box = headers.nth(index).bounding_box()
            assert box is not None
            assert box["x"] + box["width"] <= 1366, f"column {index} is off the screen"
        for panel in (".lesions-panel", ".scores-panel"):
            spill = page.locator(panel).evaluate("e => e.scrollWidth - e.clientWidth")
            assert spill <= 0, f"{panel} is {spill} px too narrow for what it holds"
        screenshot(page, "clinic-day-responsive-assessment-1366")
        # Down to the notes and the save button: the scales are still on screen.
        page.locator("textarea[name=notes]").scroll_into_view_if_needed()
        page.mouse.wheel(0, 400)
        expect(page.locator(".scores-panel dl.scores")).to_be_in_viewport()
        expect(page.get_by_role("button", name="Save assessment")).to_be_in_viewport()
    finally:
        context.close()


def test_on_a_phone_the_menu_folds_tables_are_cards_and_the_calendar_a_day_list(
    browser: Browser, server: Server, seeded: Seeded
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = sign_in(context, server, "clinician")
    try:
        page.goto(f"{server.base_url}/patients")
        menu = page.get_by_role("button", name="Menu")
        calendar_link = page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Calendar"
        )
        expect(menu).to_have_attribute("aria-expanded", "false")
        expect(calendar_link).to_be_hidden()
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        calendar_link.click()
        expect(page.get_by_role("heading", name="Clinic calendar")).to_be_visible()

        # The plan's sessions: each row a card, each cell named by its column.
        page.goto(f"{server.base_url}/plans/{seeded.values['plan_id'][0]}")
        table = page.locator("table.sessions")
        expect(table.locator("thead")).not_to_be_in_viewport()
        first = table.locator("tbody tr").first.locator("td").first
        label = first.evaluate("e => getComputedStyle(e, '::before').content")
        assert label == '"Date"'
        assert first.evaluate("e => getComputedStyle(e).display") != "table-cell"

        # The week by practitioner: a list of the days that have bookings, each booking named
        # by its practitioner; no empty lanes.
        page.goto(f"{server.base_url}/calendar?view=week")
        days = page.locator("table.calendar tbody tr")
        shown = [days.nth(i).is_visible() for i in range(days.count())]
        assert any(shown)
        for cell in page.locator("table.calendar tbody td").all():
            if cell.is_visible():
                assert cell.locator(".appointment").count() > 0
                assert cell.evaluate("e => getComputedStyle(e, '::before').content") not in (
                    "none",
                    '""',
                )
        screenshot(page, "clinic-day-responsive-calendar-week-390")

        # The check itself: something wide passes inside a labelled scroll box and is caught
        # once the box loses its label (the box still scrolls: the document stays narrow).
        page.evaluate(WIDE_BOX_JS)
        assert page.evaluate(OVERFLOW_JS)["elements"] == []
        page.locator("#wide-box").evaluate("e => e.removeAttribute('aria-label')")
        caught = page.evaluate(OVERFLOW_JS)
        assert any("div.wide" in found for found in caught["elements"])
    finally:
        context.close()
