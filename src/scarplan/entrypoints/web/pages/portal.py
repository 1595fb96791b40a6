"""The patient portal: a signed-in patient's own pages (services/clinic/accounts/portal.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from scarplan.entrypoints.web.deps import ActorDep, ClinicDep
from scarplan.entrypoints.web.home import PORTAL
from scarplan.entrypoints.web.pages.common import render
from scarplan.services.clinic.accounts.portal import (
    portal_home,
    portal_plan,
    portal_progress,
    portal_records,
    portal_routine,
)
from scarplan.services.clinic.plans.follow_up import latest_review_words

router = APIRouter(include_in_schema=False)

QUESTIONNAIRES = f"{PORTAL}/questionnaires"
"""The questionnaires a patient fills in at home (their own pages, another change's)."""
INTAKE = f"{PORTAL}/intake"
"""The intake at home: about you, skin type, health, what suits you."""
GUIDE = "/guide"
"""The public decision aid (another change's)."""


def _page(request: Request, template: str, page: str, **context: object) -> HTMLResponse:
    links = {"intake": INTAKE, "questionnaires": QUESTIONNAIRES, "guide": GUIDE}
    return render(request, f"portal/{template}", {"portal_page": page, "links": links, **context})


@router.get(PORTAL, response_class=HTMLResponse)
def home(request: Request, clinic: ClinicDep, actor: ActorDep) -> HTMLResponse:
    today = clinic.today()
    found = portal_home(clinic, actor, today)
    return _page(request, "home.html", "home", actor=actor, home=found, today=today)


@router.get(f"{PORTAL}/plan", response_class=HTMLResponse)
def plan(request: Request, clinic: ClinicDep, actor: ActorDep) -> HTMLResponse:
    return _page(request, "plan.html", "plan", actor=actor, found=portal_plan(clinic, actor))


@router.get(f"{PORTAL}/routine", response_class=HTMLResponse)
def routine(request: Request, clinic: ClinicDep, actor: ActorDep) -> HTMLResponse:
    today = clinic.today()
    found = portal_routine(clinic, actor, today)
    return _page(request, "routine.html", "routine", actor=actor, found=found, today=today)


@router.get(f"{PORTAL}/progress", response_class=HTMLResponse)
def progress(request: Request, clinic: ClinicDep, actor: ActorDep) -> HTMLResponse:
    found = portal_progress(clinic, actor)
    review = latest_review_words(clinic, actor, actor.patient_id) if actor.patient_id else None
    return _page(request, "progress.html", "progress", actor=actor, found=found, review=review)


@router.get(f"{PORTAL}/records", response_class=HTMLResponse)
def records(request: Request, clinic: ClinicDep, actor: ActorDep) -> HTMLResponse:
    found = portal_records(clinic, actor)
    return _page(request, "records.html", "records", actor=actor, found=found)
