"""The knowledge base, read-only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from scarplan.entrypoints.web.api.common import ERRORS, PREFIX
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep
from scarplan.services.knowledge import EntryKind, EntryRow, list_entries, show_entry

router = APIRouter(prefix=PREFIX, tags=["knowledge"], responses=ERRORS)


@router.get("/kb/{kind}")
def entries(clinic: ClinicDep, actor: ActorDep, kind: EntryKind) -> list[EntryRow]:
    return list_entries(clinic.knowledge, kind)


@router.get("/kb/entry/{entry_id}")
def entry(clinic: ClinicDep, actor: ActorDep, entry_id: str) -> dict[str, Any]:
    page = show_entry(clinic.knowledge, entry_id)
    return {
        "kind": page.kind,
        "entry": page.entry.model_dump(mode="json", exclude_none=True),
        "price": page.price.model_dump(mode="json", exclude_none=True) if page.price else None,
        "sources": [s.model_dump(mode="json", exclude_none=True) for s in page.sources],
    }
