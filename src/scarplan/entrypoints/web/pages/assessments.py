"""Assessment on the face map: lesion groups per region, scales updating as they are entered."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from scarplan.adapters.presentation.wording import REGION_LABELS
from scarplan.adapters.presentation.words import Where
from scarplan.domain.errors import InputError
from scarplan.domain.vocabulary import Region
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, require
from scarplan.entrypoints.web.forms import assessment
from scarplan.entrypoints.web.ids import RecordId
from scarplan.entrypoints.web.pages.common import form_errors, render, see_other
from scarplan.services.clinic.core.access import Permission
from scarplan.services.clinic.records.assessments import (
    get_assessment,
    list_assessments,
    preview_assessment,
    record_assessment,
)
from scarplan.services.clinic.records.patients import get_patient

router = APIRouter(include_in_schema=False)


def face_regions(
    lesions: list[dict[str, Any]], selected: str | None = None
) -> list[dict[str, Any]]:
    counts: dict[str, int] = {}
    for lesion in lesions:
        count = lesion.get("count")
        if isinstance(count, int) and isinstance(lesion.get("region"), str):
            counts[lesion["region"]] = counts.get(lesion["region"], 0) + count
    return [
        {
            "id": region.value,
            "label": REGION_LABELS[region],
            "count": counts.get(region.value, 0),
            "selected": region.value == selected,
        }
        for region in Region
    ]


@router.get(
    "/patients/{patient_id}/assessments/new",
    dependencies=[require(Permission.WRITE_CLINICAL)],
    response_class=HTMLResponse,
)
def new_assessment(
    request: Request, clinic: ClinicDep, actor: ActorDep, patient_id: RecordId
) -> HTMLResponse:
    patient = get_patient(clinic, actor, patient_id)
    earlier = list_assessments(clinic, actor, patient_id)
    # A re-assessment starts from the last one: the clinician updates counts rather than retyping.
    lesions = earlier[-1].lesions if earlier else []
    entered = {"date": clinic.today().isoformat(), "lesions": lesions, "notes": ""}
    context = {
        "patient": patient,
        "entered": entered,
        "face_regions": face_regions(lesions),
        "from_previous": bool(earlier),
        "actor": actor,
    }
    return render(request, "assessments/new.html", context)


@router.post(
    "/patients/{patient_id}/assessments/preview",
    dependencies=[require(Permission.WRITE_CLINICAL)],
    response_class=HTMLResponse,
)
async def preview(
    request: Request, clinic: ClinicDep, actor: ActorDep, patient_id: RecordId
) -> HTMLResponse:
    form = await request.form()
    entered = assessment(form)
    selected = form.get("composer_region")
    context: dict[str, Any] = {
        "face_regions": face_regions(
            entered["lesions"], selected if isinstance(selected, str) else None
        ),
        "oob": True,
    }
    if not entered["lesions"]:
        return render(request, "partials/scores.html", {**context, "empty": True})
    try:
        result = await run_in_threadpool(preview_assessment, clinic, actor, patient_id, entered)
    except InputError as error:
        where = Where(lesions=tuple(entered["lesions"]))
        return render(request, "partials/scores.html", {**context, **form_errors(error, where)})
    return render(request, "partials/scores.html", {**context, "result": result})


@router.post(
    "/patients/{patient_id}/assessments",
    dependencies=[require(Permission.WRITE_CLINICAL)],
    response_model=None,
)
async def save_assessment(
    request: Request, clinic: ClinicDep, actor: ActorDep, patient_id: RecordId
) -> HTMLResponse | RedirectResponse:
    entered = assessment(await request.form())
    try:
        saved = await run_in_threadpool(record_assessment, clinic, actor, patient_id, entered)
    except InputError as error:
        context = {
            "patient": await run_in_threadpool(get_patient, clinic, actor, patient_id),
            "entered": entered,
            "face_regions": face_regions(entered["lesions"]),
            "actor": actor,
            **form_errors(error, Where(lesions=tuple(entered["lesions"]))),
        }
        return render(request, "assessments/new.html", context, status=422)
    return see_other(f"/assessments/{saved.id}")


@router.get("/assessments/{assessment_id}", response_class=HTMLResponse)
def show_assessment(
    request: Request, clinic: ClinicDep, actor: ActorDep, assessment_id: RecordId
) -> HTMLResponse:
    record = get_assessment(clinic, actor, assessment_id)
    context = {
        "a": record,
        "patient": get_patient(clinic, actor, record.patient_id),
        "face_regions": face_regions(record.lesions),
        "actor": actor,
    }
    return render(request, "assessments/show.html", context)
