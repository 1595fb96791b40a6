"""The audit trail is append-only on both databases and chained by hashes (issue 24).

Attacks are run for real on the session's database (SQLite or PostgreSQL): each must be refused
by the database, or found by `verify_trail`, which names the first bad entry.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, bindparam, select, text
from sqlalchemy.exc import DBAPIError

from scarplan.adapters.db import SqlUnitOfWork, audit_guard, make_engine, upgrade
from scarplan.adapters.db.audit_chain import GENESIS, ChainHead, Flaw
from scarplan.adapters.db.audit_trail import SqlAuditTrail
from scarplan.adapters.db.backup import backup, restore
from scarplan.adapters.db.backup.manifest import read_anchor
from scarplan.adapters.db.migrate import downgrade
from scarplan.adapters.db.tables import AuditEventRecord, Json, Stamp
from scarplan.services.clinic.core.audit_verify import verify_trail
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.records import patients
from support.clinic_data import patient_input


def use(clinic: Clinic, clinician: Actor) -> None:
    """Normal use: changes (written with the change) and page views (queued reads)."""
    first = patients.create_patient(clinic, clinician, patient_input("P-0001", "Ana Silva"))
    second = patients.create_patient(clinic, clinician, patient_input("P-0002", "Ben Okafor"))
    for patient in (first, second, first):
        patients.get_patient(clinic, clinician, patient.id)
    clinic.audit.flush()
    patients.get_patient(clinic, clinician, second.id)
    clinic.audit.flush()


def ids(engine: Engine) -> list[int]:
    with engine.connect() as connection:
        return list(connection.scalars(select(AuditEventRecord.id).order_by(AuditEventRecord.id)))


def tamper(clinic: Clinic, statement: str, values: dict[str, int]) -> None:
    """Run SQL with the append-only triggers lifted: what a database owner can do."""
    with clinic.uow.engine.begin() as connection:
        audit_guard.remove(connection)
        connection.execute(text(statement), values)
        audit_guard.install(connection)


def test_a_fresh_trail_is_unbroken(clinic: Clinic) -> None:
    report = verify_trail(clinic.uow)

    assert report.intact
    assert report.head == ChainHead(0, None, GENESIS)


def test_the_trail_after_normal_use_is_unbroken_and_chained(
    clinic: Clinic, clinician: Actor
) -> None:
    use(clinic, clinician)

    report = verify_trail(clinic.uow)

    assert report.intact, report.bad
    with clinic.uow.engine.connect() as connection:
        rows = connection.execute(
            select(AuditEventRecord.prev_hash, AuditEventRecord.entry_hash).order_by(
                AuditEventRecord.id
            )
        ).all()
    assert report.head.entries == len(rows) >= 6
    assert report.head.last_hash == rows[-1][1]
    assert rows[0][0] == GENESIS
    assert all(rows[i][0] == rows[i - 1][1] for i in range(1, len(rows)))


def test_insert_or_replace_cannot_rewrite_an_entry(clinic: Clinic, clinician: Actor) -> None:
    use(clinic, clinician)
    target = ids(clinic.uow.engine)[2]
    if clinic.uow.engine.dialect.name == "sqlite":
        attack = (
            "INSERT OR REPLACE INTO audit_events (id, at, username, role, action, entity, route,"
            " address, detail, prev_hash, entry_hash) VALUES (:id, '2026-01-01 00:00:00',"
            " 'nobody', 'admin', 'read', 'patient', '/', '-', '{}', :h, :h)"
        )
    else:
        attack = (
            "INSERT INTO audit_events (id, at, username, role, action, entity, route, address,"
            " detail, prev_hash, entry_hash) VALUES (:id, '2026-01-01 00:00:00+00', 'nobody',"
            " 'admin', 'read', 'patient', '/', '-', '{}', :h, :h)"
            " ON CONFLICT (id) DO UPDATE SET username = EXCLUDED.username"
        )

    with pytest.raises(DBAPIError, match="append-only"), clinic.uow.engine.begin() as connection:
        connection.execute(text(attack), {"id": target, "h": GENESIS})

    with clinic.uow.engine.connect() as connection:
        kept = connection.scalar(
            select(AuditEventRecord.username).where(AuditEventRecord.id == target)
        )
    assert kept == "dr.lee"
    assert verify_trail(clinic.uow).intact


def test_a_changed_entry_is_named(clinic: Clinic, clinician: Actor) -> None:
    use(clinic, clinician)
    target = ids(clinic.uow.engine)[3]
    tamper(
        clinic, "UPDATE audit_events SET username = 'someone.else' WHERE id = :id", {"id": target}
    )

    bad = verify_trail(clinic.uow).bad

    assert bad is not None
    assert (bad.id, bad.flaw) == (target, Flaw.ALTERED)
    assert bad.at is not None


def test_a_removed_entry_is_named_by_the_one_after_it(clinic: Clinic, clinician: Actor) -> None:
    use(clinic, clinician)
    every = ids(clinic.uow.engine)
    tamper(clinic, "DELETE FROM audit_events WHERE id = :id", {"id": every[4]})

    bad = verify_trail(clinic.uow).bad

    assert bad is not None
    assert (bad.id, bad.flaw) == (every[5], Flaw.MISSING)
    assert str(every[3]) in bad.message


def test_a_moved_entry_is_named_as_reordered(clinic: Clinic, clinician: Actor) -> None:
    use(clinic, clinician)
    every = ids(clinic.uow.engine)
    # Entry 2 moved to the end, hashes and all: the entry after its old place links to it.
    moved = {"old": every[2], "new": every[-1] + 100}
    tamper(clinic, "UPDATE audit_events SET id = :new WHERE id = :old", moved)

    bad = verify_trail(clinic.uow).bad

    assert bad is not None
    assert (bad.id, bad.flaw) == (every[3], Flaw.REORDERED)
    assert str(moved["new"]) in bad.message


def test_a_removed_tail_is_found_against_an_anchor(clinic: Clinic, clinician: Actor) -> None:
    use(clinic, clinician)
    anchor = verify_trail(clinic.uow).head
    assert anchor.last_id is not None
    tamper(clinic, "DELETE FROM audit_events WHERE id = :id", {"id": anchor.last_id})

    assert verify_trail(clinic.uow).intact  # without an anchor a cut tail looks whole
    bad = verify_trail(clinic.uow, anchor).bad

    assert bad is not None
    assert (bad.id, bad.flaw) == (anchor.last_id, Flaw.UNANCHORED)


def test_a_rehashed_trail_is_found_against_an_anchor(clinic: Clinic, clinician: Actor) -> None:
    use(clinic, clinician)
    anchor = verify_trail(clinic.uow).head
    forged = ChainHead(anchor.entries, anchor.last_id, "f" * 64)

    bad = verify_trail(clinic.uow, forged).bad

    assert bad is not None
    assert (bad.id, bad.flaw) == (anchor.last_id, Flaw.UNANCHORED)


def test_a_failed_read_audit_write_is_logged_and_retried(
    clinic: Clinic, clinician: Actor, caplog: pytest.LogCaptureFixture
) -> None:
    patient = patients.create_patient(clinic, clinician, patient_input("P-0001", "Ana Silva"))
    trail = SqlAuditTrail(clinic.uow, clinic.now)
    before = len(ids(clinic.uow.engine))
    block(clinic, True)
    try:
        trail.read(clinician, "patient", patient.id, patient.id)
        trail.read(clinician, "patient", patient.id, patient.id)
        with caplog.at_level(logging.ERROR, logger="scarplan.adapters.db.audit_trail"):
            wait_for(lambda: any("retrying" in r.getMessage() for r in caplog.records))
        assert trail.pending() == 2
        assert len(ids(clinic.uow.engine)) == before
    finally:
        block(clinic, False)
    wait_for(lambda: trail.pending() == 0)
    trail.close()

    assert len(ids(clinic.uow.engine)) == before + 2
    assert verify_trail(clinic.uow).intact


def block(clinic: Clinic, on: bool) -> None:
    """Make every insert into the audit trail fail (a database that refuses writes), or stop."""
    postgresql = clinic.uow.engine.dialect.name == "postgresql"
    if on and postgresql:
        statements = [
            "CREATE FUNCTION audit_blocked() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN RAISE EXCEPTION 'blocked for the test'; END $$",
            "CREATE TRIGGER audit_blocked BEFORE INSERT ON audit_events"
            " FOR EACH STATEMENT EXECUTE FUNCTION audit_blocked()",
        ]
    elif on:
        statements = [
            "CREATE TRIGGER audit_blocked BEFORE INSERT ON audit_events"
            " BEGIN SELECT RAISE(ABORT, 'blocked for the test'); END"
        ]
    elif postgresql:
        statements = ["DROP TRIGGER audit_blocked ON audit_events", "DROP FUNCTION audit_blocked()"]
    else:
        statements = ["DROP TRIGGER audit_blocked"]
    with clinic.uow.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_backup_and_restore_carry_the_head_and_verify_the_restored_trail(
    clinic: Clinic, clinician: Actor, database_url: str, fresh_database_url: str, tmp_path: Path
) -> None:
    use(clinic, clinician)
    live = verify_trail(clinic.uow).head

    saved = backup(database_url, tmp_path / "clinic.backup")

    assert saved.audit_head == live
    assert read_anchor(saved.path) == live
    restored = restore(fresh_database_url, saved.path)
    assert restored.anchored
    assert restored.audit is not None
    assert restored.audit.intact, restored.audit.bad
    assert restored.audit.head == live
    # The restored database keeps chaining on from the backed-up head.
    engine = make_engine(fresh_database_url)
    try:
        uow = SqlUnitOfWork(engine)
        other = Clinic(
            uow, clinic.knowledge, clinic.settings, clinic.clock, SqlAuditTrail(uow, clinic.clock)
        )
        patients.create_patient(other, clinician, patient_input("P-0003", "Chen Wu"))
        report = verify_trail(uow, live)
        assert report.intact, report.bad
        assert report.head.entries == live.entries + 1
    finally:
        engine.dispose()


def test_concurrent_writers_do_not_fork_the_chain(clinic: Clinic, clinician: Actor) -> None:
    # Changes (chained at commit) and read batches (the background writer's path) from several
    # threads at once: each append must see the previous one's head.
    made = [
        patients.create_patient(clinic, clinician, patient_input(f"P-{n:04d}", f"Patient {n}"))
        for n in range(4)
    ]
    trails = [SqlAuditTrail(clinic.uow, clinic.now) for _ in range(3)]

    def work(number: int) -> None:
        for round_ in range(6):
            patients.update_patient(
                clinic,
                clinician,
                made[number].id,
                patient_input(f"P-{number:04d}", f"Patient {number} v{round_}"),
            )
            trail = trails[number % len(trails)]
            for _ in range(5):
                trail.read(clinician, "patient", made[number].id, made[number].id)
            trail.flush()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(work, range(4)))
    for trail in trails:
        trail.close()

    report = verify_trail(clinic.uow)
    assert report.intact, report.bad
    assert report.head.entries == 4 + 4 * 6 + 4 * 6 * 5


def test_migration_0007_chains_the_entries_written_before_it(fresh_database_url: str) -> None:
    engine = make_engine(fresh_database_url)
    try:
        upgrade(engine, "0006")
        old_entries = [
            {
                "at": datetime(2026, 11, 20, 9, minute, tzinfo=UTC),
                "user_id": 1,
                "username": "dr.lee",
                "role": "clinician",
                "action": "read",
                "patient_id": minute,
                "entity": "patient",
                "entity_id": minute,
                "route": f"/patients/{minute}",
                "address": "10.0.0.7",
                "detail": {"minute": minute},
            }
            for minute in range(5)
        ]
        columns = ", ".join(old_entries[0])
        values = ", ".join(f":{name}" for name in old_entries[0])
        with engine.begin() as connection:
            connection.execute(
                text(f"INSERT INTO audit_events ({columns}) VALUES ({values})").bindparams(
                    bindparam("at", type_=Stamp), bindparam("detail", type_=Json)
                ),
                old_entries,
            )

        upgrade(engine)

        uow = SqlUnitOfWork(engine)
        report = verify_trail(uow)
        assert report.intact, report.bad
        assert report.head.entries == 5
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text("UPDATE audit_events SET username = 'x' WHERE id = 1"))
        downgrade(engine, "0006")
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_events WHERE id = 1"))
        upgrade(engine)
        assert verify_trail(uow).intact
    finally:
        engine.dispose()
