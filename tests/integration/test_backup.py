"""Backup and restore (issue "No data lost"): every table, photo byte and audit row comes back.

The clinic's data is made on the session's database, backed up while its engine stays open
(an online backup), and restored into a second, fresh database of the same kind: a restore
replaces a database, and the session-wide engine must keep its own.
"""

from __future__ import annotations

import contextlib
import csv
import io
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import MetaData, delete, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from scarplan.adapters.db import SqlUnitOfWork, make_engine, upgrade
from scarplan.adapters.db.audit_trail import SqlAuditTrail
from scarplan.adapters.db.backup import BackupReport, SchemaState, backup, restore
from scarplan.adapters.db.migrate import head_revision
from scarplan.adapters.db.tables import (
    AuditEventRecord,
    Base,
    PatientRecord,
    PhotoBlobRecord,
)
from scarplan.adapters.job_queue import queue_tables
from scarplan.adapters.reports.content import Variant
from scarplan.domain.errors import InputError
from scarplan.knowledge import KnowledgeBase
from scarplan.services.clinic.accounts import identity_requests, invitations, users
from scarplan.services.clinic.accounts.demo_clinic import DEMO_PRICES
from scarplan.services.clinic.accounts.sign_in_throttle import SignInThrottle
from scarplan.services.clinic.calendar import schedule_runs, schedule_setup
from scarplan.services.clinic.calendar.demo_schedule import DEMO_SCHEDULE
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.job_runner import InProcessJobRunner
from scarplan.services.clinic.exchange import report_jobs, research
from scarplan.services.clinic.plans import consents, follow_up, plans, prices
from scarplan.services.clinic.records import (
    adverse_events,
    assessments,
    patients,
    photos,
    questionnaires,
    sessions,
    stored_topography,
)
from scarplan.settings import Settings
from support.checklists import with_checklist
from support.clinic_data import assessment_input, patient_input
from support.clock import FrozenClock
from support.consent import consented, ensure_consents
from support.height_maps import PIXEL_SIZE_MM, small_map_npy
from support.jobs import waiting_upload

PASSWORD = "correct horse battery staple"  # the personas' password (tests/conftest.py)
Contents = dict[str, list[tuple[Any, ...]]]


def contents(url: str) -> Contents:
    """Every row of every table in the database, in primary-key order."""
    engine = make_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            return {
                name: [
                    tuple(row)
                    for row in connection.execute(
                        select(table).order_by(*(table.primary_key.columns or table.columns))
                    )
                ]
                for name, table in sorted(metadata.tables.items())
            }
    finally:
        engine.dispose()


def camera_photo() -> bytes:
    """A noisy JPEG: tens of kilobytes, like a real photo, over many database pages."""
    out = io.BytesIO()
    Image.effect_noise((640, 480), 60).convert("RGB").save(out, format="JPEG", quality=90)
    return out.getvalue()


