"""A clinical record as a FHIR R4 (R4B models) collection Bundle."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from scarplan.adapters.fhir.bundle import make_bundle
from scarplan.adapters.fhir.export_assessment import assessment_resources
from scarplan.adapters.fhir.export_consent import consent_resource
from scarplan.adapters.fhir.export_history import history_resources
from scarplan.adapters.fhir.export_patient import PatientResources
from scarplan.adapters.fhir.export_plan import plan_resources
from scarplan.adapters.fhir.export_treatment import (
    consents,
    media,
    practitioners,
    session_resources,
)
from scarplan.adapters.fhir.record import ClinicalRecord


def build_bundle(record: ClinicalRecord, timestamp: datetime) -> dict[str, Any]:
    """The validated bundle, in canonical FHIR JSON form (see `make_bundle`)."""
    owner = PatientResources(record.patient)
    people = practitioners(owner, [s.practitioner for s in record.sessions])
    patient_level = [
        owner.resource,
        *people.values(),
        *owner.screening(),
        *owner.fitzpatrick(),
    ]
    panels: list[dict[str, Any]] = []
    assessed: list[dict[str, Any]] = []
    for index, assessment in enumerate(record.assessments):
        panel, resources = assessment_resources(owner, index, assessment)
        panels.append(panel)
        assessed.extend(resources)
    conditions = [*owner.active_acne()]
    scars = None
    if record.assessments:
        first = min(a.day for a in record.assessments).isoformat()
        scars = owner.acne_scars(first, panels)
        conditions.insert(0, scars)
    planned: list[dict[str, Any]] = []
    requests: dict[tuple[int, int], dict[str, Any]] = {}
    for index, plan in enumerate(record.plans):
        if scars is None:
            raise ValueError("a plan needs the assessment it was made from")
        resources = plan_resources(owner, index, plan, panels[plan.assessment], scars)
        planned.extend(resources)
        sessions = [r for r in resources if r["resourceType"] == "ServiceRequest"]
        requests.update({(index, position): r for position, r in enumerate(sessions)})
    treated: list[dict[str, Any]] = []
    procedures: list[dict[str, Any]] = []
    for index, session in enumerate(record.sessions):
        target = requests.get(session.planned) if session.planned is not None else None
        procedure, resources = session_resources(
            owner, index, session, people[session.practitioner], target
        )
        procedures.append(procedure)
        treated.extend(resources)
    pictures = [
        (photo, media(owner, index, photo, _at(procedures, photo.session)))
        for index, photo in enumerate(record.photos)
    ]
    resources = [
        *patient_level,
        *conditions,
        *owner.medicines(),
        *history_resources(owner),
        *assessed,
        *planned,
        *treated,
        *(resource for _, resource in pictures),
        *consents(owner, pictures),
        *(consent_resource(owner, i, c) for i, c in enumerate(record.consents)),
    ]
    return make_bundle(resources, timestamp)


def _at(items: list[dict[str, Any]], index: int | None) -> dict[str, Any] | None:
    return items[index] if index is not None else None
