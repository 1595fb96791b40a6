"""Clinic scheduling use cases: read an instance, schedule it, present the result, generate one.

The CLI and the web app call these; the solver itself (`scarplan.scheduling`) is pure and takes
its time limit and worker count as arguments, which come from settings here unless overridden.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from scarplan.domain.errors import FieldProblem, InputError
from scarplan.domain.json_text import load_json
from scarplan.domain.validation import field_problems
from scarplan.knowledge import KnowledgeBase
from scarplan.scheduling.model import Assignment, Instance, ScheduleResult
from scarplan.scheduling.solver import reschedule, solve
from scarplan.services.schedule_generation import generate_instance as _generate
from scarplan.settings import Settings

MAX_INSTANCE_BYTES = 50_000_000
SUPPORTED_VERSION = 1
DOCS = "see docs/scheduling.md"


def _read(source: Path | bytes | str, what: str) -> Any:
    """Parse JSON from a path or the text itself; a syntax error names its line and column."""
    if isinstance(source, Path):
        try:
            if source.stat().st_size > MAX_INSTANCE_BYTES:
                raise InputError(
                    f"the {what} file is too large",
                    [FieldProblem(str(source), "over 50 MB", "split the instance")],
                )
            raw: bytes | str = source.read_bytes()
        except OSError as error:
            raise InputError(
                f"cannot read the {what} file",
                [FieldProblem(str(source), error.strerror or str(error), "check the path")],
            ) from None
    else:
        raw = source
    path = str(source) if isinstance(source, Path) else ""
    return load_json(raw, path=path, what=what, hint="fix the syntax")


def _problems(error: ValidationError, prefix: str = "") -> list[FieldProblem]:
    return field_problems(error, prefix=prefix, docs="docs/scheduling.md")


def parse_instance(document: Any) -> Instance:
    """An instance from an already-loaded JSON document (the web app builds one itself)."""
    if not isinstance(document, dict):
        raise InputError(
            "the instance is invalid",
            [FieldProblem("(top level)", "must be a JSON object", DOCS)],
        )
    version = document.get("version")
    if version != SUPPORTED_VERSION or isinstance(version, bool):
        problem = "missing" if version is None else f"version {version!r} is not known"
        raise InputError(
            "the instance is invalid",
            [FieldProblem("version", problem, f'add "version": {SUPPORTED_VERSION}')],
        )
    try:
        return Instance.model_validate(document)
    except ValidationError as error:
        raise InputError("the instance is invalid", _problems(error)) from None


def load_instance(source: Path | bytes | str) -> Instance:
    """An instance from a JSON file (a Path) or JSON text."""
    return parse_instance(_read(source, "instance"))


def load_previous(source: Path | bytes | str) -> list[Assignment]:
    """The bookings of a previous result (the `result_json` document, or just its list)."""
    document = _read(source, "previous result")
    items = document.get("assignments") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise InputError(
            "the previous result is invalid",
            [FieldProblem("assignments", "must be a list of bookings", DOCS)],
        )
    bookings = []
    for i, item in enumerate(items):
        try:
            bookings.append(Assignment.model_validate(item))
        except ValidationError as error:
            raise InputError(
                "the previous result is invalid", _problems(error, f"assignments[{i}]")
            ) from None
    return bookings


def schedule_instance(
    instance: Instance,
    knowledge: KnowledgeBase,
    settings: Settings,
    *,
    previous: Sequence[Assignment] | None = None,
    time_limit_s: float | None = None,
    workers: int | None = None,
    seed: int = 0,
) -> ScheduleResult:
    """Schedule (or, given `previous`, reschedule) with the settings' limit and workers."""
    limit = time_limit_s if time_limit_s is not None else settings.schedule_time_limit_s
    threads = workers if workers is not None else settings.schedule_workers
    if limit <= 0 or threads < 1:
        raise InputError(
            "the solver settings are invalid",
            [FieldProblem("time limit / workers", "must be positive", "e.g. 60 s and 2")],
        )
    if previous is None:
        return solve(instance, knowledge, time_limit_s=limit, workers=threads, seed=seed)
    return reschedule(instance, previous, knowledge, time_limit_s=limit, workers=threads, seed=seed)


def _dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")


def result_json(result: ScheduleResult) -> dict[str, Any]:
    """The `scarplan schedule --json` contract (docs/scheduling.md)."""
    return {
        "status": result.status,
        "assignments": [_dump(a) for a in result.assignments],
        "unscheduled": [_dump(u) for u in result.unscheduled],
        "objective": _dump(result.objective),
        "bound": _dump(result.bound),
        "moves": [_dump(m) for m in result.moves],
        "cancelled": [_dump(c) for c in result.cancelled],
        "stats": _dump(result.stats),
    }


def instance_json(instance: Instance) -> dict[str, Any]:
    """An instance as JSON, leaving out fields at their defaults."""
    return instance.model_dump(mode="json", exclude_defaults=True) | {"version": instance.version}


def generate_instance(
    patients: int, seed: int, knowledge: KnowledgeBase, settings: Settings, today: date
) -> Instance:
    """A realistic instance of `patients` patients (services/schedule_generation.py)."""
    if not 1 <= patients <= 20_000:
        raise InputError(
            "cannot generate that instance",
            [FieldProblem("--patients", f"{patients}", "use 1 to 20000")],
        )
    return _generate(patients, seed, knowledge, settings, today)