def fill(clinic: Clinic, clinician: Actor) -> None:
    """A treated patient (assessment, accepted plan, a session, a photo) and a new one."""
    preferences = {"start_date": "2027-01-11"}
    treated = patients.create_patient(
        clinic, clinician, {**patient_input(preferences=preferences), "email": "ana@example.org"}
    )
    patients.create_patient(clinic, clinician, patient_input("P-0002", "Ben Okafor"))
    assessments.record_assessment(clinic, clinician, treated.id, assessment_input(clinic.today()))
    plan = plans.propose_plan(clinic, clinician, treated.id)
    plans.accept_plan(clinic, clinician, plan.id)
    day = clinic.today() - timedelta(days=2)
    adverse = [{"kind": "prolonged_erythema", "severity": "mild", "onset_on": day.isoformat()}]
    ensure_consents(clinic, clinician, treated.id)
    withdrawn = consented(clinic, clinician, treated.id, "punch_excision")
    consents.withdraw_consent(clinic, clinician, withdrawn.id, {"reason": "prefers to wait"})
    done = sessions.record_session(
        clinic,
        clinician,
        treated.id,
        with_checklist(
            {
                "performed_on": day.isoformat(),
                "modality": "tca_cross",
                "regions": ["cheek_left"],
                "practitioner": "Dr Lee",
                "parameters": {"tca_percent": 90.0},
                "adverse_events": adverse,
            }
        ),
    )
    adverse_events.set_outcome(
        clinic, clinician, done.adverse_events[0].id, {"outcome": "persisting"}
    )
    follow_up.record_visit(
        clinic, clinician, treated.id, {"kind": "follow_up", "visited_on": day.isoformat()}
    )
    photo = {
        "region": "cheek_left",
        "angle": "front",
        "taken_on": day.isoformat(),
        "consent": "clinical_record",
        "consent_confirmed": True,
        "session_id": done.id,
    }
    added = photos.add_photo(clinic, clinician, treated.id, photo, camera_photo())
    photos.photo_content(clinic, clinician, added.id)
    users.sign_in(clinic, "dr.lee", PASSWORD, "10.0.0.7")
    SignInThrottle(clinic).failed("10.0.0.9", "dr.lee")  # a mistyped password, counted
    users.issue_api_token(clinic, clinician, {"name": "lab export"})
    schedule_setup.save_setup(clinic, clinician, DEMO_SCHEDULE, "opening set-up")
    admin = users.create_user(clinic, "admin.backup", "Admin", "a long test password", "admin")
    prices.save_price_list(clinic, admin, DEMO_PRICES, "opening prices")
    run = schedule_runs.start_run(clinic, clinician, clinic.today() + timedelta(days=1), 90)
    measured = {"region": "cheek_left", "taken_on": day.isoformat(), "pixel_size_mm": PIXEL_SIZE_MM}
    stored_topography.start_analysis(
        clinic, clinician, treated.id, measured, "cheek.npy", small_map_npy()
    )
    report_jobs.start_report(clinic, clinician, treated.id, Variant.PATIENT)  # a PDF waiting
    assert isinstance(clinic.jobs, InProcessJobRunner)
    assert clinic.jobs.wait_idle(60)
    schedule_runs.confirm_run(clinic, clinician, run)
    waiting_upload(clinic, clinician, treated.id)  # an upload not yet taken by a worker
    portal = users.create_user(
        clinic, "ana.portal", "Ana", "a long test password", "patient", patient_id=treated.id
    )
    answer = {"instrument_id": "satisfaction", "answers": {"satisfaction": 4}}
    questionnaires.answer_questionnaire(clinic, portal, treated.id, answer)
    correction = {"full_name": "Ana Souza", "reason": "a new surname"}
    identity_requests.request_change(clinic, portal, treated.id, correction)
    invitations.invite_patient(clinic, clinician, treated.id)  # an invitation and its e-mail
    research.research_salt(clinic)  # made in the database the first time it is asked for
    clinic.audit.flush()  # reads are logged in the background: write them now


@pytest.fixture
def filled(clinic: Clinic, clinician: Actor, database_url: str) -> Contents:
    fill(clinic, clinician)
    return contents(database_url)


@pytest.fixture
def saved(filled: Contents, database_url: str, tmp_path: Path) -> BackupReport:
    return backup(database_url, tmp_path / "clinic.backup")


def clinic_on(url: str, knowledge: KnowledgeBase, clock: FrozenClock, tmp_path: Path) -> Clinic:
    engine = make_engine(url)
    uow = SqlUnitOfWork(engine)
    settings = Settings(data_dir=tmp_path / "other", database_url=url)
    return Clinic(uow, knowledge, settings, clock, SqlAuditTrail(uow, clock))


@pytest.fixture
def other(
    fresh_database_url: str, knowledge: KnowledgeBase, clock: FrozenClock, tmp_path: Path
) -> Iterator[Clinic]:
    """The clinic's use cases on the fresh database; its engine is closed again before any
    restore, since a restore replaces the database under it."""
    clinic = clinic_on(fresh_database_url, knowledge, clock, tmp_path)
    yield clinic
    clinic.audit.close()
    clinic.uow.engine.dispose()


def close(clinic: Clinic) -> None:
    clinic.audit.flush()
    clinic.uow.engine.dispose()


def test_everything_comes_back_exactly_after_the_data_changed(
    filled: Contents,
    saved: BackupReport,
    fresh_database_url: str,
    other: Clinic,
    clinician: Actor,
) -> None:
    restore(fresh_database_url, saved.path)
    assert contents(fresh_database_url) == filled

    # Change, add and delete on the restored copy, through the use cases and by hand.
    patients.create_patient(other, clinician, patient_input("P-0003", "Chloe Tan"))
    first = filled["patients"][0][0]
    patients.update_patient(other, clinician, first, patient_input(full_name="Ana Souza"))
    with other.uow.engine.begin() as connection:
        connection.execute(delete(PhotoBlobRecord))
        connection.execute(update(PatientRecord).values(fitzpatrick="VI"))
    close(other)
    assert contents(fresh_database_url) != filled
    database_file = Path(make_url(fresh_database_url).database or "")
    # SQLite: the file's access rights survive its replacement (any private mode: one that lets
    # others read is narrowed whenever the app opens the file, see test_database_files.py).
    if database_file.is_file():
        database_file.chmod(0o700)

    report = restore(fresh_database_url, saved.path)

    assert contents(fresh_database_url) == filled
    if database_file.is_file():
        assert database_file.stat().st_mode & 0o777 == 0o700
    assert report.row_counts == saved.row_counts == {k: len(v) for k, v in filled.items()}
    assert (report.revision, report.head, report.schema) == (
        head_revision(),
        head_revision(),
        SchemaState.CURRENT,
    )
    assert report.database == saved.database


