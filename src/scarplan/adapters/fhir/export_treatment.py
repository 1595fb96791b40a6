"""What was done: a Procedure per session with an Observation per recorded parameter and a
Condition per adverse event (its complication); a Media per photo and the Consent covering it."""

from __future__ import annotations

from typing import Any

from scarplan.adapters.fhir import codes
from scarplan.adapters.fhir.bundle import attachment, reference
from scarplan.adapters.fhir.export_patient import PatientResources
from scarplan.adapters.fhir.record import AdverseEventFacts, PhotoFacts, SessionFacts


def practitioners(owner: PatientResources, names: list[str]) -> dict[str, dict[str, Any]]:
    """One Practitioner per name, in first-seen order."""
    found: dict[str, dict[str, Any]] = {}
    for name in names:
        if name not in found:
            found[name] = {
                "resourceType": "Practitioner",
                "id": owner.id("practitioner", name),
                "name": [{"text": name}],
            }
    return found


def session_resources(
    owner: PatientResources,
    index: int,
    session: SessionFacts,
    practitioner: dict[str, Any],
    planned: dict[str, Any] | None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The Procedure and everything that hangs off it, Procedure first."""
    key = ("session", index)
    day = session.performed_on.isoformat()
    procedure: dict[str, Any] = {"resourceType": "Procedure", "id": owner.id(*key)}
    if planned is not None:
        procedure["basedOn"] = [reference(planned)]
    procedure.update(
        {
            "status": "completed",
            "code": codes.local_concept("modality", session.modality),
            "subject": owner.subject,
            "performedDateTime": day,
            "performer": [{"actor": reference(practitioner)}],
            "bodySite": [codes.local_concept("region", r) for r in session.regions],
        }
    )
    if session.notes:
        procedure["note"] = [{"text": session.notes}]
    events = [
        _adverse_event(owner, (*key, "adverse-event", number), event, procedure)
        for number, event in enumerate(session.adverse_events)
    ]
    if events:
        procedure["complication"] = [event["code"] for event in events]
        procedure["complicationDetail"] = [reference(event) for event in events]
    parameters = [
        _parameter(owner, (*key, "parameter", name), name, value, procedure, day)
        for name, value in session.parameters.items()
    ]
    return procedure, [procedure, *parameters, *events]


def _parameter(
    owner: PatientResources,
    key: tuple[object, ...],
    name: str,
    value: Any,
    procedure: dict[str, Any],
    day: str,
) -> dict[str, Any]:
    spec = codes.SESSION_PARAMETERS[name]
    resource = owner.observation(
        key, codes.PROCEDURE, codes.local_concept("session-parameter", name)
    )
    resource["partOf"] = [reference(procedure)]
    resource["effectiveDateTime"] = day
    if spec.text:
        resource["valueString"] = str(value)
    elif spec.unit is not None:
        resource["valueQuantity"] = codes.quantity(value, spec.unit)
    else:
        resource["valueInteger"] = int(value)
    return resource


def _adverse_event(
    owner: PatientResources,
    key: tuple[object, ...],
    event: AdverseEventFacts,
    procedure: dict[str, Any],
) -> dict[str, Any]:
    resolved = event.resolved_on is not None
    condition: dict[str, Any] = {
        "resourceType": "Condition",
        "id": owner.id(*key),
        "extension": [{"url": codes.DUE_TO, "valueReference": reference(procedure)}],
        "clinicalStatus": codes.concept(codes.coding(codes.RESOLVED if resolved else codes.ACTIVE)),
        "verificationStatus": codes.concept(codes.coding(codes.CONFIRMED)),
        "severity": codes.concept(codes.coding(codes.SEVERITY[event.severity])),
        "code": codes.local_concept("adverse-event", event.kind),
        "subject": owner.subject,
        "onsetDateTime": event.onset_on.isoformat(),
    }
    if event.resolved_on is not None:
        condition["abatementDateTime"] = event.resolved_on.isoformat()
    if event.notes:
        condition["note"] = [{"text": event.notes}]
    return condition


def media(
    owner: PatientResources, index: int, photo: PhotoFacts, procedure: dict[str, Any] | None
) -> dict[str, Any]:
    """The photo with its image inlined (base64), so the bundle carries the record whole."""
    region = codes.display("region", photo.region).lower()
    angle = codes.display("photo-angle", photo.angle).lower()
    resource: dict[str, Any] = {
        "resourceType": "Media",
        "id": owner.id("photo", index),
        "status": "completed",
        "type": codes.concept(codes.coding(codes.IMAGE)),
        "view": codes.local_concept("photo-angle", photo.angle),
        "subject": owner.subject,
        "createdDateTime": photo.taken_on.isoformat(),
        "bodySite": codes.local_concept("region", photo.region),
        "width": photo.width_px,
        "height": photo.height_px,
        "content": attachment(
            photo.data, photo.content_type, f"{region}, {angle}, {photo.taken_on.isoformat()}"
        ),
    }
    if procedure is not None:
        resource["partOf"] = [reference(procedure)]
    return resource


def consents(
    owner: PatientResources, photos: list[tuple[PhotoFacts, dict[str, Any]]]
) -> list[dict[str, Any]]:
    """One Consent per use the patient agreed to, naming the photos it covers."""
    scopes: dict[str, list[dict[str, Any]]] = {}
    for photo, resource in photos:
        scopes.setdefault(photo.consent, []).append(resource)
    return [
        {
            "resourceType": "Consent",
            "id": owner.id("photo-consent", scope),
            "status": "active",
            "scope": codes.concept(codes.coding(codes.PRIVACY_CONSENT)),
            "category": [codes.concept(codes.coding(codes.CONSENT_DOCUMENT))],
            "patient": owner.subject,
            "policyRule": codes.concept(codes.coding(codes.OPT_IN)),
            "provision": {
                "type": "permit",
                "purpose": [codes.local("photo-consent", scope)],
                "data": [{"meaning": "instance", "reference": reference(r)} for r in covered],
            },
        }
        for scope, covered in scopes.items()
    ]
