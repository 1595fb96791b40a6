"""A bundle's plans stored as given (not planned again), for the FHIR import.

A CarePlan that carries the plan document (the `plan-document` extension, validated by the
parse) is stored with exactly that document: the imported plan shows the planner's reasons,
sources, exclusions and sequencing as the exporting clinic saw them. A CarePlan without one gets
a document rebuilt from its sessions, costs and notes, with no reasoning.
"""

from __future__ import annotations

import copy
from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import AssessmentRecord, PatientRecord, PlanRecord
from scarplan.adapters.fhir import PlanFacts, relocated, routine_steps
from scarplan.domain.errors import FieldProblem, InputError
from scarplan.planning.document import read_plan_document
from scarplan.services.assessment import NOTICE
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans import plans
from scarplan.services.clinic.plans.plan_edits import routine_document
from scarplan.services.clinic.records import assessments

REASON = "imported from a FHIR bundle"


def import_plan(
    session: Session,
    clinic: Clinic,
    actor: Actor,
    patient: PatientRecord,
    assessment: AssessmentRecord,
    facts: PlanFacts,
    warnings: list[str],
) -> PlanRecord:
    """Add the bundle's plan as given, in the import's transaction."""
    if facts.document is not None:
        document = copy.deepcopy(facts.document)
    else:
        document = _plan_document(facts, patient, assessment, clinic.settings.currency)
    # The document's routine (with its calendar, checks and reasons) is kept when its steps are
    # the bundle's MedicationRequests; steps changed since are handled as in a bundle without
    # a document: derived again, or kept as given.
    if facts.document is None or routine_steps(document["routine"]) != facts.routine:
        case = assessments.stored_case(patient, assessment, clinic.today())
        derived = routine_document(case, read_plan_document(document), clinic.knowledge)
        if routine_steps(derived) == facts.routine:
            document["routine"] = derived
        else:
            document["routine"] = _given_routine(facts)
            warnings.append(
                f"plan starting {facts.start}: its home routine differs from the one scarplan "
                "makes for this patient and plan; it was kept as given, without a calendar of "
                "pauses"
            )
    status = plans.PlanStatus(facts.status)
    return plans.add_plan(session, clinic, actor, assessment, document, status, REASON)


def _plan_document(
    facts: PlanFacts, patient: PatientRecord, assessment: AssessmentRecord, currency: str
) -> dict[str, Any]:
    """The plan in the `scarplan plan --json` shape, from what a bundle without the plan
    document carries: the sessions, costs and notes. Without the document the planner's
    reasoning is unknown, so the lists of recommendations, exclusions, courses and sequence
    rules are empty."""
    totals = Counter(s.modality for s in facts.sessions)
    seen: Counter[str] = Counter()
    rows: list[dict[str, Any]] = []
    for item in facts.sessions:
        seen[item.modality] += 1
        rows.append(
            {
                "date": item.day.isoformat(),
                "modality": item.modality,
                "number": seen[item.modality],
                "of": totals[item.modality],
                "targets": list(item.targets),
                "regions": list(item.regions),
                "downtime_days": item.downtime_days,
                "recovered_by": (item.day + timedelta(days=item.downtime_days)).isoformat(),
                "cost": (
                    {"amount": float(item.cost), "currency": item.currency}
                    if item.cost is not None
                    else None
                ),
                "cost_basis": None,
            }
        )
    priced = [s for s in facts.sessions if s.cost is not None]
    currencies = sorted({s.currency or "" for s in priced})
    if len(currencies) > 1:
        raise relocated(
            InputError(
                "the plan is invalid",
                [
                    FieldProblem(
                        "", f"its sessions cost in {', '.join(currencies)}", "use one currency"
                    )
                ],
            ),
            facts.origins,
        )
    unpriced = list(dict.fromkeys(s.modality for s in facts.sessions if s.cost is None))
    return {
        "patient_id": patient.code,
        "start_date": facts.start.isoformat(),
        "fitzpatrick": assessment.fitzpatrick,
        "scars": dict(assessment.counts),
        "recommended": [],
        "excluded": [],
        "courses": [],
        "sequence": [],
        "sessions": rows,
        "total_cost": {
            "amount": float(sum(s.cost for s in priced if s.cost is not None)),
            "currency": currencies[0] if currencies else currency,
            "complete": not unpriced,
            "unpriced": unpriced,
        },
        "budget": None,
        "end_date": max(s.day for s in facts.sessions).isoformat() if rows else None,
        "routine": None,
        "notes": list(facts.notes),
        "notice": NOTICE,
    }


def _given_routine(facts: PlanFacts) -> dict[str, Any]:
    def steps(slot: str) -> list[dict[str, Any]]:
        return [
            {
                "agent": step.agent,
                "name": step.text,
                "order": step.order,
                "strength": "",
                "dose": step.dose,
                "frequency": step.frequency,
                "already_used": False,
                "why": [],
            }
            for step in facts.routine
            if step.slot == slot
        ]

    return {
        "start_date": facts.start.isoformat(),
        "am": steps("am"),
        "pm": steps("pm"),
        "calendar": [],
        "checks": [],
        "left_out": [],
        "advice": [],
        "referral": [],
        "notes": [f"Home routine {REASON}, as given."],
        "notice": NOTICE,
    }
