"""The e-mail outbox: messages queued with the change that causes them, delivered later.

`queue_mail` adds a message in the caller's transaction, so an invitation or a reminder is
either saved with its e-mail or not at all. `send_pending` delivers what is due: each row is
claimed by a conditional UPDATE (only one sender's UPDATE matches a row still unclaimed, on
SQLite and PostgreSQL alike), sent, then marked sent in the same claim. A failure is recorded
and retried later, the wait doubling each time, so a mail server that is down loses nothing;
a claim left by a sender that died is taken over after CLAIM_MINUTES.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import MailOutboxRecord
from scarplan.adapters.mail import MailTransport, OutgoingMail, SmtpTransport
from scarplan.domain.errors import FieldProblem, InputError
from scarplan.services.clinic.core.access import Permission, authorize
from scarplan.services.clinic.core.context import Actor, Clinic

log = logging.getLogger(__name__)

QUEUED, SENT, FAILED = "queued", "sent", "failed"
CLAIM_MINUTES = 10
MAX_WAIT = timedelta(hours=6)
BATCH = 100


@dataclass(frozen=True)
class NewMail:
    key: str
    """Unique per message: the same key is never queued twice."""
    kind: str
    patient_id: int | None
    recipient: str
    subject: str
    text_body: str
    html_body: str
    headers: dict[str, str]


@dataclass(frozen=True)
class SendReport:
    sent: int
    failed: int
    """Tries that failed this pass (the message stays queued unless it gave up)."""
    gave_up: int
    """Messages marked failed for good this pass (every try used)."""


@dataclass(frozen=True)
class OutboxStatus:
    smtp_configured: bool
    queued: int
    sent: int
    failed: int
    retrying: int
    """Queued messages that failed at least once."""
    oldest_queued_at: datetime | None
    last_error: str
    """The error of the newest message whose delivery failed ("" when none did)."""


def _message_id(clinic: Clinic) -> str:
    domain = clinic.settings.mail_from.rpartition("@")[2] or "localhost"
    return f"<{secrets.token_hex(16)}@{domain}>"


def queued_already(session: Session, key: str) -> bool:
    return (
        session.scalar(select(MailOutboxRecord.id).where(MailOutboxRecord.key == key)) is not None
    )


def queue_mail(session: Session, clinic: Clinic, mail: NewMail) -> bool:
    """Queue `mail` in the caller's transaction; False (nothing queued) if its key was queued
    before. A concurrent insert of the same key fails the caller's commit on the unique key."""
    if queued_already(session, mail.key):
        return False
    now = clinic.now()
    session.add(
        MailOutboxRecord(
            key=mail.key,
            kind=mail.kind,
            patient_id=mail.patient_id,
            recipient=mail.recipient,
            subject=mail.subject,
            text_body=mail.text_body,
            html_body=mail.html_body,
            headers=mail.headers,
            message_id=_message_id(clinic),
            status=QUEUED,
            attempts=0,
            next_attempt_at=now,
            last_error="",
            created_at=now,
        )
    )
    session.flush()
    return True


def _claimable(now: datetime) -> ColumnElement[bool]:
    box = MailOutboxRecord
    return (
        (box.status == QUEUED)
        & (box.next_attempt_at <= now)
        & or_(box.claimed_at.is_(None), box.claimed_at < now - timedelta(minutes=CLAIM_MINUTES))
    )


