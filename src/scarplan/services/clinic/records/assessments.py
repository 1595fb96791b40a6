"""Assessments: lesions per region, scored on save, stored with their scores in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scarplan.adapters.casefile import parse_case_document
from scarplan.adapters.db.tables import AssessmentRecord, LesionRecord, PatientRecord
from scarplan.assessment import AssessmentResult, assess_case
from scarplan.domain.case import Case
from scarplan.domain.errors import FieldProblem, InputError, NotFoundError
from scarplan.services.assessment import assessment_json
from scarplan.services.clinic.core.access import Permission, authorize, authorize_record
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.inputs import AssessmentInput, validated
from scarplan.services.clinic.records.patients import load_patient


@dataclass(frozen=True)
class AssessmentView:
    id: int
    patient_id: int
    assessed_on: date
    notes: str
    lesions: list[dict[str, Any]]
    fitzpatrick: str | None
    goodman_baron_qualitative: int
    goodman_baron_quantitative: float
    ecca: int
    counts_by_type: dict[str, int]
    result: dict[str, Any]
    created_at: datetime


def case_document(patient: PatientRecord, assessment: dict[str, Any]) -> dict[str, Any]:
    """The case file (version 1) that a patient record and one assessment make."""
    return {
        "scarplan_case": 1,
        "patient": {"id": patient.code, **patient.intake},
        "preferences": patient.preferences,
        "assessment": assessment,
    }


def _lesion_document(record: LesionRecord) -> dict[str, Any]:
    values = {
        "region": record.region,
        "type": record.scar_type,
        "count": record.count,
        "width_mm": record.width_mm,
        "depth_mm": record.depth_mm,
        "edges": record.edges,
        "distensible": record.distensible,
        "visible_at_50cm": record.visible_at_50cm,
        "covered_by_makeup": record.covered_by_makeup,
    }
    return {key: value for key, value in values.items() if value is not None}


def stored_case(patient: PatientRecord, assessment: AssessmentRecord, today: date) -> Case:
    document = {
        "date": assessment.assessed_on.isoformat(),
        "lesions": [_lesion_document(lesion) for lesion in assessment.lesions],
    }
    # Flat (macular) marks have no table of their own: they are kept in the stored result.
    macular = (assessment.result or {}).get("macular")
    if macular:
        document["macular"] = macular
    return parse_case_document(case_document(patient, document), today)


def view(record: AssessmentRecord) -> AssessmentView:
    return AssessmentView(
        id=record.id,
        patient_id=record.patient_id,
        assessed_on=record.assessed_on,
        notes=record.notes,
        lesions=[_lesion_document(lesion) for lesion in record.lesions],
        fitzpatrick=record.fitzpatrick,
        goodman_baron_qualitative=record.gb_qualitative,
        goodman_baron_quantitative=record.gb_quantitative,
        ecca=record.ecca,
        counts_by_type=record.counts,
        result=record.result,
        created_at=record.created_at,
    )


def _scored(
    clinic: Clinic, patient: PatientRecord, raw: Any
) -> tuple[AssessmentInput, AssessmentResult]:
    entered = validated(AssessmentInput, raw, "assessment")
    document = entered.model_dump(mode="json", exclude_none=True, exclude={"notes"})
    try:
        case = parse_case_document(case_document(patient, document), clinic.today())
    except InputError as error:
        # Field paths are the case file's; the form's are relative to the assessment.
        problems = [
            FieldProblem(p.path.removeprefix("assessment."), p.message, p.hint)
            for p in error.problems
        ]
        raise InputError("the assessment is invalid", problems) from None
    return entered, assess_case(case, clinic.knowledge)


def preview_assessment(clinic: Clinic, actor: Actor, patient_id: int, raw: Any) -> dict[str, Any]:
    """Scores of an assessment being entered, without saving it (the live panel)."""
    authorize(actor, Permission.WRITE_CLINICAL, patient_id)
    with clinic.uow.read() as session:
        patient = load_patient(session, patient_id)
        _, result = _scored(clinic, patient, raw)
    return assessment_json(result)


def record_assessment(clinic: Clinic, actor: Actor, patient_id: int, raw: Any) -> AssessmentView:
    """Score and save an assessment: the record, every lesion and the scores, or nothing."""
    authorize(actor, Permission.WRITE_CLINICAL, patient_id)
    with clinic.uow.write() as session:
        return view(add_assessment(session, clinic, actor, load_patient(session, patient_id), raw))


def add_assessment(
    session: Session, clinic: Clinic, actor: Actor, patient: PatientRecord, raw: Any
) -> AssessmentRecord:
    """Score and add an assessment in the caller's transaction."""
    entered, result = _scored(clinic, patient, raw)
    record = _new_record(patient, entered, result, actor, clinic.now())
    session.add(record)
    session.flush()
    clinic.audit.changed(session, actor, "create", "assessment", record.id, patient.id)
    return record


