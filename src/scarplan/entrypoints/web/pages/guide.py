"""The public decision aid: no sign-in, no session, nothing stored.

The pages read the visitor's answers from the query string and render them; they never touch
the session (no cookie is set), the database or the audit trail, and the answers are not
logged. Each route parses, calls `guide_page` once, and renders.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from scarplan.entrypoints.web.deps import ClinicDep
from scarplan.entrypoints.web.templating import page_response, render_template
from scarplan.services.assessment import NOTICE
from scarplan.services.guide import Step, guide_page
from scarplan.services.guide.content import GuideContent

router = APIRouter(include_in_schema=False)
UNPROCESSABLE = 422
TEMPLATES = {
    Step.START: "guide/start.html",
    Step.SCARS: "guide/scars.html",
    Step.OPTIONS: "guide/options.html",
    Step.COMPARE: "guide/compare.html",
    Step.HOME_CARE: "guide/home_care.html",
    Step.QUESTIONS: "guide/questions.html",
    Step.SUMMARY: "guide/summary.html",
}


# The option grid for each guide content (content id -> (content, html)): it depends on the
# knowledge base alone, which is immutable per process, and is the costliest part to render.
_grids: dict[int, tuple[GuideContent, Markup]] = {}


def _grid(templates: Jinja2Templates, content: GuideContent) -> Markup:
    cached = _grids.get(id(content))
    if cached is None:
        grid = templates.get_template("guide/_grid.html")
        html = Markup(render_template(grid, {"content": content}))
        cached = _grids.setdefault(id(content), (content, html))
    return cached[1]


def _show(request: Request, clinic: ClinicDep, step: Step) -> HTMLResponse:
    page = guide_page(
        step,
        request.query_params.multi_items(),
        clinic.knowledge,
        clinic.settings,
        clinic.today(),
    )
    templates: Jinja2Templates = request.app.state.templates
    # No actor and no CSRF token: the guide is the same for everyone and sets no cookie.
    context: dict[str, Any] = {
        "page": page,
        "steps": list(Step),
        "notice": NOTICE,
        "csrf_token": "",
        "actor": None,
    }
    if step is Step.COMPARE:
        context["grid"] = _grid(templates, page.content)
    return page_response(request, TEMPLATES[step], context, UNPROCESSABLE if page.problems else 200)


@router.get("/guide", response_class=HTMLResponse)
async def guide_start(request: Request, clinic: ClinicDep) -> HTMLResponse:
    return _show(request, clinic, Step.START)


@router.get("/guide/scars", response_class=HTMLResponse)
async def guide_scars(request: Request, clinic: ClinicDep) -> HTMLResponse:
    return _show(request, clinic, Step.SCARS)


@router.get("/guide/options", response_class=HTMLResponse)
async def guide_options(request: Request, clinic: ClinicDep) -> HTMLResponse:
    return _show(request, clinic, Step.OPTIONS)


@router.get("/guide/compare", response_class=HTMLResponse)
async def guide_compare(request: Request, clinic: ClinicDep) -> HTMLResponse:
    return _show(request, clinic, Step.COMPARE)


@router.get("/guide/home-care", response_class=HTMLResponse)
async def guide_home_care(request: Request, clinic: ClinicDep) -> HTMLResponse:
    return _show(request, clinic, Step.HOME_CARE)


@router.get("/guide/questions", response_class=HTMLResponse)
async def guide_questions(request: Request, clinic: ClinicDep) -> HTMLResponse:
    return _show(request, clinic, Step.QUESTIONS)


@router.get("/guide/summary", response_class=HTMLResponse)
async def guide_summary(request: Request, clinic: ClinicDep) -> HTMLResponse:
    return _show(request, clinic, Step.SUMMARY)
