"""The clinic's set-up pages: practitioners, devices and rooms (add, edit, retire), opening
hours, session lengths and days off, with forms and pickers (no JSON, no typed ids). Each form
parses its fields, calls one service (setup_forms, schedule_setup) and shows the set-up again,
or the form with each refused field's message."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from scarplan.domain.errors import FieldProblem, InputError, ScarplanError
from scarplan.domain.vocabulary import Modality
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, require
from scarplan.entrypoints.web.forms import form_date, text, texts
from scarplan.entrypoints.web.pages.common import form_errors, render, see_other
from scarplan.scheduling.model import WEEKDAYS
from scarplan.services.clinic.calendar import schedule_setup, setup_forms
from scarplan.services.clinic.calendar.schedule_setup import ResourceKind
from scarplan.services.clinic.calendar.setup_forms import DAY_NAMES, DayHours, ResourceForm
from scarplan.services.clinic.core.access import Permission
from scarplan.services.clinic.core.context import Actor, Clinic

router = APIRouter(include_in_schema=False)
SETUP = [require(Permission.MANAGE_SETUP)]
PAGE = "/calendar/setup"
TITLES = {
    ResourceKind.PRACTITIONER: "practitioner",
    ResourceKind.DEVICE: "device",
    ResourceKind.ROOM: "room",
}


def _kind(raw: str) -> ResourceKind:
    try:
        return ResourceKind(raw)
    except ValueError:
        raise InputError(
            "no such kind of resource",
            [FieldProblem("kind", "Choose a practitioner, a device or a room")],
        ) from None


def _errors(error: ScarplanError) -> dict[str, Any]:
    """The form's errors for these pages, which say each one in words beside its field (and
    the rest in their own summary): not the layout's summary, which names field paths."""
    shown = form_errors(error)
    shown["setup_error"] = shown.pop("error")
    return shown


def _page_context(clinic: Clinic, actor: Actor) -> dict[str, Any]:
    page = setup_forms.read_setup_page(clinic, actor)
    return {
        "actor": actor,
        "page": page,
        "setup": page.setup,
        "kinds": list(ResourceKind),
        "weekdays": [(d, DAY_NAMES[d]) for d in WEEKDAYS],
        "today": clinic.today(),
        "entered": {},
    }


def _with_error(
    request: Request, clinic: Clinic, actor: Actor, error: ScarplanError, entered: dict[str, Any]
) -> HTMLResponse:
    context = {**_page_context(clinic, actor), **_errors(error), "entered": entered}
    return render(request, "calendar/setup.html", context, form_errors(error)["status"])


@router.get(PAGE, dependencies=SETUP, response_class=HTMLResponse)
def setup_page(request: Request, clinic: ClinicDep, actor: ActorDep) -> HTMLResponse:
    return render(request, "calendar/setup.html", _page_context(clinic, actor))


@router.post(f"{PAGE}/start", dependencies=SETUP, response_model=None)
async def start_setup(
    request: Request, clinic: ClinicDep, actor: ActorDep
) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    try:
        await run_in_threadpool(
            setup_forms.start_setup,
            clinic,
            actor,
            text(form, "practitioner"),
            text(form, "room"),
            texts(form, "procedures"),
        )
    except ScarplanError as error:
        return _with_error(request, clinic, actor, error, dict(form))
    return see_other(PAGE)


def _hours(form: FormData, prefix: str) -> dict[Any, DayHours]:
    return {
        d: DayHours(text(form, f"{prefix}_{d}_start"), text(form, f"{prefix}_{d}_end"))
        for d in WEEKDAYS
    }


@router.post(f"{PAGE}/hours", dependencies=SETUP, response_model=None)
async def save_opening_hours(
    request: Request, clinic: ClinicDep, actor: ActorDep
) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    try:
        await run_in_threadpool(
            setup_forms.save_opening_hours,
            clinic,
            actor,
            _hours(form, "open"),
            text(form, "reason"),
        )
    except ScarplanError as error:
        return _with_error(request, clinic, actor, error, {"opening": dict(form)})
    return see_other(f"{PAGE}#hours")


@router.post(f"{PAGE}/durations", dependencies=SETUP, response_model=None)
async def save_durations(
    request: Request, clinic: ClinicDep, actor: ActorDep
) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    entered = {m.value: text(form, f"duration_{m.value}") for m in Modality}
    try:
        await run_in_threadpool(
            setup_forms.save_durations, clinic, actor, entered, text(form, "reason")
        )
    except ScarplanError as error:
        return _with_error(request, clinic, actor, error, {"durations": entered})
    return see_other(f"{PAGE}#durations")


def _who(raw: str) -> tuple[ResourceKind | None, str | None]:
    """The days-off form's "who" select: "clinic", or "<kind>:<resource>"."""
    if raw == "clinic":
        return None, None
    kind, _, resource = raw.partition(":")
    if not resource:
        raise InputError(
            "the days off are invalid",
            [FieldProblem("who", "Choose who is away (or the whole clinic) from the list")],
        )
    return _kind(kind), resource


