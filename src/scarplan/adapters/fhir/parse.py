"""A FHIR bundle (as scarplan exports it) back into a clinical record, or clear errors.

Checks, in order, each reporting every problem it finds with its bundle path: the document is a
collection Bundle whose entries have a fullUrl and a resource of a kind scarplan reads; each
resource is valid against its R4B model; every reference resolves inside the bundle and every
coding has a system; then the clinical content: local codes known, required elements present,
each resource where scarplan expects it, the Patient's preference extensions well formed, and
each CarePlan's plan document valid and in agreement with the CarePlan. Nothing is written
anywhere: the service stores the record, and its own validation errors are mapped back to bundle
paths through `origins`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from scarplan.adapters.fhir.bundle import (
    coding_problems,
    invalid,
    model_problems,
    reference_problems,
    reference_targets,
)
from scarplan.adapters.fhir.parse_assessment import read_assessments
from scarplan.adapters.fhir.parse_consent import read_procedure_consents
from scarplan.adapters.fhir.parse_patient import read_patient
from scarplan.adapters.fhir.parse_plan import read_plans
from scarplan.adapters.fhir.parse_treatment import read_photos, read_sessions
from scarplan.adapters.fhir.reader import Entry, Reader
from scarplan.adapters.fhir.record import ClinicalRecord, PlanFacts
from scarplan.domain.errors import FieldProblem
from scarplan.domain.json_text import load_json

SUPPORTED = (
    "Patient",
    "Practitioner",
    "Observation",
    "Condition",
    "AllergyIntolerance",
    "Device",
    "MedicationStatement",
    "BodyStructure",
    "CarePlan",
    "ServiceRequest",
    "MedicationRequest",
    "Procedure",
    "Media",
    "Consent",
)
MAX_ENTRIES = 20_000


def read_json(data: bytes | str) -> Any:
    """JSON text as data; InputError with the line and column of a syntax error."""
    return load_json(data, path="(text)", what="FHIR bundle", hint="send the bundle as JSON")


def parse_bundle(raw: Any) -> ClinicalRecord:
    """The record in a bundle; InputError naming each problem's path when it is not one."""
    try:
        return _parse(raw)
    except RecursionError:
        raise invalid([FieldProblem("(bundle)", "is nested too deeply", "")]) from None


def _parse(raw: Any) -> ClinicalRecord:
    entries = _entries(raw)
    problems = [p for entry in entries for p in model_problems(entry.resource, entry.path)]
    if problems:
        raise invalid(problems)
    patients = [entry for entry in entries if entry.kind == "Patient"]
    if len(patients) != 1:
        where = patients[1].path if patients else "entry"
        raise invalid(
            [FieldProblem(where, f"the bundle has {len(patients)} Patient resources", "give one")]
        )
    plain = [{"fullUrl": e.url, "resource": e.resource} for e in entries]
    problems = reference_problems(plain) + coding_problems(plain)
    if problems:
        raise invalid(problems)
    reader = Reader(entries, reference_targets(plain))
    patient = read_patient(reader)
    assessments, panels = read_assessments(reader)
    plans, requests = read_plans(reader, panels)
    sessions, procedures = read_sessions(reader, requests)
    photos = read_photos(reader, procedures)
    signed = read_procedure_consents(reader)
    for entry in entries:
        if entry.url not in reader.used:
            reader.problem(
                entry.path,
                f"this {entry.kind} is not part of anything scarplan reads",
                "see docs/fhir.md for where each resource belongs",
            )
    if reader.problems or patient is None:
        raise invalid(list(dict.fromkeys(reader.problems)))
    done = {session.planned for session in sessions if session.planned is not None}
    return ClinicalRecord(
        patient, assessments, _fulfilled(plans, done), sessions, photos, consents=signed
    )


def _fulfilled(plans: tuple[PlanFacts, ...], done: set[tuple[int, int]]) -> tuple[PlanFacts, ...]:
    """The plans with each planned session a performed session fulfilled marked done."""
    return tuple(
        replace(
            plan,
            sessions=tuple(
                replace(planned, done=(index, position) in done)
                for position, planned in enumerate(plan.sessions)
            ),
        )
        for index, plan in enumerate(plans)
    )


def _entries(raw: Any) -> list[Entry]:
    def fail(path: str, message: str, hint: str) -> None:
        raise invalid([FieldProblem(path, message, hint)])

    if not isinstance(raw, dict) or "resourceType" not in raw:
        fail("(top level)", "is not a FHIR resource", "send a FHIR Bundle in JSON")
    if raw["resourceType"] != "Bundle":
        fail("resourceType", f"is {raw['resourceType']!r}", "send a Bundle")
    if raw.get("type") != "collection":
        fail("type", f"is {raw.get('type')!r}", "scarplan imports a Bundle of type collection")
    items = raw.get("entry")
    if not isinstance(items, list) or not items:
        fail("entry", "has no entries", "the bundle must hold the patient's resources")
    if len(items) > MAX_ENTRIES:
        fail("entry", f"has {len(items)} entries", f"at most {MAX_ENTRIES} in one import")
    problems: list[FieldProblem] = []
    entries: list[Entry] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        path = f"entry[{index}]"
        resource = item.get("resource") if isinstance(item, dict) else None
        url = item.get("fullUrl") if isinstance(item, dict) else None
        if not isinstance(resource, dict):
            problems.append(FieldProblem(f"{path}.resource", "is missing", "each entry holds one"))
            continue
        kind = resource.get("resourceType")
        if kind not in SUPPORTED:
            problems.append(
                FieldProblem(
                    f"{path}.resource.resourceType",
                    f"{kind!r} is not a resource scarplan imports",
                    f"use one of: {', '.join(SUPPORTED)}",
                )
            )
            continue
        if not isinstance(url, str) or not url:
            problems.append(
                FieldProblem(f"{path}.fullUrl", "is missing", "give each entry a fullUrl")
            )
            continue
        if url in seen:
            problems.append(FieldProblem(f"{path}.fullUrl", f"{url!r} is used twice", ""))
            continue
        seen.add(url)
        entries.append(Entry(index, url, resource))
    if problems:
        raise invalid(problems)
    return entries
