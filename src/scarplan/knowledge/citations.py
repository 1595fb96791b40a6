"""Checks on the raw YAML that the schemas cannot express: every number cites a source."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

Path = tuple[str | int, ...]

# Keys whose values are identifiers or bibliographic text, not clinical facts.
_NON_CLINICAL_KEYS = frozenset({"id", "name", "citation", "doi", "pmid", "pmcid", "url", "label"})
# Prose keys whose digits are clinical numbers and so need a citation beside them.
_PROSE_KEYS = frozenset({"summary", "description", "note", "text", "reason", "advice"})
_DIGIT = re.compile(r"\d")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _holds_number(value: Any) -> bool:
    if _is_number(value):
        return True
    return isinstance(value, list) and any(_holds_number(item) for item in value)


def _states_number(key: str, value: Any) -> bool:
    if key in _NON_CLINICAL_KEYS:
        return False
    if _holds_number(value):
        return True
    return key in _PROSE_KEYS and isinstance(value, str) and bool(_DIGIT.search(value))


def _cited(mapping: Mapping[str, Any]) -> bool:
    sources = mapping.get("sources")
    return isinstance(sources, list) and len(sources) > 0


def uncited_numbers(document: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """Yield (path, key) for each number that sits in a mapping without `sources`."""
    if isinstance(document, Mapping):
        for key, value in document.items():
            if _states_number(str(key), value) and not _cited(document):
                yield (*path, str(key)), str(key)
            yield from uncited_numbers(value, (*path, str(key)))
    elif isinstance(document, list):
        for index, item in enumerate(document):
            yield from uncited_numbers(item, (*path, index))


def source_references(document: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """Yield (path, source id) for every id listed under a `sources` key."""
    if isinstance(document, Mapping):
        for key, value in document.items():
            if key == "sources" and isinstance(value, list):
                for index, source_id in enumerate(value):
                    yield (*path, "sources", index), str(source_id)
            else:
                yield from source_references(value, (*path, str(key)))
    elif isinstance(document, list):
        for index, item in enumerate(document):
            yield from source_references(item, (*path, index))