def test_every_table_photo_byte_and_audit_row_is_in_the_backup(
    filled: Contents, saved: BackupReport, fresh_database_url: str, database_url: str
) -> None:
    # On PostgreSQL the job queue's own tables are in the database, and the backup, too.
    queue = queue_tables() if database_url.startswith("postgresql") else set()
    assert set(filled) == {*Base.metadata.tables, "alembic_version", *queue}
    empty = [name for name, rows in filled.items() if not rows and name not in queue]
    assert empty == [], "the example data should fill every table"
    assert saved.row_counts == {name: len(rows) for name, rows in filled.items()}
    assert saved.path.stat().st_size == saved.size_bytes > 0
    assert saved.path.stat().st_mode & 0o077 == 0  # patient data: readable by the owner only
    assert saved.revision == head_revision()

    restore(fresh_database_url, saved.path)
    restored = contents(fresh_database_url)

    assert restored["photo_blobs"] == filled["photo_blobs"]
    assert len(restored["photo_blobs"][0][1]) > 20_000  # a real photo's size, byte for byte
    assert restored["audit_events"] == filled["audit_events"]
    engine = make_engine(fresh_database_url)
    with engine.connect() as connection:
        actions = set(connection.scalars(select(AuditEventRecord.action)))
    engine.dispose()
    assert actions >= {"create", "read", "sign_in"}


def test_the_restored_database_works_and_keeps_its_audit_trail_append_only(
    filled: Contents,
    saved: BackupReport,
    fresh_database_url: str,
    other: Clinic,
    clinician: Actor,
) -> None:
    restore(fresh_database_url, saved.path)

    # New rows get new ids: PostgreSQL's sequences come back with the data.
    added = patients.create_patient(other, clinician, patient_input("P-0009", "Dev Rao"))
    assert added.id > max(row[0] for row in filled["patients"])
    users.sign_in(other, "dr.lee", PASSWORD)
    with pytest.raises(DBAPIError, match="append-only"), other.uow.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events"))
    close(other)


def subject_ids(clinic: Clinic, target: Path) -> list[str]:
    """The research export's subject ids, made under the clinic's own salt."""
    researcher = users.create_user(
        clinic, "res.backup", "Res", "a long test password", "researcher"
    )
    research.export_research(clinic, researcher, target)
    with (target / "patients.csv").open(encoding="utf-8", newline="") as rows:
        return sorted(row["subject"] for row in csv.DictReader(rows))


def test_a_restore_brings_the_research_salt_back_so_exports_link_up(
    filled: Contents,
    saved: BackupReport,
    clinic: Clinic,
    fresh_database_url: str,
    other: Clinic,
    tmp_path: Path,
) -> None:
    before = subject_ids(clinic, tmp_path / "before")

    restore(fresh_database_url, saved.path)
    # The restored clinic runs as on another host: its data directory holds no salt file.
    after = subject_ids(other, tmp_path / "after")

    assert other.settings.data_dir != clinic.settings.data_dir
    assert len(before) == 2
    assert after == before
    close(other)


def test_the_app_can_keep_writing_while_a_backup_is_taken(
    filled: Contents, clinic: Clinic, clinician: Actor, database_url: str, tmp_path: Path
) -> None:
    # A transaction of the app's that has written and not committed yet: the backup does not
    # wait for it on either database, and does not contain it.
    with clinic.uow.engine.connect() as app:
        app.execute(update(PatientRecord).values(full_name="Uncommitted"))
        report = backup(database_url, tmp_path / "online.backup")
        app.rollback()

    assert report.row_counts == {name: len(rows) for name, rows in filled.items()}


def test_an_older_backup_restores_and_says_that_serve_migrates_it(
    fresh_database_url: str, database_url: str, tmp_path: Path
) -> None:
    engine = make_engine(fresh_database_url)
    upgrade(engine, "0001")
    engine.dispose()
    old = backup(fresh_database_url, tmp_path / "old.backup")
    engine = make_engine(fresh_database_url)
    upgrade(engine)  # the code moved on, with tables that point into the old ones
    engine.dispose()

    report = restore(fresh_database_url, old.path)

    assert (old.revision, report.revision, report.head) == ("0001", "0001", head_revision())
    assert report.schema is SchemaState.OLDER
    engine = make_engine(fresh_database_url)
    upgrade(engine)  # what `scarplan serve` does on start
    engine.dispose()
    queue = queue_tables() if database_url.startswith("postgresql") else set()
    assert set(contents(fresh_database_url)) == {*Base.metadata.tables, "alembic_version", *queue}


