"""The PostgreSQL job queue with real processes: two `scarplan serve` apps and two `scarplan
worker`s on one database. 3D analyses and report PDFs asked for through both apps all finish
exactly once while one worker is killed with SIGKILL in the middle of a job; the e-mail is sent
by the worker left; the sign-in lockout counted on one app holds on the other.

It needs PostgreSQL: in the PostgreSQL pass it uses the session's server, in the SQLite pass it
starts one of its own (the queue exists only there).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from scarplan.adapters.db import make_engine, upgrade
from scarplan.adapters.db.tables import JobFileRecord, JobRecord, TopographyRecord
from scarplan.bootstrap import Container
from scarplan.services.clinic.accounts import invitations, users
from scarplan.services.clinic.records import assessments, patients
from scarplan.settings import Settings
from support.clinic_data import assessment_input, patient_input
from support.height_maps import PIXEL_SIZE_MM, small_map_npy
from support.server import free_port, server_environment, wait_until_ready
from support.smtp import smtp_server

pytestmark = pytest.mark.db

PASSWORD = "a long queue test password"
ANALYSES = 4
REPORTS = 2


@pytest.fixture
def queue_database(
    database_url: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[str]:
    """An empty PostgreSQL database: beside the session's in the PostgreSQL pass, on a server of
    its own in the SQLite pass."""
    if database_url.startswith("postgresql"):
        yield request.getfixturevalue("fresh_database_url")
        return
    from support.postgres import temporary_postgres  # noqa: PLC0415

    with temporary_postgres(tmp_path / "postgres") as url:
        yield url


MAIL = {
    "SCARPLAN_SMTP_HOST": "127.0.0.1",
    "SCARPLAN_SMTP_SECURITY": "none",
    "SCARPLAN_PUBLIC_BASE_URL": "https://portal.clinic.example",
    "SCARPLAN_CLINIC_NAME": "Harbour Skin Clinic",
    "SCARPLAN_MAIL_FROM": "appointments@clinic.example",
    "SCARPLAN_MAIL_POLL_S": "0.5",
}


def environment(database_url: str, data_dir: Path, smtp_port: int) -> dict[str, str]:
    return server_environment(
        database_url,
        data_dir,
        SCARPLAN_JOB_RUNNER="queue",
        SCARPLAN_WORKER_CONCURRENCY="1",
        SCARPLAN_WORKER_HEARTBEAT_S="1",
        SCARPLAN_WORKER_STALLED_AFTER_S="3",
        SCARPLAN_LOG_FORMAT="console",
        SCARPLAN_SMTP_PORT=str(smtp_port),
        **MAIL,
    )


def scarplan(*arguments: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "scarplan.entrypoints.cli.app", *arguments],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def test_jobs_finish_exactly_once_across_apps_and_workers_when_a_worker_is_killed(  # noqa: PLR0915
    queue_database: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    smtp_port = free_port()
    env = environment(queue_database, data_dir, smtp_port)
    engine = make_engine(queue_database)
    upgrade(engine)
    # The test's own clinic defers jobs and queues mail; it sends none (it is neither an app
    # with the queue's workers elsewhere nor a worker).
    settings = Settings(
        data_dir=data_dir,
        database_url=queue_database,
        job_runner="queue",
        secret_key=SecretStr(env["SCARPLAN_SECRET_KEY"]),
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_security="none",
        public_base_url=MAIL["SCARPLAN_PUBLIC_BASE_URL"],
        clinic_name=MAIL["SCARPLAN_CLINIC_NAME"],
        mail_from=MAIL["SCARPLAN_MAIL_FROM"],
    )
    container = Container(settings=settings)
    clinic = container.clinic
    users.create_user(clinic, "dr.queue", "Dr Queue", PASSWORD, "clinician")
    actor = users.sign_in(clinic, "dr.queue", PASSWORD)[0]
    patient = patient_input()
    patient["email"] = "ana@example.org"
    patient_id = patients.create_patient(clinic, actor, patient).id

    processes: list[subprocess.Popen[bytes]] = []
    stack = ExitStack()
    inbox = stack.enter_context(smtp_server(smtp_port))
    try:
        bases = []
        for number in (1, 2):
            port = free_port()
            log = tmp_path / f"app{number}.log"
            app = scarplan("serve", "--workers", "1", "--port", str(port), env=env, log=log)
            processes.append(app)
            bases.append(f"http://127.0.0.1:{port}")
            wait_until_ready(bases[-1], app, log)
        workers = [
            scarplan("worker", env=env, log=tmp_path / f"worker{number}.log") for number in (1, 2)
        ]
        processes.extend(workers)
        deadline = time.monotonic() + 60
        detail = ""
        while time.monotonic() < deadline and "2 workers alive" not in detail:
            ready = httpx.get(f"{bases[1]}/readyz", timeout=5).json()
            detail = ready["checks"]["queue"]["detail"]
            time.sleep(0.2)
        assert detail.endswith("on the queue; 2 workers alive"), detail

        # Signed in on the first app; the same cookie works on the second (one secret key,
        # sessions in the database).
        first = httpx.Client(base_url=bases[0], timeout=30)
        signed = first.post("/api/v1/session", json={"username": "dr.queue", "password": PASSWORD})
        assert signed.status_code == 200, signed.text
        headers = {"X-CSRF-Token": signed.json()["csrf_token"]}
        clients = [first, httpx.Client(base_url=bases[1], cookies=first.cookies, timeout=30)]
        upload = small_map_npy()
        for number in range(ANALYSES):
            answer = clients[number % 2].post(
                f"/patients/{patient_id}/topography",
                data={
                    "region": "cheek_left",
                    "taken_on": "2026-11-20",
                    "pixel_size_mm": str(PIXEL_SIZE_MM),
                },
                files={"file": (f"map{number}.npy", upload, "application/octet-stream")},
                headers=headers,
                follow_redirects=False,
            )
            assert answer.status_code == 303, answer.text[-2000:]

        # Report PDFs asked for through both apps, as the patient's page does.
        assessments.record_assessment(clinic, actor, patient_id, assessment_input(clinic.today()))
        for number in range(REPORTS):
            asked = clients[number % 2].post(
                f"/patients/{patient_id}/report",
                data={"variant": "patient"},
                headers=headers,
                follow_redirects=False,
            )
            assert asked.status_code == 303, asked.text[-2000:]

        # Each worker runs one job at a time: once two run, the first worker holds one.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with clinic.uow.read() as session:
                running = session.scalars(
                    select(JobRecord.id).where(JobRecord.status == "running")
                ).all()
            if len(running) == 2:
                break
            time.sleep(0.05)
        assert len(running) == 2, "both workers took a job"
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(10)

        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            with clinic.uow.read() as session:
                states = session.execute(select(JobRecord.status, JobRecord.attempts)).all()
            if all(status in ("done", "failed") for status, _ in states):
                break
            time.sleep(0.2)
        with clinic.uow.read() as session:
            jobs_done = session.execute(
                select(JobRecord.id, JobRecord.status, JobRecord.attempts, JobRecord.result)
            ).all()
            analyses = session.scalar(select(func.count()).select_from(TopographyRecord))
            analysed_ids = set(session.scalars(select(TopographyRecord.id)))
            reports = session.scalar(select(func.count()).select_from(JobFileRecord))
        total = ANALYSES + REPORTS
        assert [status for _, status, _, _ in jobs_done] == ["done"] * total, jobs_done
        assert analyses == ANALYSES  # exactly once: no analysis twice, none missing
        assert reports == REPORTS
        made = {result["topography_id"] for *_, result in jobs_done if "topography_id" in result}
        assert made == analysed_ids
        retried = [job_id for job_id, _, attempts, _ in jobs_done if attempts == 2]
        assert len(retried) == 1, "the killed worker's job ran again, once"
        assert retried[0] in running
        assert workers[1].poll() is None, "the other worker goes on"

        # E-mail: queued by an app's use case, sent by the worker (the apps send none).
        invitations.invite_patient(clinic, actor, patient_id)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not inbox.to("ana@example.org"):
            time.sleep(0.2)
        (message,) = inbox.to("ana@example.org")
        assert message["Subject"] == "Harbour Skin Clinic: set up your patient portal"

        # The sign-in lockout counted on one app holds on the other.
        for _ in range(10):
            wrong = httpx.post(
                f"{bases[0]}/api/v1/session",
                json={"username": "dr.queue", "password": "wrong password!"},
            )
            assert wrong.status_code in (401, 429)
        locked = httpx.post(
            f"{bases[1]}/api/v1/session", json={"username": "dr.queue", "password": PASSWORD}
        )
        assert locked.status_code == 429, locked.text
    finally:
        stack.close()
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        engine.dispose()
        container.clinic.jobs.shutdown()
        container.engine.dispose()
