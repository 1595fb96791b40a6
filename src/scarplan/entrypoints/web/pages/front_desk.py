"""The front desk: the day's appointments with check-in, no-show and cancel; booking and
moving an appointment by picking a free slot."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from scarplan.domain.errors import FieldProblem, InputError, ScarplanError
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, require
from scarplan.entrypoints.web.errors import status_of
from scarplan.entrypoints.web.forms import text
from scarplan.entrypoints.web.ids import MAX_ID, RecordId
from scarplan.entrypoints.web.pages.common import render, see_other
from scarplan.services.clinic.calendar import front_desk
from scarplan.services.clinic.calendar.front_desk import BookingRequest, VisitKind
from scarplan.services.clinic.core.access import Permission
from scarplan.services.clinic.core.context import Actor, Clinic

router = APIRouter(include_in_schema=False)
DESK = [require(Permission.LIST_PATIENTS), require(Permission.MANAGE_SCHEDULE)]
ACTIONS = {
    "check-in": front_desk.check_in,
    "no-show": front_desk.mark_no_show,
    "cancel": front_desk.cancel,
}
OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def _day_context(clinic: Clinic, actor: Actor, day: date) -> dict[str, Any]:
    shown = front_desk.desk_day(clinic, actor, day)
    return {
        "actor": actor,
        "desk": shown,
        "previous": day - timedelta(days=1),
        "next": day + timedelta(days=1),
    }


@router.get("/desk", dependencies=DESK, response_class=HTMLResponse)
def desk_page(
    request: Request, clinic: ClinicDep, actor: ActorDep, day: date | None = None
) -> HTMLResponse:
    context = _day_context(clinic, actor, day or clinic.today())
    return render(request, "desk/day.html", context)


@router.post("/desk/appointments/{appointment_id}/{action}", dependencies=DESK, response_model=None)
async def change_appointment(
    request: Request,
    clinic: ClinicDep,
    actor: ActorDep,
    appointment_id: RecordId,
    action: Literal["check-in", "no-show", "cancel"],
) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    back = _day(text(form, "day"), "day") if text(form, "day") else clinic.today()
    try:
        changed = await run_in_threadpool(ACTIONS[action], clinic, actor, appointment_id)
    except ScarplanError as error:
        context = {**await run_in_threadpool(_day_context, clinic, actor, back), "refusal": error}
        return render(request, "desk/day.html", context, status_of(error))
    return see_other(f"/desk?day={changed.day.isoformat()}#appointment-{changed.id}")


def _request(
    patient: int | None, kind: str, session: str, appointment: int | None
) -> BookingRequest:
    if patient is None:
        raise InputError(
            "the booking is invalid",
            [FieldProblem("patient", "is missing", "open the booking from a patient's page")],
        )
    try:
        visit = VisitKind(kind or VisitKind.PROCEDURE.value)
    except ValueError:
        raise InputError(
            "the booking is invalid",
            [FieldProblem("kind", "is not a procedure, follow-up or outcome review", "")],
        ) from None
    return BookingRequest(patient, visit, session or None, appointment)


def _book_context(
    clinic: Clinic,
    actor: Actor,
    booking: BookingRequest,
    earliest: date | None,
    latest: date | None,
    day: date | None,
) -> dict[str, Any]:
    page = front_desk.booking_page(clinic, actor, booking, earliest, latest, day)
    return {
        "actor": actor,
        "page": page,
        "previous": page.day - timedelta(days=1),
        "next": page.day + timedelta(days=1),
        "today": clinic.today(),
    }


@router.get("/desk/book", dependencies=DESK, response_class=HTMLResponse)
def book_page(
    request: Request,
    clinic: ClinicDep,
    actor: ActorDep,
    patient: OptionalId = None,
    kind: str = "",
    session: str = "",
    appointment: OptionalId = None,
    earliest: date | None = None,
    latest: date | None = None,
    day: date | None = None,
) -> HTMLResponse:
    booking = _request(patient, kind, session, appointment)
    return render(
        request, "desk/book.html", _book_context(clinic, actor, booking, earliest, latest, day)
    )


@router.post("/desk/book", dependencies=DESK, response_model=None)
async def book(
    request: Request, clinic: ClinicDep, actor: ActorDep
) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    booking = _request(
        _id(form, "patient"), text(form, "kind"), text(form, "session"), _id(form, "appointment")
    )
    day = _day(text(form, "day"), "day")
    try:
        booked = await run_in_threadpool(
            front_desk.book,
            clinic,
            actor,
            booking,
            day,
            text(form, "start"),
            text(form, "practitioner"),
            text(form, "device") or None,
            text(form, "room"),
        )
    except ScarplanError as error:
        earliest = _optional_day(text(form, "earliest"), "earliest")
        latest = _optional_day(text(form, "latest"), "latest")
        shown = await run_in_threadpool(
            _book_context, clinic, actor, booking, earliest, latest, day
        )
        context = {**shown, "refusal": error}
        return render(request, "desk/book.html", context, status_of(error))
    return see_other(f"/desk?day={booked.day.isoformat()}#appointment-{booked.id}")


@router.get("/patients/{patient_id}/book-next", dependencies=DESK, response_model=None)
def book_next(
    request: Request, clinic: ClinicDep, actor: ActorDep, patient_id: RecordId
) -> HTMLResponse | RedirectResponse:
    """The booking page of the patient's next planned session not yet booked, opened on its
    window (from the plan's day, not before today)."""
    upcoming = front_desk.next_session(clinic, actor, patient_id)
    if upcoming is None:
        context = {
            "actor": actor,
            "refusal": InputError(
                "there is no planned session left to book",
                [
                    FieldProblem(
                        "patient", "every session of the accepted plan is booked or done", ""
                    )
                ],
            ),
        }
        return render(request, "desk/nothing.html", {**context, "patient_id": patient_id}, 409)
    return see_other(
        f"/desk/book?patient={patient_id}&kind=procedure&session={upcoming.session_key}"
        f"&earliest={upcoming.earliest.isoformat()}"
    )


def _id(form: FormData, name: str) -> int | None:
    raw = text(form, name)
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        raise InputError("the booking is invalid", [FieldProblem(name, "is not a record", "")])
    return int(raw)


def _day(raw: str, field: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InputError(
            "the booking is invalid",
            [FieldProblem(field, "is not a date", "choose a day from the calendar")],
        ) from None


def _optional_day(raw: str, field: str) -> date | None:
    return _day(raw, field) if raw else None
