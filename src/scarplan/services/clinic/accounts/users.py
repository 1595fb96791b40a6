"""Clinic users: accounts and roles, signing in and out, API tokens, login throttling.

A signed-in browser holds a random session token (inside the signed cookie); an API client
sends a bearer token. Only the SHA-256 of either is stored, so a copy of the database does not
let anyone sign in. Disabling a user revokes their sessions and tokens at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from pydantic import Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import ApiTokenRecord, PatientRecord, User, UserSessionRecord
from scarplan.adapters.passwords import DUMMY_HASH, hash_password, needs_rehash, verify_password
from scarplan.domain.errors import (
    AuthenticationError,
    FieldProblem,
    InputError,
    NotFoundError,
    PermissionDeniedError,
)
from scarplan.services.clinic.accounts.password_policy import check_password_policy
from scarplan.services.clinic.core.access import POLICY, Permission, Role, authorize, can
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.inputs import InputModel, has_nul, is_utf8_text, validated

# Five wrong passwords in a row lock the account for a quarter of an hour (OWASP's advice is a
# small number of attempts, then a delay; the lock ends by itself so it cannot be used to shut
# a clinician out for good).
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
MAX_TOKEN_DAYS = 365
SESSION_PREFIX = "sps_"
TOKEN_PREFIX = "spt_"
# The one answer to every refused sign-in (unknown name, wrong password, locked or disabled
# account), so the answer does not tell which accounts exist; it still says what to do.
REFUSED = (
    f"wrong username or password (after {MAX_FAILED_LOGINS} failed tries an account is locked "
    f"for {LOCK_MINUTES} minutes: wait, or ask an admin)"
)


class NewUser(InputModel):
    username: str = Field(pattern=r"^[a-z][a-z0-9_.-]{2,63}$", description="Lower-case login name.")
    full_name: str = Field(min_length=1, max_length=200)
    password: str = Field(description="Checked by the password policy (password_policy.py).")
    role: Role = Role.CLINICIAN
    patient_id: int | None = Field(
        default=None, description="For the patient role: the patient record this user is."
    )


class NewToken(InputModel):
    name: str = Field(min_length=1, max_length=100, description="What the token is for.")
    role: Role | None = Field(default=None, description="Defaults to the owner's role.")
    days: int = Field(default=90, ge=1, le=MAX_TOKEN_DAYS, description="Days until it expires.")


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    full_name: str
    role: str
    active: bool
    patient_id: int | None
    created_at: datetime
    locked_until: datetime | None


@dataclass(frozen=True)
class IssuedToken:
    id: int
    name: str
    role: str
    expires_at: datetime
    token: str
    """Shown once: only its hash is kept."""


@dataclass(frozen=True)
class TokenView:
    """One of a user's API tokens as its owner may see it: never the secret (nor its hash)."""

    id: int
    name: str
    role: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    active: bool
    """Neither revoked nor expired: it still signs requests in."""


def normalized_username(username: str) -> str:
    """A user name as accounts are matched: without case or surrounding spaces."""
    return username.strip().lower()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _actor(user: User, role: str | None = None) -> Actor:
    return Actor(user.id, user.username, role or user.role, user.patient_id)


def _view(user: User) -> UserView:
    return UserView(
        user.id,
        user.username,
        user.full_name,
        user.role,
        user.active,
        user.patient_id,
        user.created_at,
        user.locked_until,
    )


