"""Clinic users: creation and signing in."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from scarplan.adapters.db.tables import User
from scarplan.domain.errors import AuthenticationError, InputError
from scarplan.services.clinic import users
from scarplan.services.clinic.context import Actor, Clinic

PASSWORD = "correct horse battery staple"  # the personas' password (tests/conftest.py)


def test_the_right_password_signs_the_user_in(clinic: Clinic, clinician: Actor) -> None:
    signed = users.authenticate(clinic, "dr.lee", PASSWORD)

    assert signed == clinician
    assert signed.role == "clinician"
    assert signed.user_id is not None
    assert users.signed_in(clinic, signed.user_id) == clinician


def test_the_username_is_matched_without_case_or_surrounding_spaces(
    clinic: Clinic, admin: Actor
) -> None:
    assert users.authenticate(clinic, "  ADMIN ", PASSWORD) == admin
    assert admin.role == "admin"


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
    with pytest.raises(AuthenticationError):
        users.authenticate(clinic, username, password)


def test_an_inactive_user_is_refused(clinic: Clinic, clinician: Actor) -> None:
    assert clinician.user_id is not None
    with clinic.uow.write() as session:
        session.execute(update(User).where(User.id == clinician.user_id).values(active=False))

    with pytest.raises(AuthenticationError):
        users.authenticate(clinic, "dr.lee", PASSWORD)
    assert users.signed_in(clinic, clinician.user_id) is None


def test_a_signed_in_id_that_names_no_user_is_nobody(clinic: Clinic) -> None:
    assert users.signed_in(clinic, 77_777) is None


@pytest.mark.parametrize(
    ("username", "password", "role", "path"),
    [
        ("nurse.kim", "short", "clinician", "password"),
        ("nurse.kim", "x" * 9, "clinician", "password"),
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
    with pytest.raises(AuthenticationError):
        users.authenticate(clinic, "nurse.kim", password)


def test_a_taken_username_is_refused(clinic: Clinic, clinician: Actor) -> None:
    with pytest.raises(InputError) as error:
        users.create_user(clinic, "dr.lee", "Another Lee", "another long password", "clinician")

    assert [p.path for p in error.value.problems] == ["username"]
    assert users.authenticate(clinic, "dr.lee", PASSWORD) == clinician
