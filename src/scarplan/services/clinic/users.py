"""Clinic users and signing in. Roles and their permissions grow in the accounts issue (#7)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from sqlalchemy import select

from scarplan.adapters.db.tables import User
from scarplan.adapters.passwords import DUMMY_HASH, hash_password, verify_password
from scarplan.domain.errors import AuthenticationError, FieldProblem, InputError
from scarplan.services.clinic.context import Actor, Clinic
from scarplan.services.clinic.inputs import InputModel, validated

MIN_PASSWORD = 10


class NewUser(InputModel):
    username: str = Field(pattern=r"^[a-z][a-z0-9_.-]{2,63}$", description="Lower-case login name.")
    full_name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=MIN_PASSWORD, max_length=200)
    role: Literal["clinician", "admin"] = "clinician"


def create_user(clinic: Clinic, username: str, full_name: str, password: str, role: str) -> Actor:
    entered = validated(
        NewUser,
        {"username": username, "full_name": full_name, "password": password, "role": role},
        "user",
    )
    with clinic.uow.write() as session:
        if session.scalar(select(User.id).where(User.username == entered.username)):
            raise InputError(
                "the user is invalid", [FieldProblem("username", "is taken", "choose another")]
            )
        user = User(
            username=entered.username,
            full_name=entered.full_name,
            password_hash=hash_password(entered.password),
            role=entered.role,
            active=True,
            created_at=clinic.now(),
        )
        session.add(user)
        session.flush()
        return Actor(user.id, user.username, user.role)


def authenticate(clinic: Clinic, username: str, password: str) -> Actor:
    with clinic.uow.read() as session:
        user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        verify_password(password, DUMMY_HASH)
    elif user.active and verify_password(password, user.password_hash):
        return Actor(user.id, user.username, user.role)
    raise AuthenticationError("wrong username or password")


def signed_in(clinic: Clinic, user_id: int) -> Actor | None:
    """The actor behind a login cookie, if the account still exists and is active."""
    with clinic.uow.read() as session:
        user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    return Actor(user.id, user.username, user.role)
