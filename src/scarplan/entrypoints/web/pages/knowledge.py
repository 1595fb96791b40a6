"""Knowledge-base browser: every scar type, procedure, agent, condition and source, cited."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from scarplan.entrypoints.web.deps import ActorDep, ClinicDep
from scarplan.entrypoints.web.pages.common import render
from scarplan.services.knowledge import (
    EntryKind,
    list_entries,
    read_entry,
    summarize_knowledge_base,
)
from scarplan.services.knowledge_view import shows_internals

router = APIRouter(include_in_schema=False)


@router.get("/kb", response_class=HTMLResponse)
def knowledge_index(
    request: Request,
    clinic: ClinicDep,
    actor: ActorDep,
    kind: EntryKind = EntryKind.MODALITIES,
    q: str = "",
) -> HTMLResponse:
    rows = list_entries(clinic.knowledge, kind)
    needle = q.strip().casefold()
    if needle:
        rows = [r for r in rows if needle in f"{r.id} {r.name} {r.detail}".casefold()]
    context = {
        "kinds": list(EntryKind),
        "kind": kind,
        "rows": rows,
        "q": q,
        "summary": summarize_knowledge_base(clinic.knowledge),
        "internals": shows_internals(actor.role),
        "actor": actor,
    }
    return render(request, "kb/index.html", context)


@router.get("/kb/{entry_id}", response_class=HTMLResponse)
def knowledge_entry(
    request: Request, clinic: ClinicDep, actor: ActorDep, entry_id: str
) -> HTMLResponse:
    view = read_entry(clinic.knowledge, entry_id, actor.role)
    page = view.page
    context = {
        "view": view,
        "page": page,
        "data": page.entry.model_dump(mode="json", exclude_none=True) if view.internals else {},
        "price": page.price.model_dump(mode="json", exclude_none=True)
        if page.price and view.internals
        else None,
        "source_ids": set(clinic.knowledge.sources),
        "actor": actor,
    }
    return render(request, "kb/entry.html", context)
