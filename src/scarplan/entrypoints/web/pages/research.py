"""The research page: what the de-identified export holds and leaves out, and its download.

The download form sends the researcher to `GET /api/v1/research/export`, which accepts the
browser's session: the page and the API share one route, one service call and one audit entry.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from scarplan.adapters.presentation.wording import label
from scarplan.entrypoints.web.deps import ActorDep, require
from scarplan.entrypoints.web.pages.common import render
from scarplan.services.clinic.core.access import Permission
from scarplan.services.clinic.exchange.research import MAX_SHIFT_DAYS
from scarplan.services.clinic.exchange.research.deidentify import NUMERIC_PARAMETERS

router = APIRouter(include_in_schema=False)
EXPORT_URL = "/api/v1/research/export"


@router.get(
    "/research",
    dependencies=[require(Permission.EXPORT_RESEARCH)],
    response_class=HTMLResponse,
)
def research_page(request: Request, actor: ActorDep) -> HTMLResponse:
    context = {
        "actor": actor,
        "export_url": EXPORT_URL,
        "max_shift_days": MAX_SHIFT_DAYS,
        # The export's own allow-list, so the page cannot promise more or less than it sends.
        "shared_parameters": [label(name) for name in NUMERIC_PARAMETERS],
    }
    return render(request, "research/index.html", context)
