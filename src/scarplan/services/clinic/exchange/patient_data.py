"""A patient's own data: the complete export (the right of access) and erasure on request.

The export is everything scarplan keeps about the patient, in one JSON document (and, in the
archive, the photos as image files beside it). Erasure deletes the patient and every record of
theirs, portal account included, in one transaction. The audit trail keeps its entries (ids,
who, when and what kind of access; no clinical content) and gains one for the erasure: it is
the clinic's proof of who saw the record and that it was erased. docs/privacy.md has the
procedures.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path, PurePath
from typing import Any

from sqlalchemy import Connection, Delete, delete, select
from sqlalchemy.orm import Session, selectinload

from scarplan.adapters.db.tables import (
    AdverseEventOutcomeRecord,
    AdverseEventRecord,
    ApiTokenRecord,
    AppointmentRecord,
    AssessmentRecord,
    ChecklistAnswerRecord,
    ConsentCountersignatureRecord,
    ConsentRecord,
    ConsentWithdrawalRecord,
    FollowUpVisitRecord,
    HomeRoutineRecord,
    IdentityChangeRequestRecord,
    JobFileRecord,
    JobPayloadRecord,
    JobRecord,
    LesionRecord,
    MailOutboxRecord,
    PatientRecord,
    PhotoBlobRecord,
    PhotoRecord,
    PlannedSessionRecord,
    PlanRecord,
    PlanVersionRecord,
    PortalInvitationRecord,
    QuestionnaireResponseRecord,
    TopographyMapRecord,
    TopographyOverlayRecord,
    TopographyRecord,
    TreatmentSessionRecord,
    User,
    UserSessionRecord,
)
from scarplan.domain.errors import FieldProblem, InputError
from scarplan.scheduling.model import clock_time
from scarplan.services.clinic.core.access import Permission, authorize, not_found
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans import consents, plans
from scarplan.services.clinic.records import assessments, patients, photos, sessions

FORMAT = "scarplan-patient-export"
DATA_FILE = "data.json"
MIN_REASON = 3
MAX_REASON = 500
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


@dataclass(frozen=True)
class PatientArchive:
    path: Path
    photos: int
    byte_size: int


@dataclass(frozen=True)
class ErasureReport:
    patient_id: int
    erased_at: datetime
    reason: str
    deleted: dict[str, int]
    """Rows deleted per table, in the order they were deleted."""


def export_patient(clinic: Clinic, actor: Actor, patient_id: int) -> dict[str, Any]:
    """Everything kept about the patient as a JSON-ready document; photos by metadata only
    (`write_patient_archive` adds the images)."""
    authorize(actor, Permission.EXPORT_PATIENT, patient_id)
    with clinic.uow.write() as session:
        document, _ = _collect(session, patient_id, clinic.now())
        detail = {"format": "json", "photos": len(document["photos"])}
        clinic.audit.changed(session, actor, "export", "patient", patient_id, patient_id, detail)
    return document


def write_patient_archive(
    clinic: Clinic, actor: Actor, patient_id: int, target: Path
) -> PatientArchive:
    """A ZIP file at `target` (which must not exist yet): data.json, photos/ with each photo
    as the image file stored, and topography/ with each 3D analysis's overlay image. Readable
    by its owner only: it is a whole health record."""
    authorize(actor, Permission.EXPORT_PATIENT, patient_id)
    if target.exists():
        raise InputError(
            "the archive cannot be written",
            [FieldProblem("target", f"{target} exists", "name a new file")],
        )
    with clinic.uow.write() as session:
        document, images = _collect(session, patient_id, clinic.now())
        photo_count = len(document["photos"])
        detail = {"format": "zip", "photos": photo_count, "overlays": len(document["topography"])}
        clinic.audit.changed(session, actor, "export", "patient", patient_id, patient_id, detail)
        # The entry is flushed before the file appears, so an export never goes unrecorded.
        session.flush()
        _write_zip(target, document, images)
    return PatientArchive(target, photo_count, target.stat().st_size)


def _plain(value: Any) -> Any:
    """JSON-ready: ISO dates, money as exact decimal strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _plan(session: Session, plan_id: int) -> dict[str, Any]:
    record = plans.load_plan(session, plan_id)
    versions = []
    for summary in record.versions:
        view = plans.plan_view(session, record, summary.version)
        versions.append(
            {
                "version": summary.version,
                "reason": summary.reason,
                "created_at": summary.created_at,
                "currency": view.currency,
                "total_cost": view.total_cost,
                "end_date": view.end_date,
                "sessions": view.sessions,
                "document": view.document.model_dump(mode="json"),
                "routine": view.routine,
            }
        )
    return {
        "id": record.id,
        "assessment_id": record.assessment_id,
        "status": record.status,
        "current_version": record.current_version,
        "created_at": record.created_at,
        "accepted_at": record.accepted_at,
        "completed_at": record.completed_at,
        "versions": versions,
    }


