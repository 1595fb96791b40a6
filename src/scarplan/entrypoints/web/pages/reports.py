"""The patient report of a stored patient: HTML downloaded at once, the PDF made by a job
(rendering takes one to two seconds) and downloaded from its page when ready."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from scarplan.adapters.reports.content import Variant
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep
from scarplan.entrypoints.web.ids import RecordId
from scarplan.entrypoints.web.pages.common import render, see_other
from scarplan.services.clinic.exchange.patient_report import patient_report
from scarplan.services.clinic.exchange.report_jobs import (
    may_ask_for_report,
    report_file,
    report_job,
    start_report,
)
from scarplan.services.reports import rendered

router = APIRouter(include_in_schema=False)


@router.get("/patients/{patient_id}/report", response_model=None)
def report(
    request: Request,
    clinic: ClinicDep,
    actor: ActorDep,
    patient_id: RecordId,
    variant: Variant = Variant.PATIENT,
    format: Literal["pdf", "html"] = "pdf",
) -> Response:
    """HTML: the download itself. PDF: a page with the button that has it made (a GET makes
    nothing; old links and bookmarks land here)."""
    if format == "pdf":
        may_ask_for_report(clinic, actor, patient_id)
        return render(
            request,
            "reports/prepare.html",
            {"actor": actor, "patient_id": patient_id, "variant": variant},
        )
    content = patient_report(clinic, actor, patient_id, variant)
    name = f"scarplan-{variant.value}-report-{patient_id}-{content.generated_on.isoformat()}"
    # Always a download: the HTML carries its own inline styles, which the app's pages forbid.
    return Response(
        rendered(content, "html"),
        media_type="text/html; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}.html"'},
    )


@router.post("/patients/{patient_id}/report", response_model=None)
def ask_for_pdf(
    clinic: ClinicDep,
    actor: ActorDep,
    patient_id: RecordId,
    variant: Annotated[Variant, Form()] = Variant.PATIENT,
) -> Response:
    return see_other(f"/reports/{start_report(clinic, actor, patient_id, variant)}")


@router.get("/reports/{report_job_id}", response_class=HTMLResponse)
def report_page(
    request: Request, clinic: ClinicDep, actor: ActorDep, report_job_id: RecordId
) -> HTMLResponse:
    job = report_job(clinic, actor, report_job_id)
    return render(request, "reports/job.html", {"actor": actor, "job": job})


@router.get("/reports/{report_job_id}/file")
def report_download(clinic: ClinicDep, actor: ActorDep, report_job_id: RecordId) -> Response:
    found = report_file(clinic, actor, report_job_id)
    return Response(
        found.data,
        media_type=found.media_type,
        headers={"content-disposition": f'attachment; filename="{found.filename}"'},
    )