def create_user(
    clinic: Clinic,
    username: str,
    full_name: str,
    password: str,
    role: str,
    *,
    patient_id: int | None = None,
    actor: Actor | None = None,
    operator: bool = False,
) -> Actor:
    """Add an account. `actor` is who does it (None for set-up and tests, which are trusted).

    Staff accounts are made by whoever manages users (admin). A patient's portal account is
    made by someone holding patients.invite (a clinician or the front desk, through the
    patient's invitation), never by an admin: signing in as it would open the clinical record
    the admin role does not hold. `operator` is the server operator at the command line, who
    holds the database anyway and may force one (`scarplan user add --role patient
    --without-invitation`).
    """
    entered = validated(
        NewUser,
        {
            "username": username,
            "full_name": full_name,
            "password": password,
            "role": role,
            "patient_id": patient_id,
        },
        "user",
    )
    if actor is not None and not operator:
        _authorize_account(actor, entered.role)
    check_password_policy(entered.password, username=entered.username)
    _check_patient_link(entered)
    with clinic.uow.write() as session:
        return _actor(insert_user(session, clinic, entered, actor))


def insert_user(session: Session, clinic: Clinic, entered: NewUser, actor: Actor | None) -> User:
    """Add the account in the caller's transaction (creating a user, or inviting a patient)."""
    if session.scalar(select(User.id).where(User.username == entered.username)):
        raise InputError(
            "the user is invalid", [FieldProblem("username", "is taken", "choose another")]
        )
    if entered.patient_id is not None:
        _check_portal_patient(session, entered.patient_id)
    user = User(
        username=entered.username,
        full_name=entered.full_name,
        password_hash=hash_password(entered.password),
        role=entered.role.value,
        active=True,
        created_at=clinic.now(),
        patient_id=entered.patient_id,
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    if actor is not None:
        clinic.audit.changed(session, actor, "create", "user", user.id, None, {"role": user.role})
    return user


def account_roles(actor: Actor) -> list[Role]:
    """The roles of the accounts `actor` may make: staff roles for an admin, the portal
    role for those who invite patients."""
    return [role for role in Role if _may_make(actor, role)]


def _may_make(actor: Actor, role: Role) -> bool:
    if role == Role.PATIENT:
        return can(actor, Permission.INVITE_PATIENT)
    return can(actor, Permission.MANAGE_USERS)


def _authorize_account(actor: Actor, role: Role) -> None:
    if _may_make(actor, role):
        return
    if role == Role.PATIENT:
        raise PermissionDeniedError(
            "a patient's portal account is made by their invitation: a clinician or the front "
            "desk can invite the patient from their page"
        )
    authorize(actor, Permission.MANAGE_USERS)


def _check_patient_link(entered: NewUser) -> None:
    if entered.role == Role.PATIENT and entered.patient_id is None:
        raise InputError(
            "the user is invalid",
            [FieldProblem("patient_id", "is required for the patient role", "give the patient id")],
        )
    if entered.role != Role.PATIENT and entered.patient_id is not None:
        raise InputError(
            "the user is invalid",
            [FieldProblem("patient_id", "only a patient account links to a patient", "omit it")],
        )


def _check_portal_patient(session: Session, patient_id: int) -> None:
    if session.get(PatientRecord, patient_id) is None:
        raise InputError(
            "the user is invalid",
            [FieldProblem("patient_id", f"{patient_id} names no patient", "check the id")],
        )
    if session.scalar(select(User.id).where(User.patient_id == patient_id)):
        raise InputError(
            "the user is invalid",
            [FieldProblem("patient_id", "already has a portal account", "")],
        )


def list_users(clinic: Clinic, actor: Actor | None = None) -> list[UserView]:
    if actor is not None:
        authorize(actor, Permission.MANAGE_USERS)
    with clinic.uow.read() as session:
        return [_view(u) for u in session.scalars(select(User).order_by(User.username))]


def set_active(clinic: Clinic, username: str, active: bool, actor: Actor | None = None) -> UserView:
    """Enable or disable an account; disabling signs it out everywhere and revokes its tokens."""
    if actor is not None:
        authorize(actor, Permission.MANAGE_USERS)
    now = clinic.now()
    with clinic.uow.write() as session:
        user = session.scalar(select(User).where(User.username == normalized_username(username)))
        if user is None:
            raise NotFoundError(
                "no such user", [FieldProblem("username", f"{username!r} names no user", "")]
            )
        if actor is not None and actor.user_id == user.id and not active:
            raise InputError(
                "you cannot disable yourself",
                [FieldProblem("username", "is your own account", "ask another admin")],
            )
        user.active = active
        user.failed_logins = 0
        user.locked_until = None
        if not active:
            _revoke_all(session, user.id, now)
        if actor is not None:
            clinic.audit.changed(
                session, actor, "enable" if active else "disable", "user", user.id, None
            )
        return _view(user)


def _revoke_all(session: Session, user_id: int, now: datetime) -> None:
    for table in (UserSessionRecord, ApiTokenRecord):
        session.execute(
            update(table)
            .where(table.user_id == user_id, table.revoked_at.is_(None))
            .values(revoked_at=now)
        )


def sign_in(clinic: Clinic, username: str, password: str, address: str = "") -> tuple[Actor, str]:
    """Check the password and open a session: (the actor, the session token for the cookie).

    Wrong passwords count against the account; after MAX_FAILED_LOGINS it is locked for
    LOCK_MINUTES, and even the right password is refused until then.
    """
    now = clinic.now()
    name = normalized_username(username)
    if has_nul(name) or has_nul(password) or not is_utf8_text(name + password):
        raise AuthenticationError(REFUSED)
    with clinic.uow.write() as session:
        user = session.scalar(select(User).where(User.username == name))
        # Every refusal costs one Argon2 check and says the same words: neither the answer nor
        # its timing tells an unknown name from a locked, disabled or mistyped account.
        matches = verify_password(password, user.password_hash if user else DUMMY_HASH)
        if user is None:
            raise AuthenticationError(REFUSED)
        if user.locked_until is not None and user.locked_until > now:
            # Recorded, and the transaction left normally so the record is kept: attempts on a
            # locked account are what an attack looks like.
            clinic.audit.changed(
                session,
                _at(_actor(user), address, "sign in"),
                "sign_in_locked",
                "user",
                user.id,
                None,
                {"locked_until": user.locked_until.isoformat()},
            )
        elif not (user.active and matches):
            _count_failure(clinic, session, user, now, address)
        else:
            user.failed_logins = 0
            user.locked_until = None
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            token = open_user_session(session, clinic, user, address)
            actor = _actor(user)
            clinic.audit.changed(
                session, _at(actor, address, "sign in"), "sign_in", "user", user.id, None
            )
            return actor, token
    raise AuthenticationError(REFUSED)


def open_user_session(session: Session, clinic: Clinic, user: User, address: str) -> str:
    """A new browser session for `user` in the caller's transaction: the token for the cookie."""
    now = clinic.now()
    token = SESSION_PREFIX + secrets.token_urlsafe(32)
    session.add(
        UserSessionRecord(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + timedelta(hours=clinic.settings.session_hours),
            address=address[:64],
        )
    )
    return token


def user_actor(user: User) -> Actor:
    return _actor(user)


def _count_failure(
    clinic: Clinic, session: Session, user: User, now: datetime, address: str
) -> None:
    user.failed_logins += 1
    locked = user.failed_logins >= MAX_FAILED_LOGINS
    if locked:
        user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
        user.failed_logins = 0
    clinic.audit.changed(
        session,
        _at(_actor(user), address, "sign in"),
        "sign_in_failed",
        "user",
        user.id,
        None,
        {"locked": locked},
    )


def _at(actor: Actor, address: str, route: str) -> Actor:
    return Actor(actor.user_id, actor.username, actor.role, actor.patient_id, address, route)


def session_actor(clinic: Clinic, token: str) -> Actor | None:
    """The actor behind a session token, if the session is open and the account active."""
    return _lookup(clinic, UserSessionRecord, token, use_token_role=False)


def token_actor(clinic: Clinic, token: str) -> Actor | None:
    """The actor behind an API bearer token (with the token's role), if valid and active."""
    return _lookup(clinic, ApiTokenRecord, token, use_token_role=True)


def _lookup(
    clinic: Clinic,
    table: type[UserSessionRecord] | type[ApiTokenRecord],
    token: str,
    *,
    use_token_role: bool,
) -> Actor | None:
    now = clinic.now()
    with clinic.uow.read() as session:
        found = session.execute(
            select(User, table)
            .join(table, table.user_id == User.id)
            .where(
                table.token_hash == token_hash(token),
                table.revoked_at.is_(None),
                table.expires_at > now,
                User.active.is_(True),
            )
        ).one_or_none()
    if found is None:
        return None
    user, record = found
    if isinstance(record, ApiTokenRecord):
        return replace(_actor(user, record.role), token_id=record.id)
    return _actor(user)


def sign_out(clinic: Clinic, token: str) -> None:
    with clinic.uow.write() as session:
        session.execute(
            update(UserSessionRecord)
            .where(
                UserSessionRecord.token_hash == token_hash(token),
                UserSessionRecord.revoked_at.is_(None),
            )
            .values(revoked_at=clinic.now())
        )


def token_roles(actor: Actor) -> list[Role]:
    """The roles `actor` may give a token: none wider than their own, and the portal role
    (which stands for one patient) only to that patient."""
    own = POLICY[Role(actor.role)]
    return [
        role
        for role in Role
        if POLICY[role] <= own and (role != Role.PATIENT or actor.role == Role.PATIENT)
    ]


def list_api_tokens(clinic: Clinic, actor: Actor) -> list[TokenView]:
    """The actor's own API tokens, newest first; another user's are never listed."""
    now = clinic.now()
    t = ApiTokenRecord
    with clinic.uow.read() as session:
        found = session.scalars(
            select(t).where(t.user_id == actor.user_id).order_by(t.created_at.desc(), t.id.desc())
        ).all()
        return [
            TokenView(
                r.id,
                r.name,
                r.role,
                r.created_at,
                r.expires_at,
                r.revoked_at,
                r.revoked_at is None and r.expires_at > now,
            )
            for r in found
        ]


def issue_api_token(clinic: Clinic, actor: Actor, raw: object) -> IssuedToken:
    """A bearer token for `actor` with a role no wider than their own and an expiry.

    Only a person signed in with their password (a browser session, or the server operator)
    makes tokens: a token that could make tokens would let a short-lived or narrow token
    outlive its own expiry and its revocation through the children it minted.
    """
    if actor.token_id is not None:
        raise PermissionDeniedError(
            "API tokens are made from a signed-in browser session (Account, API tokens), "
            "not with another API token"
        )
    entered = validated(NewToken, raw, "token")
    role = entered.role or Role(actor.role)
    if role not in token_roles(actor):
        raise InputError(
            "the token is invalid",
            [FieldProblem("role", f"{role.value} is wider than your own role", "pick yours")],
        )
    now = clinic.now()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with clinic.uow.write() as session:
        record = ApiTokenRecord(
            token_hash=token_hash(token),
            user_id=actor.user_id,
            name=entered.name,
            role=role.value,
            created_at=now,
            expires_at=now + timedelta(days=entered.days),
        )
        session.add(record)
        session.flush()
        clinic.audit.changed(session, actor, "create", "api_token", record.id, None)
        return IssuedToken(record.id, record.name, record.role, record.expires_at, token)


def revoke_api_token(clinic: Clinic, actor: Actor, token_id: int) -> None:
    with clinic.uow.write() as session:
        record = session.get(ApiTokenRecord, token_id)
        if record is None or record.user_id != actor.user_id:
            raise NotFoundError(
                "no such token", [FieldProblem("token_id", f"{token_id} names no token", "")]
            )
        record.revoked_at = record.revoked_at or clinic.now()
        clinic.audit.changed(session, actor, "revoke", "api_token", record.id, None)
