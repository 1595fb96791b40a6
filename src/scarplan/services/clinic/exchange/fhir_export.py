"""A stored patient as a FHIR bundle: `scarplan fhir export` and `GET .../$everything`.
(A case file's bundle, no database, is `services/fhir_case.py`.)

Reading a whole record out is a clinical read (it holds assessments, plans, sessions and
photos), so it needs READ_PATIENT and READ_CLINICAL: clinicians, and portal patients for their
own record. It is audited as an export in the same transaction that reads the record, so an
export is never unrecorded.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, undefer

from scarplan.adapters.db.tables import (
    AssessmentRecord,
    PatientRecord,
    PhotoBlobRecord,
    PhotoRecord,
    PlanRecord,
)
from scarplan.adapters.fhir import (
    AdverseEventFacts,
    AssessmentFacts,
    ClinicalRecord,
    LesionFacts,
    PatientFacts,
    PhotoFacts,
    Scores,
    SessionFacts,
    build_bundle,
    plan_facts,
    stated_preferences,
)
from scarplan.adapters.fhir.record import ProcedureConsentFacts
from scarplan.domain.errors import FieldProblem, NotFoundError
from scarplan.services.clinic.core.access import Permission, authorize
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.exchange import consent_exchange
from scarplan.services.clinic.plans import consents, plans
from scarplan.services.clinic.records import assessments, patients, sessions
from scarplan.services.clinic.records.sessions import SessionView


def export_patient_bundle(clinic: Clinic, actor: Actor, patient_id: int) -> dict[str, Any]:
    """Everything about the patient as a validated collection Bundle (photos inlined)."""
    authorize(actor, Permission.READ_PATIENT, patient_id)
    authorize(actor, Permission.READ_CLINICAL, patient_id)
    with clinic.uow.write() as session:
        bundle = build_bundle(clinical_record(session, patient_id), clinic.now())
        detail = {"format": "fhir", "resources": len(bundle["entry"])}
        clinic.audit.changed(session, actor, "export", "patient", patient_id, patient_id, detail)
    return bundle


def patient_id_for_code(clinic: Clinic, actor: Actor, code: str) -> int:
    """The record id of the patient with this code (the case file's `patient.id`)."""
    authorize(actor, Permission.LIST_PATIENTS)
    with clinic.uow.read() as session:
        found = session.scalar(select(PatientRecord.id).where(PatientRecord.code == code))
    if found is None:
        raise NotFoundError(
            "no such patient",
            [FieldProblem("PATIENT_ID", f"no patient has the code {code!r}", "check the code")],
        )
    return found


def clinical_record(session: Session, patient_id: int) -> ClinicalRecord:
    """The patient's record in the FHIR mapping's terms, in a stable order: assessments and
    sessions by date, plans by creation, photos by the day they were taken."""
    patient = patients.load_patient(session, patient_id)
    assessed = session.scalars(
        select(AssessmentRecord)
        .where(AssessmentRecord.patient_id == patient_id)
        .options(selectinload(AssessmentRecord.lesions), undefer(AssessmentRecord.result))
        .order_by(AssessmentRecord.assessed_on, AssessmentRecord.id)
    ).all()
    assessment_at = {record.id: index for index, record in enumerate(assessed)}
    plan_ids = session.scalars(
        select(PlanRecord.id)
        .where(PlanRecord.patient_id == patient_id)
        .order_by(PlanRecord.created_at, PlanRecord.id)
    ).all()
    views = [plans.read_plan_view(session, plan_id) for plan_id in plan_ids]
    planned_at = {
        planned.id: (index, planned.position)
        for index, view in enumerate(views)
        for planned in view.sessions
    }
    treated = sessions.patient_sessions(session, patient_id)
    session_at = {record.id: index for index, record in enumerate(treated)}
    return ClinicalRecord(
        patient=PatientFacts(
            patient.code,
            patient.full_name,
            patient.intake,
            patient.fitzpatrick,
            preferences=stated_preferences(patient.preferences),
            email=patient.email,
        ),
        assessments=tuple(_assessment(record) for record in assessed),
        plans=tuple(
            plan_facts(
                view.document,
                view.status,
                assessment_at[view.assessment_id],
                done={s.position for s in view.sessions if s.done_by_session_id is not None},
                routine=view.routine,
            )
            for view in views
        ),
        sessions=tuple(_session(record, planned_at) for record in treated),
        photos=_photos(session, patient_id, session_at),
        consents=tuple(
            ProcedureConsentFacts(
                modality=c.modality,
                status=c.status,
                signed_at=c.signed_at,
                form_title=c.title,
                form_text=c.form_text,
                content_hash=c.content_hash,
                signed=consent_exchange.transfer_document(session, c),
                signature_png=c.signature_png,
            )
            for c in consents.patient_consents(session, patient_id)
        ),
    )


def _assessment(record: AssessmentRecord) -> AssessmentFacts:
    found = assessments.view(record)
    typed = [lesion["type"] for lesion in record.result["lesions"]]
    return AssessmentFacts(
        day=record.assessed_on,
        notes=record.notes,
        lesions=tuple(
            LesionFacts(given, typed_as)
            for given, typed_as in zip(found.lesions, typed, strict=True)
        ),
        scores=Scores(record.gb_qualitative, float(record.gb_quantitative), record.ecca),
    )


def _session(record: SessionView, planned_at: dict[int, tuple[int, int]]) -> SessionFacts:
    linked = record.planned_session_id
    return SessionFacts(
        performed_on=record.performed_on,
        modality=record.modality,
        regions=tuple(record.regions),
        practitioner=record.practitioner,
        parameters=dict(record.parameters),
        notes=record.notes,
        adverse_events=tuple(
            AdverseEventFacts(e.kind, e.severity, e.onset_on, e.resolved_on, e.notes)
            for e in record.adverse_events
        ),
        planned=planned_at.get(linked) if linked is not None else None,
    )


def _photos(
    session: Session, patient_id: int, session_at: dict[int, int]
) -> tuple[PhotoFacts, ...]:
    records = session.scalars(
        select(PhotoRecord)
        .where(PhotoRecord.patient_id == patient_id)
        .order_by(PhotoRecord.taken_on, PhotoRecord.id)
    ).all()
    wanted = select(PhotoBlobRecord.photo_id, PhotoBlobRecord.data).where(
        PhotoBlobRecord.photo_id.in_([r.id for r in records])
    )
    blobs: dict[int, bytes] = dict(session.execute(wanted).tuples().all())
    return tuple(
        PhotoFacts(
            region=r.region,
            angle=r.angle,
            taken_on=r.taken_on,
            consent=r.consent,
            content_type=r.content_type,
            width_px=r.width_px,
            height_px=r.height_px,
            data=blobs[r.id],
            session=session_at.get(r.session_id) if r.session_id is not None else None,
        )
        for r in records
    )
