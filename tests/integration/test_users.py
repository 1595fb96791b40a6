"""Accounts: creation, signing in and out, lockout after failures, disabling, API tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from scarplan.adapters.db.tables import AuditEventRecord, User
from scarplan.adapters.passwords import hash_password, verify_password
from scarplan.domain.errors import (
    AuthenticationError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
)
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.context import Actor, Clinic
from support.clinic_data import patient_input
from support.clock import FrozenClock

PASSWORD = "correct horse battery staple"  # the personas' password (tests/conftest.py)


def test_the_right_password_opens_a_session_that_names_the_user(
    clinic: Clinic, clinician: Actor
) -> None:
    signed, token = users.sign_in(clinic, "dr.lee", PASSWORD, "10.0.0.7")

    assert signed == clinician
    assert users.session_actor(clinic, token) == clinician
    assert users.session_actor(clinic, token + "x") is None


def test_passwords_are_stored_as_argon2id_hashes(clinic: Clinic, clinician: Actor) -> None:
    with clinic.uow.read() as session:
        stored = session.scalars(select(User.password_hash)).one()

    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert verify_password(PASSWORD, stored)
    assert not verify_password(PASSWORD + "!", stored)
    assert hash_password(PASSWORD) != stored  # salted


def test_the_username_is_matched_without_case_or_surrounding_spaces(
    clinic: Clinic, admin: Actor
) -> None:
    assert users.sign_in(clinic, "  ADMIN ", PASSWORD)[0] == admin


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("dr.lee", "correct horse battery stapler"),
        ("dr.lee", PASSWORD.upper()),
        ("dr.lee", ""),
        ("dr.who", PASSWORD),
    ],
)
def test_a_wrong_password_or_unknown_user_is_refused(
    clinic: Clinic, clinician: Actor, username: str, password: str
) -> None:
    with pytest.raises(AuthenticationError, match="wrong username or password"):
        users.sign_in(clinic, username, password)


def test_five_wrong_passwords_lock_the_account_for_a_quarter_of_an_hour(
    clinic: Clinic, clinician: Actor, clock: FrozenClock
) -> None:
    for _ in range(users.MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationError, match="wrong"):
            users.sign_in(clinic, "dr.lee", "not the password")

    with pytest.raises(AuthenticationError) as refused:
        users.sign_in(clinic, "dr.lee", PASSWORD)
    assert refused.value.message == users.REFUSED  # as for a wrong name: no hint it exists
    clock.current += timedelta(minutes=users.LOCK_MINUTES)
    assert users.sign_in(clinic, "dr.lee", PASSWORD)[0] == clinician
    with clinic.uow.read() as session:
        failures = session.scalar(
            select(func.count()).where(AuditEventRecord.action == "sign_in_failed")
        )
    assert failures == users.MAX_FAILED_LOGINS  # attempts while locked never reach a password


def test_attempts_on_a_locked_account_are_audited(
    clinic: Clinic, clinician: Actor, clock: FrozenClock
) -> None:
    for _ in range(users.MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationError, match="wrong"):
            users.sign_in(clinic, "dr.lee", "not the password")
    for password in (PASSWORD, "another guess"):
        with pytest.raises(AuthenticationError, match="wrong username or password"):
            users.sign_in(clinic, "dr.lee", password, address="203.0.113.9")
    with clinic.uow.read() as session:
        refused = session.scalars(
            select(AuditEventRecord).where(AuditEventRecord.action == "sign_in_locked")
        ).all()
        assert [(r.user_id, r.address) for r in refused] == [(clinician.user_id, "203.0.113.9")] * 2


def test_disabling_a_user_ends_their_sessions_and_tokens(
    clinic: Clinic, clinician: Actor, admin: Actor
) -> None:
    _, token = users.sign_in(clinic, "dr.lee", PASSWORD)
    issued = users.issue_api_token(clinic, clinician, {"name": "lab script"})
    assert users.token_actor(clinic, issued.token) == clinician

    users.set_active(clinic, "dr.lee", False, actor=admin)

    assert users.session_actor(clinic, token) is None
    assert users.token_actor(clinic, issued.token) is None
    with pytest.raises(AuthenticationError):
        users.sign_in(clinic, "dr.lee", PASSWORD)
    users.set_active(clinic, "dr.lee", True, actor=admin)
    assert users.sign_in(clinic, "dr.lee", PASSWORD)[0] == clinician
    assert users.session_actor(clinic, token) is None  # old sessions stay ended


def test_only_an_admin_manages_users_and_not_their_own_account(
    clinic: Clinic, clinician: Actor, admin: Actor
) -> None:
    with pytest.raises(PermissionDeniedError):
        users.set_active(clinic, "admin", False, actor=clinician)
    with pytest.raises(PermissionDeniedError):
        users.create_user(clinic, "x.new", "X", PASSWORD, "admin", actor=clinician)
    with pytest.raises(InputError) as error:
        users.set_active(clinic, "admin", False, actor=admin)
    assert [p.path for p in error.value.problems] == ["username"]
    with pytest.raises(NotFoundError):
        users.set_active(clinic, "nobody", False, actor=admin)


def test_signing_out_ends_the_session(clinic: Clinic, clinician: Actor) -> None:
    _, token = users.sign_in(clinic, "dr.lee", PASSWORD)
    users.sign_out(clinic, token)
    assert users.session_actor(clinic, token) is None


def test_sessions_and_tokens_expire(clinic: Clinic, clinician: Actor, clock: FrozenClock) -> None:
    _, token = users.sign_in(clinic, "dr.lee", PASSWORD)
    issued = users.issue_api_token(clinic, clinician, {"name": "one day", "days": 1})

    clock.advance(hours=clinic.settings.session_hours)
    assert users.session_actor(clinic, token) is None
    assert users.token_actor(clinic, issued.token) == clinician
    clock.advance(days=1)
    assert users.token_actor(clinic, issued.token) is None


def test_a_token_carries_its_own_role_never_wider_than_its_owner(
    clinic: Clinic, clinician: Actor
) -> None:
    staff_token = users.issue_api_token(clinic, clinician, {"name": "desk", "role": "staff"})
    assert users.token_actor(clinic, staff_token.token) == Actor(
        clinician.user_id, "dr.lee", "staff"
    )
    for wider in ("admin", "researcher", "patient"):
        with pytest.raises(InputError) as error:
            users.issue_api_token(clinic, clinician, {"name": "x", "role": wider})
        assert [p.path for p in error.value.problems] == ["role"]
    with pytest.raises(InputError) as error:
        users.issue_api_token(clinic, clinician, {"name": "x", "days": 400})
    assert [p.path for p in error.value.problems] == ["days"]
    users.revoke_api_token(clinic, clinician, staff_token.id)
    assert users.token_actor(clinic, staff_token.token) is None


def test_a_patient_account_is_linked_to_exactly_one_patient(
    clinic: Clinic, clinician: Actor, admin: Actor
) -> None:
    from scarplan.services.clinic.records import patients  # noqa: PLC0415

    patient = patients.create_patient(clinic, clinician, patient_input())
    portal = users.create_user(
        clinic, "ana.p", "Ana", PASSWORD, "patient", patient_id=patient.id, actor=clinician
    )
    assert portal.patient_id == patient.id
    for patient_id, role, actor in (
        (None, "patient", clinician),
        (patient.id, "clinician", admin),
        (patient.id, "patient", clinician),
    ):
        with pytest.raises(InputError) as error:
            users.create_user(
                clinic, "other.p", "O", PASSWORD, role, patient_id=patient_id, actor=actor
            )
        assert [p.path for p in error.value.problems] == ["patient_id"]


def test_an_admin_cannot_make_a_portal_account_to_read_a_patients_records(
    clinic: Clinic, clinician: Actor, admin: Actor
) -> None:
    """Issue 24, finding 4: an admin made a portal account for any patient, signed in as it
    and read that patient's assessments. Portal accounts come from an invitation sent by
    someone holding patients.invite (a clinician or the front desk)."""
    from scarplan.services.clinic.records import patients  # noqa: PLC0415

    patient = patients.create_patient(clinic, clinician, patient_input())
    with pytest.raises(PermissionDeniedError) as error:
        users.create_user(
            clinic, "ana.p", "Ana", PASSWORD, "patient", patient_id=patient.id, actor=admin
        )
    assert "invite the patient from their page" in error.value.message
    with pytest.raises(AuthenticationError):
        users.sign_in(clinic, "ana.p", PASSWORD)
    assert "patient" not in users.account_roles(admin)
    assert users.account_roles(clinician) == ["patient"]
    staff = users.create_user(clinic, "front.desk", "Desk", PASSWORD, "staff")
    made = users.create_user(
        clinic, "ana.p", "Ana", PASSWORD, "patient", patient_id=patient.id, actor=staff
    )
    assert made.patient_id == patient.id
    with pytest.raises(PermissionDeniedError):
        users.create_user(clinic, "x.new", "X", PASSWORD, "clinician", actor=staff)


@pytest.mark.parametrize(
    ("username", "password", "role", "path"),
    [
        ("nurse.kim", "short", "clinician", "password"),
        ("nurse.kim", "x" * 9, "clinician", "password"),
        ("nurse.kim", "aaaaaaaaaa", "clinician", "password"),
        ("nurse.kim", "password123", "clinician", "password"),
        ("nurse.kim", "nurse.kim is my password", "clinician", "password"),
        ("Nurse Kim", "long enough password", "clinician", "username"),
        ("nurse.kim", "long enough password", "superuser", "role"),
    ],
)
def test_invalid_new_users_are_refused_naming_the_field(
    clinic: Clinic, username: str, password: str, role: str, path: str
) -> None:
    with pytest.raises(InputError) as error:
        users.create_user(clinic, username, "Kim", password, role)

    assert [p.path for p in error.value.problems] == [path]
    assert users.list_users(clinic) == []


def test_a_taken_username_is_refused(clinic: Clinic, clinician: Actor) -> None:
    with pytest.raises(InputError) as error:
        users.create_user(clinic, "dr.lee", "Another Lee", "another long password", "clinician")

    assert [p.path for p in error.value.problems] == ["username"]
    assert users.sign_in(clinic, "dr.lee", PASSWORD)[0] == clinician


def test_every_refused_sign_in_costs_one_password_hash_check_and_says_the_same(
    clinic: Clinic, clinician: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    users.create_user(clinic, "dr.gone", "Gone", PASSWORD, "clinician")
    users.set_active(clinic, "dr.gone", False)
    users.create_user(clinic, "dr.locked", "Locked", PASSWORD, "clinician")
    for _ in range(users.MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationError):
            users.sign_in(clinic, "dr.locked", "not the password")
    checks: list[str] = []

    def counted(password: str, stored: str) -> bool:
        checks.append(stored)
        return verify_password(password, stored)

    monkeypatch.setattr(users, "verify_password", counted)
    attempts = {
        "disabled": ("dr.gone", PASSWORD),
        "locked": ("dr.locked", PASSWORD),
        "unknown": ("dr.nobody", PASSWORD),
        "wrong password": ("dr.lee", "not the password"),
    }
    for what, (username, password) in attempts.items():
        checks.clear()
        with pytest.raises(AuthenticationError) as refused:
            users.sign_in(clinic, username, password)
        assert refused.value.message == users.REFUSED, what
        assert len(checks) == 1, what  # one Argon2 verification, so the same ~50 ms
        assert checks[0].startswith("$argon2id$"), what
