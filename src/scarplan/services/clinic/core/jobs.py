"""The job interface: heavy work (clinic scheduling, 3D analysis) off the request thread.

A job is a row of the jobs table: its kind, JSON parameters and, for an uploaded file, the
bytes in `job_payloads`; nothing lives only in the memory of the process that accepted it. So
any process can run it: a thread of the app (the SQLite default) or a `scarplan worker` on any
host taking it from the queue (PostgreSQL). Each kind has one registered handler (`KINDS`).

Exactly once: `execute_job` claims the job by raising its attempt number; the handler writes
its result and side effects in one transaction through `JobRun.finish`, which only succeeds
for the current attempt of a job still running. A worker that died mid-job leaves nothing
behind, and the queue gives the job to another worker; a job already finished is not run again.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import JobPayloadRecord, JobRecord
from scarplan.domain.errors import FieldProblem, NotFoundError, ScarplanError
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.job_runner import JobTicket, RetryLater

HEARTBEAT_SECONDS = 5.0
STALE_AFTER = timedelta(seconds=60)
QUEUED_TOO_LONG = timedelta(minutes=30)
"""In-process only: a queued job waits for the ones before it; half an hour means its process
has gone. A queue keeps its jobs until a worker takes them."""
MAX_ATTEMPTS = 5
"""Runs of one job cut short by a transient failure before it is failed for good."""
RETRY_FIRST_DELAY_S = 2.0
_log = logging.getLogger(__name__)
OUT_OF_MEMORY = (
    "ran out of memory: it needed more than this server allows a worker "
    "(worker_memory_limit_mb); try a smaller input, e.g. crop the height map"
)


@dataclass(frozen=True)
class JobKind:
    handler: str
    """"module:function", imported when a job of the kind first runs (a worker that never
    runs an optimiser never imports OR-Tools)."""
    serial: bool = False


KINDS: dict[str, JobKind] = {
    "topography": JobKind("scarplan.services.clinic.records.stored_topography:run_analysis_job"),
    "schedule": JobKind(
        "scarplan.services.clinic.calendar.schedule_runs:run_schedule_job", serial=True
    ),
    "report": JobKind("scarplan.services.clinic.exchange.report_jobs:run_report_job"),
    "research_export": JobKind(
        "scarplan.services.clinic.exchange.research.export_jobs:run_research_export_job"
    ),
    "probe": JobKind("scarplan.services.clinic.core.jobs:run_probe_job"),
}
"""Every kind of job and its handler: `handler(run: JobRun) -> None`, which ends by calling
`run.finish(session, result)` in the transaction that holds its side effects."""

_loaded: dict[str, Callable[[JobRun], None]] = {}
_loaded_lock = threading.Lock()


@dataclass(frozen=True)
class JobView:
    id: int
    kind: str
    status: str
    patient_id: int | None
    params: dict[str, Any]
    result: dict[str, Any] | None
    error: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    created_by: int | None
    attempts: int = 0

    @property
    def finished(self) -> bool:
        return self.status not in ("queued", "running")


class JobSuperseded(Exception):  # noqa: N818 - not an error: someone else owns the job now
    """The job finished, or another attempt took it over, while this attempt ran."""


@dataclass
class JobRun:
    """One attempt at a job, as its handler sees it."""

    clinic: Clinic
    job: JobView
    actor: Actor
    """Who started the job: its audit entries name them."""
    _finished: bool = field(default=False, init=False)

    def payload(self) -> bytes:
        """The bytes stored with the job (an uploaded file)."""
        with self.clinic.uow.read() as session:
            record = session.get(JobPayloadRecord, self.job.id)
        if record is None:
            raise ScarplanError("the job's input is no longer stored; submit it again")
        return record.data

    def finish(self, session: Session, result: dict[str, Any]) -> None:
        """Mark the job done with `result`, in `session` (commit it with the handler's own
        writes). Raises JobSuperseded, rolling everything back, if this attempt no longer
        owns the job."""
        done: CursorResult[Any] = session.execute(  # type: ignore[assignment]
            update(JobRecord)
            .where(
                JobRecord.id == self.job.id,
                JobRecord.status == "running",
                JobRecord.attempts == self.job.attempts,
            )
            .values(status="done", result=result, error="", finished_at=self.clinic.now())
        )
        if done.rowcount != 1:
            raise JobSuperseded(f"job {self.job.id} attempt {self.job.attempts}")
        session.execute(delete(JobPayloadRecord).where(JobPayloadRecord.job_id == self.job.id))
        self._finished = True


def start_job(
    clinic: Clinic,
    actor: Actor,
    kind: str,
    params: dict[str, Any],
    patient_id: int | None = None,
    payload: bytes | None = None,
) -> int:
    """Store a queued job (and its input `payload`) and hand it to the runner."""
    job_kind = KINDS.get(kind)
    if job_kind is None:
        raise ValueError(f"no job kind {kind!r}; register its handler in jobs.KINDS")
    with clinic.uow.write() as session:
        record = JobRecord(
            kind=kind,
            status="queued",
            patient_id=patient_id,
            params=params,
            result=None,
            error="",
            created_at=clinic.now(),
            created_by=actor.user_id,
            started_by=_actor_document(actor),
            attempts=0,
        )
        session.add(record)
        session.flush()
        if payload is not None:
            session.add(JobPayloadRecord(job_id=record.id, data=payload))
        clinic.audit.changed(session, actor, "create", f"job:{kind}", record.id, patient_id)
        job_id = record.id
    ticket = JobTicket(job_id, kind, job_kind.serial)
    try:
        clinic.jobs.submit(ticket, lambda: execute_job(clinic, job_id))
    except Exception:
        _log.exception("job %s could not be queued", job_id)
        _close(clinic, job_id, None, "could not be queued; try again in a moment")
        raise
    return job_id


def execute_job(clinic: Clinic, job_id: int) -> None:
    """Run one attempt of a stored job: the runners' (and workers') only way in. Never raises
    but `RetryLater` (after a transient failure, with the job queued again)."""
    run = _claim(clinic, job_id)
    if run is None:
        return
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(clinic, run.job, stop), daemon=True)
    beat.start()
    # The outcome is written after the handler, when a failed job's frames (and whatever
    # memory they held) are gone: a job that ran out of memory leaves room to record it.
    error: str | None = None
    retry_in: float | None = None
    try:
        handler_for(run.job.kind)(run)
        if not run._finished:
            _log.error("job %s (%s): its handler never finished it", job_id, run.job.kind)
            error = "internal error (see the server log)"
    except JobSuperseded:
        _log.info("job %s: attempt %s was superseded", job_id, run.job.attempts)
    except ScarplanError as refused:
        error = str(refused)
    except MemoryError:
        _log.warning("job %s ran out of memory", job_id, exc_info=True)
        error = OUT_OF_MEMORY
    except Exception as failure:
        retry_in = retry_delay_s(run.job.attempts) if is_transient(failure) else None
        if retry_in is None:
            _log.exception("job %s failed", job_id)
            error = "internal error (see the server log)"
        else:
            _log.warning("job %s attempt %s: %s", job_id, run.job.attempts, failure)
    finally:
        stop.set()
    if retry_in is not None:
        _requeue(clinic, run.job)
        raise RetryLater(job_id, retry_in)
    if error is not None:
        _close(clinic, job_id, run.job.attempts, error)


def run_probe_job(run: JobRun) -> None:
    """A job that does nothing but finish, saying where and when: it shows the queue and its
    workers work end to end (bench/jobs_queue.py measures the queue's throughput with it)."""
    with run.clinic.uow.write() as session:
        run.finish(
            session,
            {
                "ran_at": run.clinic.now().isoformat(),
                "host": socket.gethostname(),
                "pid": os.getpid(),
            },
        )


def retry_delay_s(attempts: int) -> float | None:
    """How long to wait before attempt `attempts + 1` after a transient failure (doubling from
    two seconds); None once MAX_ATTEMPTS attempts have been made."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return RETRY_FIRST_DELAY_S * float(2 ** (attempts - 1))


def is_transient(error: BaseException) -> bool:
    """A failure worth another attempt: the database or the network briefly away."""
    if isinstance(error, OperationalError | ConnectionError | TimeoutError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def handler_for(kind: str) -> Callable[[JobRun], None]:
    with _loaded_lock:
        handler = _loaded.get(kind)
        if handler is None:
            module, _, name = KINDS[kind].handler.partition(":")
            handler = getattr(importlib.import_module(module), name)
            _loaded[kind] = handler
        return handler


def _claim(clinic: Clinic, job_id: int) -> JobRun | None:
    """Take the job for a new attempt, unless it has finished (then None)."""
    now = clinic.now()
    with clinic.uow.write() as session:
        record = session.execute(
            select(JobRecord).where(JobRecord.id == job_id).with_for_update()
        ).scalar_one_or_none()
        if record is None:
            _log.warning("job %s: not found; nothing to run", job_id)
            return None
        if record.status not in ("queued", "running"):
            _log.info("job %s is %s already; not run again", job_id, record.status)
            return None
        record.status = "running"
        record.attempts += 1
        record.started_at = record.started_at or now
        record.heartbeat_at = now
        session.flush()
        job = job_view(record, now, with_result=False)
        actor = _actor_from(record.started_by, record.created_by)
    return JobRun(clinic, job, actor)


def _heartbeat(clinic: Clinic, job: JobView, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_SECONDS):
        try:
            with clinic.uow.write() as session:
                session.execute(
                    update(JobRecord)
                    .where(JobRecord.id == job.id, JobRecord.attempts == job.attempts)
                    .values(heartbeat_at=clinic.now())
                )
        except Exception:
            _log.warning("job %s: heartbeat not written", job.id, exc_info=True)


def _requeue(clinic: Clinic, job: JobView) -> None:
    try:
        with clinic.uow.write() as session:
            session.execute(
                update(JobRecord)
                .where(JobRecord.id == job.id, JobRecord.attempts == job.attempts)
                .values(status="queued")
            )
    except Exception:
        # Still "running" then: the next attempt claims it all the same.
        _log.warning("job %s: could not mark it queued again", job.id, exc_info=True)


def _close(clinic: Clinic, job_id: int, attempts: int | None, error: str) -> None:
    """Fail the job (the attempt `attempts`, or whatever attempt when None) and drop its input."""
    with clinic.uow.write() as session:
        failing = update(JobRecord).where(
            JobRecord.id == job_id, JobRecord.status.in_(("queued", "running"))
        )
        if attempts is not None:
            failing = failing.where(JobRecord.attempts == attempts)
        session.execute(failing.values(status="failed", error=error, finished_at=clinic.now()))
        session.execute(delete(JobPayloadRecord).where(JobPayloadRecord.job_id == job_id))


def _actor_document(actor: Actor) -> dict[str, Any]:
    return {
        "user_id": actor.user_id,
        "username": actor.username,
        "role": actor.role,
        "patient_id": actor.patient_id,
        "address": actor.address,
        "route": actor.route,
    }


def _actor_from(document: dict[str, Any] | None, created_by: int | None) -> Actor:
    if not document:
        return Actor(created_by, "", "", route="job")
    return Actor(
        document.get("user_id"),
        str(document.get("username", "")),
        str(document.get("role", "")),
        patient_id=document.get("patient_id"),
        address=str(document.get("address", "")),
        route=str(document.get("route", "")),
    )


def job_record(session: Session, job_id: int, kind: str) -> JobRecord:
    record = session.get(JobRecord, job_id)
    if record is None or record.kind != kind:
        raise NotFoundError("no such job", [FieldProblem("job_id", f"{job_id} names no job", "")])
    return record


def job_view(
    record: JobRecord, now: datetime, *, with_result: bool = True, durable: bool = False
) -> JobView:
    """The job as users see it. A running job whose heartbeat stopped died with its process
    (a queue's worker gives it to another worker well within STALE_AFTER); without a queue, a
    job queued too long died with the process that accepted it."""
    status, error = record.status, record.error
    beat = record.heartbeat_at or record.started_at or record.created_at
    lost = (status == "running" and now - beat > STALE_AFTER) or (
        not durable and status == "queued" and now - record.created_at > QUEUED_TOO_LONG
    )
    if lost:
        status, error = "failed", "interrupted: the process running it stopped; run it again"
    return JobView(
        id=record.id,
        kind=record.kind,
        status=status,
        patient_id=record.patient_id,
        params=record.params,
        result=record.result if with_result else None,
        error=error,
        created_at=record.created_at,
        started_at=record.started_at,
        finished_at=record.finished_at,
        created_by=record.created_by,
        attempts=record.attempts,
    )


def read_job(clinic: Clinic, job_id: int, kind: str) -> JobView:
    """A job's state (the caller authorises by kind first)."""
    with clinic.uow.read() as session:
        return job_view(
            job_record(session, job_id, kind), clinic.now(), durable=clinic.jobs.durable
        )
