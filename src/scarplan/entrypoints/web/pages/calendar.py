"""The clinic calendar: day and week views by practitioner, device or room; the optimiser
(run, review the moves, confirm or discard); cancelling a booking. The set-up (resources,
hours, days off) has its own pages (clinic_setup)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from scarplan.domain.errors import FieldProblem, InputError, ScarplanError
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, require
from scarplan.entrypoints.web.forms import text
from scarplan.entrypoints.web.ids import RecordId
from scarplan.entrypoints.web.pages.common import form_errors, render, see_other
from scarplan.services.clinic.calendar import appointments, schedule_runs, schedule_setup
from scarplan.services.clinic.calendar.appointments import CalendarAxis
from scarplan.services.clinic.calendar.schedule_setup import ResourceKind
from scarplan.services.clinic.core.access import Permission
from scarplan.services.clinic.core.context import Actor, Clinic

router = APIRouter(include_in_schema=False)
MANAGE = [require(Permission.MANAGE_SCHEDULE)]
DEFAULT_RUN_DAYS = 182
HOURS = range(7, 21)


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _calendar_context(
    clinic: Clinic, actor: Actor, day: date, view: str, by: CalendarAxis
) -> dict[str, Any]:
    setup = schedule_setup.read_setup(clinic, actor)
    first, days = (day, 1) if view == "day" else (_week_start(day), 7)
    lanes = setup.lanes(ResourceKind(by.value)) if setup else []
    shown = appointments.calendar(clinic, actor, first, days, by, lanes)
    step = timedelta(days=days)
    return {
        "actor": actor,
        "setup": setup,
        "calendar": shown,
        "view": view,
        "by": by.value,
        "day": day,
        "previous": first - step,
        "next": first + step,
        "today": clinic.today(),
        "hours": HOURS,
        "axes": list(CalendarAxis),
        "runs": schedule_runs.recent_runs(clinic, actor),
        "run_start": clinic.today() + timedelta(days=1),
        "run_days": DEFAULT_RUN_DAYS,
    }


@router.get(
    "/calendar",
    dependencies=[require(Permission.READ_SCHEDULE), *MANAGE],
    response_class=HTMLResponse,
)
def calendar_page(
    request: Request,
    clinic: ClinicDep,
    actor: ActorDep,
    day: date | None = None,
    view: Literal["day", "week"] = "week",
    by: CalendarAxis = CalendarAxis.PRACTITIONER,
) -> HTMLResponse:
    context = _calendar_context(clinic, actor, day or clinic.today(), view, by)
    return render(request, "calendar/calendar.html", context)


@router.post("/calendar/runs", dependencies=MANAGE, response_model=None)
async def start_run(
    request: Request, clinic: ClinicDep, actor: ActorDep
) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    try:
        start = _date(text(form, "start"), "start")
        days = _int(text(form, "days"), "days")
        job_id = await run_in_threadpool(schedule_runs.start_run, clinic, actor, start, days)
    except ScarplanError as error:
        context = await run_in_threadpool(
            _calendar_context, clinic, actor, clinic.today(), "week", CalendarAxis.PRACTITIONER
        )
        return render(request, "calendar/calendar.html", {**context, **form_errors(error)}, 422)
    return see_other(f"/calendar/runs/{job_id}")


def _date(raw: str, field: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InputError(
            "the run is invalid", [FieldProblem(field, "is not a date", "use YYYY-MM-DD")]
        ) from None


def _int(raw: str, field: str) -> int:
    if not raw.strip().isdigit():
        raise InputError("the run is invalid", [FieldProblem(field, "is not a whole number", "")])
    return int(raw)


@router.get("/calendar/runs/{job_id}", dependencies=MANAGE, response_class=HTMLResponse)
def run_page(
    request: Request, clinic: ClinicDep, actor: ActorDep, job_id: RecordId
) -> HTMLResponse:
    run = schedule_runs.read_run(clinic, actor, job_id)
    setup = schedule_setup.read_setup(clinic, actor)
    return render(request, "calendar/run.html", {"actor": actor, "run": run, "setup": setup})


@router.post("/calendar/runs/{job_id}/{action}", dependencies=MANAGE, response_model=None)
async def settle_run(
    request: Request,
    clinic: ClinicDep,
    actor: ActorDep,
    job_id: RecordId,
    action: Literal["confirm", "discard"],
) -> HTMLResponse | RedirectResponse:
    try:
        if action == "confirm":
            await run_in_threadpool(schedule_runs.confirm_run, clinic, actor, job_id)
        else:
            await run_in_threadpool(schedule_runs.discard_run, clinic, actor, job_id)
    except ScarplanError as error:
        run = await run_in_threadpool(schedule_runs.read_run, clinic, actor, job_id)
        setup = await run_in_threadpool(schedule_setup.read_setup, clinic, actor)
        context = {"actor": actor, "run": run, "setup": setup, **form_errors(error)}
        return render(request, "calendar/run.html", context, form_errors(error)["status"])
    if action == "discard":
        return see_other("/calendar")
    run = await run_in_threadpool(schedule_runs.read_run, clinic, actor, job_id)
    first = run.start.isoformat()
    return see_other(f"/calendar?day={first}&view=week")


@router.post("/appointments/{appointment_id}/cancel", dependencies=MANAGE, response_model=None)
async def cancel_appointment(
    clinic: ClinicDep, actor: ActorDep, appointment_id: RecordId
) -> RedirectResponse:
    booked = await run_in_threadpool(appointments.cancel_appointment, clinic, actor, appointment_id)
    return see_other(f"/calendar?day={booked.day.isoformat()}&view=day")