@router.post("/calendar/days-off", dependencies=SETUP, response_model=None)
async def add_days_off(
    request: Request, clinic: ClinicDep, actor: ActorDep
) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    try:
        kind, resource = _who(text(form, "who"))
        first = form_date(text(form, "first"), "first", "the first day off")
        last_raw = text(form, "last")
        last = form_date(last_raw, "last", "the last day off") if last_raw else first
        await run_in_threadpool(
            schedule_setup.add_days_off,
            clinic,
            actor,
            kind,
            resource,
            first,
            last,
            text(form, "reason"),
        )
    except ScarplanError as error:
        return _with_error(request, clinic, actor, error, {"days_off": dict(form)})
    return see_other(f"{PAGE}#days-off")


@router.post("/calendar/days-off/{position}/remove", dependencies=SETUP, response_model=None)
async def remove_days_off(
    request: Request, clinic: ClinicDep, actor: ActorDep, position: int
) -> HTMLResponse | RedirectResponse:
    try:
        await run_in_threadpool(schedule_setup.remove_days_off, clinic, actor, position, "")
    except ScarplanError as error:
        return _with_error(request, clinic, actor, error, {})
    return see_other(f"{PAGE}#days-off")


# --- one practitioner, device or room ---------------------------------------------------------


def _resource_context(
    clinic: Clinic, actor: Actor, kind: ResourceKind, resource_id: str | None
) -> dict[str, Any]:
    page = setup_forms.read_setup_page(clinic, actor)
    setup = page.setup
    current: Any = None
    if setup is not None and resource_id is not None:
        current = setup.resource(kind, resource_id)
        if current is None:
            raise InputError(
                f"no such {TITLES[kind]}",
                [FieldProblem("id", f"This {TITLES[kind]} is not in the set-up: go back")],
            )
    entered: dict[str, Any] = {"name": "", "procedures": [], "device_kind": "", "hours": {}}
    if current is not None:
        entered = {
            "name": current.name,
            "procedures": [p.value for p in (current.procedures or [])],
            "device_kind": getattr(current, "kind", ""),
            "hours": {
                d: {"start": r[0].start, "end": r[0].end}
                for d, r in getattr(current, "hours", {}).items()
                if r
            },
        }
    return {
        "actor": actor,
        "page": page,
        "setup": setup,
        "kind": kind,
        "what": TITLES[kind],
        "resource_id": resource_id,
        "entered": entered,
        "weekdays": [(d, DAY_NAMES[d]) for d in WEEKDAYS],
        "modality_devices": {
            m.value: clinic.knowledge.modalities[m].device
            for m in Modality
            if m in clinic.knowledge.modalities
        },
    }


@router.get("/calendar/setup/resources/{kind}", dependencies=SETUP, response_class=HTMLResponse)
def resource_form(
    request: Request, clinic: ClinicDep, actor: ActorDep, kind: str, id: str | None = None
) -> HTMLResponse:
    context = _resource_context(clinic, actor, _kind(kind), id or None)
    return render(request, "calendar/resource.html", context)


def _resource_entered(form: FormData, kind: ResourceKind) -> ResourceForm:
    return ResourceForm(
        kind=kind,
        name=text(form, "name"),
        procedures=texts(form, "procedures"),
        device_kind=text(form, "device_kind"),
        hours=_hours(form, "hours") if kind is ResourceKind.PRACTITIONER else {},
        original_id=text(form, "id") or None,
        reason=text(form, "reason"),
    )


@router.post("/calendar/setup/resources/{kind}", dependencies=SETUP, response_model=None)
async def save_resource(
    request: Request, clinic: ClinicDep, actor: ActorDep, kind: str
) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    chosen = _kind(kind)
    entered = _resource_entered(form, chosen)
    try:
        await run_in_threadpool(setup_forms.save_resource, clinic, actor, entered)
    except ScarplanError as error:
        context = await run_in_threadpool(
            _resource_context, clinic, actor, chosen, entered.original_id
        )
        context["entered"] = {
            "name": entered.name,
            "procedures": entered.procedures,
            "device_kind": entered.device_kind,
            "hours": {d: {"start": h.start, "end": h.end} for d, h in entered.hours.items()},
        }
        context.update(_errors(error))
        return render(request, "calendar/resource.html", context, form_errors(error)["status"])
    return see_other(f"{PAGE}#{chosen.value}s")


@router.post(
    "/calendar/setup/resources/{kind}/{resource_id}/retire", dependencies=SETUP, response_model=None
)
async def retire_resource(
    request: Request, clinic: ClinicDep, actor: ActorDep, kind: str, resource_id: str
) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    chosen = _kind(kind)
    try:
        await run_in_threadpool(
            setup_forms.retire_resource, clinic, actor, chosen, resource_id, text(form, "reason")
        )
    except ScarplanError as error:
        context = await run_in_threadpool(_resource_context, clinic, actor, chosen, resource_id)
        context.update(_errors(error))
        return render(request, "calendar/resource.html", context, form_errors(error)["status"])
    return see_other(f"{PAGE}#{chosen.value}s")
