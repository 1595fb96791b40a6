"""Read a case file into a domain Case; every problem becomes an InputError naming its field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from scarplan.adapters.casefile.schema import CaseFileV1, LesionIn, PatientIn, PreferencesIn
from scarplan.domain.case import (
    SAFETY_FIELDS,
    Assessment,
    Case,
    DateWindow,
    IsotretinoinHistory,
    LesionGroup,
    MacularMarks,
    Money,
    Patient,
    Preferences,
    PriorProcedure,
)
from scarplan.domain.errors import FieldProblem, InputError
from scarplan.domain.json_text import load_json
from scarplan.domain.validation import field_problems
from scarplan.domain.vocabulary import AcneSeverity

SUPPORTED_VERSION = 1
DOCS = "docs/case-format.md"
MAX_CASE_BYTES = 1_000_000


# libyaml's loader is several times faster than the pure-Python one (bench/assess.py).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _shares_containers(document: Any) -> bool:
    """True when a list or mapping appears twice: how YAML aliases show up once loaded.

    A case file never needs aliases, and refusing them rules out alias blow-ups downstream.
    """
    seen: set[int] = set()
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict | list):
            if id(node) in seen:
                return True
            seen.add(id(node))
            stack.extend(node.values() if isinstance(node, dict) else node)
    return False


def read_case_file(path: Path, today: date) -> Case:
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InputError(
            "cannot read the case file",
            [FieldProblem(str(path), error.strerror or str(error), "check the path")],
        ) from None
    if size > MAX_CASE_BYTES:
        raise InputError(
            "the case file is too large",
            [FieldProblem(str(path), f"{size} bytes", f"a case file is under {MAX_CASE_BYTES}")],
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(
            "cannot read the case file", [FieldProblem(str(path), str(error), "save it as UTF-8")]
        ) from None
    json_format = path.suffix.lower() == ".json"
    return parse_case_text(text, today, json_format=json_format, source=str(path))


def parse_case_text(text: str, today: date, *, json_format: bool = False, source: str = "") -> Case:
    """Parse YAML (or JSON) text. `today` bounds dates: an assessment cannot be in the future.
    `source` names the file in a syntax error (with its line and column)."""
    if len(text.encode("utf-8", errors="replace")) > MAX_CASE_BYTES:
        raise InputError("the case file is too large", [FieldProblem(source, "over 1 MB", "")])
    return parse_case_document(_load(text, json_format, source), today)


def parse_case_document(raw: Any, today: date) -> Case:
    """A case from an already-loaded document (the web app builds one from its records)."""
    _check_version(raw)
    try:
        model = CaseFileV1.model_validate(raw)
    except ValidationError as error:
        raise InputError("the case file is invalid", _problems(error)) from None
    _check_dates(model, today)
    return _to_domain(model)


def _load(text: str, json_format: bool, source: str) -> Any:
    if json_format:
        return load_json(text, path=source, what="case file", hint="fix the syntax")
    try:
        document = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as error:
        # Positions as JSON's reader gives them: the file, then the line and column.
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise InputError(
            "the case file is not valid YAML",
            [FieldProblem(source, f"{where}{problem}", "fix the syntax")],
        ) from None
    except RecursionError:
        raise InputError(
            "the case file is nested too deeply", [FieldProblem("", "too deep", "")]
        ) from None
    if _shares_containers(document):
        raise InputError(
            "the case file uses YAML aliases",
            [FieldProblem("", "aliases are not allowed", "write each value out in full")],
        )
    return document


def parse_patient_document(raw: Any) -> Patient:
    """The case file's `patient` section alone (a stored intake, which has no assessment)."""
    try:
        model = PatientIn.model_validate(raw)
    except ValidationError as error:
        raise InputError("the patient record is invalid", _problems(error, "patient")) from None
    return _patient(model)


def _check_version(raw: Any) -> None:
    if not isinstance(raw, dict):
        raise InputError(
            "the case file is invalid",
            [FieldProblem("(top level)", "must be a mapping of keys", "see docs/case-format.md")],
        )
    if "scarplan_case" not in raw:
        raise InputError(
            "the case file is invalid",
            [FieldProblem("scarplan_case", "missing", f"add `scarplan_case: {SUPPORTED_VERSION}`")],
        )
    version = raw["scarplan_case"]
    if version != SUPPORTED_VERSION or isinstance(version, bool):
        raise InputError(
            "unknown case file version",
            [
                FieldProblem(
                    "scarplan_case",
                    f"version {version!r} is not known",
                    f"this scarplan reads version {SUPPORTED_VERSION}",
                )
            ],
        )


