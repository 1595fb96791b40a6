"""The staff's patient page in one read: the overview, the follow-up visits due and the
patient's pending identity corrections, each only for a reader allowed to see it.

The page is the app's most visited, so it is one transaction and eight queries, not one
service call per box (three transactions, the patient read three times). Like `job_worker.py`
it sits above the subpackages: it puts together the record (`records`), the follow-up rules
(`plans`) and the correction requests (`accounts`), which none of them may import from the
other.
"""

from __future__ import annotations

from dataclasses import dataclass

from scarplan.planning.follow_up import DueVisit
from scarplan.services.clinic.accounts.identity_requests import (
    IdentityRequestView,
    read_pending_of,
)
from scarplan.services.clinic.core.access import Permission, authorize, can
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans.follow_up import read_due
from scarplan.services.clinic.plans.plans import patient_plans
from scarplan.services.clinic.records.progress import Overview, read_overview


@dataclass(frozen=True)
class PatientPage:
    overview: Overview
    due_visits: list[DueVisit] | None
    """None when the reader may not see the schedule (the box is left out, not empty)."""
    identity_pending: list[IdentityRequestView]
    """Empty unless the reader reviews identity corrections."""


def patient_page(clinic: Clinic, actor: Actor, patient_id: int) -> PatientPage:
    authorize(actor, Permission.READ_PATIENT, patient_id)
    with clinic.uow.read() as session:
        rows = session.connection()
        plans = patient_plans(rows, patient_id)
        overview = read_overview(rows, clinic, actor, patient_id, plans)
        due = (
            read_due(rows, clinic, patient_id, plans)
            if can(actor, Permission.READ_SCHEDULE)
            else None
        )
        pending = (
            read_pending_of(rows, patient_id, overview.patient.full_name)
            if can(actor, Permission.REVIEW_IDENTITY)
            else []
        )
    return PatientPage(overview, due, pending)
