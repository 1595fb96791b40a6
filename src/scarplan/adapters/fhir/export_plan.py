"""A treatment plan: the CarePlan (with the planner's explained plan as an extension), a
ServiceRequest per planned session and a MedicationRequest per step of the home routine, each an
activity of the CarePlan."""

from __future__ import annotations

from typing import Any

from scarplan.adapters.fhir import codes
from scarplan.adapters.fhir.bundle import reference
from scarplan.adapters.fhir.export_patient import PatientResources
from scarplan.adapters.fhir.reasoning import document_extension
from scarplan.adapters.fhir.record import PlanFacts, PlannedSessionFacts, RoutineStep

CAREPLAN_STATUS = {
    "proposed": "draft",
    "accepted": "active",
    "in_progress": "active",
    "completed": "completed",
    "superseded": "revoked",
    "cancelled": "revoked",
}
ROUTINE_STATUS = {
    "draft": "draft",
    "active": "active",
    "completed": "completed",
    "revoked": "stopped",
}
TIMING = {"am": "MORN", "pm": "EVE"}
"""The routine's slots as FHIR event timings (morning, evening)."""


def plan_resources(
    owner: PatientResources,
    index: int,
    plan: PlanFacts,
    assessment_panel: dict[str, Any],
    scars: dict[str, Any],
) -> list[dict[str, Any]]:
    key = ("plan", index)
    status = CAREPLAN_STATUS[plan.status]
    care_plan: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": owner.id(*key),
        "extension": [{"url": codes.PLAN_STATUS, "valueCode": plan.status}],
        "status": status,
        "intent": "plan",
        "title": "Acne scar treatment plan",
        "subject": owner.subject,
        "period": {"start": plan.start.isoformat()},
        "addresses": [reference(scars)],
        "supportingInfo": [reference(assessment_panel)],
    }
    if plan.document is not None:
        care_plan["extension"].append(document_extension(plan.document))
    if plan.sessions:
        care_plan["period"]["end"] = max(s.day for s in plan.sessions).isoformat()
    requests = [
        _service_request(owner, (*key, "session", position), session, status, care_plan)
        for position, session in enumerate(plan.sessions)
    ]
    routine = [
        _medication_request(owner, (*key, "routine", number), step, status, care_plan)
        for number, step in enumerate(plan.routine)
    ]
    activities = [{"reference": reference(r)} for r in [*requests, *routine]]
    if activities:
        care_plan["activity"] = activities
    if plan.notes:
        care_plan["note"] = [{"text": note} for note in plan.notes]
    return [care_plan, *requests, *routine]


def _session_status(plan_status: str, session: PlannedSessionFacts) -> str:
    if session.done:
        return "completed"
    return {"draft": "draft", "active": "active"}.get(plan_status, "revoked")


def _service_request(
    owner: PatientResources,
    key: tuple[object, ...],
    session: PlannedSessionFacts,
    plan_status: str,
    care_plan: dict[str, Any],
) -> dict[str, Any]:
    extensions: list[dict[str, Any]] = []
    if session.cost is not None:
        money = codes.money(session.cost, session.currency)
        extensions.append({"url": codes.PLANNED_COST, "valueMoney": money})
    extensions.append(
        {"url": codes.DOWNTIME, "valueDuration": codes.quantity(session.downtime_days, "d", "days")}
    )
    request: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": owner.id(*key),
        "extension": extensions,
        "basedOn": [reference(care_plan)],
        "status": _session_status(plan_status, session),
        "intent": "plan",
        "code": codes.local_concept("modality", session.modality),
        "subject": owner.subject,
        "occurrenceDateTime": session.day.isoformat(),
        "bodySite": [codes.local_concept("region", r) for r in session.regions],
    }
    if session.targets:
        request["reasonCode"] = [codes.local_concept("scar-type", t) for t in session.targets]
    return request


def _medication_request(
    owner: PatientResources,
    key: tuple[object, ...],
    step: RoutineStep,
    plan_status: str,
    care_plan: dict[str, Any],
) -> dict[str, Any]:
    dosage: dict[str, Any] = {
        "sequence": step.order,
        "text": step.frequency,
        "timing": {"repeat": {"when": [TIMING[step.slot]]}},
    }
    if step.dose:
        dosage["patientInstruction"] = step.dose
    return {
        "resourceType": "MedicationRequest",
        "id": owner.id(*key),
        "basedOn": [reference(care_plan)],
        "status": ROUTINE_STATUS[plan_status],
        "intent": "plan",
        "medicationCodeableConcept": codes.concept(
            codes.local("agent", step.agent), text=step.text
        ),
        "subject": owner.subject,
        "dosageInstruction": [dosage],
    }