def _problems(error: ValidationError, prefix: str = "") -> list[FieldProblem]:
    return field_problems(error, prefix=prefix, docs=DOCS)


def _check_dates(model: CaseFileV1, today: date) -> None:
    problems = []
    assessed = model.assessment.date
    if assessed > today:
        problems.append(
            FieldProblem(
                "assessment.date", f"{assessed} is in the future", f"use {today} or earlier"
            )
        )
    patient = model.patient
    if patient.birth_date is not None and patient.birth_date > assessed:
        problems.append(
            FieldProblem("patient.birth_date", "is after the assessment date", "check the year")
        )
    isotretinoin = patient.isotretinoin
    if isotretinoin is not None and isotretinoin.stopped_on and isotretinoin.stopped_on > today:
        problems.append(
            FieldProblem(
                "patient.isotretinoin.stopped_on",
                f"{isotretinoin.stopped_on} is in the future",
                "a course still running is status: current",
            )
        )
    if problems:
        raise InputError("the case file is invalid", problems)


def _to_domain(model: CaseFileV1) -> Case:
    return Case(
        patient=_patient(model.patient),
        assessment=Assessment(
            date=model.assessment.date,
            lesions=tuple(_lesion(lesion) for lesion in model.assessment.lesions),
            macular=tuple(
                MacularMarks(m.region, m.count, m.colour) for m in model.assessment.macular
            ),
        ),
        preferences=_preferences(model.preferences),
    )


def _patient(patient: PatientIn) -> Patient:
    stated = patient.model_fields_set
    isotretinoin = patient.isotretinoin
    return Patient(
        id=patient.id,
        sex=patient.sex,
        birth_date=patient.birth_date,
        age_years=patient.age_years,
        fitzpatrick=patient.fitzpatrick,
        fitzpatrick_answers=tuple(patient.fitzpatrick_answers)
        if patient.fitzpatrick_answers is not None
        else None,
        pregnant=bool(patient.pregnant),
        breastfeeding=bool(patient.breastfeeding),
        keloid_history=bool(patient.keloid_history),
        herpes_labialis_history=bool(patient.herpes_labialis_history),
        anticoagulants=bool(patient.anticoagulants),
        skin_infection=bool(patient.skin_infection),
        active_acne=patient.active_acne or AcneSeverity.NONE,
        isotretinoin=IsotretinoinHistory(isotretinoin.status, isotretinoin.stopped_on)
        if isotretinoin is not None
        else IsotretinoinHistory(),
        sensitive_skin=patient.sensitive_skin,
        current_agents=tuple(dict.fromkeys(patient.current_agents)),
        conditions=tuple(dict.fromkeys(patient.conditions)),
        allergies=tuple(dict.fromkeys(patient.allergies)),
        implants=tuple(dict.fromkeys(patient.implants)),
        medications=tuple(dict.fromkeys(patient.medications)),
        prior_procedures=tuple(
            PriorProcedure(
                kind=item.kind,
                regions=tuple(dict.fromkeys(item.regions)),
                day=item.date,
                product=item.product,
            )
            for item in patient.prior_procedures
        ),
        unstated=frozenset(
            name for name in SAFETY_FIELDS if name not in stated or getattr(patient, name) is None
        ),
    )


def _lesion(lesion: LesionIn) -> LesionGroup:
    return LesionGroup(
        region=lesion.region,
        count=lesion.count,
        type=lesion.type,
        width_mm=lesion.width_mm,
        depth_mm=lesion.depth_mm,
        edges=lesion.edges,
        distensible=lesion.distensible,
        visible_at_50cm=lesion.visible_at_50cm,
        covered_by_makeup=lesion.covered_by_makeup,
    )


def _preferences(preferences: PreferencesIn) -> Preferences:
    budget = preferences.budget
    return Preferences(
        start_date=preferences.start_date,
        budget=Money(Decimal(str(budget.amount)), budget.currency) if budget else None,
        max_downtime_days=preferences.max_downtime_days,
        avoid=tuple(DateWindow(w.from_, w.to, w.reason) for w in preferences.avoid),
        home_care_budget=preferences.home_care_budget,
    )


def case_json_schema() -> dict[str, Any]:
    """The JSON Schema of case file version 1 (`scarplan schema case`)."""
    schema = CaseFileV1.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
