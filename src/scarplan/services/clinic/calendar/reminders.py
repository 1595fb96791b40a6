"""Reminder e-mails: each booked session, with how to prepare, and the routine changes before it.

A scheduled pass (`queue_due_reminders`, run by the sender in `scarplan serve` and by
`scarplan mail remind`) queues what is due. Each reminder has a key per patient, session and
kind, so it is queued once however often the pass runs. Only patients with an e-mail address
and reminders on get them; the patient turns them off in the portal or with the signed
unsubscribe link every reminder carries (no sign-in needed).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from scarplan.adapters.db.tables import AppointmentRecord, PatientRecord
from scarplan.adapters.presentation.wording import day as day_words
from scarplan.domain.errors import FieldProblem, InputError, NotFoundError
from scarplan.services.clinic.accounts import mail_messages
from scarplan.services.clinic.accounts.mail_outbox import NewMail, queue_mail, queued_already
from scarplan.services.clinic.calendar.appointments import BOOKED
from scarplan.services.clinic.core.access import Permission, Role, authorize
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans.visit_preparation import NextVisit, next_visit
from scarplan.services.clinic.records.patients import load_patient
from scarplan.settings import Settings

log = logging.getLogger(__name__)

SESSION_REMINDER, ROUTINE_REMINDER = "session_reminder", "routine_reminder"
# Pauses before a session start at most a few weeks ahead (retinoids, peels): patients with a
# booked session this far ahead are the ones a pass looks at.
LOOKAHEAD_DAYS = 35
REMINDERS = Actor(None, "reminders", Role.CLINICIAN.value, address="mail", route="mail remind")
UNSUBSCRIBED = "Reminders are off. You will get no more reminder e-mails from the clinic."
BAD_LINK = "This link is not valid. Sign in to the portal to change your reminders."


@dataclass(frozen=True)
class ReminderChoice:
    email: str | None
    enabled: bool
    """The patient's choice (reminders go only when it is on and an e-mail is recorded)."""

    @property
    def active(self) -> bool:
        return self.enabled and self.email is not None


def _signer(settings: Settings) -> URLSafeSerializer:
    if settings.secret_key is None:
        raise InputError(
            "reminders need a secret key to sign their unsubscribe links",
            [FieldProblem("SCARPLAN_SECRET_KEY", "not set", "set it as for `scarplan serve`")],
        )
    return URLSafeSerializer(settings.secret_key.get_secret_value(), salt="scarplan-unsubscribe")


def unsubscribe_token(settings: Settings, patient_id: int) -> str:
    return str(_signer(settings).dumps(patient_id))


def _link(settings: Settings, path: str) -> str:
    return settings.public_base_url.rstrip("/") + path


def reminder_choice(clinic: Clinic, actor: Actor, patient_id: int) -> ReminderChoice:
    authorize(actor, Permission.READ_PATIENT, patient_id)
    with clinic.uow.read() as session:
        record = load_patient(session, patient_id)
        return ReminderChoice(record.email, record.reminders_enabled)


def set_reminders(clinic: Clinic, actor: Actor, patient_id: int, enabled: bool) -> ReminderChoice:
    """Turn the patient's reminders on or off (the patient, or the clinic at their request)."""
    authorize(actor, Permission.WRITE_INTAKE, patient_id)
    with clinic.uow.write() as session:
        record = load_patient(session, patient_id)
        record.reminders_enabled = enabled
        clinic.audit.changed(
            session, actor, "update", "reminders", patient_id, patient_id, {"enabled": enabled}
        )
        return ReminderChoice(record.email, enabled)


def _unsubscribed_patient(clinic: Clinic, token: str) -> int:
    try:
        patient_id = _signer(clinic.settings).loads(token)
    except (BadSignature, InputError) as error:
        log.info("unsubscribe link refused: %s", type(error).__name__)
        raise NotFoundError(BAD_LINK) from None
    if not isinstance(patient_id, int):
        raise NotFoundError(BAD_LINK)
    return patient_id


def check_unsubscribe(clinic: Clinic, token: str) -> None:
    """Raise NotFoundError (plain words) unless `token` is a valid unsubscribe link."""
    patient_id = _unsubscribed_patient(clinic, token)
    with clinic.uow.read() as session:
        if session.get(PatientRecord, patient_id) is None:
            raise NotFoundError(BAD_LINK)


