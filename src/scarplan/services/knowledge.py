"""Knowledge-base use cases: validate, list, show."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel

from scarplan.domain.errors import FieldProblem, InputError, NotFoundError
from scarplan.knowledge import KnowledgeBase, load_knowledge_base
from scarplan.knowledge.schema.common import cited_source_ids, iter_models
from scarplan.knowledge.schema.modalities import ModalityEntry, PriceEstimate
from scarplan.knowledge.schema.sources import Source
from scarplan.services.knowledge_view import PeopleEntry, people_entry, shows_internals


class EntryKind(StrEnum):
    SCAR_TYPES = "scar-types"
    MODALITIES = "modalities"
    AGENTS = "agents"
    CONDITIONS = "conditions"
    SOURCES = "sources"


@dataclass(frozen=True)
class ValidationSummary:
    counts: dict[str, int]
    unverified_values: int
    gaps: tuple[str, ...]
    """Facts the planner would like but the sources do not give (shown, not fatal)."""


@dataclass(frozen=True)
class EntryRow:
    id: str
    name: str
    detail: str


@dataclass(frozen=True)
class EntryPage:
    kind: str
    entry: BaseModel
    sources: tuple[Source, ...]
    price: PriceEstimate | None = None


def validate_knowledge_base(knowledge_dir: Path | None) -> ValidationSummary:
    """Load from disk, fresh, so a reviewer's edit is checked (raises KnowledgeBaseError)."""
    return summarize_knowledge_base(load_knowledge_base(knowledge_dir))


def summarize_knowledge_base(knowledge: KnowledgeBase) -> ValidationSummary:
    gaps = [
        f"{modality.id.value}: no published interval_weeks (a single session: not needed)"
        for modality in knowledge.modalities.values()
        if modality.interval_weeks is None
    ]
    return ValidationSummary(
        counts={
            "sources": len(knowledge.sources),
            "scar types": len(knowledge.scar_types),
            "procedures": len(knowledge.modalities),
            "prices": len(knowledge.prices),
            "agents": len(knowledge.agents),
            "agent conflicts": len(knowledge.conflicts),
            "conditions": len(knowledge.conditions),
            "sequence rules": len(knowledge.sequencing.sequence),
        },
        unverified_values=sum(1 for _ in _unverified(knowledge)),
        gaps=tuple(gaps),
    )


def list_entries(knowledge: KnowledgeBase, kind: EntryKind) -> list[EntryRow]:
    if kind is EntryKind.SCAR_TYPES:
        return [
            EntryRow(e.id.value, e.name, e.morphology.profile.value)
            for e in knowledge.scar_types.values()
        ]
    if kind is EntryKind.MODALITIES:
        return [
            EntryRow(e.id.value, e.name, e.category.value) for e in knowledge.modalities.values()
        ]
    if kind is EntryKind.AGENTS:
        return [
            EntryRow(e.id.value, e.name, e.agent_class.value) for e in knowledge.agents.values()
        ]
    if kind is EntryKind.CONDITIONS:
        return [
            EntryRow(e.id.value, e.name, f"{len(e.effects)} effects")
            for e in knowledge.conditions.values()
        ]
    return [EntryRow(s.id, s.citation, s.tier.value) for s in knowledge.sources.values()]


def show_entry(knowledge: KnowledgeBase, entry_id: str) -> EntryPage:
    try:
        entry = knowledge.entry(entry_id)
    except NotFoundError:
        close = [known for known in knowledge.all_ids() if entry_id.lower() in known.lower()]
        hint = f"did you mean {', '.join(close[:5])}?" if close else "see `scarplan kb list`"
        raise InputError(
            "unknown knowledge-base entry", [FieldProblem("ID", f"no entry {entry_id!r}", hint)]
        ) from None
    kind = type(entry).__name__.removesuffix("Entry")
    cited = sorted(cited_source_ids(entry))
    price = knowledge.prices.get(entry.id) if isinstance(entry, ModalityEntry) else None
    if price is not None:
        cited = sorted({*cited, *price.sources})
    return EntryPage(kind, entry, tuple(knowledge.sources[sid] for sid in cited), price)


def _unverified(knowledge: KnowledgeBase) -> Iterator[BaseModel]:
    tables = (knowledge.scar_types, knowledge.modalities, knowledge.agents, knowledge.scales)
    for model in iter_models(tables):
        if getattr(model, "verified", True) is False:
            yield model


@dataclass(frozen=True)
class EntryView:
    """A knowledge-base page: the people's version for everyone, and the entry's every field
    and flag for clinicians and admins (`internals`)."""

    page: EntryPage
    people: PeopleEntry
    internals: bool


def read_entry(knowledge: KnowledgeBase, entry_id: str, role: str) -> EntryView:
    page = show_entry(knowledge, entry_id)
    people = people_entry(knowledge, page.entry, page.sources, page.price)
    return EntryView(page, people, shows_internals(role))
