"""Numbered references for the decision aid: every source the guide cites gets one number,
fixed when the guide is built, so a number means the same source on every page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from scarplan.adapters.reports.content import Cited, SourceEntry
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.common import Statement


class CitationBuilder:
    """Numbers sources in the order the guide first cites them (used while building only)."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self._knowledge = knowledge
        self._numbers: dict[str, int] = {}

    def cite(self, ids: Iterable[str]) -> tuple[int, ...]:
        for source_id in ids:
            self._numbers.setdefault(source_id, len(self._numbers) + 1)
        return tuple(sorted({self._numbers[source_id] for source_id in ids}))

    def text(self, text: str, ids: Iterable[str]) -> Cited:
        return Cited(text, self.cite(tuple(ids)))

    def statement(self, statement: Statement) -> Cited:
        return self.text(statement.text, statement.sources)

    def freeze(self) -> Citations:
        entries: dict[int, SourceEntry] = {}
        for source_id, number in self._numbers.items():
            source = self._knowledge.sources[source_id]
            links = source.links
            entries[number] = SourceEntry(number, source_id, source.citation, links[0])
        return Citations(dict(self._numbers), entries)


@dataclass(frozen=True)
class Citations:
    """Read-only after the build: source id -> number, number -> reference."""

    numbers: Mapping[str, int]
    entries: Mapping[int, SourceEntry]

    def refs(self, ids: Iterable[str]) -> tuple[int, ...]:
        return tuple(sorted({self.numbers[i] for i in ids if i in self.numbers}))

    def listed(self, refs: Iterable[int]) -> tuple[SourceEntry, ...]:
        """The references a page cites, in number order."""
        return tuple(self.entries[n] for n in sorted(set(refs)) if n in self.entries)