def unsubscribe(clinic: Clinic, token: str) -> None:
    """Turn reminders off from the signed link in a reminder (no sign-in needed)."""
    patient_id = _unsubscribed_patient(clinic, token)
    actor = Actor(None, "unsubscribe link", Role.PATIENT.value, patient_id, "mail", "unsubscribe")
    with clinic.uow.write() as session:
        record = session.get(PatientRecord, patient_id)
        if record is None:
            raise NotFoundError(BAD_LINK)
        record.reminders_enabled = False
        clinic.audit.changed(
            session, actor, "update", "reminders", patient_id, patient_id, {"enabled": False}
        )


def _candidates(clinic: Clinic, today: date) -> list[tuple[int, str, str]]:
    """Patients with reminders on, an e-mail and a session booked soon: (id, name, e-mail)."""
    patient, slot = PatientRecord, AppointmentRecord
    with clinic.uow.read() as session:
        rows = session.execute(
            select(patient.id, patient.full_name, patient.email)
            .where(
                patient.reminders_enabled.is_(True),
                patient.email.is_not(None),
                select(slot.id)
                .where(
                    slot.patient_id == patient.id,
                    slot.status == BOOKED,
                    slot.day >= today,
                    slot.day <= today + timedelta(days=LOOKAHEAD_DAYS),
                )
                .exists(),
            )
            .order_by(patient.id)
        ).tuples()
        return [(pid, name, email) for pid, name, email in rows if email is not None]


def _steps(visit: NextVisit) -> list[str]:
    tests = [
        f"{test.what}: on {day_words(test.on)}, read on {day_words(test.read_on)}."
        for test in visit.tests
    ]
    return tests + [p.text for p in visit.primings] + [p.text for p in visit.pauses]


def _mails(
    clinic: Clinic, patient_id: int, name: str, email: str, visit: NextVisit, today: date
) -> list[NewMail]:
    settings = clinic.settings
    portal = _link(settings, "/")
    leave = _link(settings, f"/unsubscribe/{unsubscribe_token(settings, patient_id)}")
    headers = {
        "List-Unsubscribe": f"<{leave}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    horizon = today + timedelta(days=settings.reminder_days_before)
    found = []
    if visit.day <= horizon:
        where = visit.room if visit.room else None
        words = mail_messages.session_reminder(
            settings.clinic_name,
            name,
            visit.procedure,
            visit.day,
            visit.start,
            where,
            _steps(visit),
            portal,
            leave,
        )
        key = f"{SESSION_REMINDER} {patient_id} {visit.modality} {visit.number} {visit.day}"
        found.append(
            NewMail(
                key,
                SESSION_REMINDER,
                patient_id,
                email,
                words.subject,
                words.text,
                words.html,
                headers,
            )
        )
    for pause in visit.pauses:
        if not today <= pause.stop_on <= horizon:
            continue
        words = mail_messages.routine_reminder(
            settings.clinic_name,
            name,
            pause.stop_on,
            pause.text,
            visit.procedure,
            visit.day,
            portal,
            leave,
        )
        key = f"{ROUTINE_REMINDER} {patient_id} {pause.agent} {pause.stop_on} {visit.day}"
        found.append(
            NewMail(
                key,
                ROUTINE_REMINDER,
                patient_id,
                email,
                words.subject,
                words.text,
                words.html,
                headers,
            )
        )
    return found


def _queue(clinic: Clinic, mail: NewMail) -> bool:
    try:
        with clinic.uow.write() as session:
            if queued_already(session, mail.key):
                return False
            # Still on? The patient may have turned reminders off since the candidates were read.
            record = session.get(PatientRecord, mail.patient_id)
            if record is None or not record.reminders_enabled or record.email != mail.recipient:
                return False
            return queue_mail(session, clinic, mail)
    except IntegrityError:
        log.info("reminder %r was queued by another process meanwhile", mail.key)
        return False


def queue_due_reminders(clinic: Clinic) -> int:
    """Queue every reminder that is due today and not queued before; how many were queued."""
    today = clinic.today()
    queued = 0
    for patient_id, name, email in _candidates(clinic, today):
        visit = next_visit(clinic, REMINDERS, patient_id, today)
        if visit is None or not visit.booked:
            continue
        for mail in _mails(clinic, patient_id, name, email, visit, today):
            queued += _queue(clinic, mail)
    return queued
