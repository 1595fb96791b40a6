"""Report PDFs made by a job: a PDF takes one to two seconds to render, too long to hold a
request (and a web worker) for. The file waits in `job_files` for whoever asked for it, for a
day at most: it is a copy of the patient's record, made again on request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete

from scarplan.adapters.db.tables import JobFileRecord
from scarplan.adapters.reports.content import Variant
from scarplan.domain.errors import FieldProblem, NotFoundError, StateError
from scarplan.services.clinic.core import jobs
from scarplan.services.clinic.core.access import Permission, authorize
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.exchange.patient_report import patient_report
from scarplan.services.reports import rendered

KIND = "report"
KEEP_FOR = timedelta(days=1)
PDF = "application/pdf"


@dataclass(frozen=True)
class ReportFile:
    filename: str
    media_type: str
    data: bytes


def start_report(clinic: Clinic, actor: Actor, patient_id: int, variant: Variant) -> int:
    """Have the report PDF made; returns the job id. Refused at once for someone who may not
    read the record; a day-old file of anyone's is deleted on the way."""
    authorize(actor, Permission.READ_CLINICAL, patient_id)
    with clinic.uow.write() as session:
        stale = JobFileRecord.created_at < clinic.now() - KEEP_FOR
        session.execute(delete(JobFileRecord).where(stale))
    params = {"variant": variant.value}
    return jobs.start_job(clinic, actor, KIND, params, patient_id=patient_id)


def run_report_job(run: jobs.JobRun) -> None:
    """The job (jobs.KINDS): render the report as its requester may see it, keep the PDF."""
    clinic, patient_id = run.clinic, run.job.patient_id
    if patient_id is None:
        raise StateError("the report job names no patient")
    variant = Variant(run.job.params["variant"])
    content = patient_report(clinic, run.actor, patient_id, variant)
    data = rendered(content, "pdf")
    name = f"scarplan-{variant.value}-report-{patient_id}-{content.generated_on.isoformat()}.pdf"
    with clinic.uow.write() as session:
        session.add(
            JobFileRecord(
                job_id=run.job.id,
                filename=name,
                media_type=PDF,
                data=data,
                created_at=clinic.now(),
            )
        )
        run.finish(session, {"filename": name, "bytes": len(data)})


def report_job(clinic: Clinic, actor: Actor, job_id: int) -> jobs.JobView:
    """A report job's state, for the one who asked for it (and may still read the record)."""
    job = jobs.read_job(clinic, job_id, KIND)
    if job.created_by is None or job.created_by != actor.user_id:
        raise _no_such(job_id)
    authorize(actor, Permission.READ_CLINICAL, job.patient_id or 0)
    return job


def report_file(clinic: Clinic, actor: Actor, job_id: int) -> ReportFile:
    """The finished PDF (the read is audited like the report itself)."""
    job = report_job(clinic, actor, job_id)
    with clinic.uow.read() as session:
        record = session.get(JobFileRecord, job_id) if job.status == "done" else None
        if record is None:
            raise StateError(
                "the report is not ready",
                [FieldProblem("job_id", f"it is {job.status}", "ask for the report again")],
            )
        found = ReportFile(record.filename, record.media_type, record.data)
    detail = {"variant": job.params["variant"]}
    clinic.audit.read(actor, "report_file", job_id, job.patient_id, detail)
    return found


def _no_such(job_id: int) -> NotFoundError:
    return NotFoundError(
        "no such report", [FieldProblem("job_id", f"{job_id} names no report of yours", "")]
    )
