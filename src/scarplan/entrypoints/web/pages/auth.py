"""Signing in and out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from scarplan.domain.errors import AuthenticationError, RateLimitedError
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep
from scarplan.entrypoints.web.errors import status_of
from scarplan.entrypoints.web.forms import text
from scarplan.entrypoints.web.home import home_of
from scarplan.entrypoints.web.pages.common import render, see_other
from scarplan.entrypoints.web.signin import close_session, open_session

router = APIRouter(include_in_schema=False)


def _safe_next(target: str) -> str:
    # Only a path on this site: never an open redirect to another host.
    return target if target.startswith("/") and not target.startswith("//") else "/patients"


@router.get("/")
def home(actor: ActorDep) -> RedirectResponse:
    """The start page of the signed-in user's role (the logo's link); sign-in first if none."""
    return see_other(home_of(actor))


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/patients") -> HTMLResponse:
    return render(request, "login.html", {"next": _safe_next(next)})


@router.post("/login", response_model=None)
async def login(request: Request, clinic: ClinicDep) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    target = _safe_next(text(form, "next"))
    try:
        actor = await open_session(request, clinic, text(form, "username"), text(form, "password"))
    except (AuthenticationError, RateLimitedError) as error:
        context = {"next": target, "error": error, "username": text(form, "username")}
        return render(request, "login.html", context, status=status_of(error))
    return see_other(home_of(actor) if target == "/patients" else target)


@router.post("/logout")
async def logout(request: Request, clinic: ClinicDep) -> RedirectResponse:
    await close_session(request, clinic)
    return see_other("/login")
