"""The database schema as SQLAlchemy 2 models. Every change here needs an Alembic migration.

Enumerated values (regions, scar types, modalities, statuses) are stored as their vocabulary ids
in plain strings, so the schema does not change when the knowledge base grows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so migrations can refer to them on both databases.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Json = JSON


class UtcDateTime(TypeDecorator[datetime]):
    """A moment, stored in UTC and read back as an aware UTC datetime on every database.

    SQLite keeps no offset: without this it stored an aware time's wall clock as is and read
    back naive datetimes, while PostgreSQL read back aware ones.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"a naive datetime cannot be stored: {value!r}")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


Stamp = UtcDateTime()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(Stamp)
    # A portal account is one patient's; erasing the patient removes the account with it.
    patient_id: Mapped[int | None] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), unique=True
    )
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(Stamp)


class UserSessionRecord(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(Stamp)
    expires_at: Mapped[datetime] = mapped_column(Stamp)
    revoked_at: Mapped[datetime | None] = mapped_column(Stamp)
    address: Mapped[str] = mapped_column(String(64), default="")


class ApiTokenRecord(Base):
    """A bearer token for the REST API, with its own role and expiry; stored as SHA-256."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(Stamp)
    expires_at: Mapped[datetime] = mapped_column(Stamp)
    revoked_at: Mapped[datetime | None] = mapped_column(Stamp)


class AuditEventRecord(Base):
    """Who read or changed which patient record, when, from where, through which route.

    Append-only: the app never updates or deletes a row, and database triggers refuse to
    (migrations 0002 and 0007); each row is chained to the one before it by a hash. No foreign
    keys, so the trail outlives erased patients and old users.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_at", "at"),
        Index("ix_audit_events_patient_at", "patient_id", "at"),
        Index("ix_audit_events_user_at", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(Stamp)
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    patient_id: Mapped[int | None] = mapped_column(Integer)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    route: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    # The hash chain (migration 0007, adapters/db/audit_chain.py): the previous entry's hash and
    # this entry's, so that a changed, removed or reordered entry is found.
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class PatientRecord(Base):
    __tablename__ = "patients"
    __table_args__ = (Index("ix_patients_search_name", "search_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    search_name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(16))
    fitzpatrick: Mapped[str | None] = mapped_column(String(4))
    intake: Mapped[dict[str, Any]] = mapped_column(Json)
    preferences: Mapped[dict[str, Any]] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(Stamp)
    updated_at: Mapped[datetime] = mapped_column(Stamp)
    email: Mapped[str | None] = mapped_column(String(254))
    """Where invitations and reminders go (optional)."""
    reminders_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    """The patient's choice; reminders go only when this is on and an e-mail is recorded."""
    phone: Mapped[str | None] = mapped_column(String(32))
    """The front desk's number for the patient, stored as '+<country><number>' (optional)."""


class AssessmentRecord(Base):
    __tablename__ = "assessments"
    __table_args__ = (Index("ix_assessments_patient_date", "patient_id", "assessed_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    assessed_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    fitzpatrick: Mapped[str | None] = mapped_column(String(4))
    gb_qualitative: Mapped[int] = mapped_column(Integer)
    gb_quantitative: Mapped[float] = mapped_column(Numeric(8, 2, asdecimal=False))
    ecca: Mapped[int] = mapped_column(Integer)
    counts: Mapped[dict[str, int]] = mapped_column(Json)
    # Large documents load only when read: lists and overviews never need them.
    result: Mapped[dict[str, Any]] = mapped_column(Json, deferred=True)
    created_at: Mapped[datetime] = mapped_column(Stamp)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    lesions: Mapped[list[LesionRecord]] = relationship(
        back_populates="assessment",
        order_by="LesionRecord.position",
        cascade="all, delete-orphan",
    )


class LesionRecord(Base):
    __tablename__ = "lesions"
    __table_args__ = (UniqueConstraint("assessment_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    region: Mapped[str] = mapped_column(String(32))
    scar_type: Mapped[str | None] = mapped_column(String(32))
    count: Mapped[int] = mapped_column(Integer)
    width_mm: Mapped[float | None] = mapped_column(Numeric(6, 2, asdecimal=False))
    depth_mm: Mapped[float | None] = mapped_column(Numeric(6, 2, asdecimal=False))
    edges: Mapped[str | None] = mapped_column(String(16))
    distensible: Mapped[bool | None] = mapped_column(Boolean)
    visible_at_50cm: Mapped[bool | None] = mapped_column(Boolean)
    covered_by_makeup: Mapped[bool | None] = mapped_column(Boolean)

    assessment: Mapped[AssessmentRecord] = relationship(back_populates="lesions")


class PlanRecord(Base):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    status: Mapped[str] = mapped_column(String(16))
    current_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(Stamp)
    updated_at: Mapped[datetime] = mapped_column(Stamp)
    accepted_at: Mapped[datetime | None] = mapped_column(Stamp)
    completed_at: Mapped[datetime | None] = mapped_column(Stamp)
    # Bumped by every UPDATE (SQLAlchemy's version counter): of two concurrent edits of a
    # plan, the second one's UPDATE matches no row and is refused, not silently applied.
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}  # noqa: RUF012 - SQLAlchemy reads it

    versions: Mapped[list[PlanVersionRecord]] = relationship(
        back_populates="plan", order_by="PlanVersionRecord.version", cascade="all, delete-orphan"
    )


class PlanVersionRecord(Base):
    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    document: Mapped[dict[str, Any]] = mapped_column(Json, deferred=True)
    total_cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    end_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(Stamp)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    plan: Mapped[PlanRecord] = relationship(back_populates="versions")
    sessions: Mapped[list[PlannedSessionRecord]] = relationship(
        order_by="PlannedSessionRecord.position", cascade="all, delete-orphan"
    )
    routine: Mapped[HomeRoutineRecord | None] = relationship(cascade="all, delete-orphan")


class PlannedSessionRecord(Base):
    __tablename__ = "planned_sessions"
    __table_args__ = (
        UniqueConstraint("plan_version_id", "position"),
        Index("ix_planned_sessions_day", "day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    modality: Mapped[str] = mapped_column(String(40))
    number: Mapped[int] = mapped_column(Integer)
    of: Mapped[int] = mapped_column(Integer)
    regions: Mapped[list[str]] = mapped_column(Json)
    downtime_days: Mapped[int] = mapped_column(Integer)
    cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))


class HomeRoutineRecord(Base):
    __tablename__ = "home_routines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(
        ForeignKey("plan_versions.id", ondelete="CASCADE"), unique=True
    )
    document: Mapped[dict[str, Any]] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(Stamp)


class TreatmentSessionRecord(Base):
    __tablename__ = "treatment_sessions"
    __table_args__ = (
        Index("ix_treatment_sessions_patient_day", "patient_id", "performed_on"),
        Index("ix_treatment_sessions_planned_session_id", "planned_session_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"))
    planned_session_id: Mapped[int | None] = mapped_column(ForeignKey("planned_sessions.id"))
    performed_on: Mapped[date] = mapped_column(Date)
    modality: Mapped[str] = mapped_column(String(40))
    regions: Mapped[list[str]] = mapped_column(Json)
    parameters: Mapped[dict[str, Any]] = mapped_column(Json)
    practitioner: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(Stamp)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    adverse_events: Mapped[list[AdverseEventRecord]] = relationship(
        order_by="AdverseEventRecord.id", cascade="all, delete-orphan"
    )
    checklist_answers: Mapped[list[ChecklistAnswerRecord]] = relationship(
        order_by="ChecklistAnswerRecord.position", cascade="all, delete-orphan"
    )


class AdverseEventRecord(Base):
    __tablename__ = "adverse_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("treatment_sessions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(16))
    onset_on: Mapped[date] = mapped_column(Date)
    resolved_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str | None] = mapped_column(String(24))
    """resolved | resolving | persisting | resolved_with_sequelae; None until one is recorded.
    Every change is kept in adverse_event_outcomes."""
    treatment: Mapped[str] = mapped_column(Text, default="", server_default="")


class PhotoRecord(Base):
    __tablename__ = "photos"
    __table_args__ = (Index("ix_photos_patient_region", "patient_id", "region"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("treatment_sessions.id"))
    region: Mapped[str] = mapped_column(String(32))
    angle: Mapped[str] = mapped_column(String(16))
    taken_on: Mapped[date] = mapped_column(Date)
    consent: Mapped[str] = mapped_column(String(32))
    content_type: Mapped[str] = mapped_column(String(32))
    width_px: Mapped[int] = mapped_column(Integer)
    height_px: Mapped[int] = mapped_column(Integer)
    byte_size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(Stamp)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PhotoBlobRecord(Base):
    """Image bytes apart from their metadata, so listing photos never loads them."""

    __tablename__ = "photo_blobs"

    photo_id: Mapped[int] = mapped_column(
        ForeignKey("photos.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ScheduleResourcesRecord(Base):
    """The clinic's practitioners, devices, rooms and hours for the scheduler. Each change adds
    a row (the newest is in force), so an earlier set-up is never lost."""

    __tablename__ = "schedule_resources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document: Mapped[dict[str, Any]] = mapped_column(Json)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(Stamp)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ClinicPriceListRecord(Base):
    """A version of the clinic's own price list: its currency and a price per procedure (per
    session, or per scar for the focal techniques). Each change adds a row, who made it, when
    and why; the newest is in force and none is lost."""

    __tablename__ = "clinic_price_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    prices: Mapped[dict[str, Any]] = mapped_column(Json)
    """{procedure id: {"amount": "250.00", "per": "session" | "scar"}}"""
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Stamp)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    """The first day it prices plans (migration 0015; earlier rows: the day they were saved)."""


class AppointmentRecord(Base):
    """A booked slot: day, time, practitioner, device and room.

    A procedure appointment is one planned session: `session_key` ("plan 12, fractional_co2
    session 2") names it across plan versions, whose rows are replaced on every edit;
    `planned_session_id` is the row at booking. A follow-up or outcome-review visit (`kind`)
    has no planned session, procedure or device.
    """

    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_day", "day"),
        Index("ix_appointments_patient_id", "patient_id"),
        Index("ix_appointments_session_key", "session_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    planned_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("planned_sessions.id", ondelete="SET NULL")
    )
    session_key: Mapped[str | None] = mapped_column(String(80))
    modality: Mapped[str | None] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)
    practitioner: Mapped[str] = mapped_column(String(64))
    device: Mapped[str | None] = mapped_column(String(64))
    room: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    """booked, checked_in, no_show, cancelled or done (a row is never deleted)."""
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    """The optimiser run that placed it (none when booked by hand)."""
    created_at: Mapped[datetime] = mapped_column(Stamp)
    updated_at: Mapped[datetime] = mapped_column(Stamp)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16), default="procedure", server_default="procedure")
    """procedure, follow_up or outcome_review."""
    checked_in_at: Mapped[datetime | None] = mapped_column(Stamp)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("treatment_sessions.id", ondelete="SET NULL")
    )
    """The recorded session that carried it out (status done)."""


class JobRecord(Base):
    """A heavy task (clinic scheduling, 3D analysis) run through the job interface.

    Its state lives here, not in a process, so any app worker can show it."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_kind_created_at", "kind", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    """queued, running, done, failed, applied (a schedule confirmed) or discarded."""
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    params: Mapped[dict[str, Any]] = mapped_column(Json)
    result: Mapped[dict[str, Any] | None] = mapped_column(Json, deferred=True)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(Stamp)
    started_at: Mapped[datetime | None] = mapped_column(Stamp)
    finished_at: Mapped[datetime | None] = mapped_column(Stamp)
    heartbeat_at: Mapped[datetime | None] = mapped_column(Stamp)
    """Renewed while the job runs: a running job whose heartbeat stopped died with its process."""
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_by: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    """The actor who started it (user, role, address, route): a worker on another host writes
    the job's audit entries in their name."""
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Runs begun; the current attempt alone may finish the job (exactly once)."""


class TopographyRecord(Base):
    """One analysed 3D height map of a face region: the measurements (the map itself, when
    kept, is in TopographyMapRecord)."""

    __tablename__ = "topography_analyses"
    __table_args__ = (Index("ix_topography_analyses_patient_id", "patient_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    region: Mapped[str] = mapped_column(String(32))
    taken_on: Mapped[date] = mapped_column(Date)
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    byte_size: Mapped[int] = mapped_column(Integer)
    pixel_size_mm: Mapped[float] = mapped_column(Numeric(10, 6, asdecimal=False))
    result: Mapped[dict[str, Any]] = mapped_column(Json)
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessments.id", ondelete="SET NULL")
    )
    """The assessment its lesions were recorded in, once a clinician did so."""
    created_at: Mapped[datetime] = mapped_column(Stamp)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class TopographyMapRecord(Base):
    """The uploaded height map itself (zlib-compressed file bytes) and how it was read, kept
    apart so that nothing but a download or a re-analysis ever loads it."""

    __tablename__ = "topography_maps"

    topography_id: Mapped[int] = mapped_column(
        ForeignKey("topography_analyses.id", ondelete="CASCADE"), primary_key=True
    )
    compressed: Mapped[bytes] = mapped_column(LargeBinary)
    read_options: Mapped[dict[str, Any]] = mapped_column(Json)
    """The pixel size and height unit entered with the upload (null: from the file)."""


class TopographyOverlayRecord(Base):
    """The overlay PNG apart from the measurements, so listing analyses never loads it."""

    __tablename__ = "topography_overlays"

    topography_id: Mapped[int] = mapped_column(
        ForeignKey("topography_analyses.id", ondelete="CASCADE"), primary_key=True
    )
    png: Mapped[bytes] = mapped_column(LargeBinary)


class IdentityChangeRequestRecord(Base):
    """A portal patient's request to correct their name or date of birth, which only the
    clinic may change: pending until a clinician or the front desk approves it (the change is
    then made through the normal patient update) or declines it with a note the patient sees."""

    __tablename__ = "identity_change_requests"
    __table_args__ = (Index("ix_identity_change_requests_status", "status", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    full_name: Mapped[str | None] = mapped_column(String(200))
    """The name asked for; None: the name is not to change."""
    birth_date: Mapped[date | None] = mapped_column(Date)
    """The date of birth asked for; None: it is not to change."""
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    """pending, approved or declined."""
    created_at: Mapped[datetime] = mapped_column(Stamp)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(Stamp)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    """The clinic's answer, shown to the patient (required when declining)."""


class MailOutboxRecord(Base):
    """An e-mail waiting to be sent, or sent: written in the transaction of the change that
    causes it, delivered later by the sender (services/clinic/accounts/mail_outbox.py).

    `key` makes a message unique ("reminder session ..." once per patient, session and kind);
    `claimed_at` marks a delivery in progress so two senders never send the same row.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    """invitation, session_reminder or routine_reminder."""
    patient_id: Mapped[int | None] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    """queued, sent, or failed (every try used up)."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(Stamp)
    claimed_at: Mapped[datetime | None] = mapped_column(Stamp)
    claim: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(Stamp)
    sent_at: Mapped[datetime | None] = mapped_column(Stamp)


class PortalInvitationRecord(Base):
    """A one-time link to set a portal password. Only the token's SHA-256 is stored; a new
    invitation of the same patient revokes the ones before it."""

    __tablename__ = "portal_invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(Stamp)
    expires_at: Mapped[datetime] = mapped_column(Stamp)
    used_at: Mapped[datetime | None] = mapped_column(Stamp)
    revoked_at: Mapped[datetime | None] = mapped_column(Stamp)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class QuestionnaireResponseRecord(Base):
    """A patient's answers to one questionnaire instrument (a version of it) on one day."""

    __tablename__ = "questionnaire_responses"
    __table_args__ = (
        Index("ix_questionnaire_responses_patient", "patient_id", "instrument_id", "answered_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    instrument_id: Mapped[str] = mapped_column(String(60))
    instrument_version: Mapped[str] = mapped_column(String(20))
    answered_on: Mapped[date] = mapped_column(Date)
    answers: Mapped[dict[str, Any]] = mapped_column(Json)
    """Item id -> the chosen option's value."""
    score: Mapped[float] = mapped_column(Numeric(10, 2, asdecimal=False))
    planned_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("planned_sessions.id", ondelete="SET NULL")
    )
    """The planned session the answers were given before, when one was coming."""
    created_at: Mapped[datetime] = mapped_column(Stamp)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SignInFailureRecord(Base):
    """One refused sign-in, counted by the throttle under `counter` ("address" or "address
    name"); deleted once it has left the throttle's window. In the database so every app
    process counts the same failures (services/clinic/accounts/sign_in_throttle.py)."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_counter_failed_at", "counter", "failed_at"),
        Index("ix_sign_in_failures_failed_at", "failed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    counter: Mapped[str] = mapped_column(String(240))
    failed_at: Mapped[datetime] = mapped_column(Stamp)


class ChecklistAnswerRecord(Base):
    """One answer of the pre-procedure checklist of a session, as it stood when the session was
    recorded (the item's words and severity are kept): written once, never changed."""

    __tablename__ = "checklist_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("treatment_sessions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(8))
    answer: Mapped[str | None] = mapped_column(String(8))
    """yes | no | None (not answered)."""
    answered_from: Mapped[str] = mapped_column(String(16))
    """clinician | record: who gave the answer (the record: the intake answered it)."""
    record_note: Mapped[str] = mapped_column(Text, default="")
    """What the patient's record says about the item, when it says something."""
    reason: Mapped[str] = mapped_column(Text, default="")
    """Why the session went ahead although a red item was not answered yes."""
    test_spot_done_on: Mapped[date | None] = mapped_column(Date)
    test_spot_read_on: Mapped[date | None] = mapped_column(Date)
    test_spot_result: Mapped[str | None] = mapped_column(String(16))
    test_spot_notes: Mapped[str] = mapped_column(Text, default="")


class AdverseEventOutcomeRecord(Base):
    """One recorded outcome of an adverse event, kept for good: the event row holds the
    newest, these rows the history (who, when, what)."""

    __tablename__ = "adverse_event_outcomes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("adverse_events.id", ondelete="CASCADE"), index=True
    )
    outcome: Mapped[str] = mapped_column(String(24))
    resolved_on: Mapped[date | None] = mapped_column(Date)
    treatment: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(Stamp)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class FollowUpVisitRecord(Base):
    """A follow-up visit as it took place: a check after a procedure, or the outcome review
    after a course with the comparison it showed (kept as it was on the day)."""

    __tablename__ = "follow_up_visits"
    __table_args__ = (Index("ix_follow_up_visits_patient_day", "patient_id", "visited_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    """follow_up | outcome_review"""
    visited_on: Mapped[date] = mapped_column(Date)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    verdict: Mapped[str | None] = mapped_column(String(16))
    """as_expected | better | below; None when the review could not compare."""
    comparison: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    """The review's scores, improvement, expected range and wording as shown that day."""
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(Stamp)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ConsentRecord(Base):
    """A patient's signed informed consent to one procedure: the form exactly as shown, its
    version, the typed name and drawn signature, and a SHA-256 over all of it. Never updated
    (a database trigger refuses it, adapters/db/consent_guard.py): the clinician's
    countersignature and a withdrawal are rows of their own."""

    __tablename__ = "procedure_consents"
    __table_args__ = (Index("ix_procedure_consents_patient", "patient_id", "modality"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    modality: Mapped[str] = mapped_column(String(40))
    form_version: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the form's text and the knowledge it was built from."""
    kb_version: Mapped[str] = mapped_column(String(64))
    form_title: Mapped[str] = mapped_column(String(200))
    form: Mapped[dict[str, Any]] = mapped_column(Json)
    """The form's sections as shown (headings, sentences and their sources)."""
    form_text: Mapped[str] = mapped_column(Text)
    patient_name: Mapped[str] = mapped_column(String(200))
    """The name the patient typed."""
    signature_png: Mapped[bytes] = mapped_column(LargeBinary)
    signed_at: Mapped[datetime] = mapped_column(Stamp)
    signed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    """The account signed in when the patient signed: the patient's own (portal) or the
    clinic user who handed the tablet over."""
    signed_in_portal: Mapped[bool] = mapped_column(Boolean)
    content_hash: Mapped[str] = mapped_column(String(64))


class ConsentCountersignatureRecord(Base):
    """The clinician's countersignature of a consent (one per consent; never updated)."""

    __tablename__ = "procedure_consent_countersignatures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consent_id: Mapped[int] = mapped_column(
        ForeignKey("procedure_consents.id", ondelete="CASCADE"), unique=True
    )
    clinician_name: Mapped[str] = mapped_column(String(200))
    countersigned_at: Mapped[datetime] = mapped_column(Stamp)
    countersigned_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    content_hash: Mapped[str] = mapped_column(String(64))
    """SHA-256 over the consent's hash and this row's own fields."""


class ConsentWithdrawalRecord(Base):
    """A consent withdrawn: a new row with the reason, never an edit of the consent."""

    __tablename__ = "procedure_consent_withdrawals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consent_id: Mapped[int] = mapped_column(
        ForeignKey("procedure_consents.id", ondelete="CASCADE"), unique=True
    )
    reason: Mapped[str] = mapped_column(Text)
    withdrawn_at: Mapped[datetime] = mapped_column(Stamp)
    withdrawn_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    content_hash: Mapped[str] = mapped_column(String(64))


class JobPayloadRecord(Base):
    """A job's input file (an uploaded height map, compressed), kept in the database so a
    worker on any host can run the job; deleted when the job ends."""

    __tablename__ = "job_payloads"

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ClinicSecretRecord(Base):
    """A secret of the clinic's own (today the research salt), made once and never changed: in
    the database so every app process on every host uses the same one and a backup holds it
    (services/clinic/core/clinic_secrets.py)."""

    __tablename__ = "clinic_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Stamp)


class JobFileRecord(Base):
    """A file a job made for download (a report PDF), kept until a day has passed."""

    __tablename__ = "job_files"
    __table_args__ = (Index("ix_job_files_created_at", "created_at"),)

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(Stamp)
