"""E-mail through a real SMTP server on 127.0.0.1: invitations, reminders, opting out, and a
mail server that is down for a while (nothing lost, nothing sent twice)."""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from datetime import date

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from scarplan.adapters.db.tables import AppointmentRecord, MailOutboxRecord
from scarplan.adapters.mail import SmtpTransport
from scarplan.domain.errors import InputError, NotFoundError, PermissionDeniedError
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.accounts.invitations import (
    InvitationExpiredError,
    accept_invitation,
    invite_patient,
)
from scarplan.services.clinic.accounts.mail_outbox import outbox_status, send_pending
from scarplan.services.clinic.calendar import reminders
from scarplan.services.clinic.calendar.schedule_instance import session_key
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans import plans
from scarplan.services.clinic.records import assessments, patients
from support.clinic_data import assessment_input, patient_input
from support.clock import FrozenClock
from support.smtp import free_port, smtp_server, text_of

EMAIL = "ana@example.org"
START = date(2026, 12, 14)  # the plan's first TCA CROSS session; the clock stands at 2026-11-21
ICE_PICK = [
    {"region": "cheek_left", "type": "ice_pick", "count": 12, "width_mm": 1.1, "depth_mm": 1.4}
]
NEW_PASSWORD = "my own long password"


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def mail_clinic(clinic: Clinic, port: int) -> Clinic:
    settings = clinic.settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_security": "none",
            "secret_key": SecretStr("k" * 48),
            "public_base_url": "https://portal.clinic.example",
            "clinic_name": "Harbour Skin Clinic",
            "mail_from": "appointments@clinic.example",
        }
    )
    return replace(clinic, settings=settings)


@pytest.fixture
def staff(mail_clinic: Clinic) -> Actor:
    return users.create_user(
        mail_clinic, "front.desk", "Front Desk", "a long staff password", "staff"
    )


def _patient(
    clinic: Clinic, clinician: Actor, code: str = "P-2001", email: str | None = EMAIL
) -> int:
    document = patient_input(
        code, preferences={"start_date": START.isoformat()}, current_agents=["tretinoin"]
    )
    if email is not None:
        document["email"] = email
    return patients.create_patient(clinic, clinician, document).id


def _link(message_text: str) -> str:
    found = re.search(r"https://portal\.clinic\.example(/welcome/\S+)", message_text)
    assert found is not None, message_text
    return found.group(1).removeprefix("/welcome/")


def _send(clinic: Clinic) -> tuple[int, int]:
    report = send_pending(clinic, SmtpTransport(clinic.settings))
    return report.sent, report.failed


def test_an_invitation_arrives_with_a_link_that_sets_the_password_and_signs_in(
    mail_clinic: Clinic, clinician: Actor, staff: Actor, port: int
) -> None:
    _patient(mail_clinic, clinician)
    sent = invite_patient(mail_clinic, staff, "P-2001")
    assert (sent.email, sent.username) == (EMAIL, "p-2001")

    with smtp_server(port) as inbox:
        assert _send(mail_clinic) == (1, 0)
    (message,) = inbox.to(EMAIL)
    body = text_of(message)
    assert message["Subject"] == "Harbour Skin Clinic: set up your patient portal"
    assert "Your username is p-2001" in body
    token = _link(body)

    actor, session_token = accept_invitation(
        mail_clinic, token, {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD}
    )
    assert actor.role == "patient"
    assert session_token
    assert users.session_actor(mail_clinic, session_token) == actor
    signed_in, _ = users.sign_in(mail_clinic, "p-2001", NEW_PASSWORD)
    assert signed_in.patient_id == actor.patient_id
    # Used once: the same link is refused afterwards, and nothing changes.
    with pytest.raises(InvitationExpiredError):
        accept_invitation(
            mail_clinic,
            token,
            {"password": "another password 2", "password_repeat": "another password 2"},
        )
    users.sign_in(mail_clinic, "p-2001", NEW_PASSWORD)


