"""Every route and API endpoint, asked by every role: the table below is the specification.

Each role signs in through the API and sends every request of the app with the ids of records
of its own (the portal patient's) patient. A role outside a route's allowed set must get 401,
403 (or 404); a role inside it must get anything else but a server error (writes are sent
empty, so 422 counts as allowed: the request got past authorisation). A second walk checks that
the portal patient asking for another patient's records gets 404, never the record. A test also
checks that the table names every route of the app, so a new route cannot go unspecified.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.routing import Route

from scarplan.adapters.db.tables import AppointmentRecord
from scarplan.adapters.reports.content import Variant
from scarplan.bootstrap import Container
from scarplan.entrypoints.web import api, create_app, pages, probes
from scarplan.services.clinic.accounts import identity_requests, users
from scarplan.services.clinic.calendar import schedule_runs, schedule_setup
from scarplan.services.clinic.calendar.demo_schedule import DEMO_SCHEDULE
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.job_runner import InProcessJobRunner
from scarplan.services.clinic.exchange import report_jobs
from scarplan.services.clinic.exchange.research import export_jobs
from scarplan.services.clinic.plans import consents, plans
from scarplan.services.clinic.records import (
    assessments,
    patients,
    photos,
    sessions,
    stored_topography,
)
from scarplan.settings import Settings
from support.checklists import with_checklist
from support.clinic_data import assessment_input, jpeg, patient_input
from support.consent import ensure_consents
from support.height_maps import PIXEL_SIZE_MM, small_map_npy

PASSWORD = "a long test password"
A, C, S, P, R = "admin", "clinician", "staff", "patient", "researcher"
ROLES = (A, C, S, P, R)
EVERYONE = frozenset(ROLES)

# (method, route path) -> roles allowed. Public routes (sign-in pages) are listed apart.
MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/patients"): frozenset({A, C, S}),
    ("GET", "/patients/new"): frozenset({C, S}),
    ("POST", "/patients"): frozenset({C, S}),
    ("GET", "/patients/{patient_id}"): frozenset({C, S, P}),
    ("GET", "/patients/{patient_id}/edit"): frozenset({C, S, P}),
    ("POST", "/patients/{patient_id}"): frozenset({C, S, P}),
    ("GET", "/patients/{patient_id}/assessments/new"): frozenset({C}),
    ("POST", "/patients/{patient_id}/assessments/preview"): frozenset({C}),
    ("POST", "/patients/{patient_id}/assessments"): frozenset({C}),
    ("GET", "/assessments/{assessment_id}"): frozenset({C, P}),
    ("POST", "/patients/{patient_id}/plans"): frozenset({C}),
    ("GET", "/plans/{plan_id}"): frozenset({C, P}),
    ("POST", "/plans/{plan_id}/edit"): frozenset({C}),
    ("POST", "/plans/{plan_id}/{action}"): frozenset({C}),
    ("GET", "/patients/{patient_id}/sessions/new"): frozenset({C}),
    ("POST", "/patients/{patient_id}/sessions"): frozenset({C}),
    ("GET", "/patients/{patient_id}/sessions"): frozenset({C, P}),
    ("POST", "/sessions/{session_id}/adverse-events"): frozenset({C}),
    ("GET", "/patients/{patient_id}/follow-up"): frozenset({C}),
    ("POST", "/patients/{patient_id}/follow-up-visits"): frozenset({C}),
    ("GET", "/adverse-events/{event_id}"): frozenset({C}),
    ("POST", "/adverse-events/{event_id}/outcome"): frozenset({C}),
    ("GET", "/patients/{patient_id}/calendar"): frozenset({C, S, P}),
    ("GET", "/patients/{patient_id}/progress"): frozenset({C, P}),
    ("GET", "/patients/{patient_id}/report"): frozenset({C, P}),
    ("POST", "/patients/{patient_id}/report"): frozenset({C, P}),
    # A report PDF is for the one who asked for it: here the clinician.
    ("GET", "/reports/{report_job_id}"): frozenset({C}),
    ("GET", "/reports/{report_job_id}/file"): frozenset({C}),
    ("POST", "/patients/{patient_id}/photos"): frozenset({C}),
    ("GET", "/kb"): EVERYONE,
    ("GET", "/kb/{entry_id}"): EVERYONE,
    ("GET", "/api/v1/session"): EVERYONE,
    ("GET", "/api/v1/patients"): frozenset({A, C, S}),
    ("POST", "/api/v1/patients"): frozenset({C, S}),
    ("GET", "/api/v1/patients/{patient_id}"): frozenset({C, S, P}),
    ("PUT", "/api/v1/patients/{patient_id}"): frozenset({C, S, P}),
    ("POST", "/api/v1/patients/{patient_id}/identity-requests"): frozenset({C, S, P}),
    ("GET", "/api/v1/patients/{patient_id}/identity-requests"): frozenset({C, S, P}),
    ("GET", "/api/v1/identity-requests"): frozenset({C, S}),
    ("POST", "/api/v1/identity-requests/{request_id}/approve"): frozenset({C, S}),
    ("POST", "/api/v1/identity-requests/{request_id}/decline"): frozenset({C, S}),
    ("POST", "/patients/{patient_id}/identity-requests"): frozenset({C, S, P}),
    ("GET", "/identity-requests"): frozenset({C, S}),
    ("POST", "/identity-requests/{request_id}/approve"): frozenset({C, S}),
    ("POST", "/identity-requests/{request_id}/decline"): frozenset({C, S}),
    ("GET", "/api/v1/patients/{patient_id}/overview"): frozenset({C, S, P}),
    ("GET", "/api/v1/patients/{patient_id}/assessments"): frozenset({C, P}),
    ("POST", "/api/v1/patients/{patient_id}/assessments"): frozenset({C}),
    ("POST", "/api/v1/patients/{patient_id}/assessments/preview"): frozenset({C}),
    ("GET", "/api/v1/assessments/{assessment_id}"): frozenset({C, P}),
    ("GET", "/api/v1/patients/{patient_id}/sessions"): frozenset({C, P}),
    ("POST", "/api/v1/patients/{patient_id}/sessions"): frozenset({C}),
    ("GET", "/api/v1/patients/{patient_id}/checklist"): frozenset({C}),
    ("GET", "/api/v1/sessions/{session_id}"): frozenset({C, P}),
    ("POST", "/api/v1/sessions/{session_id}/adverse-events"): frozenset({C}),
    ("GET", "/api/v1/patients/{patient_id}/photos"): frozenset({C, P}),
    ("POST", "/api/v1/patients/{patient_id}/photos"): frozenset({C}),
    ("GET", "/api/v1/photos/{photo_id}/image"): frozenset({C, P}),
    ("GET", "/api/v1/patients/{patient_id}/progress"): frozenset({C, P}),
    ("GET", "/api/v1/patients/{patient_id}/calendar"): frozenset({C, S, P}),
    ("GET", "/api/v1/patients/{patient_id}/plans"): frozenset({C, P}),
    ("POST", "/api/v1/patients/{patient_id}/plans"): frozenset({C}),
    ("GET", "/api/v1/plans/{plan_id}"): frozenset({C, P}),
    ("POST", "/api/v1/plans/{plan_id}/versions"): frozenset({C}),
    ("POST", "/api/v1/plans/{plan_id}/accept"): frozenset({C}),
    ("POST", "/api/v1/plans/{plan_id}/complete"): frozenset({C}),
    ("POST", "/api/v1/plans/{plan_id}/cancel"): frozenset({C}),
    ("GET", "/api/v1/kb/{kind}"): EVERYONE,
    ("GET", "/api/v1/kb/entry/{entry_id}"): EVERYONE,
    ("GET", "/admin/audit"): frozenset({A}),
    ("GET", "/admin/users"): frozenset({A}),
    ("POST", "/admin/users"): frozenset({A}),
    ("POST", "/admin/users/{username}/{state}"): frozenset({A}),
    ("GET", "/admin/prices"): frozenset({A}),
    ("POST", "/admin/prices"): frozenset({A}),
    ("GET", "/api/v1/prices"): frozenset({A}),
    ("POST", "/api/v1/prices"): frozenset({A}),
    ("GET", "/api/v1/audit"): frozenset({A}),
    ("GET", "/api/v1/audit/verify"): frozenset({A}),
    ("GET", "/api/v1/users"): frozenset({A}),
    ("POST", "/api/v1/users"): frozenset({A}),
    ("POST", "/api/v1/users/{username}/{state}"): frozenset({A}),
    ("GET", "/api/v1/patients/{patient_id}/export"): frozenset({C, P}),
    ("DELETE", "/api/v1/patients/{patient_id}"): frozenset({A}),
    ("POST", "/api/v1/research/exports"): frozenset({R}),
    ("GET", "/api/v1/research/exports/{export_job_id}"): frozenset({R}),
    ("GET", "/api/v1/research/exports/{export_job_id}/file"): frozenset({R}),
    ("POST", "/research/exports"): frozenset({R}),
    ("GET", "/research/exports/{export_job_id}"): frozenset({R}),
    ("GET", "/research"): frozenset({R}),
    ("GET", "/account/tokens"): EVERYONE,
    ("POST", "/account/tokens"): EVERYONE,
    ("GET", "/fhir/Patient/{patient_id}/$everything"): frozenset({C, P}),
    ("POST", "/api/v1/fhir/import"): frozenset({C}),
    ("GET", "/calendar"): frozenset({C, S}),
    ("POST", "/calendar/runs"): frozenset({C, S}),
    ("GET", "/calendar/runs/{job_id}"): frozenset({C, S}),
    ("POST", "/calendar/runs/{job_id}/{action}"): frozenset({C, S}),
    ("POST", "/appointments/{appointment_id}/cancel"): frozenset({C, S}),
    ("GET", "/calendar/setup"): frozenset({A, C, S}),
    ("POST", "/calendar/setup/start"): frozenset({A, C, S}),
    ("POST", "/calendar/setup/hours"): frozenset({A, C, S}),
    ("POST", "/calendar/setup/durations"): frozenset({A, C, S}),
    ("GET", "/calendar/setup/resources/{kind}"): frozenset({A, C, S}),
    ("POST", "/calendar/setup/resources/{kind}"): frozenset({A, C, S}),
    ("POST", "/calendar/setup/resources/{kind}/{resource_id}/retire"): frozenset({A, C, S}),
    ("POST", "/calendar/days-off"): frozenset({A, C, S}),
    ("POST", "/calendar/days-off/{position}/remove"): frozenset({A, C, S}),
    ("GET", "/desk"): frozenset({C, S}),
    ("POST", "/desk/appointments/{appointment_id}/{action}"): frozenset({C, S}),
    ("GET", "/desk/book"): frozenset({C, S}),
    ("POST", "/desk/book"): frozenset({C, S}),
    ("GET", "/patients/{patient_id}/book-next"): frozenset({C, S}),
    ("GET", "/patients/{patient_id}/topography"): frozenset({C, P}),
    ("POST", "/patients/{patient_id}/topography"): frozenset({C}),
    ("GET", "/topography/jobs/{analysis_job_id}"): frozenset({C, P}),
    ("GET", "/topography/example.gsf"): frozenset({C}),
    ("GET", "/topography/{topography_id}"): frozenset({C, P}),
    ("GET", "/topography/{topography_id}/overlay.png"): frozenset({C, P}),
    ("GET", "/topography/{topography_id}/map"): frozenset({C, P}),
    ("POST", "/topography/{topography_id}/reanalyse"): frozenset({C}),
    ("POST", "/topography/{topography_id}/assessment"): frozenset({C}),
    ("POST", "/patients/{patient_id}/invite"): frozenset({C, S}),
    ("POST", "/api/v1/patients/{patient_id}/invitation"): frozenset({C, S}),
    ("GET", "/portal/reminders"): frozenset({P}),
    ("POST", "/portal/reminders"): frozenset({P}),
    ("GET", "/portal"): frozenset({P}),
    ("GET", "/portal/plan"): frozenset({P}),
    ("GET", "/portal/routine"): frozenset({P}),
    ("GET", "/portal/progress"): frozenset({P}),
    ("GET", "/portal/records"): frozenset({P}),
    ("GET", "/portal/intake"): frozenset({P}),
    ("GET", "/portal/intake/{step}"): frozenset({P}),
    ("POST", "/portal/intake/{step}"): frozenset({P}),
    ("GET", "/portal/questionnaires"): frozenset({P}),
    ("GET", "/portal/questionnaires/{instrument_id}"): frozenset({P}),
    ("POST", "/portal/questionnaires/{instrument_id}"): frozenset({P}),
    ("GET", "/api/v1/patients/{patient_id}/questionnaires"): frozenset({C, P}),
    ("POST", "/api/v1/patients/{patient_id}/questionnaires"): frozenset({P}),
    ("GET", "/patients/{patient_id}/consents"): frozenset({C, S, P}),
    ("GET", "/patients/{patient_id}/consents/{modality}"): frozenset({C, S, P}),
    ("POST", "/patients/{patient_id}/consents/{modality}"): frozenset({C, S, P}),
    ("POST", "/consents/{consent_id}/countersign"): frozenset({C}),
    ("POST", "/consents/{consent_id}/withdraw"): frozenset({C}),
}
# Routes on the caller's own things (their API tokens): open to every role, checked apart.
SELF_SERVICE = {
    ("POST", "/api/v1/tokens"),
    ("DELETE", "/api/v1/tokens/{token_id}"),
    ("POST", "/account/tokens/{token_id}/revoke"),
}
PUBLIC = {
    ("GET", "/"),
    ("GET", "/healthz"),  # probes and the scraper: no session (tests/webapp/test_observability.py)
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("POST", "/api/v1/session"),
    ("DELETE", "/api/v1/session"),
    ("GET", "/welcome/{token}"),
    ("POST", "/welcome/{token}"),
    ("GET", "/unsubscribe/{token}"),
    ("POST", "/unsubscribe/{token}"),
}
# The public decision aid: every role and anyone not signed in reads it (issue 21).
OPEN_TO_EVERYONE = {
    ("GET", "/guide"),
    ("GET", "/guide/scars"),
    ("GET", "/guide/options"),
    ("GET", "/guide/compare"),
    ("GET", "/guide/home-care"),
    ("GET", "/guide/questions"),
    ("GET", "/guide/summary"),
}
DENIED = {401, 403, 404}
RECORD_IDS = ("patient_id", "assessment_id", "plan_id", "session_id", "photo_id", "event_id")
VALID_BODIES = {
    ("PUT", "/api/v1/patients/{patient_id}"): patient_input("P-OWN", "Renamed"),
    ("POST", "/api/v1/patients/{patient_id}/identity-requests"): {
        "full_name": "Renamed",
        "reason": "a typing error",
    },
    ("POST", "/api/v1/patients/{patient_id}/questionnaires"): {
        "instrument_id": "pgi_i",
        "answers": {"improvement": 2},
    },
}


@dataclass(frozen=True)
class Records:
    patient_id: int
    assessment_id: int
    plan_id: int
    session_id: int
    photo_id: int
    analysis_job_id: int
    topography_id: int
    job_id: int = 0
    appointment_id: int = 0
    request_id: int = 0
    event_id: int = 0
    consent_id: int = 0
    report_job_id: int = 0
    export_job_id: int = 0

    def values(self) -> dict[str, str]:
        return {
            "patient_id": str(self.patient_id),
            "assessment_id": str(self.assessment_id),
            "plan_id": str(self.plan_id),
            "session_id": str(self.session_id),
            "photo_id": str(self.photo_id),
            "job_id": str(self.job_id),
            "analysis_job_id": str(self.analysis_job_id),
            "topography_id": str(self.topography_id),
            "appointment_id": str(self.appointment_id),
            "request_id": str(self.request_id),
            "event_id": str(self.event_id),
            "consent_id": str(self.consent_id),
            "report_job_id": str(self.report_job_id),
            "export_job_id": str(self.export_job_id),
            "modality": "tca_cross",
            "action": "accept",
            "entry_id": "tca_cross",
            "kind": "procedures",
            "username": "staff.matrix",
            "state": "enable",
            "step": "skin",
            "instrument_id": "pgi_i",
            "resource_id": "room-1",
            "position": "0",
        }


def _records(clinic: Clinic, clinician: Actor, code: str) -> Records:
    today = clinic.today()
    patient = patients.create_patient(clinic, clinician, patient_input(code, f"Patient {code}"))
    assessment = assessments.record_assessment(
        clinic, clinician, patient.id, assessment_input(today - timedelta(days=1))
    )
    plan = plans.propose_plan(clinic, clinician, patient.id)
    plans.accept_plan(clinic, clinician, plan.id)
    ensure_consents(clinic, clinician, patient.id)
    session = sessions.record_session(
        clinic,
        clinician,
        patient.id,
        with_checklist(
            {
                "performed_on": today.isoformat(),
                "modality": "tca_cross",
                "regions": ["cheek_left"],
                "practitioner": "Dr M",
            }
        ),
    )
    event = sessions.add_adverse_event(
        clinic,
        clinician,
        session.id,
        {"kind": "pih", "severity": "mild", "onset_on": today.isoformat()},
    ).adverse_events[0]
    photo = photos.add_photo(
        clinic,
        clinician,
        patient.id,
        {
            "region": "cheek_left",
            "angle": "front",
            "taken_on": today.isoformat(),
            "consent": "clinical_record",
            "consent_confirmed": True,
        },
        jpeg(),
    )
    analysis_job_id = stored_topography.start_analysis(
        clinic,
        clinician,
        patient.id,
        {"region": "cheek_left", "taken_on": today.isoformat(), "pixel_size_mm": PIXEL_SIZE_MM},
        "cheek.npy",
        small_map_npy(),
    )
    report_job_id = report_jobs.start_report(clinic, clinician, patient.id, Variant.PATIENT)
    assert isinstance(clinic.jobs, InProcessJobRunner)
    assert clinic.jobs.wait_idle(60)
    analysis = stored_topography.analysis_job(clinic, clinician, analysis_job_id).result
    assert analysis is not None
    asked = identity_requests.request_change(
        clinic, clinician, patient.id, {"full_name": f"Patient {code} Jr", "reason": "new name"}
    )
    return Records(
        patient.id,
        assessment.id,
        plan.id,
        session.id,
        photo.id,
        analysis_job_id,
        analysis["topography_id"],
        request_id=asked.id,
        event_id=event.id,
        consent_id=consents.list_consents(clinic, clinician, patient.id)[0].id,
        report_job_id=report_job_id,
    )


def _booked(clinic: Clinic, clinician: Actor) -> tuple[int, dict[int, int]]:
    """An optimiser run, confirmed: its job id and an appointment id per patient."""
    schedule_setup.save_setup(clinic, clinician, DEMO_SCHEDULE, "matrix set-up")
    job_id = schedule_runs.start_run(clinic, clinician, clinic.today() + timedelta(days=1), 90)
    assert isinstance(clinic.jobs, InProcessJobRunner)
    assert clinic.jobs.wait_idle(60)
    schedule_runs.confirm_run(clinic, clinician, job_id)
    with clinic.uow.read() as session:
        rows = session.execute(select(AppointmentRecord.patient_id, AppointmentRecord.id)).all()
    return job_id, {row.patient_id: row.id for row in rows}


@dataclass(frozen=True)
class World:
    app_clinic: Clinic
    own: Records
    other: Records


@pytest.fixture
def world(clinic: Clinic) -> World:
    clinician = users.create_user(clinic, "dr.matrix", "Dr M", PASSWORD, C)
    own = _records(clinic, clinician, "P-OWN")
    other = _records(clinic, clinician, "P-OTHER")
    job_id, booked = _booked(clinic, clinician)
    own = replace(own, job_id=job_id, appointment_id=booked[own.patient_id])
    other = replace(other, job_id=job_id, appointment_id=booked[other.patient_id])
    for role in (A, S, R):
        users.create_user(clinic, f"{role}.matrix", role, PASSWORD, role)
    users.create_user(clinic, "patient.matrix", "Own", PASSWORD, P, patient_id=own.patient_id)
    # A research export is its researcher's alone: the one the researcher asked for.
    researcher = users.sign_in(clinic, "researcher.matrix", PASSWORD)[0]
    export_job_id = export_jobs.start_research_export(clinic, researcher, "shifted")
    assert isinstance(clinic.jobs, InProcessJobRunner)
    assert clinic.jobs.wait_idle(60)
    own = replace(own, export_job_id=export_job_id)
    other = replace(other, export_job_id=export_job_id)
    return World(clinic, own, other)


@pytest.fixture
def app_for(world: World) -> Iterator[TestClient]:
    clinic = world.app_clinic
    settings = Settings(
        data_dir=clinic.settings.data_dir,
        database_url=clinic.settings.database_url,
        secure_cookies=False,
    )
    container = Container(settings=settings, clock=clinic.clock)
    container.__dict__["clinic"] = clinic
    with TestClient(create_app(container, "x" * 48), follow_redirects=False) as client:
        yield client


def _sign_in(client: TestClient, role: str) -> None:
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    username = "dr.matrix" if role == C else f"{role}.matrix"
    response = client.post("/api/v1/session", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]


def _send(
    client: TestClient, method: str, path: str, records: Records, *, valid: bool = False
) -> int:
    """Send the request; writes go empty unless `valid` (then with a well-formed body, so the
    answer cannot be a validation error that hides whether the record exists)."""
    url = path.format(**records.values())
    if method == "GET":
        response = client.get(url)
    elif url.startswith("/api/"):
        body = VALID_BODIES.get((method, path), {}) if valid else {}
        response = client.request(method, url, json=body)
    else:
        response = client.request(method, url, data={})
    status: int = response.status_code
    return status


def _all_routes() -> set[tuple[str, str]]:
    found = set()
    for router in (*pages.routers, *api.routers, probes.router):
        for route in router.routes:
            assert isinstance(route, Route)
            for method in route.methods or ():
                if method != "HEAD":
                    found.add((method, route.path))
    return found


def test_the_matrix_names_every_route_of_the_app() -> None:
    assert set(MATRIX) | PUBLIC | SELF_SERVICE | OPEN_TO_EVERYONE == _all_routes()


def _ordered() -> list[tuple[str, str]]:
    # Reads first, then writes: an allowed write (accepting, cancelling) must not turn a later
    # read into a different answer.
    return sorted(MATRIX, key=lambda key: (key[0] != "GET", key[1]))


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_its_routes(app_for: TestClient, world: World, role: str) -> None:
    _sign_in(app_for, role)
    wrong = []
    for method, path in _ordered():
        status = _send(app_for, method, path, world.own)
        allowed = role in MATRIX[(method, path)]
        if status >= 500 or (status in DENIED) == allowed:
            wrong.append(f"{method} {path}: {status} ({'allowed' if allowed else 'denied'})")
    assert wrong == []


def test_a_portal_patient_gets_404_for_another_patients_records(
    app_for: TestClient, world: World
) -> None:
    _sign_in(app_for, P)
    leaked = []
    for method, path in _ordered():
        if P not in MATRIX[(method, path)] or not any(f"{{{k}}}" in path for k in RECORD_IDS):
            continue
        status = _send(app_for, method, path, world.other, valid=True)
        if status != 404:
            leaked.append(f"{method} {path}: {status}")
    assert leaked == []


def test_without_signing_in_nothing_but_the_public_routes_answers(
    app_for: TestClient, world: World
) -> None:
    for method, path in _ordered():
        status = _send(app_for, method, path, world.own)
        if path.startswith("/api/"):
            assert status == 401, f"{method} {path}"
        else:
            assert status in (303, 401, 403), f"{method} {path}"


@pytest.mark.parametrize("role", [*ROLES, None])
def test_everyone_reads_the_public_decision_aid(
    app_for: TestClient, world: World, role: str | None
) -> None:
    if role is None:
        app_for.cookies.clear()
    else:
        _sign_in(app_for, role)
    refused = [
        f"{method} {path}: {status}"
        for method, path in sorted(OPEN_TO_EVERYONE)
        if (status := _send(app_for, method, path, world.own)) != 200
    ]
    assert refused == []


@pytest.mark.parametrize("role", ROLES)
def test_every_role_manages_its_own_api_tokens_and_only_those(
    app_for: TestClient, world: World, role: str
) -> None:
    _sign_in(app_for, C)
    theirs = app_for.post("/api/v1/tokens", json={"name": "clinician's"}).json()
    _sign_in(app_for, role)
    issued = app_for.post("/api/v1/tokens", json={"name": "mine", "days": 7})
    assert issued.status_code == 201, issued.text
    token = issued.json()
    assert token["role"] == role
    app_for.cookies.clear()
    with_token = {"Authorization": f"Bearer {token['token']}"}
    assert app_for.get("/api/v1/session", headers=with_token).json()["role"] == role
    _sign_in(app_for, role)
    if role != C:
        assert app_for.delete(f"/api/v1/tokens/{theirs['id']}").status_code == 404
    assert app_for.delete(f"/api/v1/tokens/{token['id']}").status_code == 204
    app_for.cookies.clear()
    assert app_for.get("/api/v1/session", headers=with_token).status_code == 401


def _page_token_id(page: str, name: str) -> int:
    found = re.search(rf"<td[^>]*>{name}</td>.*?/account/tokens/(\d+)/revoke", page, flags=re.S)
    assert found is not None, page
    return int(found[1])


@pytest.mark.parametrize("role", ROLES)
def test_every_role_revokes_its_own_tokens_on_the_page_and_only_those(
    app_for: TestClient, world: World, role: str
) -> None:
    _sign_in(app_for, C)
    theirs = app_for.post("/api/v1/tokens", json={"name": "dr-matrix-script"}).json()
    _sign_in(app_for, role)
    created = app_for.post("/account/tokens", data={"name": "mine", "days": "7"})
    assert created.status_code == 201, created.text
    own_id = _page_token_id(created.text, "mine")

    if role != C:
        assert "dr-matrix-script" not in created.text  # another user's token is never listed
        refused = app_for.post(f"/account/tokens/{theirs['id']}/revoke")
        assert refused.status_code == 404
    revoked = app_for.post(f"/account/tokens/{own_id}/revoke")
    assert (revoked.status_code, revoked.headers["location"]) == (303, "/account/tokens")

    app_for.cookies.clear()
    app_for.headers.pop("X-CSRF-Token", None)
    anonymous = app_for.post(f"/account/tokens/{own_id}/revoke")
    assert (anonymous.status_code, anonymous.headers["location"]) == (
        303,
        f"/login?next=/account/tokens/{own_id}/revoke",
    )
    with_clinicians = {"Authorization": f"Bearer {theirs['token']}"}
    assert app_for.get("/api/v1/session", headers=with_clinicians).json()["role"] == C
