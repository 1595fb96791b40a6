"""Report PDFs made by a job: a PDF takes one to two seconds to render, too long to hold a
request (and a web worker) for. The file waits for whoever asked for it (core/job_files.py)."""

from __future__ import annotations

from scarplan.adapters.reports.content import Variant
from scarplan.domain.errors import StateError
from scarplan.services.clinic.core import jobs
from scarplan.services.clinic.core.access import Permission, authorize
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.job_files import (
    JobFile,
    forget_old_files,
    job_file,
    keep_file,
    own_job,
)
from scarplan.services.clinic.exchange.patient_report import patient_report
from scarplan.services.clinic.records.patients import load_patient
from scarplan.services.reports import rendered

KIND = "report"
PDF = "application/pdf"
WHAT = "report"


def may_ask_for_report(clinic: Clinic, actor: Actor, patient_id: int) -> None:
    """Refuse (as for the record itself) anyone who may not read this patient's record."""
    authorize(actor, Permission.READ_CLINICAL, patient_id)
    with clinic.uow.read() as session:
        load_patient(session, patient_id)


def start_report(clinic: Clinic, actor: Actor, patient_id: int, variant: Variant) -> int:
    """Have the report PDF made; returns the job id. Refused at once for someone who may not
    read the record."""
    may_ask_for_report(clinic, actor, patient_id)
    forget_old_files(clinic)
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
        keep_file(session, run, name, PDF, data)
        run.finish(session, {"filename": name, "bytes": len(data)})


def report_job(clinic: Clinic, actor: Actor, job_id: int) -> jobs.JobView:
    """A report job's state, for the one who asked for it (and may still read the record)."""
    job = own_job(clinic, actor, job_id, KIND, WHAT)
    authorize(actor, Permission.READ_CLINICAL, job.patient_id or 0)
    return job


def report_file(clinic: Clinic, actor: Actor, job_id: int) -> JobFile:
    """The finished PDF (the read is audited like the report itself)."""
    job = report_job(clinic, actor, job_id)
    found = job_file(clinic, job, WHAT)
    detail = {"variant": job.params["variant"]}
    clinic.audit.read(actor, "report_file", job_id, job.patient_id, detail)
    return found
