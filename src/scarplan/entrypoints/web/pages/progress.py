"""Progress: score trends as charts, before/after photos per region, photo upload."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from scarplan.domain.errors import FieldProblem, InputError
from scarplan.entrypoints.web.charts import Chart, trend_chart
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, require
from scarplan.entrypoints.web.forms import photo
from scarplan.entrypoints.web.home import PORTAL, is_patient
from scarplan.entrypoints.web.ids import RecordId
from scarplan.entrypoints.web.lanes import run_slow
from scarplan.entrypoints.web.pages.common import form_errors, render, see_other
from scarplan.services.clinic.core.access import Permission
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.inputs import ConsentScope, PhotoAngle
from scarplan.services.clinic.records.outcomes import OutcomeSeries
from scarplan.services.clinic.records.patients import get_patient
from scarplan.services.clinic.records.photos import add_photo
from scarplan.services.clinic.records.progress import Progress, patient_progress
from scarplan.services.clinic.records.sessions import list_sessions

router = APIRouter(include_in_schema=False)

QUALITATIVE_TOP_GRADE = 4


def axis_top(values: list[float], scale_max: float | None) -> float:
    """A round axis top a little above the highest value, never above the scale's maximum:
    drawn to the full scale, a mild patient's trend would be a flat line at the bottom."""
    highest = max(values, default=0) * 1.25
    ceiling = scale_max if scale_max is not None else float("inf")
    for magnitude in (1, 10, 100, 1000):
        for step in (1, 2, 5):
            if step * magnitude >= highest:
                return min(float(step * magnitude), ceiling)
    return ceiling if scale_max is not None else highest


def charts(progress: Progress) -> list[Chart]:
    """One chart per scale, each drawn to its published maximum (from the assessments)."""
    points = progress.points
    sessions = [(day, modality) for day, modality in progress.sessions]
    latest = points[-1]
    return [
        trend_chart(
            "Goodman & Baron quantitative score",
            [(p.assessed_on, p.goodman_baron_quantitative) for p in points],
            axis_top(
                [p.goodman_baron_quantitative for p in points],
                latest.goodman_baron_quantitative_max,
            ),
            sessions,
        ),
        trend_chart(
            "ECCA score",
            [(p.assessed_on, float(p.ecca)) for p in points],
            axis_top([float(p.ecca) for p in points], latest.ecca_max),
            sessions,
        ),
        trend_chart(
            "Goodman & Baron qualitative grade",
            [(p.assessed_on, float(p.goodman_baron_qualitative)) for p in points],
            QUALITATIVE_TOP_GRADE,
            sessions,
        ),
    ]


def _answer_ticks(series: OutcomeSeries) -> int:
    """A tick per answer on a short scale (1-7, 1-5), not steps of 1.5."""
    steps = series.highest - series.lowest
    return int(steps) if steps.is_integer() and 1 <= steps <= 10 else 4


def outcome_charts(progress: Progress) -> list[Chart]:
    """One chart per patient-reported outcome, drawn over the instrument's whole range."""
    return [
        trend_chart(
            f"{series.title} ({'higher' if series.higher_is_better else 'lower'} is better)",
            [(p.answered_on, p.score) for p in series.points],
            series.highest,
            progress.sessions,
            bottom_value=series.lowest,
            ticks=_answer_ticks(series),
        )
        for series in progress.outcomes
    ]


def _context(clinic: Clinic, actor: Actor, patient_id: int) -> dict[str, object]:
    progress = patient_progress(clinic, actor, patient_id)
    return {
        "patient": get_patient(clinic, actor, patient_id),
        "progress": progress,
        "charts": charts(progress) if progress.points else [],
        "outcome_charts": outcome_charts(progress),
        "photos": progress.photos,
        "sessions": list_sessions(clinic, actor, patient_id),
        "angles": list(PhotoAngle),
        "consents": list(ConsentScope),
        "today": clinic.today(),
    }


@router.get("/patients/{patient_id}/progress", response_class=HTMLResponse, response_model=None)
def progress_page(
    request: Request, clinic: ClinicDep, actor: ActorDep, patient_id: RecordId
) -> HTMLResponse | RedirectResponse:
    if is_patient(actor) and patient_id == actor.patient_id:
        return see_other(f"{PORTAL}/progress")  # progress in words, made for them
    return render(
        request, "patients/progress.html", {**_context(clinic, actor, patient_id), "actor": actor}
    )


@router.post(
    "/patients/{patient_id}/photos",
    dependencies=[require(Permission.WRITE_CLINICAL)],
    response_model=None,
)
async def upload_photo(
    request: Request, clinic: ClinicDep, actor: ActorDep, patient_id: RecordId
) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile):
            raise InputError("the photo was not accepted", [FieldProblem("file", "no file", "")])
        data = await upload.read(clinic.settings.photo_max_bytes + 1)
        await run_slow(add_photo, clinic, actor, patient_id, photo(form), data)
    except InputError as error:
        shown = await run_in_threadpool(_context, clinic, actor, patient_id)
        context = {**shown, **form_errors(error), "actor": actor}
        return render(request, "patients/progress.html", context, status=422)
    return see_other(f"/patients/{patient_id}/progress")