def _claim(clinic: Clinic, row_id: int) -> tuple[str, OutgoingMail] | None:
    """Take the row for this sender, or None when another sender holds it or sent it."""
    now = clinic.now()
    claim = secrets.token_hex(16)
    box = MailOutboxRecord
    with clinic.uow.write() as session:
        taken = session.execute(
            update(box)
            .where(box.id == row_id, _claimable(now))
            .values(claimed_at=now, claim=claim)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return None
        row = session.get_one(box, row_id)
        return claim, OutgoingMail(
            row.recipient,
            row.subject,
            row.text_body,
            row.html_body,
            row.message_id,
            dict(row.headers),
        )


def _wait(clinic: Clinic, attempts: int) -> timedelta:
    doubled: int = 2 ** max(attempts - 1, 0)
    return min(timedelta(seconds=clinic.settings.mail_retry_base_s * doubled), MAX_WAIT)


def _finish(clinic: Clinic, row_id: int, claim: str, error: str | None) -> bool:
    """Record the outcome under our claim; True when the message gave up for good."""
    now = clinic.now()
    with clinic.uow.write() as session:
        row = session.get_one(MailOutboxRecord, row_id)
        if row.claim != claim:
            log.warning("mail %s: claim lost before its outcome was recorded", row_id)
            return False
        row.attempts += 1
        row.claimed_at = None
        row.claim = None
        if error is None:
            row.status = SENT
            row.sent_at = now
            return False
        row.last_error = error[:2000]
        if row.attempts >= clinic.settings.mail_max_attempts:
            row.status = FAILED
            return True
        row.next_attempt_at = now + _wait(clinic, row.attempts)
        return False


def send_pending(clinic: Clinic, transport: MailTransport, limit: int = BATCH) -> SendReport:
    """Deliver the messages that are due (one pass); safe to run in several processes at once."""
    now = clinic.now()
    box = MailOutboxRecord
    with clinic.uow.read() as session:
        due = session.scalars(
            select(box.id).where(_claimable(now)).order_by(box.id).limit(limit)
        ).all()
    sent = failed = gave_up = 0
    for row_id in due:
        claimed = _claim(clinic, row_id)
        if claimed is None:
            continue
        claim, mail = claimed
        try:
            transport.send(mail)
        # ValueError: a message the mail library cannot encode. Recorded like a refusal, so it
        # ends as failed after its tries instead of blocking the queue.
        except (OSError, smtplib.SMTPException, ValueError) as error:
            failed += 1
            reason = f"{type(error).__name__}: {error}"
            log.warning("mail %s: delivery failed: %s", row_id, reason)
            gave_up += _finish(clinic, row_id, claim, reason)
        else:
            sent += 1
            _finish(clinic, row_id, claim, None)
    return SendReport(sent, failed, gave_up)


def smtp_transport(clinic: Clinic) -> MailTransport:
    """The configured mail server; InputError naming the setting when there is none."""
    if clinic.settings.smtp_host is None:
        raise InputError(
            "no mail server is configured: e-mails stay queued",
            [
                FieldProblem(
                    "SCARPLAN_SMTP_HOST", "not set", "set the SMTP settings (docs/operations.md)"
                )
            ],
        )
    return SmtpTransport(clinic.settings)


def send_queued(clinic: Clinic) -> SendReport:
    """One delivery pass through the configured mail server (`scarplan mail send`)."""
    return send_pending(clinic, smtp_transport(clinic))


def outbox_status(clinic: Clinic, actor: Actor | None = None) -> OutboxStatus:
    """Counts by state and the last delivery error (for the admin; the CLI passes no actor)."""
    if actor is not None:
        authorize(actor, Permission.MANAGE_USERS)
    box = MailOutboxRecord
    with clinic.uow.read() as session:
        counts = dict(
            session.execute(select(box.status, func.count()).group_by(box.status)).tuples().all()
        )
        retrying = session.scalar(
            select(func.count()).where(box.status == QUEUED, box.attempts > 0)
        )
        oldest = session.scalar(select(func.min(box.created_at)).where(box.status == QUEUED))
        last = session.execute(
            select(box.last_error).where(box.last_error != "").order_by(box.id.desc()).limit(1)
        ).one_or_none()
    return OutboxStatus(
        smtp_configured=clinic.settings.smtp_host is not None,
        queued=counts.get(QUEUED, 0),
        sent=counts.get(SENT, 0),
        failed=counts.get(FAILED, 0),
        retrying=retrying or 0,
        oldest_queued_at=oldest,
        last_error=last.last_error if last is not None else "",
    )