@pytest.mark.parametrize("damage", ["not a backup", "truncated", "empty", "no scarplan data"])
def test_a_damaged_or_foreign_file_is_refused_and_the_database_is_untouched(
    saved: BackupReport, fresh_database_url: str, tmp_path: Path, damage: str
) -> None:
    restore(fresh_database_url, saved.path)
    before = contents(fresh_database_url)
    bad = tmp_path / "bad.backup"
    data = saved.path.read_bytes()
    if damage == "not a backup":
        bad.write_bytes(b"Dear clinic, here are the scans you asked for.\n" * 200)
    elif damage == "truncated":
        bad.write_bytes(data[: len(data) * 2 // 3])
    elif damage == "empty":
        bad.write_bytes(b"")
    else:
        bad = backup_without_schema(fresh_database_url, tmp_path)

    with pytest.raises(InputError) as error:
        restore(fresh_database_url, bad)

    assert [problem.path for problem in error.value.problems] == [str(bad)]
    assert "scarplan backup" in str(error.value)
    assert contents(fresh_database_url) == before


def backup_without_schema(url: str, directory: Path) -> Path:
    """A sound file of the right kind that holds no scarplan database."""
    if url.startswith("sqlite"):
        path = directory / "other.sqlite3"
        with contextlib.closing(sqlite3.connect(path)) as connection:
            connection.execute("CREATE TABLE notes (body TEXT)")
        return path
    from support.postgres import create_database, drop_database, find_bindir  # noqa: PLC0415

    other_url = create_database(url, "scarplan_no_schema")
    try:
        engine = make_engine(other_url)
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE notes (body TEXT)"))
        engine.dispose()
        path = directory / "other.dump"
        conninfo = make_url(other_url).set(drivername="postgresql")
        command = [str(find_bindir() / "pg_dump"), "--format=custom", f"--file={path}"]
        subprocess.run([*command, conninfo.render_as_string(hide_password=False)], check=True)
        return path
    finally:
        drop_database(url, "scarplan_no_schema")


def test_a_backup_of_the_other_database_kind_is_refused_naming_both(
    fresh_database_url: str, tmp_path: Path
) -> None:
    sqlite = fresh_database_url.startswith("sqlite")
    wrong = tmp_path / "wrong.backup"
    wrong.write_bytes((b"PGDMP\x01\x0e\x00" if sqlite else b"SQLite format 3\x00") + bytes(512))

    with pytest.raises(InputError, match="PostgreSQL") as error:
        restore(fresh_database_url, wrong)

    assert error.value.problems[0].path == str(wrong)


def test_a_backup_does_not_overwrite_a_file_unless_forced(
    filled: Contents, database_url: str, tmp_path: Path
) -> None:
    target = tmp_path / "clinic.backup"
    target.write_bytes(b"yesterday's backup")

    with pytest.raises(InputError, match="--force") as error:
        backup(database_url, target)

    assert error.value.problems[0].path == str(target)
    assert target.read_bytes() == b"yesterday's backup"
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind

    report = backup(database_url, target, overwrite=True)
    assert report.size_bytes == target.stat().st_size != len(b"yesterday's backup")


def test_a_backup_into_a_missing_directory_is_refused(database_url: str, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="directory"):
        backup(database_url, tmp_path / "no" / "such" / "dir" / "clinic.backup")


def test_a_database_without_the_scarplan_schema_is_not_backed_up(
    fresh_database_url: str, tmp_path: Path
) -> None:
    # SQLite: the file does not exist (never created); PostgreSQL: no migration ran on it.
    with pytest.raises(InputError, match=r"does not exist|no alembic_version"):
        backup(fresh_database_url, tmp_path / "clinic.backup")

    assert list(tmp_path.iterdir()) == []


def test_a_restore_while_the_database_is_in_use_fails_and_changes_nothing(
    saved: BackupReport, fresh_database_url: str, other: Clinic, clinician: Actor
) -> None:
    restore(fresh_database_url, saved.path)
    patients.create_patient(other, clinician, patient_input("P-0003", "Chloe Tan"))
    close(other)
    before = contents(fresh_database_url)
    engine = make_engine(fresh_database_url)
    try:
        # Another program in the middle of its work: it has read patients and not finished.
        with engine.connect() as busy, busy.begin():
            busy.execute(select(PatientRecord.id)).all()
            with pytest.raises(InputError) as error:
                restore(fresh_database_url, saved.path, lock_timeout_s=0.5)
    finally:
        engine.dispose()

    assert "stop `scarplan serve`" in str(error.value)
    assert contents(fresh_database_url) == before
