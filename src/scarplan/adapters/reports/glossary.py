"""Plain words for the patient report: the glossary (glossary.yaml) maps clinical terms and
statistics to words a patient uses, in every text the patient report shows. The clinician
summary keeps the clinical words; the source list keeps each source's own title."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, is_dataclass, replace
from functools import cache, partial
from pathlib import Path
from typing import Any, TypeVar

import yaml

GLOSSARY = Path(__file__).parent / "glossary.yaml"
T = TypeVar("T")
KEEP = frozenset(
    {
        "variant",
        "subject",
        "id",
        "modality",
        "modalities",
        "region",
        "regions",
        "type",
        "types",
        "targets",
        "type_source",
        "after",
        "link",
        "citation",
        "sources",
    }
)
"""Fields that hold ids, links or citations, never words to change."""
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)$")


@dataclass(frozen=True)
class Term:
    term: str
    plain: str
    exact_case: bool = False
    drop_in_brackets: bool = False
    """Alone in brackets after the plain words it names ('Bruising (ecchymosis)'): dropped."""

    @property
    def pattern(self) -> re.Pattern[str]:
        flags = 0 if self.exact_case else re.IGNORECASE
        return re.compile(rf"(?<![\w-]){re.escape(self.term)}(?![\w-])", flags)

    @property
    def bracketed(self) -> re.Pattern[str]:
        """The term alone in brackets, after the plain words it names: dropped."""
        flags = 0 if self.exact_case else re.IGNORECASE
        return re.compile(rf"\s*\(\s*{re.escape(self.term)}\s*\)", flags)


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...]
    """Longest first, so a phrase wins over a word inside it."""
    statistics: tuple[tuple[re.Pattern[str], str], ...]

    def plain(self, text: str) -> str:
        for pattern, words in self.statistics:
            text = pattern.sub(words, text)
        for term in self.terms:
            if term.drop_in_brackets:
                text = term.bracketed.sub("", text)
            text = term.pattern.sub(partial(_said, term=term), text)
        return text

    def remaining(self, text: str) -> list[str]:
        """The glossary's terms still in `text` (for tests and checks)."""
        return [t.term for t in self.terms if t.pattern.search(text)]


def _said(match: re.Match[str], term: Term) -> str:
    """The plain words, with a capital where the term began a sentence."""
    words = term.plain
    found = match.group(0)
    starts = _SENTENCE_START.search(match.string[: match.start()]) is not None
    if words and found[:1].isupper() and (starts or not term.exact_case):
        words = words[:1].upper() + words[1:]
    return words


@cache
def glossary() -> Glossary:
    data = yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))
    for entry in data["terms"]:  # a stray comma in a flow mapping would make a silent key
        unknown = set(entry) - {"term", "plain", "exact_case", "drop_in_brackets"}
        if unknown:
            raise ValueError(f"glossary.yaml: term {entry.get('term')!r}: unknown {unknown}")
    terms = sorted(
        (
            Term(
                t["term"],
                t["plain"],
                bool(t.get("exact_case", False)),
                bool(t.get("drop_in_brackets", False)),
            )
            for t in data["terms"]
        ),
        key=lambda t: -len(t.term),
    )
    statistics = tuple((re.compile(s["pattern"]), s["plain"]) for s in data["statistics"])
    return Glossary(tuple(terms), statistics)


def in_plain_words(content: T) -> T:
    """`content` (a report's dataclasses) with every text said plainly; ids, links and
    citations unchanged."""
    return _walk(content, glossary())  # type: ignore[no-any-return]


def _walk(value: Any, words: Glossary) -> Any:
    if isinstance(value, str):
        return words.plain(value)
    if isinstance(value, tuple):
        return tuple(_walk(item, words) for item in value)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _walk(getattr(value, f.name), words)
            for f in fields(value)
            if f.name not in KEEP
        }
        return replace(value, **changes)
    return value
