"""The report of a stored patient: the open plan (as edited, with the sessions done so far), or
the completed one when the course is over, and the assessment it was made from; the latest
assessment when there is no plan yet."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from scarplan.adapters.presentation.wording import day, label
from scarplan.adapters.reports.content import (
    ConsentLine,
    Fact,
    PerformedSession,
    ReportContent,
    Variant,
)
from scarplan.assessment import assess_case
from scarplan.domain.errors import FieldProblem, StateError
from scarplan.services.assessment import assessment_json
from scarplan.services.clinic.core.access import Permission, authorize
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans.consents import ConsentView, patient_consents
from scarplan.services.clinic.plans.plans import PlanView
from scarplan.services.clinic.records.assessments import (
    latest_assessment,
    load_assessment,
    stored_case,
)
from scarplan.services.clinic.records.patients import load_patient
from scarplan.services.clinic.records.progress import reported_plan
from scarplan.services.clinic.records.sessions import SessionView, patient_sessions
from scarplan.services.report_content import ReportInputs, build_report

NO_PLAN = "No plan has been proposed for this patient yet."


def patient_report(
    clinic: Clinic, actor: Actor, patient_id: int, variant: Variant
) -> ReportContent:
    authorize(actor, Permission.READ_CLINICAL, patient_id)
    with clinic.uow.read() as session:
        patient = load_patient(session, patient_id)
        plan = reported_plan(session, patient_id)
        assessment = (
            load_assessment(session, plan.assessment_id)
            if plan is not None
            else latest_assessment(session, patient_id)
        )
        if assessment is None:
            raise StateError(
                "the patient has no assessment to report on",
                [FieldProblem("assessment", "none recorded", "record an assessment first")],
            )
        case = stored_case(patient, assessment, clinic.today())
        performed = patient_sessions(session, patient_id)
        signed = [consent_line(c) for c in patient_consents(session, patient_id)]
        subject = patient.full_name
    clinic.audit.read(actor, "report", None, patient_id, {"variant": variant.value})
    inputs = ReportInputs(
        case=case,
        subject=subject,
        assessment=assessment_json(assess_case(case, clinic.knowledge)),
        plan=plan.document if plan is not None else None,
        plan_problem=() if plan is not None else (NO_PLAN,),
        routine=plan.routine if plan is not None else None,
        performed=performed_sessions(performed),
        today=clinic.today(),
        done=done_days(plan, performed) if plan is not None else {},
        consents=signed,
    )
    return build_report(inputs, clinic.knowledge, variant)


def done_days(plan: PlanView, performed: Sequence[SessionView]) -> Mapping[int, date]:
    """The day each of the plan's sessions carried out was done, by position (the same
    positions as its document's sessions): the day it was performed, not the day planned."""
    days = {s.id: s.performed_on for s in performed}
    return {
        s.position: days[s.done_by_session_id]
        for s in plan.sessions
        if s.done_by_session_id is not None and s.done_by_session_id in days
    }


def performed_sessions(sessions: Sequence[SessionView]) -> tuple[PerformedSession, ...]:
    return tuple(
        PerformedSession(
            day=s.performed_on,
            modality=s.modality,
            regions=tuple(s.regions),
            practitioner=s.practitioner,
            parameters=tuple(
                Fact(label(name), str(value))
                for name, value in s.parameters.items()
                if value not in (None, "", [])
            ),
            adverse_events=tuple(
                f"{label(e.kind)} ({e.severity}, from {day(e.onset_on)}"
                + (f" to {day(e.resolved_on)})" if e.resolved_on else ", ongoing)")
                for e in s.adverse_events
            ),
        )
        for s in sessions
    )


def consent_line(consent: ConsentView) -> ConsentLine:
    return ConsentLine(
        procedure=consent.procedure,
        status=consent.status,
        signed_on=consent.signed_at.date(),
        signed_by=consent.patient_name,
        countersigned_by=consent.countersigned_by_name,
        countersigned_on=consent.countersigned_at.date() if consent.countersigned_at else None,
        withdrawn_on=consent.withdrawn_at.date() if consent.withdrawn_at else None,
        withdrawal_reason=consent.withdrawal_reason,
        seal=consent.content_hash,
    )
