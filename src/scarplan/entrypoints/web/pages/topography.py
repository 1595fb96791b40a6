"""3D height maps of a patient: upload for a region, the analysis job, the overlay and the
measurements, and recording the scars found as a new assessment."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from scarplan.domain.errors import FieldProblem, InputError, ScarplanError
from scarplan.domain.vocabulary import Region
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, require
from scarplan.entrypoints.web.forms import text
from scarplan.entrypoints.web.ids import RecordId
from scarplan.entrypoints.web.pages.common import form_errors, render, see_other
from scarplan.services.clinic.core.access import Permission
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.records import stored_topography
from scarplan.services.clinic.records.patients import get_patient
from scarplan.services.topography_files import example_map as run_example

router = APIRouter(include_in_schema=False)
WRITE = [require(Permission.WRITE_CLINICAL)]


def _context(clinic: Clinic, actor: Actor, patient_id: int) -> dict[str, Any]:
    return {
        "actor": actor,
        "patient": get_patient(clinic, actor, patient_id),
        "analyses": stored_topography.list_analyses(clinic, actor, patient_id),
        "regions": list(Region),
        "today": clinic.today(),
        "entered": {},
    }


@router.get("/patients/{patient_id}/topography", response_class=HTMLResponse)
def topography_list(
    request: Request, clinic: ClinicDep, actor: ActorDep, patient_id: RecordId
) -> HTMLResponse:
    return render(request, "topography/list.html", _context(clinic, actor, patient_id))


@router.post("/patients/{patient_id}/topography", dependencies=WRITE, response_model=None)
async def upload_map(
    request: Request, clinic: ClinicDep, actor: ActorDep, patient_id: RecordId
) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    upload = form.get("file")
    entered = {
        key: value
        for key in ("region", "taken_on", "pixel_size_mm", "z_unit")
        if (value := text(form, key).strip())
    }
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InputError(
                "the height map was not accepted", [FieldProblem("file", "no file", "")]
            )
        data = await upload.read(stored_topography.MAX_BYTES + 1)
        job_id = await run_in_threadpool(
            stored_topography.start_analysis,
            clinic,
            actor,
            patient_id,
            entered,
            upload.filename,
            data,
        )
    except ScarplanError as error:
        shown = await run_in_threadpool(_context, clinic, actor, patient_id)
        context = {**shown, "entered": entered, **form_errors(error)}
        return render(request, "topography/list.html", context, 422)
    return see_other(f"/topography/jobs/{job_id}")


def _file_download(name: str, data: bytes) -> Response:
    """A height-map file to save: its name reduced to safe characters, never cached (a kept
    map is patient data)."""
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in name) or "height-map"
    return Response(
        data,
        media_type="application/octet-stream",
        headers={
            "content-disposition": f'attachment; filename="{safe}"',
            "cache-control": "private, no-store",
        },
    )


@router.get("/topography/example.gsf", dependencies=WRITE)
def example_map() -> Response:
    return _file_download(*run_example())


@router.get("/topography/jobs/{analysis_job_id}", response_model=None)
def analysis_job(
    request: Request, clinic: ClinicDep, actor: ActorDep, analysis_job_id: RecordId
) -> Response:
    job = stored_topography.analysis_job(clinic, actor, analysis_job_id)
    if job.status == "done" and job.result:
        finished = f"/topography/{job.result['topography_id']}"
        if request.headers.get("HX-Request") == "true":
            # The page's poll: a plain redirect would be followed inside the request and the
            # analysis page swapped into the job's box (which it lacks, leaving it empty).
            return Response(status_code=200, headers={"HX-Redirect": finished})
        return see_other(finished)
    return render(request, "topography/job.html", {"actor": actor, "job": job})


@router.get("/topography/{topography_id}", response_class=HTMLResponse)
def analysis_page(
    request: Request, clinic: ClinicDep, actor: ActorDep, topography_id: RecordId
) -> HTMLResponse:
    found = stored_topography.get_analysis(clinic, actor, topography_id)
    context = {
        "actor": actor,
        "analysis": found,
        "patient": get_patient(clinic, actor, found.patient_id),
    }
    return render(request, "topography/analysis.html", context)


@router.get("/topography/{topography_id}/map")
def height_map_file(clinic: ClinicDep, actor: ActorDep, topography_id: RecordId) -> Response:
    return _file_download(*stored_topography.height_map_file(clinic, actor, topography_id))


@router.post("/topography/{topography_id}/reanalyse", dependencies=WRITE, response_model=None)
async def reanalyse(
    clinic: ClinicDep, actor: ActorDep, topography_id: RecordId
) -> RedirectResponse:
    job_id = await run_in_threadpool(
        stored_topography.start_reanalysis, clinic, actor, topography_id
    )
    return see_other(f"/topography/jobs/{job_id}")


@router.get("/topography/{topography_id}/overlay.png")
def overlay(clinic: ClinicDep, actor: ActorDep, topography_id: RecordId) -> Response:
    png = stored_topography.overlay_png(clinic, actor, topography_id)
    return Response(png, media_type="image/png", headers={"cache-control": "private, no-store"})


@router.post("/topography/{topography_id}/assessment", dependencies=WRITE, response_model=None)
async def record_assessment(
    request: Request, clinic: ClinicDep, actor: ActorDep, topography_id: RecordId
) -> HTMLResponse | RedirectResponse:
    try:
        assessment_id = await run_in_threadpool(
            stored_topography.record_assessment, clinic, actor, topography_id
        )
    except ScarplanError as error:
        found = await run_in_threadpool(
            stored_topography.get_analysis, clinic, actor, topography_id
        )
        context = {
            "actor": actor,
            "analysis": found,
            "patient": await run_in_threadpool(get_patient, clinic, actor, found.patient_id),
            **form_errors(error),
        }
        return render(request, "topography/analysis.html", context, form_errors(error)["status"])
    return see_other(f"/assessments/{assessment_id}")
