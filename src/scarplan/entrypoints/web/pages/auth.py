"""Signing in and out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from scarplan.domain.errors import AuthenticationError
from scarplan.entrypoints.web.deps import USER_KEY, ClinicDep
from scarplan.entrypoints.web.forms import text
from scarplan.entrypoints.web.pages.common import render, see_other
from scarplan.services.clinic.users import authenticate

router = APIRouter(include_in_schema=False)


def _safe_next(target: str) -> str:
    # Only a path on this site: never an open redirect to another host.
    return target if target.startswith("/") and not target.startswith("//") else "/patients"


@router.get("/")
def home() -> RedirectResponse:
    return see_other("/patients")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/patients") -> HTMLResponse:
    return render(request, "login.html", {"next": _safe_next(next)})


@router.post("/login", response_model=None)
async def login(request: Request, clinic: ClinicDep) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    target = _safe_next(text(form, "next"))
    try:
        actor = await run_in_threadpool(
            authenticate, clinic, text(form, "username"), text(form, "password")
        )
    except AuthenticationError as error:
        context = {"next": target, "error": error, "username": text(form, "username")}
        return render(request, "login.html", context, status=401)
    request.session.clear()
    request.session[USER_KEY] = actor.user_id
    return see_other(target)


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    request.session.clear()
    return see_other("/login")
