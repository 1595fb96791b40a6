"""The research page: what the de-identified export holds and leaves out, and the export itself,
made by a job (it grows with the clinic) and downloaded from its page when ready."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from scarplan.adapters.presentation.wording import label
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, require
from scarplan.entrypoints.web.ids import RecordId
from scarplan.entrypoints.web.pages.common import render, see_other
from scarplan.services.clinic.core.access import Permission
from scarplan.services.clinic.exchange.research import MAX_SHIFT_DAYS, export_jobs
from scarplan.services.clinic.exchange.research.deidentify import NUMERIC_PARAMETERS

router = APIRouter(include_in_schema=False)
RESEARCH = [require(Permission.EXPORT_RESEARCH)]


@router.get("/research", dependencies=RESEARCH, response_class=HTMLResponse)
def research_page(request: Request, actor: ActorDep) -> HTMLResponse:
    context = {
        "actor": actor,
        "max_shift_days": MAX_SHIFT_DAYS,
        # The export's own allow-list, so the page cannot promise more or less than it sends.
        "shared_parameters": [label(name) for name in NUMERIC_PARAMETERS],
    }
    return render(request, "research/index.html", context)


@router.post("/research/exports", dependencies=RESEARCH, response_model=None)
def ask_for_export(
    clinic: ClinicDep,
    actor: ActorDep,
    dates: Annotated[Literal["shifted", "years"], Form()] = "shifted",
) -> Response:
    job_id = export_jobs.start_research_export(clinic, actor, dates)
    return see_other(f"/research/exports/{job_id}")


@router.get("/research/exports/{export_job_id}", dependencies=RESEARCH, response_class=HTMLResponse)
def export_page(
    request: Request, clinic: ClinicDep, actor: ActorDep, export_job_id: RecordId
) -> HTMLResponse:
    job = export_jobs.research_export_job(clinic, actor, export_job_id)
    return render(request, "research/job.html", {"actor": actor, "job": job})
