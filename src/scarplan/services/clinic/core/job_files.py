"""Files a job makes for download (a report PDF, a research export): kept in the database so
any app process can hand them over, for the one who asked, for a day at most (each is a copy
of records, made again on request)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import JobFileRecord
from scarplan.domain.errors import FieldProblem, NotFoundError, StateError
from scarplan.services.clinic.core import jobs
from scarplan.services.clinic.core.context import Actor, Clinic

KEEP_FOR = timedelta(days=1)


@dataclass(frozen=True)
class JobFile:
    filename: str
    media_type: str
    data: bytes


def keep_file(
    session: Session, run: jobs.JobRun, filename: str, media_type: str, data: bytes
) -> None:
    """Keep the job's file, in the transaction that finishes the job."""
    session.add(
        JobFileRecord(
            job_id=run.job.id,
            filename=filename,
            media_type=media_type,
            data=data,
            created_at=run.clinic.now(),
        )
    )


def forget_old_files(clinic: Clinic) -> None:
    """Delete every kept file older than KEEP_FOR (called when a new one is asked for)."""
    with clinic.uow.write() as session:
        session.execute(
            delete(JobFileRecord).where(JobFileRecord.created_at < clinic.now() - KEEP_FOR)
        )


def own_job(clinic: Clinic, actor: Actor, job_id: int, kind: str, what: str) -> jobs.JobView:
    """A job of `kind` that `actor` started; anyone else's is not found (a file made for one
    person is theirs alone)."""
    job = jobs.read_job(clinic, job_id, kind)
    if job.created_by is None or job.created_by != actor.user_id:
        raise NotFoundError(
            f"no such {what}", [FieldProblem("job_id", f"{job_id} names no {what} of yours", "")]
        )
    return job


def job_file(clinic: Clinic, job: jobs.JobView, what: str) -> JobFile:
    """The file of a finished job (the caller has checked who may have it)."""
    with clinic.uow.read() as session:
        record = session.get(JobFileRecord, job.id) if job.status == "done" else None
        if record is None:
            state = job.status if job.status != "done" else "no longer kept (after a day)"
            raise StateError(
                f"the {what} is not ready",
                [FieldProblem("job_id", f"it is {state}", f"ask for the {what} again")],
            )
        return JobFile(record.filename, record.media_type, record.data)