def test_an_expired_or_replaced_link_is_refused_and_a_mismatch_changes_nothing(
    mail_clinic: Clinic, clinician: Actor, staff: Actor, clock: FrozenClock, port: int
) -> None:
    _patient(mail_clinic, clinician)
    invite_patient(mail_clinic, staff, "P-2001")
    invite_patient(mail_clinic, staff, "P-2001")
    with smtp_server(port) as inbox:
        assert _send(mail_clinic) == (2, 0)
    first, second = (_link(text_of(m)) for m in inbox.to(EMAIL))
    good = {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD}

    with pytest.raises(InvitationExpiredError):  # re-inviting invalidated the first link
        accept_invitation(mail_clinic, first, good)
    with pytest.raises(InputError) as mismatch:
        accept_invitation(mail_clinic, second, {**good, "password_repeat": "something else 1"})
    assert mismatch.value.problems[0].path == "password_repeat"
    with pytest.raises(InputError) as short:
        accept_invitation(mail_clinic, second, {"password": "short", "password_repeat": "short"})
    assert short.value.problems[0].path == "password"
    with pytest.raises(InputError) as weak:  # the password policy of every set-password path
        accept_invitation(
            mail_clinic, second, {"password": "p-2001p-2001", "password_repeat": "p-2001p-2001"}
        )
    assert "user name" in weak.value.problems[0].message
    clock.advance(hours=mail_clinic.settings.invitation_hours + 1)
    with pytest.raises(InvitationExpiredError):
        accept_invitation(mail_clinic, second, good)


def test_inviting_needs_the_permission_an_email_and_an_existing_patient(
    mail_clinic: Clinic, clinician: Actor, admin: Actor
) -> None:
    _patient(mail_clinic, clinician, "P-2002", email=None)
    with pytest.raises(PermissionDeniedError):
        invite_patient(mail_clinic, admin, "P-2002")
    with pytest.raises(InputError) as no_email:
        invite_patient(mail_clinic, clinician, "P-2002")
    assert no_email.value.problems[0].path == "email"
    with pytest.raises(NotFoundError):
        invite_patient(mail_clinic, clinician, "P-9999")
    assert outbox_status(mail_clinic).queued == 0


def test_the_server_down_for_a_while_loses_nothing_and_sends_nothing_twice(
    mail_clinic: Clinic, clinician: Actor, clock: FrozenClock, port: int
) -> None:
    for n in range(5):
        _patient(mail_clinic, clinician, f"P-30{n}", email=f"p{n}@example.org")
        invite_patient(mail_clinic, clinician, f"P-30{n}")

    assert _send(mail_clinic) == (0, 5)  # nobody listening on the port
    status = outbox_status(mail_clinic)
    assert (status.queued, status.retrying, status.sent) == (5, 5, 0)
    assert "Connection" in status.last_error or "refused" in status.last_error
    assert _send(mail_clinic) == (0, 0)  # not due again before the back-off has passed

    with smtp_server(port) as inbox:
        clock.advance(hours=1)
        assert _send(mail_clinic) == (5, 0)
        assert _send(mail_clinic) == (0, 0)
        clock.advance(days=2)
        assert _send(mail_clinic) == (0, 0)
    ids = inbox.message_ids()
    assert len(ids) == 5
    assert len(set(ids)) == 5
    with mail_clinic.uow.read() as session:
        stored = set(session.scalars(select(MailOutboxRecord.message_id)).all())
    assert stored == set(ids)
    status = outbox_status(mail_clinic)
    assert (status.queued, status.sent, status.failed) == (0, 5, 0)


def test_a_message_that_never_goes_through_is_marked_failed_after_the_last_try(
    mail_clinic: Clinic, clinician: Actor, clock: FrozenClock
) -> None:
    clinic = replace(
        mail_clinic, settings=mail_clinic.settings.model_copy(update={"mail_max_attempts": 3})
    )
    _patient(clinic, clinician)
    invite_patient(clinic, clinician, "P-2001")
    for _ in range(3):
        _send(clinic)
        clock.advance(hours=7)
    status = outbox_status(clinic)
    assert (status.queued, status.failed) == (0, 1)


