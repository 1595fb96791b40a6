"""Photos per region and angle, stored only with consent, metadata stripped."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import PhotoBlobRecord, PhotoRecord, TreatmentSessionRecord
from scarplan.adapters.photos import CleanPhoto, PhotoLimits, clean_photo
from scarplan.domain.errors import FieldProblem, InputError, NotFoundError
from scarplan.services.clinic.core.access import Permission, authorize, authorize_record
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.inputs import PhotoInput, validated
from scarplan.services.clinic.records.patients import load_patient


@dataclass(frozen=True)
class PhotoView:
    id: int
    patient_id: int
    session_id: int | None
    region: str
    angle: str
    taken_on: date
    consent: str
    width_px: int
    height_px: int
    byte_size: int
    created_at: datetime


def photo_view(record: PhotoRecord) -> PhotoView:
    return PhotoView(
        id=record.id,
        patient_id=record.patient_id,
        session_id=record.session_id,
        region=record.region,
        angle=record.angle,
        taken_on=record.taken_on,
        consent=record.consent,
        width_px=record.width_px,
        height_px=record.height_px,
        byte_size=record.byte_size,
        created_at=record.created_at,
    )


def add_photo(clinic: Clinic, actor: Actor, patient_id: int, raw: Any, data: bytes) -> PhotoView:
    authorize(actor, Permission.WRITE_CLINICAL, patient_id)
    entered = photo_input(clinic, raw)
    photo = cleaned(clinic, data)
    with clinic.uow.write() as session:
        load_patient(session, patient_id)
        return photo_view(add_photo_record(session, clinic, actor, patient_id, entered, photo))


def cleaned(clinic: Clinic, data: bytes) -> CleanPhoto:
    """The photo as it may be stored, under the clinic's limits: every way a photo comes in
    (upload, FHIR import) goes through here."""
    settings = clinic.settings
    limits = PhotoLimits(
        max_bytes=settings.photo_max_bytes,
        max_side_px=settings.photo_max_side_px,
        max_pixels=settings.photo_max_pixels,
    )
    return clean_photo(data, limits)


def photo_input(clinic: Clinic, raw: Any) -> PhotoInput:
    """A photo's details as entered, validated, or InputError naming each field."""
    entered = validated(PhotoInput, raw, "photo")
    if entered.taken_on > clinic.today():
        raise InputError("the photo is invalid", [FieldProblem("taken_on", "is in the future", "")])
    return entered


def add_photo_record(
    session: Session,
    clinic: Clinic,
    actor: Actor,
    patient_id: int,
    entered: PhotoInput,
    photo: CleanPhoto,
) -> PhotoRecord:
    """Add a cleaned photo in the caller's transaction."""
    if entered.session_id is not None:
        treated = session.get(TreatmentSessionRecord, entered.session_id)
        if treated is None or treated.patient_id != patient_id:
            raise InputError(
                "the photo is invalid",
                [FieldProblem("session_id", "is not a session of this patient", "")],
            )
    record = PhotoRecord(
        patient_id=patient_id,
        session_id=entered.session_id,
        region=entered.region.value,
        angle=entered.angle.value,
        taken_on=entered.taken_on,
        consent=entered.consent.value,
        content_type=photo.content_type,
        width_px=photo.width_px,
        height_px=photo.height_px,
        byte_size=len(photo.data),
        sha256=hashlib.sha256(photo.data).hexdigest(),
        created_at=clinic.now(),
        created_by=actor.user_id,
    )
    session.add(record)
    session.flush()
    session.add(PhotoBlobRecord(photo_id=record.id, data=photo.data))
    clinic.audit.changed(session, actor, "create", "photo", record.id, patient_id)
    return record


def list_photos(clinic: Clinic, actor: Actor, patient_id: int) -> list[PhotoView]:
    authorize(actor, Permission.READ_CLINICAL, patient_id)
    clinic.audit.read(actor, "photo_list", None, patient_id)
    with clinic.uow.read() as session:
        load_patient(session, patient_id)
        records = session.scalars(
            select(PhotoRecord)
            .where(PhotoRecord.patient_id == patient_id)
            .order_by(PhotoRecord.taken_on, PhotoRecord.id)
        ).all()
        return [photo_view(r) for r in records]


def photo_content(clinic: Clinic, actor: Actor, photo_id: int) -> tuple[PhotoView, bytes]:
    """A photo's JPEG, only for those who may see the patient's clinical record."""
    with clinic.uow.read() as session:
        record = session.get(PhotoRecord, photo_id)
        if record is None:
            raise NotFoundError(
                "no such photo", [FieldProblem("photo_id", f"{photo_id} names no photo", "")]
            )
        authorize_record(
            actor, Permission.READ_CLINICAL, record.patient_id, "photo_id", photo_id, "photo"
        )
        blob = session.get_one(PhotoBlobRecord, photo_id)
        found = photo_view(record), blob.data
    clinic.audit.read(actor, "photo", photo_id, record.patient_id)
    return found
