"""A patient part-way through a plan, with a portal account: the questionnaire tests' setting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans import plans
from scarplan.services.clinic.records import assessments, patients, sessions
from support.checklists import with_checklist
from support.clinic_data import assessment_input, patient_input
from support.consent import ensure_consents

PORTAL_PASSWORD = "a long portal password"


@dataclass(frozen=True)
class TreatedPatient:
    patient_id: int
    plan_id: int
    actor: Actor
    """The patient's portal account."""
    username: str


def treated_patient(
    clinic: Clinic,
    clinician: Actor,
    code: str = "P-HOME",
    username: str = "ana.home",
    *,
    treated: bool = True,
    **patient: Any,
) -> TreatedPatient:
    """Assessed, with an accepted plan and (when `treated`) its first session done today."""
    today = clinic.today()
    record = patients.create_patient(clinic, clinician, patient_input(code, "Ana Home", **patient))
    assessments.record_assessment(
        clinic, clinician, record.id, assessment_input(today - timedelta(days=1))
    )
    plan = plans.propose_plan(clinic, clinician, record.id)
    plans.accept_plan(clinic, clinician, plan.id)
    if treated:
        first = plans.get_plan(clinic, clinician, plan.id).sessions[0]
        ensure_consents(clinic, clinician, record.id)
        sessions.record_session(
            clinic,
            clinician,
            record.id,
            with_checklist(
                {
                    "performed_on": today.isoformat(),
                    "modality": first.modality,
                    "regions": first.regions,
                    "practitioner": "Dr Lee",
                    "planned_session_id": first.id,
                }
            ),
        )
    account = users.create_user(
        clinic, username, "Ana Home", PORTAL_PASSWORD, "patient", patient_id=record.id
    )
    return TreatedPatient(record.id, plan.id, account, username)