def test_concurrent_senders_deliver_each_message_once(
    mail_clinic: Clinic, clinician: Actor, port: int
) -> None:
    for n in range(12):
        _patient(mail_clinic, clinician, f"P-40{n:02}", email=f"q{n}@example.org")
        invite_patient(mail_clinic, clinician, f"P-40{n:02}")
    reports: list[tuple[int, int]] = []
    with smtp_server(port) as inbox:
        workers = [
            threading.Thread(target=lambda: reports.append(_send(mail_clinic))) for _ in range(4)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    ids = inbox.message_ids()
    assert sorted(ids) == sorted(set(ids))
    assert len(ids) == 12
    assert sum(sent for sent, _ in reports) == 12


def _booked_patient(clinic: Clinic, clinician: Actor, day: date) -> int:
    patient_id = _patient(clinic, clinician)
    assessments.record_assessment(
        clinic, clinician, patient_id, assessment_input(clinic.today(), ICE_PICK)
    )
    plan = plans.propose_plan(clinic, clinician, patient_id)
    plans.accept_plan(clinic, clinician, plan.id)
    with clinic.uow.write() as session:
        session.add(
            AppointmentRecord(
                patient_id=patient_id,
                plan_id=plan.id,
                planned_session_id=plan.sessions[0].id,
                session_key=session_key(plan.id, "tca_cross", 1),
                modality="tca_cross",
                day=day,
                start_minute=10 * 60,
                end_minute=10 * 60 + 45,
                practitioner="Dr Lee",
                device=None,
                room="Room 2",
                status="booked",
                created_at=clinic.now(),
                updated_at=clinic.now(),
            )
        )
    return patient_id


def test_a_session_reminder_carries_the_preparation_and_is_queued_once(
    mail_clinic: Clinic, clinician: Actor, clock: FrozenClock, port: int
) -> None:
    _booked_patient(mail_clinic, clinician, START)
    assert reminders.queue_due_reminders(mail_clinic) == 0  # 23 days ahead: not yet
    # Three days before (reminder_days_before): the session reminder; the tretinoin pause
    # started 14 days before the session, so it is not a change to come any more.
    clock.advance(days=(START - clock().date()).days - 3)
    assert reminders.queue_due_reminders(mail_clinic) == 1
    assert reminders.queue_due_reminders(mail_clinic) == 0
    with smtp_server(port) as inbox:
        assert _send(mail_clinic) == (1, 0)
    (message,) = inbox.to(EMAIL)
    body = text_of(message)
    assert message["Subject"] == "Reminder: your appointment on 14 Dec 2026 at 10:00"
    assert "your appointment on 14 Dec 2026 at 10:00 (Room 2): TCA CROSS" in body
    assert "- Stop Tretinoin" in body
    assert "from 30 Nov 2026" in body
    assert (
        message["List-Unsubscribe"]
        .strip()
        .startswith("<https://portal.clinic.example/unsubscribe/")
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    for word in ("ECCA", "Goodman", "grade", "P-2001"):
        assert word not in body


def test_a_routine_change_is_reminded_before_it_starts(
    mail_clinic: Clinic, clinician: Actor, clock: FrozenClock, port: int
) -> None:
    _booked_patient(mail_clinic, clinician, START)
    clock.advance(days=(date(2026, 11, 30) - clock().date()).days - 2)  # pause in two days
    assert reminders.queue_due_reminders(mail_clinic) == 1
    with smtp_server(port) as inbox:
        _send(mail_clinic)
    (message,) = inbox.to(EMAIL)
    body = text_of(message)
    assert message["Subject"] == "From 30 Nov 2026: a change to your home routine"
    assert "Stop Tretinoin" in body
    assert "your TCA CROSS appointment is on 14 Dec 2026" in body


def test_turning_reminders_off_stops_them_by_portal_choice_and_by_the_link(
    mail_clinic: Clinic, clinician: Actor, clock: FrozenClock, port: int
) -> None:
    patient_id = _booked_patient(mail_clinic, clinician, START)
    clock.advance(days=(START - clock().date()).days - 3)
    portal = users.create_user(
        mail_clinic, "ana", "Ana", "a long portal password", "patient", patient_id=patient_id
    )
    reminders.set_reminders(mail_clinic, portal, patient_id, False)
    assert reminders.queue_due_reminders(mail_clinic) == 0
    reminders.set_reminders(mail_clinic, portal, patient_id, True)
    assert reminders.reminder_choice(mail_clinic, portal, patient_id).active
    token = reminders.unsubscribe_token(mail_clinic.settings, patient_id)
    reminders.unsubscribe(mail_clinic, token)
    assert not reminders.reminder_choice(mail_clinic, portal, patient_id).enabled
    assert reminders.queue_due_reminders(mail_clinic) == 0
    with pytest.raises(NotFoundError):
        reminders.unsubscribe(mail_clinic, token[:-2] + "xx")
    assert outbox_status(mail_clinic).queued == 0
