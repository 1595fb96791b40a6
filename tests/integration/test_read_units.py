"""A read unit of work only reads. On PostgreSQL it runs its statements without a transaction
of their own (two round trips fewer on every page: BEGIN and ROLLBACK), so a write slipped into
one would be kept instead of rolled back; it is refused on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select

from scarplan.adapters.db import SqlUnitOfWork
from scarplan.adapters.db.tables import ClinicSecretRecord
from scarplan.services.clinic.core.context import Clinic


def _secrets(uow: SqlUnitOfWork) -> int:
    with uow.read() as session:
        return session.scalar(select(func.count()).select_from(ClinicSecretRecord)) or 0


def test_a_write_in_a_read_unit_is_refused_and_nothing_is_written(clinic: Clinic) -> None:
    uow = clinic.uow
    before = _secrets(uow)
    with pytest.raises(RuntimeError, match="may not write"), uow.read() as session:
        session.execute(
            insert(ClinicSecretRecord).values(name="probe", value="x", created_at=clinic.now())
        )
    assert _secrets(uow) == before


def test_a_read_unit_on_postgresql_runs_without_a_transaction_of_its_own(clinic: Clinic) -> None:
    with clinic.uow.read() as session:
        session.execute(select(1))
        driver = session.connection().connection.dbapi_connection
        if session.connection().dialect.name == "postgresql":
            assert driver.autocommit is True  # type: ignore[union-attr]
        else:  # SQLite keeps a read in one transaction: one snapshot for all its statements
            assert driver.in_transaction is True  # type: ignore[union-attr]