def _new_record(
    patient: PatientRecord,
    entered: AssessmentInput,
    result: AssessmentResult,
    actor: Actor,
    now: datetime,
) -> AssessmentRecord:
    document = assessment_json(result)
    record = AssessmentRecord(
        patient_id=patient.id,
        assessed_on=entered.date,
        notes=entered.notes,
        fitzpatrick=document["fitzpatrick"],
        gb_qualitative=document["goodman_baron"]["qualitative_grade"],
        gb_quantitative=float(document["goodman_baron"]["quantitative_score"]),
        ecca=document["ecca"],
        counts=document["counts_by_type"],
        result=document,
        created_at=now,
        created_by=actor.user_id,
    )
    for position, lesion in enumerate(entered.lesions):
        record.lesions.append(
            LesionRecord(
                position=position,
                region=lesion.region.value,
                scar_type=lesion.type.value if lesion.type else None,
                count=lesion.count,
                width_mm=lesion.width_mm,
                depth_mm=lesion.depth_mm,
                edges=lesion.edges.value if lesion.edges else None,
                distensible=lesion.distensible,
                visible_at_50cm=lesion.visible_at_50cm,
                covered_by_makeup=lesion.covered_by_makeup,
            )
        )
    return record


def load_assessment(session: Session, assessment_id: int) -> AssessmentRecord:
    record = session.get(
        AssessmentRecord, assessment_id, options=[selectinload(AssessmentRecord.lesions)]
    )
    if record is None:
        raise NotFoundError(
            "no such assessment",
            [FieldProblem("assessment_id", f"{assessment_id} names no assessment", "")],
        )
    return record


def get_assessment(clinic: Clinic, actor: Actor, assessment_id: int) -> AssessmentView:
    with clinic.uow.read() as session:
        record = load_assessment(session, assessment_id)
        authorize_record(
            actor,
            Permission.READ_CLINICAL,
            record.patient_id,
            "assessment_id",
            assessment_id,
            "assessment",
        )
        found = view(record)
    clinic.audit.read(actor, "assessment", assessment_id, found.patient_id)
    return found


def list_assessments(clinic: Clinic, actor: Actor, patient_id: int) -> list[AssessmentView]:
    """A patient's assessments, oldest first."""
    authorize(actor, Permission.READ_CLINICAL, patient_id)
    clinic.audit.read(actor, "assessment_list", None, patient_id)
    with clinic.uow.read() as session:
        load_patient(session, patient_id)
        records = session.scalars(
            select(AssessmentRecord)
            .where(AssessmentRecord.patient_id == patient_id)
            .options(selectinload(AssessmentRecord.lesions))
            .order_by(AssessmentRecord.assessed_on, AssessmentRecord.id)
        ).all()
        return [view(r) for r in records]


def latest_assessment(session: Session, patient_id: int) -> AssessmentRecord | None:
    return session.scalar(
        select(AssessmentRecord)
        .where(AssessmentRecord.patient_id == patient_id)
        .options(selectinload(AssessmentRecord.lesions))
        .order_by(AssessmentRecord.assessed_on.desc(), AssessmentRecord.id.desc())
        .limit(1)
    )
