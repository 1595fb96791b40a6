"""Portal invitations: the clinic invites a patient by e-mail to set their own password.

Inviting creates the patient's portal account when there is none (with a random password
nobody knows) and queues the e-mail in the same transaction. The link's token is random, only
its SHA-256 is stored, it expires after `invitation_hours`, works once, and a new invitation
revokes the previous links. Accepting sets the password, signs the patient in and ends the link.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import Field, model_validator
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import PatientRecord, PortalInvitationRecord, User
from scarplan.adapters.passwords import hash_password
from scarplan.domain.errors import FieldProblem, InputError, NotFoundError, StateError
from scarplan.services.clinic.accounts import mail_messages
from scarplan.services.clinic.accounts.mail_outbox import NewMail, queue_mail
from scarplan.services.clinic.accounts.password_policy import MAX_PASSWORD, check_password_policy
from scarplan.services.clinic.accounts.users import (
    NewUser,
    insert_user,
    open_user_session,
    token_hash,
    user_actor,
)
from scarplan.services.clinic.core.access import Permission, Role, authorize
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.inputs import InputModel, validated
from scarplan.services.clinic.records.patients import load_patient

log = logging.getLogger(__name__)

INVITATION = "invitation"
EXPIRED = (
    "This link has expired or has already been used. Ask the clinic to send you a new invitation."
)


@dataclass(frozen=True)
class InvitationSent:
    patient_code: str
    full_name: str
    email: str
    username: str
    expires_at: datetime


class NewPassword(InputModel):
    """The password typed twice; its strength is the password policy's (password_policy.py)."""

    password: str = Field(max_length=MAX_PASSWORD)
    password_repeat: str = Field(max_length=MAX_PASSWORD)

    @model_validator(mode="after")
    def _same(self) -> NewPassword:
        if self.password != self.password_repeat:
            raise InputError(
                "the password is invalid",
                [FieldProblem("password_repeat", "does not match", "type the same password")],
            )
        return self


class InvitationExpiredError(NotFoundError):
    """The link is unknown, used, revoked or expired: all answered alike."""


def find_patient(session: Session, patient: int | str) -> PatientRecord:
    """A patient by the database id or by the id shown in the app (e.g. "P-2001")."""
    if isinstance(patient, int):
        return load_patient(session, patient)
    code = patient.strip()
    found = session.scalar(select(PatientRecord).where(PatientRecord.code == code))
    if found is None:
        raise NotFoundError(
            "no such patient",
            [FieldProblem("patient", f"{code!r} names no patient", "use the id the app shows")],
        )
    return found


def _username(session: Session, record: PatientRecord) -> str:
    stem = re.sub(r"[^a-z0-9_.-]+", "-", record.code.lower()).strip("-.")
    stem = stem if re.match(r"^[a-z][a-z0-9_.-]{2,}$", stem) else f"patient-{record.id}"
    stem = stem[:56]
    name, n = stem, 1
    while session.scalar(select(User.id).where(User.username == name)) is not None:
        n += 1
        name = f"{stem}-{n}"
    return name


def _portal_user(session: Session, clinic: Clinic, record: PatientRecord, actor: Actor) -> User:
    user = session.scalar(select(User).where(User.patient_id == record.id))
    if user is None:
        entered = NewUser(
            username=_username(session, record),
            full_name=record.full_name,
            password=secrets.token_urlsafe(32),
            role=Role.PATIENT,
            patient_id=record.id,
        )
        return insert_user(session, clinic, entered, actor)
    if not user.active:
        raise StateError(
            "the portal account is disabled",
            [FieldProblem("patient", "has a disabled portal account", "ask an admin to enable it")],
        )
    return user


def invite_patient(clinic: Clinic, actor: Actor, patient: int | str) -> InvitationSent:
    """Invite the patient (database id, or the id shown in the app) to the portal by e-mail."""
    authorize(actor, Permission.INVITE_PATIENT)
    settings = clinic.settings
    now = clinic.now()
    with clinic.uow.write() as session:
        record = find_patient(session, patient)
        if record.email is None:
            raise InputError(
                "the patient has no e-mail address",
                [
                    FieldProblem(
                        "email", "is not recorded", "add it on the patient's intake form first"
                    )
                ],
            )
        user = _portal_user(session, clinic, record, actor)
        invitations = PortalInvitationRecord
        session.execute(
            update(invitations)
            .where(
                invitations.patient_id == record.id,
                invitations.used_at.is_(None),
                invitations.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        token = secrets.token_urlsafe(32)
        invitation = PortalInvitationRecord(
            token_hash=token_hash(token),
            patient_id=record.id,
            user_id=user.id,
            created_at=now,
            expires_at=now + timedelta(hours=settings.invitation_hours),
            created_by=actor.user_id,
        )
        session.add(invitation)
        session.flush()
        words = mail_messages.invitation(
            settings.clinic_name,
            record.full_name,
            user.username,
            f"{settings.public_base_url.rstrip('/')}/welcome/{token}",
            invitation.expires_at,
        )
        queue_mail(
            session,
            clinic,
            NewMail(
                f"invitation {invitation.id}",
                INVITATION,
                record.id,
                record.email,
                words.subject,
                words.text,
                words.html,
                {},
            ),
        )
        clinic.audit.changed(session, actor, "invite", "user", user.id, record.id)
        return InvitationSent(
            record.code, record.full_name, record.email, user.username, invitation.expires_at
        )


def _open_invitation(session: Session, clinic: Clinic, token: str) -> PortalInvitationRecord:
    found = session.scalar(
        select(PortalInvitationRecord)
        .join(User, User.id == PortalInvitationRecord.user_id)
        .where(
            PortalInvitationRecord.token_hash == token_hash(token),
            PortalInvitationRecord.used_at.is_(None),
            PortalInvitationRecord.revoked_at.is_(None),
            PortalInvitationRecord.expires_at > clinic.now(),
            User.active.is_(True),
        )
    )
    if found is None:
        raise InvitationExpiredError(EXPIRED)
    return found


def invitation_username(clinic: Clinic, token: str) -> str:
    """The username the link sets a password for; InvitationExpiredError if it cannot be used."""
    with clinic.uow.read() as session:
        invitation = _open_invitation(session, clinic, token)
        return session.get_one(User, invitation.user_id).username


def accept_invitation(
    clinic: Clinic, token: str, raw: object, address: str = ""
) -> tuple[Actor, str]:
    """Set the password from an invitation link and sign in: (the actor, the session token)."""
    with clinic.uow.write() as session:
        invitation = _open_invitation(session, clinic, token)
        entered = validated(NewPassword, raw, "password")
        user = session.get_one(User, invitation.user_id)
        check_password_policy(entered.password, username=user.username)
        user.password_hash = hash_password(entered.password)
        user.failed_logins = 0
        user.locked_until = None
        invitation.used_at = clinic.now()
        session_token = open_user_session(session, clinic, user, address)
        actor = user_actor(user)
        clinic.audit.changed(
            session, actor, "accept_invitation", "user", user.id, invitation.patient_id
        )
        log.info("portal invitation %s accepted", invitation.id)
        return actor, session_token
