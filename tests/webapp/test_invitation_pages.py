"""Invitations and reminders on the web: the e-mailed link sets a password and signs the patient
in; used, replaced and unknown links get a plain page; reminders turn off in the portal and from
the unsubscribe link; the intake takes the e-mail address and refuses a malformed one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from scarplan.adapters.mail import SmtpTransport
from scarplan.bootstrap import Container
from scarplan.entrypoints.web import create_app
from scarplan.services.clinic.accounts.mail_outbox import send_pending
from scarplan.services.clinic.accounts.users import create_user
from scarplan.services.clinic.calendar import reminders
from scarplan.services.clinic.core.context import Clinic
from support.smtp import free_port, smtp_server, text_of

PASSWORD = "a long test password"
NEW_PASSWORD = "the patient's own password"
EMAIL = "lena@example.org"
BASE = "https://portal.clinic.example"


@pytest.fixture
def mail_clinic(clinic: Clinic) -> Clinic:
    settings = clinic.settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": free_port(),
            "smtp_security": "none",
            "secret_key": SecretStr("k" * 48),
            "public_base_url": BASE,
            "secure_cookies": False,
        }
    )
    return replace(clinic, settings=settings)


def _client(clinic: Clinic) -> TestClient:
    container = Container(settings=clinic.settings, clock=clinic.clock)
    container.__dict__["clinic"] = clinic
    # The sender thread is not wanted here: the test delivers the outbox itself.
    container.__dict__["settings"] = clinic.settings.model_copy(update={"smtp_host": None})
    return TestClient(create_app(container, "x" * 48), follow_redirects=False)


@pytest.fixture
def staff(mail_clinic: Clinic) -> Iterator[TestClient]:
    create_user(mail_clinic, "front.desk", "Front Desk", PASSWORD, "staff")
    with _client(mail_clinic) as client:
        answer = client.post(
            "/api/v1/session", json={"username": "front.desk", "password": PASSWORD}
        )
        client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
        yield client


@pytest.fixture
def visitor(mail_clinic: Clinic) -> Iterator[TestClient]:
    with _client(mail_clinic) as client:
        yield client


def _delivered(clinic: Clinic) -> list[str]:
    with smtp_server(clinic.settings.smtp_port) as inbox:
        send_pending(clinic, SmtpTransport(clinic.settings))
    return [text_of(message) for message in inbox.to(EMAIL)]


def _welcome_path(body: str) -> str:
    found = re.search(rf"{re.escape(BASE)}(/welcome/\S+)", body)
    assert found is not None, body
    return found.group(1)


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _new_patient(staff: TestClient, email: str = EMAIL) -> int:
    answer = staff.post(
        "/patients", data={"full_name": "Lena Park", "code": "P-2001", "email": email}
    )
    assert answer.status_code == 303, answer.text
    return int(answer.headers["location"].rsplit("/", 1)[1])


def test_the_intake_refuses_a_malformed_email_beside_its_field(staff: TestClient) -> None:
    answer = staff.post(
        "/patients", data={"full_name": "Lena Park", "code": "P-2001", "email": "lena@"}
    )
    assert answer.status_code == 422
    label = re.search(r'<label>[^<]*<input[^>]*name="email".*?</label>', answer.text, re.S)
    assert label is not None
    assert 'class="field-error"' in label[0]


def test_the_invited_patient_sets_a_password_from_the_link_and_lands_signed_in(
    mail_clinic: Clinic, staff: TestClient, visitor: TestClient
) -> None:
    patient_id = _new_patient(staff)
    page = staff.get(f"/patients/{patient_id}").text
    assert f'action="/patients/{patient_id}/invite"' in page
    sent = staff.post(f"/patients/{patient_id}/invite", data={})
    assert sent.status_code == 200
    assert EMAIL in sent.text
    (body,) = _delivered(mail_clinic)
    link = _welcome_path(body)

    form = visitor.get(link)
    assert form.status_code == 200
    assert "p-2001" in form.text
    csrf = _csrf(form.text)
    mismatch = visitor.post(
        link,
        data={"password": NEW_PASSWORD, "password_repeat": "other one 123", "csrf_token": csrf},
    )
    assert mismatch.status_code == 422
    assert "does not match" in mismatch.text
    done = visitor.post(
        link, data={"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD, "csrf_token": csrf}
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/portal"
    home = visitor.get(done.headers["location"])
    assert home.status_code == 200
    assert "Hello, Lena" in home.text

    for again in (visitor.get(link), TestClient(visitor.app).get(link)):
        assert again.status_code == 410
        assert "Ask the clinic to send you a new invitation" in again.text
        assert "Traceback" not in again.text


def test_unknown_and_replaced_links_get_the_same_plain_page(
    mail_clinic: Clinic, staff: TestClient, visitor: TestClient
) -> None:
    patient_id = _new_patient(staff)
    staff.post(f"/patients/{patient_id}/invite", data={})
    staff.post(f"/api/v1/patients/{patient_id}/invitation")
    first, second = (_welcome_path(b) for b in _delivered(mail_clinic))
    fresh = TestClient(visitor.app, follow_redirects=False)
    refused = [
        visitor.get(first),
        visitor.get("/welcome/not-a-token"),
        fresh.post(first, data={"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD}),
    ]
    assert {r.status_code for r in refused} == {410}
    assert len({r.text for r in refused[:2]}) == 1  # nothing tells an unknown link from a used one
    assert visitor.get(second).status_code == 200


def test_reminders_turn_off_and_on_in_the_portal_and_off_from_the_link(
    mail_clinic: Clinic, staff: TestClient, visitor: TestClient
) -> None:
    patient_id = _new_patient(staff)
    create_user(mail_clinic, "lena", "Lena Park", PASSWORD, "patient", patient_id=patient_id)
    answer = visitor.post("/api/v1/session", json={"username": "lena", "password": PASSWORD})
    visitor.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    assert "Reminders are <strong>on</strong>" in visitor.get("/portal/reminders").text
    assert visitor.post("/portal/reminders", data={"reminders": "off"}).status_code == 303
    assert "Reminders are <strong>off</strong>" in visitor.get("/portal/reminders").text
    visitor.post("/portal/reminders", data={"reminders": "on"})
    assert "Reminders are <strong>on</strong>" in visitor.get("/portal/reminders").text
    assert staff.get("/portal/reminders").status_code == 403

    token = reminders.unsubscribe_token(mail_clinic.settings, patient_id)
    page = visitor.get(f"/unsubscribe/{token}")
    assert page.status_code == 200
    assert 'action="/unsubscribe/' in page.text
    with _client(mail_clinic) as mail_program:  # no cookie: a mail program's one-click POST
        done = mail_program.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
        assert done.status_code == 200
        assert "Reminders are off" in done.text
    with _client(mail_clinic) as mail_program:
        bad = mail_program.post(f"/unsubscribe/{token}x")
        assert bad.status_code == 404
        assert "not valid" in bad.text
        assert mail_program.get("/unsubscribe/nonsense").status_code == 404
    assert "Reminders are <strong>off</strong>" in visitor.get("/portal/reminders").text


def test_the_admin_sees_the_outbox_and_that_no_mail_server_is_configured(
    mail_clinic: Clinic, staff: TestClient
) -> None:
    patient_id = _new_patient(staff)
    staff.post(f"/patients/{patient_id}/invite", data={})
    create_user(mail_clinic, "admin.one", "Admin", PASSWORD, "admin")
    unconfigured = replace(
        mail_clinic, settings=mail_clinic.settings.model_copy(update={"smtp_host": None})
    )
    with _client(unconfigured) as admin:
        admin.post("/api/v1/session", json={"username": "admin.one", "password": PASSWORD})
        page = admin.get("/admin/users").text
    assert "No mail server is configured" in page
    assert "Queued 1" in page
