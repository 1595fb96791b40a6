"""The research export as a job: every table of the clinic de-identified and written as CSV
and Parquet, zipped. It grows with the clinic, so it runs off the request thread (a worker on
PostgreSQL); the ZIP waits for the researcher who asked for it (core/job_files.py)."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Literal, cast

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
from scarplan.services.clinic.exchange.research.export import export_research

KIND = "research_export"
ZIP = "application/zip"
WHAT = "research export"
DatesChoice = Literal["shifted", "years"]


def start_research_export(clinic: Clinic, actor: Actor, dates: DatesChoice) -> int:
    """Have the export made; returns the job id (refused at once without the permission)."""
    authorize(actor, Permission.EXPORT_RESEARCH)
    forget_old_files(clinic)
    return jobs.start_job(clinic, actor, KIND, {"dates": dates})


def run_research_export_job(run: jobs.JobRun) -> None:
    """The job (jobs.KINDS): export as the researcher who asked (audited in their name), zip it."""
    dates = cast(DatesChoice, run.job.params["dates"])
    with tempfile.TemporaryDirectory(prefix="scarplan-research-") as folder:
        target = Path(folder) / "export"
        made = export_research(run.clinic, run.actor, target, dates=dates)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(target.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(target).as_posix())
    data = buffer.getvalue()
    name = f"scarplan-research-{dates}-{run.clinic.today().isoformat()}.zip"
    with run.clinic.uow.write() as session:
        keep_file(session, run, name, ZIP, data)
        run.finish(session, {"filename": name, "bytes": len(data), "rows": made.rows})


def research_export_job(clinic: Clinic, actor: Actor, job_id: int) -> jobs.JobView:
    """The export's state, for the researcher who asked for it."""
    authorize(actor, Permission.EXPORT_RESEARCH)
    return own_job(clinic, actor, job_id, KIND, WHAT)


def research_export_file(clinic: Clinic, actor: Actor, job_id: int) -> JobFile:
    job = research_export_job(clinic, actor, job_id)
    found = job_file(clinic, job, WHAT)
    clinic.audit.read(actor, "research_export_file", job_id, None, {"dates": job.params["dates"]})
    return found
