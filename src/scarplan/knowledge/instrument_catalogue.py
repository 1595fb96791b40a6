"""Questionnaire instruments: the ones shipped in the package and licensed ones a clinic adds.

A licensed instrument (FACE-Q Acne Scars, for one) cannot ship with scarplan: the clinic puts
the definition file it holds a licence for in its `questionnaires_dir`, and it is read and
checked here by the same schema as the built-in ones. Scoring is pure: answers in, score out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from scarplan.domain.errors import FieldProblem, InputError, KnowledgeBaseError
from scarplan.domain.validation import field_problems
from scarplan.knowledge.loader import describe_path
from scarplan.knowledge.schema.instruments import Instrument, ScoringRule

SUFFIXES = (".yaml", ".yml")
DOCS_PAGE = "'Questionnaires' in docs/operations.md"
HINT = f"see {DOCS_PAGE}"


@dataclass(frozen=True)
class InstrumentCatalogue:
    instruments: tuple[Instrument, ...]
    licensed: frozenset[str]
    """Ids of those read from the clinic's directory."""

    def get(self, instrument_id: str) -> Instrument | None:
        return next((i for i in self.instruments if i.id == instrument_id), None)


def shipped_dir() -> Traversable:
    return resources.files("scarplan.knowledge") / "questionnaires"


def load_instruments(clinic_dir: Path | None = None) -> InstrumentCatalogue:
    """The shipped instruments plus every file in `clinic_dir`; KnowledgeBaseError naming each
    file and field that is wrong (nothing is loaded from a directory with a bad file)."""
    problems: list[FieldProblem] = []
    shipped = [_read(entry, problems) for entry in _files(shipped_dir())]
    licensed: list[Instrument | None] = []
    if clinic_dir is not None:
        if not clinic_dir.is_dir():
            problems.append(
                FieldProblem(
                    "questionnaires_dir", f"{clinic_dir} is not a directory", "create it or unset"
                )
            )
        else:
            licensed = [_read(entry, problems) for entry in _files(clinic_dir)]
    found = [i for i in (*shipped, *licensed) if i is not None]
    problems.extend(_duplicates(found))
    if problems:
        raise KnowledgeBaseError("a questionnaire instrument file is invalid", problems)
    return InstrumentCatalogue(tuple(found), frozenset(i.id for i in licensed if i is not None))


def _files(directory: Traversable | Path) -> list[Traversable | Path]:
    return sorted(
        (e for e in directory.iterdir() if e.is_file() and e.name.endswith(SUFFIXES)),
        key=lambda e: e.name,
    )


def _read(entry: Traversable | Path, problems: list[FieldProblem]) -> Instrument | None:
    try:
        raw = yaml.safe_load(entry.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        problems.append(FieldProblem(entry.name, f"is not valid YAML: {error}", "fix the syntax"))
        return None
    try:
        return Instrument.model_validate(raw)
    except ValidationError as error:
        problems.extend(_problems(entry.name, raw, error))
        return None


def _problems(name: str, raw: Any, error: ValidationError) -> list[FieldProblem]:
    return field_problems(
        error, docs=DOCS_PAGE, locate=lambda location: describe_path(name, raw, location)
    )


def _duplicates(found: Sequence[Instrument]) -> Iterable[FieldProblem]:
    seen: set[str] = set()
    for instrument in found:
        if instrument.id in seen:
            yield FieldProblem(
                f"instrument {instrument.id!r}", "is defined twice", "give each file its own id"
            )
        seen.add(instrument.id)


def score(instrument: Instrument, answers: Mapping[str, int]) -> float:
    """The instrument's score for `answers` (item id -> chosen option value), or InputError
    naming each item left unanswered or answered with a value it does not offer."""
    problems = []
    for item in instrument.items:
        value = answers.get(item.id)
        offered = {option.value for option in item.options}
        if value is None:
            problems.append(FieldProblem(f"answers.{item.id}", "is not answered", "choose one"))
        elif value not in offered:
            problems.append(
                FieldProblem(f"answers.{item.id}", f"{value} is not one of the answers", "")
            )
    unknown = sorted(set(answers) - {item.id for item in instrument.items})
    problems.extend(
        FieldProblem(f"answers.{key}", "is not a question of this questionnaire", "")
        for key in unknown
    )
    if problems:
        raise InputError("the answers are incomplete", problems)
    values = [answers[item.id] for item in instrument.items]
    if instrument.scoring.rule is ScoringRule.MEAN:
        return round(sum(values) / len(values), 2)
    return float(sum(values))


def score_range(instrument: Instrument) -> tuple[float, float]:
    """The lowest and highest score the instrument can give."""
    lows = [min(o.value for o in item.options) for item in instrument.items]
    highs = [max(o.value for o in item.options) for item in instrument.items]
    if instrument.scoring.rule is ScoringRule.MEAN:
        return sum(lows) / len(lows), sum(highs) / len(highs)
    return float(sum(lows)), float(sum(highs))
