"""The job interface: heavy work (clinic scheduling, 3D analysis) off the request thread.

A job's state lives in the jobs table, so any app worker can show it and a page can poll it.
`start_job` records the job and hands its work to `clinic.jobs` (by default a thread of this
process). While the work runs its heartbeat is renewed; a job still "running" whose heartbeat
stopped died with its process and is reported as failed, so nobody waits on it for ever.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import JobRecord
from scarplan.domain.errors import FieldProblem, NotFoundError, ScarplanError
from scarplan.services.clinic.core.context import Actor, Clinic

HEARTBEAT_SECONDS = 5.0
STALE_AFTER = timedelta(seconds=60)
QUEUED_TOO_LONG = timedelta(minutes=30)
"""A queued job waits for the ones before it; half an hour means its process has gone."""
_log = logging.getLogger(__name__)
OUT_OF_MEMORY = (
    "ran out of memory: it needed more than this server allows a worker "
    "(worker_memory_limit_mb); try a smaller input, e.g. crop the height map"
)

Work = Callable[[], dict[str, Any]]


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

    @property
    def finished(self) -> bool:
        return self.status not in ("queued", "running")


def start_job(
    clinic: Clinic,
    actor: Actor,
    kind: str,
    params: dict[str, Any],
    work: Work,
    patient_id: int | None = None,
) -> int:
    """Record a queued job and submit `work`; its returned dict becomes the job's result."""
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
        )
        session.add(record)
        session.flush()
        clinic.audit.changed(session, actor, "create", f"job:{kind}", record.id, patient_id)
        job_id = record.id
    clinic.jobs.submit(lambda: _run(clinic, job_id, work), lane=kind)
    return job_id


def _run(clinic: Clinic, job_id: int, work: Work) -> None:
    _set(clinic, job_id, status="running", started_at=clinic.now(), heartbeat_at=clinic.now())
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(clinic, job_id, stop), daemon=True)
    beat.start()
    # The outcome is written after the handler, when a failed job's frames (and whatever
    # memory they held) are gone: a job that ran out of memory leaves room to record it.
    outcome: dict[str, Any]
    try:
        outcome = {"status": "done", "result": work()}
    except ScarplanError as error:
        outcome = {"status": "failed", "error": str(error)}
    except MemoryError:
        _log.warning("job %s ran out of memory", job_id, exc_info=True)
        outcome = {"status": "failed", "error": OUT_OF_MEMORY}
    except Exception:
        _log.exception("job %s failed", job_id)
        outcome = {"status": "failed", "error": "internal error (see the server log)"}
    _finish(clinic, job_id, stop, **outcome)


def _heartbeat(clinic: Clinic, job_id: int, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_SECONDS):
        _set(clinic, job_id, heartbeat_at=clinic.now())


def _finish(clinic: Clinic, job_id: int, stop: threading.Event, **values: Any) -> None:
    stop.set()
    _set(clinic, job_id, finished_at=clinic.now(), **values)


def _set(clinic: Clinic, job_id: int, **values: Any) -> None:
    with clinic.uow.write() as session:
        session.execute(update(JobRecord).where(JobRecord.id == job_id).values(**values))


def job_record(session: Session, job_id: int, kind: str) -> JobRecord:
    record = session.get(JobRecord, job_id)
    if record is None or record.kind != kind:
        raise NotFoundError("no such job", [FieldProblem("job_id", f"{job_id} names no job", "")])
    return record


def job_view(record: JobRecord, now: datetime, *, with_result: bool = True) -> JobView:
    status, error = record.status, record.error
    beat = record.heartbeat_at or record.started_at or record.created_at
    lost = (status == "running" and now - beat > STALE_AFTER) or (
        status == "queued" and now - record.created_at > QUEUED_TOO_LONG
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
    )


def read_job(clinic: Clinic, job_id: int, kind: str) -> JobView:
    """A job's state (the caller authorises by kind first)."""
    with clinic.uow.read() as session:
        return job_view(job_record(session, job_id, kind), clinic.now())
