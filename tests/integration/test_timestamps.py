"""Moments are stored as instants and read back in UTC, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import StatementError

from scarplan.adapters.db.tables import User
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.records import patients
from support.clinic_data import patient_input
from support.clock import FrozenClock

INDIA = timezone(timedelta(hours=5, minutes=30))


def test_a_time_taken_in_another_zone_reads_back_as_the_same_instant_in_utc(
    clinic: Clinic, clinician: Actor, clock: FrozenClock
) -> None:
    local = datetime(2026, 11, 21, 8, 15, tzinfo=INDIA)
    clock.set(local)

    created = patients.create_patient(clinic, clinician, patient_input())
    found = patients.get_patient(clinic, clinician, created.id)

    assert found.created_at == local
    assert found.created_at.utcoffset() == timedelta(0)
    assert found.created_at == datetime(2026, 11, 21, 2, 45, tzinfo=UTC)


def test_a_naive_time_is_refused(clinic: Clinic, clinician: Actor) -> None:
    row = {
        "username": "naive",
        "full_name": "Naive Time",
        "password_hash": "x",
        "role": "clinician",
        "active": True,
        "created_at": datetime(2026, 11, 21, 9, 0),  # naive on purpose
    }
    with pytest.raises(StatementError, match="naive"), clinic.uow.engine.begin() as connection:
        connection.execute(insert(User).values(**row))
