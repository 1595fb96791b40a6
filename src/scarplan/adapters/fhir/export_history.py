"""The medical history of the intake: a Condition per condition, an AllergyIntolerance per
allergy, a Device per implant, a MedicationStatement per medication class and a Procedure per
earlier procedure. Written only for what the intake lists; an empty list writes nothing."""

from __future__ import annotations

from typing import Any

from scarplan.adapters.fhir import codes
from scarplan.adapters.fhir.export_patient import PatientResources
from scarplan.domain.vocabulary import PERMANENT_FILLER


def listed(intake: dict[str, Any], name: str) -> list[str]:
    """The ids of one history list, each once, in the order given."""
    return list(dict.fromkeys(str(item) for item in intake.get(name) or []))


def _concept(name: str, code: str, standard: dict[Any, tuple[str, str, str]]) -> dict[str, Any]:
    """The local coding, then the standard one where there is one; `text` the local display."""
    found = [codes.local(name, code)]
    if code in standard:
        found.append(codes.coding(standard[code]))
    return codes.concept(*found, text=codes.display(name, code))


def history_resources(owner: PatientResources) -> list[dict[str, Any]]:
    """Every history resource, in the order of docs/fhir.md's table."""
    return [
        *conditions(owner),
        *allergies(owner),
        *implants(owner),
        *medications(owner),
        *prior_procedures(owner),
    ]


def conditions(owner: PatientResources) -> list[dict[str, Any]]:
    found = []
    for code in listed(owner.patient.intake, "conditions"):
        resource = owner.condition(f"history-{code}")
        resource.update(
            {
                "clinicalStatus": codes.concept(codes.coding(codes.ACTIVE)),
                "category": [codes.concept(codes.coding(codes.PROBLEM_LIST_ITEM))],
                "code": _concept("condition", code, codes.CONDITION_SNOMED),
            }
        )
        found.append(resource)
    return found


def allergies(owner: PatientResources) -> list[dict[str, Any]]:
    found = []
    for code in listed(owner.patient.intake, "allergies"):
        resource: dict[str, Any] = {
            "resourceType": "AllergyIntolerance",
            "id": owner.id("allergy", code),
            "clinicalStatus": codes.concept(codes.coding(codes.ALLERGY_ACTIVE)),
            "type": "allergy",
        }
        if code in codes.MEDICINE_ALLERGIES:
            resource["category"] = ["medication"]
        resource["code"] = _concept("allergy", code, codes.ALLERGY_SNOMED)
        resource["patient"] = owner.subject
        found.append(resource)
    return found


def implants(owner: PatientResources) -> list[dict[str, Any]]:
    return [
        {
            "resourceType": "Device",
            "id": owner.id("device", code),
            "status": "active",
            "type": codes.local_concept("implant", code, text=codes.display("implant", code)),
            "patient": owner.subject,
        }
        for code in listed(owner.patient.intake, "implants")
    ]


def medications(owner: PatientResources) -> list[dict[str, Any]]:
    return [
        {
            "resourceType": "MedicationStatement",
            "id": owner.id("medication-statement", f"class-{code}"),
            "status": "active",
            "medicationCodeableConcept": codes.local_concept(
                "medication-class", code, text=codes.display("medication-class", code)
            ),
            "subject": owner.subject,
        }
        for code in listed(owner.patient.intake, "medications")
    ]


def prior_procedures(owner: PatientResources) -> list[dict[str, Any]]:
    found = []
    for index, item in enumerate(owner.patient.intake.get("prior_procedures") or []):
        kind = str(item["kind"])
        system = "prior-procedure" if kind == PERMANENT_FILLER else "modality"
        resource: dict[str, Any] = {
            "resourceType": "Procedure",
            "id": owner.id("prior-procedure", index),
            "status": "completed",
            "category": codes.local_concept("procedure-category", "prior_procedure"),
            "code": codes.local_concept(system, kind),
            "subject": owner.subject,
        }
        if item.get("date"):
            resource["performedDateTime"] = item["date"]
        regions = item.get("regions") or []
        if regions:
            resource["bodySite"] = [codes.local_concept("region", r) for r in regions]
        if item.get("product"):
            resource["usedCode"] = [{"text": item["product"]}]
        found.append(resource)
    return found
