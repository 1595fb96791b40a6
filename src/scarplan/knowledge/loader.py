"""Load the knowledge-base YAML files, validate them strictly, and cross-check citations.

Every problem in every file is collected before failing, so `scarplan kb validate` shows a
reviewer the whole list at once, each naming the file, the entry and the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from scarplan.domain.errors import FieldProblem, KnowledgeBaseError
from scarplan.domain.validation import field_problems
from scarplan.domain.vocabulary import Agent, Modality, ScarType
from scarplan.knowledge.base import KnowledgeBase
from scarplan.knowledge.citations import source_references, uncited_numbers
from scarplan.knowledge.schema.agents import AgentsFile
from scarplan.knowledge.schema.checklists import ChecklistsFile
from scarplan.knowledge.schema.follow_up import FollowUpFile
from scarplan.knowledge.schema.homecare import HomeCareFile
from scarplan.knowledge.schema.modalities import ModalitiesFile, PricesFile
from scarplan.knowledge.schema.rules import (
    Action,
    ConditionId,
    ConditionsFile,
    SequencingFile,
)
from scarplan.knowledge.schema.scales import ScalesFile
from scarplan.knowledge.schema.scar_types import ScarTypesFile
from scarplan.knowledge.schema.sources import SourcesFile, SourceTier
from scarplan.knowledge.schema.techniques import TechniquesFile

FILE_SCHEMAS: dict[str, type[BaseModel]] = {
    "sources.yaml": SourcesFile,
    "scar_types.yaml": ScarTypesFile,
    "modalities.yaml": ModalitiesFile,
    "prices.yaml": PricesFile,
    "agents.yaml": AgentsFile,
    "conditions.yaml": ConditionsFile,
    "sequencing.yaml": SequencingFile,
    "techniques.yaml": TechniquesFile,
    "scales.yaml": ScalesFile,
    "homecare.yaml": HomeCareFile,
    "checklists.yaml": ChecklistsFile,
    "follow_up.yaml": FollowUpFile,
}


DOCS = "docs/knowledge-base.md"

COURSE_SESSIONS = 2
"""A typical course of this many sessions or more needs a published interval."""

# libyaml's safe loader when PyYAML has it: it cuts knowledge-base start-up (bench/kb.py).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def default_data_dir() -> Traversable:
    """The knowledge base shipped inside the package."""
    return resources.files("scarplan.knowledge") / "data"


@dataclass
class _Document:
    name: str
    raw: Any
    model: BaseModel | None


def load_knowledge_base(data_dir: Traversable | Path | None = None) -> KnowledgeBase:
    """Read and check every file; raise KnowledgeBaseError listing all problems found."""
    directory = data_dir if data_dir is not None else default_data_dir()
    problems: list[FieldProblem] = []
    documents = [_read(directory, name, schema, problems) for name, schema in FILE_SCHEMAS.items()]
    by_name = {document.name: document for document in documents}
    problems.extend(_citation_problems(documents))
    if any(document.model is None for document in documents):
        raise KnowledgeBaseError("the knowledge base is invalid", problems)
    models = {name: document.model for name, document in by_name.items()}
    problems.extend(_cross_problems(models, by_name))
    if problems:
        raise KnowledgeBaseError("the knowledge base is invalid", problems)
    return _assemble(models)


def _read(
    directory: Traversable | Path,
    name: str,
    schema: type[BaseModel],
    problems: list[FieldProblem],
) -> _Document:
    entry = directory / name
    if not entry.is_file():
        problems.append(FieldProblem(name, "file is missing", "restore it from the release"))
        return _Document(name, None, None)
    try:
        raw = yaml.load(entry.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except yaml.YAMLError as error:
        problems.append(FieldProblem(name, f"is not valid YAML: {error}", "fix the syntax"))
        return _Document(name, None, None)
    try:
        model = schema.model_validate(raw)
    except ValidationError as error:
        problems.extend(_validation_problems(name, raw, error))
        return _Document(name, raw, None)
    return _Document(name, raw, model)


def describe_path(file_name: str, raw: Any, path: Sequence[str | int]) -> str:
    """`modalities.yaml: entry 'tca_cross': field sessions.min` from a raw location."""
    if len(path) >= 2 and isinstance(path[1], int) and isinstance(raw, Mapping):
        entries = raw.get(path[0])
        label = f"#{path[1] + 1}"
        if isinstance(entries, list) and path[1] < len(entries):
            item = entries[path[1]]
            if isinstance(item, Mapping) and "id" in item:
                label = repr(item["id"])
            elif isinstance(item, Mapping) and "modality" in item:
                label = repr(item["modality"])  # prices.yaml names its entries by procedure
        field = ".".join(str(part) for part in path[2:]) or "(the entry itself)"
        return f"{file_name}: {path[0]} entry {label}: field {field}"
    field = ".".join(str(part) for part in path) or "(top level)"
    return f"{file_name}: field {field}"


def _validation_problems(name: str, raw: Any, error: ValidationError) -> list[FieldProblem]:
    return field_problems(
        error, docs=DOCS, locate=lambda location: describe_path(name, raw, location)
    )


def _citation_problems(documents: Sequence[_Document]) -> Iterable[FieldProblem]:
    sources_doc = next(doc for doc in documents if doc.name == "sources.yaml")
    known: set[str] = set()
    if isinstance(sources_doc.raw, Mapping):
        known = {str(item.get("id")) for item in sources_doc.raw.get("sources") or []}
    used: set[str] = set()
    for document in documents:
        if document.name == "sources.yaml" or document.raw is None:
            continue
        for path, key in uncited_numbers(document.raw):
            yield FieldProblem(
                describe_path(document.name, document.raw, path),
                f"the number in {key!r} cites no source",
                "add `sources: [SOURCE-ID]` beside it, or move it to a clinic setting",
            )
        for path, source_id in source_references(document.raw):
            used.add(source_id)
            if source_id not in known:
                yield FieldProblem(
                    describe_path(document.name, document.raw, path),
                    f"unknown source id {source_id!r}",
                    "add it to sources.yaml or fix the spelling",
                )
    for source_id in sorted(known - used):
        if known and sources_doc.raw is not None:
            yield FieldProblem(
                f"sources.yaml: source {source_id!r}",
                "is never cited",
                "cite it from an entry or remove it",
            )


def _cross_problems(
    models: Mapping[str, BaseModel | None], documents: Mapping[str, _Document]
) -> Iterable[FieldProblem]:
    yield from _duplicate_ids(documents)
    yield from _missing_entries(models)
    yield from _price_problems(models)
    yield from _missing_course_figures(models)
    yield from _low_tier_safety_rules(models)
    yield from _unknown_scale_ids(models)


def _duplicate_ids(documents: Mapping[str, _Document]) -> Iterable[FieldProblem]:
    for document in documents.values():
        if not isinstance(document.raw, Mapping):
            continue
        for key, entries in document.raw.items():
            if not isinstance(entries, list):
                continue
            seen: set[Any] = set()
            for index, item in enumerate(entries):
                entry_id = item.get("id") if isinstance(item, Mapping) else None
                if entry_id is None:
                    continue
                if entry_id in seen:
                    yield FieldProblem(
                        describe_path(document.name, document.raw, [key, index, "id"]),
                        f"duplicate id {entry_id!r}",
                        "each id may appear once per file",
                    )
                seen.add(entry_id)


def _missing_entries(models: Mapping[str, BaseModel | None]) -> Iterable[FieldProblem]:
    expected: list[tuple[str, str, set[str], set[str]]] = []
    scar_types = models["scar_types.yaml"]
    modalities = models["modalities.yaml"]
    agents = models["agents.yaml"]
    conditions = models["conditions.yaml"]
    assert isinstance(scar_types, ScarTypesFile)
    assert isinstance(modalities, ModalitiesFile)
    assert isinstance(agents, AgentsFile)
    assert isinstance(conditions, ConditionsFile)
    expected.append(
        ("scar_types.yaml", "scar type", {e.id for e in scar_types.scar_types}, set(ScarType))
    )
    expected.append(
        ("modalities.yaml", "procedure", {e.id for e in modalities.modalities}, set(Modality))
    )
    expected.append(("agents.yaml", "agent", {e.id for e in agents.agents}, set(Agent)))
    expected.append(
        ("conditions.yaml", "condition", {e.id for e in conditions.conditions}, set(ConditionId))
    )
    for file_name, kind, present, vocabulary in expected:
        for missing in sorted(vocabulary - present):
            yield FieldProblem(
                file_name,
                f"no entry for the {kind} {missing!r} of the shared vocabulary",
                "add an entry with its sources",
            )


def _price_problems(models: Mapping[str, BaseModel | None]) -> Iterable[FieldProblem]:
    """Every procedure has exactly one published price: a plan never counts one as free."""
    prices = models["prices.yaml"]
    assert isinstance(prices, PricesFile)
    seen: set[Modality] = set()
    for index, price in enumerate(prices.prices):
        if price.modality in seen:
            yield FieldProblem(
                f"prices.yaml: prices.{index}.modality",
                f"a second price for the procedure {price.modality.value!r}",
                "give each procedure one price (a range where sources disagree)",
            )
        seen.add(price.modality)
    for missing in sorted(set(Modality) - seen):
        yield FieldProblem(
            "prices.yaml",
            f"no price for the procedure {missing.value!r}",
            "add its published price range (currency, year, unit, sources); a plan never "
            "counts a procedure as free",
        )


def _missing_course_figures(models: Mapping[str, BaseModel | None]) -> Iterable[FieldProblem]:
    """Every procedure's course length and downtime, and a course's interval, are real cited
    figures: the planner has no silent default to fall back on."""
    modalities = models["modalities.yaml"]
    assert isinstance(modalities, ModalitiesFile)
    for entry in modalities.modalities:
        where = f"modalities.yaml: modalities entry {entry.id.value!r}"
        if entry.sessions is None:
            yield FieldProblem(
                f"{where}: field sessions",
                "no course length (sessions)",
                "add the published number of sessions with its sources",
            )
        if entry.downtime_days is None:
            yield FieldProblem(
                f"{where}: field downtime_days",
                "no downtime (downtime_days)",
                "add what the patient lives with after a session (days), with its sources",
            )
        course = (
            entry.sessions is not None
            and max(entry.sessions.usual or 0, entry.sessions.min or 0) >= COURSE_SESSIONS
        )
        if course and entry.interval_weeks is None:
            yield FieldProblem(
                f"{where}: field interval_weeks",
                "a course of several sessions without an interval between them",
                "add the published interval (weeks) with its sources",
            )


def _low_tier_safety_rules(models: Mapping[str, BaseModel | None]) -> Iterable[FieldProblem]:
    sources = models["sources.yaml"]
    conditions = models["conditions.yaml"]
    assert isinstance(sources, SourcesFile)
    assert isinstance(conditions, ConditionsFile)
    low = {source.id for source in sources.sources if source.tier is SourceTier.LOW}
    for condition in conditions.conditions:
        for index, effect in enumerate(condition.effects):
            blocking = effect.action in {Action.EXCLUDE, Action.DEFER}
            if blocking and effect.sources and set(effect.sources) <= low and not effect.policy:
                yield FieldProblem(
                    f"conditions.yaml: conditions entry {condition.id.value!r}: "
                    f"field effects.{index}.sources",
                    "a safety rule rests only on low-tier sources",
                    "add a stronger source or make it a clinic policy",
                )


def _unknown_scale_ids(models: Mapping[str, BaseModel | None]) -> Iterable[FieldProblem]:
    scar_types = models["scar_types.yaml"]
    scales = models["scales.yaml"]
    assert isinstance(scar_types, ScarTypesFile)
    assert isinstance(scales, ScalesFile)
    ecca_items = {item.id for item in scales.ecca.items}
    categories = {category.id for category in scales.goodman_baron_quantitative.categories}
    if "macular" not in categories:  # flat marks (case file `macular`) are scored in it
        yield FieldProblem(
            "scales.yaml: goodman_baron_quantitative: field categories",
            "has no 'macular' category, which scores the flat marks an assessment records",
            "restore the category (macular erythematous or pigmented scars, 1 point)",
        )
    for entry in scar_types.scar_types:
        mapping = entry.scales
        checks = [
            ("ecca_item", mapping.ecca_item, ecca_items),
            ("goodman_baron_category", mapping.goodman_baron_category, categories),
            ("goodman_baron_category_deep", mapping.goodman_baron_category_deep, categories),
        ]
        for field, value, known in checks:
            if value is not None and value not in known:
                yield FieldProblem(
                    f"scar_types.yaml: scar_types entry {entry.id.value!r}: field scales.{field}",
                    f"{value!r} is not an id in scales.yaml",
                    f"use one of {', '.join(sorted(known))}",
                )


def _assemble(models: Mapping[str, BaseModel | None]) -> KnowledgeBase:
    sources = models["sources.yaml"]
    scar_types = models["scar_types.yaml"]
    modalities = models["modalities.yaml"]
    prices = models["prices.yaml"]
    agents = models["agents.yaml"]
    conditions = models["conditions.yaml"]
    sequencing = models["sequencing.yaml"]
    scales = models["scales.yaml"]
    homecare = models["homecare.yaml"]
    techniques = models["techniques.yaml"]
    checklists = models["checklists.yaml"]
    follow_up = models["follow_up.yaml"]
    assert isinstance(follow_up, FollowUpFile)
    assert isinstance(techniques, TechniquesFile)
    assert isinstance(checklists, ChecklistsFile)
    assert isinstance(sources, SourcesFile)
    assert isinstance(scar_types, ScarTypesFile)
    assert isinstance(modalities, ModalitiesFile)
    assert isinstance(prices, PricesFile)
    assert isinstance(agents, AgentsFile)
    assert isinstance(conditions, ConditionsFile)
    assert isinstance(sequencing, SequencingFile)
    assert isinstance(scales, ScalesFile)
    assert isinstance(homecare, HomeCareFile)
    return KnowledgeBase(
        sources={source.id: source for source in sources.sources},
        scar_types={entry.id: entry for entry in scar_types.scar_types},
        modalities={entry.id: entry for entry in modalities.modalities},
        prices={price.modality: price for price in prices.prices},
        agents={entry.id: entry for entry in agents.agents},
        conflicts=agents.conflicts,
        conditions={entry.id: entry for entry in conditions.conditions},
        sequencing=sequencing,
        scales=scales,
        homecare=homecare,
        techniques=techniques,
        follow_up=follow_up,
        reviewed_on=sources.reviewed_on,
        checklist=checklists.items,
    )