def _collect(
    session: Session, patient_id: int, now: datetime
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The export document and the photo files it names (archive path -> bytes)."""
    patient = patients.load_patient(session, patient_id)
    account = session.scalar(select(User).where(User.patient_id == patient_id))
    assessed = session.scalars(
        select(AssessmentRecord)
        .where(AssessmentRecord.patient_id == patient_id)
        .options(selectinload(AssessmentRecord.lesions))
        .order_by(AssessmentRecord.assessed_on, AssessmentRecord.id)
    ).all()
    plan_ids = session.scalars(
        select(PlanRecord.id)
        .where(PlanRecord.patient_id == patient_id)
        .order_by(PlanRecord.created_at, PlanRecord.id)
    ).all()
    treated = sessions.patient_sessions(session, patient_id)
    pictures = session.scalars(
        select(PhotoRecord)
        .where(PhotoRecord.patient_id == patient_id)
        .order_by(PhotoRecord.taken_on, PhotoRecord.id)
    ).all()
    images: dict[str, bytes] = {}
    photo_entries = []
    for number, photo in enumerate(pictures, start=1):
        name = (
            f"photos/{number:03d}-{photo.taken_on.isoformat()}-{photo.region}-{photo.angle}"
            f"{EXTENSIONS.get(photo.content_type, '.bin')}"
        )
        images[name] = session.get_one(PhotoBlobRecord, photo.id).data
        entry = dataclasses.asdict(photos.photo_view(photo))
        photo_entries.append(
            {**entry, "content_type": photo.content_type, "sha256": photo.sha256, "file": name}
        )
    booked = session.scalars(
        select(AppointmentRecord)
        .where(AppointmentRecord.patient_id == patient_id)
        .order_by(AppointmentRecord.day, AppointmentRecord.start_minute, AppointmentRecord.id)
    ).all()
    maps = session.scalars(
        select(TopographyRecord)
        .where(TopographyRecord.patient_id == patient_id)
        .order_by(TopographyRecord.taken_on, TopographyRecord.id)
    ).all()
    topography_entries = []
    for number, measured in enumerate(maps, start=1):
        name = f"topography/{number:03d}-{measured.taken_on.isoformat()}-{measured.region}.png"
        images[name] = session.get_one(TopographyOverlayRecord, measured.id).png
        kept = session.get(TopographyMapRecord, measured.id)
        map_name = None
        if kept is not None:
            suffix = PurePath(measured.filename).suffix.lower() or ".bin"
            map_name = (
                f"topography/{number:03d}-{measured.taken_on.isoformat()}-{measured.region}{suffix}"
            )
            images[map_name] = zlib.decompress(kept.compressed)
        topography_entries.append(
            {
                "id": measured.id,
                "region": measured.region,
                "taken_on": measured.taken_on,
                "filename": measured.filename,
                "sha256": measured.sha256,
                "pixel_size_mm": measured.pixel_size_mm,
                "assessment_id": measured.assessment_id,
                "result": measured.result,
                "overlay_file": name,
                "map_file": map_name,
                "map_read_options": kept.read_options if kept is not None else None,
            }
        )
    answered = session.scalars(
        select(QuestionnaireResponseRecord)
        .where(QuestionnaireResponseRecord.patient_id == patient_id)
        .order_by(QuestionnaireResponseRecord.answered_on, QuestionnaireResponseRecord.id)
    ).all()
    consent_entries = []
    for number, signed in enumerate(consents.patient_consents(session, patient_id), start=1):
        name = f"consents/{number:03d}-{signed.signed_at.date().isoformat()}-{signed.modality}.png"
        images[name] = signed.signature_png
        consent_entries.append({**consents.export_entry(signed), "signature_file": name})
    document = {
        "format": FORMAT,
        "version": 1,
        "exported_at": now,
        "patient": patients.detail(patient),
        "portal_account": (
            {
                "username": account.username,
                "full_name": account.full_name,
                "role": account.role,
                "active": account.active,
                "created_at": account.created_at,
            }
            if account is not None
            else None
        ),
        "identity_requests": [
            {
                "full_name": r.full_name,
                "birth_date": r.birth_date,
                "reason": r.reason,
                "status": r.status,
                "created_at": r.created_at,
                "decided_at": r.decided_at,
                "note": r.note,
            }
            for r in session.scalars(
                select(IdentityChangeRequestRecord)
                .where(IdentityChangeRequestRecord.patient_id == patient_id)
                .order_by(IdentityChangeRequestRecord.id)
            )
        ],
        "assessments": [assessments.view(a) for a in assessed],
        "plans": [_plan(session, plan_id) for plan_id in plan_ids],
        "sessions": treated,
        "consents": consent_entries,
        "photos": photo_entries,
        "appointments": [
            {
                "day": a.day,
                "start": clock_time(a.start_minute),
                "end": clock_time(a.end_minute),
                "procedure": a.modality,
                "practitioner": a.practitioner,
                "room": a.room,
                "device": a.device,
                "status": a.status,
                "plan_id": a.plan_id,
                "kind": a.kind,
                "checked_in_at": a.checked_in_at,
                "session_id": a.session_id,
            }
            for a in booked
        ],
        "topography": topography_entries,
        "questionnaires": [
            {
                "id": r.id,
                "instrument_id": r.instrument_id,
                "instrument_version": r.instrument_version,
                "answered_on": r.answered_on,
                "answers": r.answers,
                "score": r.score,
                "planned_session_id": r.planned_session_id,
                "created_at": r.created_at,
            }
            for r in answered
        ],
        "follow_up_visits": [
            {
                "kind": v.kind,
                "visited_on": v.visited_on,
                "plan_id": v.plan_id,
                "verdict": v.verdict,
                "comparison": v.comparison,
                "notes": v.notes,
                "created_at": v.created_at,
            }
            for v in session.scalars(
                select(FollowUpVisitRecord)
                .where(FollowUpVisitRecord.patient_id == patient_id)
                .order_by(FollowUpVisitRecord.visited_on, FollowUpVisitRecord.id)
            )
        ],
    }
    return _plain(document), images


def _write_zip(target: Path, document: dict[str, Any], images: dict[str, bytes]) -> None:
    # Written beside the target and renamed into place: never a half-written archive, and
    # mkstemp's file is the owner's alone from the start.
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, scratch = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle, zipfile.ZipFile(handle, "w") as archive:
            text = json.dumps(document, indent=2, ensure_ascii=False)
            archive.writestr(DATA_FILE, text + "\n", compress_type=zipfile.ZIP_DEFLATED)
            for name, data in images.items():
                # Images are compressed already: stored as they are.
                archive.writestr(name, data, compress_type=zipfile.ZIP_STORED)
        os.replace(scratch, target)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise


def erase_patient(clinic: Clinic, actor: Actor, patient_id: int, reason: str) -> ErasureReport:
    """Delete the patient, every record of theirs and their portal account, all or nothing.

    The audit trail is kept, with an "erase" entry giving the reason and the rows deleted.
    """
    authorize(actor, Permission.ERASE_PATIENT, patient_id)
    stated = " ".join(reason.split())
    if not MIN_REASON <= len(stated) <= MAX_REASON:
        raise InputError(
            "the erasure needs a reason",
            [
                FieldProblem(
                    "reason",
                    f"must be {MIN_REASON} to {MAX_REASON} characters",
                    "say how and when the patient asked, without their name",
                )
            ],
        )
    with clinic.uow.write() as session:
        if session.scalar(select(PatientRecord.id).where(PatientRecord.id == patient_id)) is None:
            raise not_found("patient_id", patient_id, "patient")
        rows = session.connection()
        deleted = {table: _count(rows, statement) for table, statement in _erasure(patient_id)}
        clinic.audit.changed(
            session,
            actor,
            "erase",
            "patient",
            patient_id,
            patient_id,
            {"reason": stated, "deleted": deleted},
        )
    clinic.uow.purge_log()
    return ErasureReport(patient_id, clinic.now(), stated, deleted)


def _count(rows: Connection, statement: Delete) -> int:
    return rows.execute(statement).rowcount


def _erasure(patient_id: int) -> list[tuple[str, Delete]]:
    """Children before parents. Several links (a session's plan and planned session, a plan's
    assessment, a photo's session) do not cascade, and SQLite and PostgreSQL order cascades
    differently: explicit deletes behave the same on both and count what each removed."""
    session_ids = select(TreatmentSessionRecord.id).where(
        TreatmentSessionRecord.patient_id == patient_id
    )
    photo_ids = select(PhotoRecord.id).where(PhotoRecord.patient_id == patient_id)
    plan_ids = select(PlanRecord.id).where(PlanRecord.patient_id == patient_id)
    version_ids = select(PlanVersionRecord.id).where(PlanVersionRecord.plan_id.in_(plan_ids))
    assessment_ids = select(AssessmentRecord.id).where(AssessmentRecord.patient_id == patient_id)
    user_ids = select(User.id).where(User.patient_id == patient_id)
    topography_ids = select(TopographyRecord.id).where(TopographyRecord.patient_id == patient_id)
    consent_ids = select(ConsentRecord.id).where(ConsentRecord.patient_id == patient_id)
    job_ids = select(JobRecord.id).where(JobRecord.patient_id == patient_id)
    return [
        (
            "identity_change_requests",
            delete(IdentityChangeRequestRecord).where(
                IdentityChangeRequestRecord.patient_id == patient_id
            ),
        ),
        (
            "appointments",
            delete(AppointmentRecord).where(AppointmentRecord.patient_id == patient_id),
        ),
        # A job's input (an uploaded map) and what it made (a report PDF) go with it.
        ("job_payloads", delete(JobPayloadRecord).where(JobPayloadRecord.job_id.in_(job_ids))),
        ("job_files", delete(JobFileRecord).where(JobFileRecord.job_id.in_(job_ids))),
        ("jobs", delete(JobRecord).where(JobRecord.patient_id == patient_id)),
        # The e-mails hold the patient's name and address; the invitations, their account's link.
        ("mail_outbox", delete(MailOutboxRecord).where(MailOutboxRecord.patient_id == patient_id)),
        (
            "portal_invitations",
            delete(PortalInvitationRecord).where(PortalInvitationRecord.patient_id == patient_id),
        ),
        (
            "questionnaire_responses",
            delete(QuestionnaireResponseRecord).where(
                QuestionnaireResponseRecord.patient_id == patient_id
            ),
        ),
        (
            "topography_overlays",
            delete(TopographyOverlayRecord).where(
                TopographyOverlayRecord.topography_id.in_(topography_ids)
            ),
        ),
        (
            "topography_maps",
            delete(TopographyMapRecord).where(
                TopographyMapRecord.topography_id.in_(topography_ids)
            ),
        ),
        (
            "topography_analyses",
            delete(TopographyRecord).where(TopographyRecord.patient_id == patient_id),
        ),
        (
            "adverse_event_outcomes",
            delete(AdverseEventOutcomeRecord).where(
                AdverseEventOutcomeRecord.event_id.in_(
                    select(AdverseEventRecord.id).where(
                        AdverseEventRecord.session_id.in_(session_ids)
                    )
                )
            ),
        ),
        (
            "adverse_events",
            delete(AdverseEventRecord).where(AdverseEventRecord.session_id.in_(session_ids)),
        ),
        (
            "checklist_answers",
            delete(ChecklistAnswerRecord).where(ChecklistAnswerRecord.session_id.in_(session_ids)),
        ),
        (
            "follow_up_visits",
            delete(FollowUpVisitRecord).where(FollowUpVisitRecord.patient_id == patient_id),
        ),
        ("photo_blobs", delete(PhotoBlobRecord).where(PhotoBlobRecord.photo_id.in_(photo_ids))),
        ("photos", delete(PhotoRecord).where(PhotoRecord.patient_id == patient_id)),
        (
            "treatment_sessions",
            delete(TreatmentSessionRecord).where(TreatmentSessionRecord.patient_id == patient_id),
        ),
        (
            "home_routines",
            delete(HomeRoutineRecord).where(HomeRoutineRecord.plan_version_id.in_(version_ids)),
        ),
        (
            "planned_sessions",
            delete(PlannedSessionRecord).where(
                PlannedSessionRecord.plan_version_id.in_(version_ids)
            ),
        ),
        ("plan_versions", delete(PlanVersionRecord).where(PlanVersionRecord.plan_id.in_(plan_ids))),
        ("plans", delete(PlanRecord).where(PlanRecord.patient_id == patient_id)),
        ("lesions", delete(LesionRecord).where(LesionRecord.assessment_id.in_(assessment_ids))),
        ("assessments", delete(AssessmentRecord).where(AssessmentRecord.patient_id == patient_id)),
        # Before the users: a consent signed in the portal names the patient's account.
        (
            "procedure_consent_withdrawals",
            delete(ConsentWithdrawalRecord).where(
                ConsentWithdrawalRecord.consent_id.in_(consent_ids)
            ),
        ),
        (
            "procedure_consent_countersignatures",
            delete(ConsentCountersignatureRecord).where(
                ConsentCountersignatureRecord.consent_id.in_(consent_ids)
            ),
        ),
        ("procedure_consents", delete(ConsentRecord).where(ConsentRecord.patient_id == patient_id)),
        ("user_sessions", delete(UserSessionRecord).where(UserSessionRecord.user_id.in_(user_ids))),
        ("api_tokens", delete(ApiTokenRecord).where(ApiTokenRecord.user_id.in_(user_ids))),
        ("users", delete(User).where(User.patient_id == patient_id)),
        ("patients", delete(PatientRecord).where(PatientRecord.id == patient_id)),
    ]
