"""Treatment plans: proposed by the planner, edited into versions, accepted, carried out.

Status: proposed -> accepted -> in_progress -> completed; a plan can also be cancelled, and a
proposed or accepted plan is superseded when another plan of the patient is accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    Text,
    bindparam,
    cast,
    literal,
    select,
)
from sqlalchemy.orm import Session, selectinload

from scarplan.adapters.content_cache import ContentCache, digest
from scarplan.adapters.db.tables import (
    AssessmentRecord,
    HomeRoutineRecord,
    PatientRecord,
    PlannedSessionRecord,
    PlanRecord,
    PlanVersionRecord,
    TreatmentSessionRecord,
)
from scarplan.assessment import assess_case
from scarplan.domain.errors import FieldProblem, InputError, NotFoundError, StateError
from scarplan.knowledge import KnowledgeBase
from scarplan.planning.conventions import PlanningConventions
from scarplan.planning.courses import course_figures
from scarplan.planning.document import PlanDocument, read_plan_document
from scarplan.planning.edits import (
    AddCourse,
    Change,
    ChangeSessions,
    CourseRequest,
    SwapCourse,
    earliest_days,
    revise,
)
from scarplan.planning.lifecycle import ACTIVE, FOLLOWED, OPEN, AvoidWindow, Plan, PlanStatus
from scarplan.planning.plan import edit_rules
from scarplan.services.clinic.core.access import Permission, authorize, authorize_record
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.inputs import CourseInput, PlanEdit, validated
from scarplan.services.clinic.plans.plan_edits import routine_document
from scarplan.services.clinic.plans.prices import clinic_price_list
from scarplan.services.clinic.records.assessments import (
    latest_assessment,
    load_assessment,
    stored_case,
)
from scarplan.services.clinic.records.patients import (
    PatientDetail,
    detail,
    load_patient,
    read_patient,
)
from scarplan.services.homecare import routine_for_plan, routine_json
from scarplan.services.planning import (
    clinic_policies,
    plan_case,
    plan_json,
    planning_conventions,
)

__all__ = ["ACTIVE", "FOLLOWED", "OPEN", "PlanStatus"]


@dataclass(frozen=True)
class PlannedSessionView:
    id: int
    position: int
    day: date
    modality: str
    number: int
    of: int
    regions: list[str]
    downtime_days: int
    cost: Decimal | None
    done_by_session_id: int | None


@dataclass(frozen=True)
class VersionSummary:
    version: int
    reason: str
    created_at: datetime
    total_cost: Decimal | None
    end_date: date | None


@dataclass(frozen=True)
class PlanView:
    id: int
    patient_id: int
    assessment_id: int
    status: str
    version: int
    currency: str
    total_cost: Decimal | None
    end_date: date | None
    sessions: list[PlannedSessionView]
    document: PlanDocument
    """The planner's explained plan (the `scarplan plan --json` contract) for this version."""
    document_digest: str
    """A digest of the stored document: equal digests, equal documents (what is drawn from
    one may be kept by it; adapters/content_cache.py)."""
    routine: dict[str, Any] | None
    versions: list[VersionSummary]
    created_at: datetime
    accepted_at: datetime | None
    acceptable: bool = False
    """Whether it can be accepted now (proposed, with sessions: `Plan.accept`'s rule)."""


def load_plan(session: Session, plan_id: int) -> PlanRecord:
    record = session.get(
        PlanRecord,
        plan_id,
        options=[selectinload(PlanRecord.versions).selectinload(PlanVersionRecord.sessions)],
    )
    if record is None:
        raise NotFoundError(
            "no such plan", [FieldProblem("plan_id", f"{plan_id} names no plan", "")]
        )
    return record


def current_version(plan: PlanRecord) -> PlanVersionRecord:
    return next(v for v in plan.versions if v.version == plan.current_version)


def aggregate(session: Session, plan: PlanRecord) -> Plan:
    """The stored plan as its aggregate (planning.lifecycle): status, document, sessions done."""
    version = current_version(plan)
    done = fulfilled(session, version)
    return Plan(
        plan.id,
        PlanStatus(plan.status),
        read_plan_document(version.document),
        frozenset(s.position for s in version.sessions if s.id in done),
    )


def save_status(plan: PlanRecord, state: Plan, now: datetime) -> None:
    """Write the aggregate's status back, with the dates that go with it."""
    if state.status.value == plan.status:
        return
    plan.status = state.status.value
    plan.updated_at = now
    if state.status is PlanStatus.ACCEPTED:
        plan.accepted_at = now
    if state.status is PlanStatus.COMPLETED:
        plan.completed_at = now


def fulfilled(session: Session, version: PlanVersionRecord) -> dict[int, int]:
    """Planned session id -> the recorded session that fulfilled it."""
    return fulfilled_ids(session, [s.id for s in version.sessions])


def fulfilled_ids(rows: Session | Connection, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    found = rows.execute(
        select(TreatmentSessionRecord.planned_session_id, TreatmentSessionRecord.id).where(
            TreatmentSessionRecord.planned_session_id.in_(ids)
        )
    ).all()
    return {planned: done for planned, done in found if planned is not None}


def planned_session_view(
    record: PlannedSessionRecord | Row[Any], done_by: int | None
) -> PlannedSessionView:
    return PlannedSessionView(
        id=record.id,
        position=record.position,
        day=record.day,
        modality=record.modality,
        number=record.number,
        of=record.of,
        regions=list(record.regions),
        downtime_days=record.downtime_days,
        cost=record.cost,
        done_by_session_id=done_by,
    )


def plan_view(session: Session, plan: PlanRecord, version_number: int | None = None) -> PlanView:
    """The view of a plan just loaded or changed (and flushed) in this transaction."""
    return read_plan_view(session, plan.id, version_number)


def _session_rows(document: dict[str, Any]) -> list[PlannedSessionRecord]:
    return [
        PlannedSessionRecord(
            position=position,
            day=date.fromisoformat(item["date"]),
            modality=item["modality"],
            number=item["number"],
            of=item["of"],
            regions=item["regions"],
            downtime_days=item["downtime_days"],
            cost=Decimal(str(item["cost"]["amount"])) if item["cost"] else None,
        )
        for position, item in enumerate(document["sessions"])
    ]


def _version(
    number: int, reason: str, document: dict[str, Any], actor: Actor, now: datetime
) -> PlanVersionRecord:
    total = document["total_cost"]
    version = PlanVersionRecord(
        version=number,
        reason=reason,
        document=document,
        total_cost=Decimal(str(total["amount"])) if "amount" in total else None,
        currency=total.get("currency", ""),
        end_date=date.fromisoformat(document["end_date"]) if document["end_date"] else None,
        created_at=now,
        created_by=actor.user_id,
    )
    version.sessions = _session_rows(document)
    if document.get("routine") is not None:
        version.routine = HomeRoutineRecord(document=document["routine"], created_at=now)
    return version


def propose_plan(
    clinic: Clinic, actor: Actor, patient_id: int, assessment_id: int | None = None
) -> PlanView:
    """Run the planner on an assessment (the latest by default) and save it as proposed."""
    authorize(actor, Permission.WRITE_CLINICAL, patient_id)
    with clinic.uow.write() as session:
        patient = load_patient(session, patient_id)
        assessment = (
            load_assessment(session, assessment_id)
            if assessment_id is not None
            else latest_assessment(session, patient_id)
        )
        if assessment is None or assessment.patient_id != patient_id:
            raise StateError(
                "record an assessment before proposing a plan",
                [FieldProblem("assessment_id", "this patient has no such assessment", "")],
            )
        case = stored_case(patient, assessment, clinic.today())
        prices = clinic_price_list(session, clinic.today())
        plan = plan_case(case, clinic.knowledge, clinic.settings, clinic.today(), prices)
        routine = routine_json(routine_for_plan(case, plan, clinic.knowledge))
        document = plan_json(plan, routine)
        now = clinic.now()
        record = PlanRecord(
            patient_id=patient_id,
            assessment_id=assessment.id,
            status=PlanStatus.PROPOSED.value,
            current_version=1,
            created_at=now,
            updated_at=now,
        )
        record.versions.append(_version(1, "proposed by the planner", document, actor, now))
        session.add(record)
        session.flush()
        clinic.audit.changed(session, actor, "create", "plan", record.id, patient_id)
        return plan_view(session, record)


def add_plan(
    session: Session,
    clinic: Clinic,
    actor: Actor,
    assessment: AssessmentRecord,
    document: dict[str, Any],
    status: PlanStatus,
    reason: str,
) -> PlanRecord:
    """Add a plan as given (not re-planned) in the caller's transaction: an import's plan.
    `document` has the `scarplan plan --json` shape; the status is set as it is."""
    now = clinic.now()
    record = PlanRecord(
        patient_id=assessment.patient_id,
        assessment_id=assessment.id,
        status=status.value,
        current_version=1,
        created_at=now,
        updated_at=now,
        accepted_at=now if status in (*ACTIVE, PlanStatus.COMPLETED) else None,
        completed_at=now if status is PlanStatus.COMPLETED else None,
    )
    record.versions.append(_version(1, reason, document, actor, now))
    session.add(record)
    session.flush()
    clinic.audit.changed(session, actor, "create", "plan", record.id, assessment.patient_id)
    return record


def get_plan(clinic: Clinic, actor: Actor, plan_id: int, version: int | None = None) -> PlanView:
    with clinic.uow.read() as session:
        plan = read_plan_view(session, plan_id, version)
    authorize_record(actor, Permission.READ_CLINICAL, plan.patient_id, "plan_id", plan_id, "plan")
    clinic.audit.read(actor, "plan", plan_id, plan.patient_id, {"version": plan.version})
    return plan


@dataclass(frozen=True)
class SettingChoice:
    """A technique setting a clinician may record, with its published range."""

    name: str
    unit: str
    low: float | None
    high: float | None


@dataclass(frozen=True)
class ProcedureChoice:
    """A procedure as the plan page's edit forms offer it: by name, with its typical course
    and the settings the knowledge base gives ranges for."""

    modality: str
    name: str
    sessions: str
    """The typical course in words, e.g. '4 sessions (published 3-6)'."""
    interval: str
    settings: list[SettingChoice]


def procedure_choices(
    knowledge: KnowledgeBase, conventions: PlanningConventions
) -> list[ProcedureChoice]:
    choices = []
    for modality, entry in knowledge.modalities.items():
        sessions, published, interval, interval_max = course_figures(entry, conventions)
        upper = f" (at most {interval_max})" if interval_max is not None else ""
        choices.append(
            ProcedureChoice(
                modality=modality.value,
                name=entry.name,
                sessions=f"{sessions.value} (published {published})",
                interval=f"{interval.value} days{upper}",
                settings=[SettingChoice(p.name, p.unit, p.min, p.max) for p in entry.parameters],
            )
        )
    return sorted(choices, key=lambda c: c.name.lower())


@dataclass(frozen=True)
class PlanPage:
    plan: PlanView
    patient: PatientDetail
    procedures: list[ProcedureChoice]
    """What the edit forms offer (every procedure of the knowledge base, by name)."""


def plan_page(clinic: Clinic, actor: Actor, plan_id: int, version: int | None = None) -> PlanPage:
    """A plan with its patient, read in one transaction for the plan page (its busiest read).
    One audit event: the plan's, which names the patient."""
    with clinic.uow.read() as session:
        plan = read_plan_view(session, plan_id, version)
        authorize_record(
            actor, Permission.READ_CLINICAL, plan.patient_id, "plan_id", plan_id, "plan"
        )
        authorize(actor, Permission.READ_PATIENT, plan.patient_id)
        patient = detail(read_patient(session.connection(), plan.patient_id))
    clinic.audit.read(actor, "plan", plan_id, plan.patient_id, {"version": plan.version})
    choices = procedure_choices(clinic.knowledge, planning_conventions(clinic.settings))
    return PlanPage(plan, patient, choices)


_PLANS = PlanRecord.__table__
_VERSIONS = PlanVersionRecord.__table__
_PLANNED = PlannedSessionRecord.__table__
_ROUTINES = HomeRoutineRecord.__table__
_DONE = TreatmentSessionRecord.__table__


# Plan versions are never edited, so a parsed document is kept by its content's digest.
_DOCUMENTS: ContentCache[PlanDocument] = ContentCache()
# Built once: read on every visit to a plan or a patient (as in records/progress.py).
_PATIENT_PLANS = (
    select(
        _PLANS.c.id.label("plan_id"),
        _PLANS.c.status.label("plan_status"),
        _PLANS.c.current_version,
        _VERSIONS.c.total_cost,
        _VERSIONS.c.currency,
        _VERSIONS.c.end_date,
        # The planned session's own columns under their names, for `planned_session_view`.
        _PLANNED.c.id,
        _PLANNED.c.position,
        _PLANNED.c.day,
        _PLANNED.c.modality,
        _PLANNED.c.number,
        _PLANNED.c.of,
        _PLANNED.c.regions,
        _PLANNED.c.downtime_days,
        _PLANNED.c.cost,
        _DONE.c.id.label("done_by"),
    )
    .join(
        _VERSIONS,
        (_VERSIONS.c.plan_id == _PLANS.c.id) & (_VERSIONS.c.version == _PLANS.c.current_version),
    )
    .outerjoin(_PLANNED, _PLANNED.c.plan_version_id == _VERSIONS.c.id)
    .outerjoin(_DONE, _DONE.c.planned_session_id == _PLANNED.c.id)
    .where(
        _PLANS.c.patient_id == bindparam("patient_id"),
        # Literal values, not an expanding list: the statement is compiled once, whole.
        _PLANS.c.status.in_([literal(s.value) for s in dict.fromkeys((*OPEN, *FOLLOWED))]),
    )
    .order_by(_PLANS.c.id.desc(), _PLANNED.c.position, _PLANNED.c.id)
)


def _plan_head(version: ColumnElement[bool]) -> Select[Any]:
    return (
        select(
            _PLANS.c.id,
            _PLANS.c.patient_id,
            _PLANS.c.assessment_id,
            _PLANS.c.status,
            _PLANS.c.created_at,
            _PLANS.c.accepted_at,
            _VERSIONS.c.id.label("version_id"),
            _VERSIONS.c.version,
            _VERSIONS.c.currency,
            _VERSIONS.c.total_cost,
            _VERSIONS.c.end_date,
            # As stored, unparsed: its digest finds the parsed document (content_cache.py).
            cast(_VERSIONS.c.document, Text).label("document_text"),
            _ROUTINES.c.document.label("routine"),
        )
        .join(_VERSIONS, (_VERSIONS.c.plan_id == _PLANS.c.id) & version)
        .outerjoin(_ROUTINES, _ROUTINES.c.plan_version_id == _VERSIONS.c.id)
        .where(_PLANS.c.id == bindparam("plan_id"))
    )


_PLAN_HEAD_CURRENT = _plan_head(_VERSIONS.c.version == _PLANS.c.current_version)
_PLAN_HEAD_OF_VERSION = _plan_head(_VERSIONS.c.version == bindparam("version"))
_PLAN_VERSIONS = (
    select(
        _VERSIONS.c.version,
        _VERSIONS.c.reason,
        _VERSIONS.c.created_at,
        _VERSIONS.c.total_cost,
        _VERSIONS.c.end_date,
    )
    .where(_VERSIONS.c.plan_id == bindparam("plan_id"))
    .order_by(_VERSIONS.c.version)
)
_VERSION_SESSIONS = (
    select(_PLANNED, _DONE.c.id.label("done_by"))
    .outerjoin(_DONE, _DONE.c.planned_session_id == _PLANNED.c.id)
    .where(_PLANNED.c.plan_version_id == bindparam("version_id"))
    .order_by(_PLANNED.c.position)
)


def read_plan_view(session: Session, plan_id: int, version_number: int | None = None) -> PlanView:
    """A plan (the current or the given version) read with three row queries: the plan page
    is the busiest read in the app, and building ORM objects, or one query per table, cost it
    more than the database work itself."""
    rows = session.connection()
    if version_number is None:
        head = rows.execute(_PLAN_HEAD_CURRENT, {"plan_id": plan_id}).one_or_none()
    else:
        wanted = {"plan_id": plan_id, "version": version_number}
        head = rows.execute(_PLAN_HEAD_OF_VERSION, wanted).one_or_none()
    if head is None:
        raise _missing_plan_or_version(rows, plan_id, version_number)
    versions = rows.execute(_PLAN_VERSIONS, {"plan_id": plan_id}).all()
    document_digest = digest(head.document_text)
    document = _DOCUMENTS.get_or_make(
        document_digest, lambda: read_plan_document(orjson.loads(head.document_text))
    )
    return PlanView(
        acceptable=Plan(head.id, PlanStatus(head.status), document).acceptable,
        id=head.id,
        patient_id=head.patient_id,
        assessment_id=head.assessment_id,
        status=head.status,
        version=head.version,
        currency=head.currency,
        total_cost=head.total_cost,
        end_date=head.end_date,
        sessions=planned_sessions_of(rows, head.version_id),
        document=document,
        document_digest=document_digest,
        routine=head.routine,
        versions=[
            VersionSummary(v.version, v.reason, v.created_at, v.total_cost, v.end_date)
            for v in versions
        ],
        created_at=head.created_at,
        accepted_at=head.accepted_at,
    )


@dataclass(frozen=True)
class PlanWithSessions:
    """A plan's current version in brief, with its sessions and their fulfilment."""

    id: int
    status: str
    version: int
    total_cost: Decimal | None
    currency: str
    end_date: date | None
    sessions: list[PlannedSessionView]


def patient_plans(rows: Connection, patient_id: int) -> list[PlanWithSessions]:
    """The patient's open and followed plans, newest first, each with its current version's
    sessions (fulfilled or not), in one query: what the patient page needs of plans (the open
    plan's summary and next session; the ended courses that make follow-ups due)."""
    found = rows.execute(_PATIENT_PLANS, {"patient_id": patient_id}).all()
    plans: dict[int, PlanWithSessions] = {}
    for row in found:
        plan = plans.get(row.plan_id)
        if plan is None:
            plan = plans[row.plan_id] = PlanWithSessions(
                row.plan_id,
                row.plan_status,
                row.current_version,
                row.total_cost,
                row.currency,
                row.end_date,
                [],
            )
        if row.id is not None and (not plan.sessions or plan.sessions[-1].id != row.id):
            # (a session fulfilled twice comes twice from the join: shown once)
            plan.sessions.append(planned_session_view(row, row.done_by))
    return list(plans.values())


def planned_sessions_of(rows: Connection, version_id: int) -> list[PlannedSessionView]:
    """A plan version's sessions in order, each with the treatment session that fulfilled it
    (`done_by`), in one query."""
    planned = rows.execute(_VERSION_SESSIONS, {"version_id": version_id}).all()
    return _sessions_once(planned)


def _sessions_once(planned: Sequence[Row[Any]]) -> list[PlannedSessionView]:
    # The outer join repeats a planned session fulfilled twice; the service never records
    # that, but a view must not show one session as two.
    views: dict[int, PlannedSessionView] = {}
    for row in planned:
        views[row.id] = planned_session_view(row, row.done_by)
    return list(views.values())


def _missing_plan_or_version(
    rows: Connection, plan_id: int, version_number: int | None
) -> NotFoundError:
    if rows.scalar(select(_PLANS.c.id).where(_PLANS.c.id == plan_id)) is None:
        return NotFoundError(
            "no such plan", [FieldProblem("plan_id", f"{plan_id} names no plan", "")]
        )
    return NotFoundError(
        "no such plan version",
        [FieldProblem("version", f"plan {plan_id} has no version {version_number}", "")],
    )


def list_plans(clinic: Clinic, actor: Actor, patient_id: int) -> list[PlanView]:
    """A patient's plans, newest first."""
    authorize(actor, Permission.READ_CLINICAL, patient_id)
    clinic.audit.read(actor, "plan_list", None, patient_id)
    with clinic.uow.read() as session:
        load_patient(session, patient_id)
        ids = session.scalars(
            select(PlanRecord.id)
            .where(PlanRecord.patient_id == patient_id)
            .order_by(PlanRecord.created_at.desc(), PlanRecord.id.desc())
        ).all()
        return [read_plan_view(session, plan_id) for plan_id in ids]


def active_plan(session: Session, patient_id: int) -> PlanRecord | None:
    plan_id = session.scalar(
        select(PlanRecord.id)
        .where(PlanRecord.patient_id == patient_id, PlanRecord.status.in_(ACTIVE))
        .order_by(PlanRecord.id.desc())
        .limit(1)
    )
    return load_plan(session, plan_id) if plan_id is not None else None


def accept_plan(clinic: Clinic, actor: Actor, plan_id: int) -> PlanView:
    """Accept a proposed plan; the patient's other proposed or accepted plans are superseded."""
    with clinic.uow.write() as session:
        plan = _writable_plan(session, actor, plan_id)
        state = aggregate(session, plan)
        state.accept()
        running = session.scalar(
            select(PlanRecord.id).where(
                PlanRecord.patient_id == plan.patient_id,
                PlanRecord.status == PlanStatus.IN_PROGRESS.value,
            )
        )
        if running is not None:
            raise StateError(
                "another plan is in progress",
                [FieldProblem("status", f"plan {running} is in progress", "complete or cancel it")],
            )
        now = clinic.now()
        for other in session.scalars(
            select(PlanRecord).where(
                PlanRecord.patient_id == plan.patient_id,
                PlanRecord.id != plan.id,
                PlanRecord.status.in_((PlanStatus.PROPOSED.value, PlanStatus.ACCEPTED.value)),
            )
        ):
            replaced = aggregate(session, other)
            replaced.supersede()
            save_status(other, replaced, now)
        save_status(plan, state, now)
        session.flush()
        clinic.audit.changed(session, actor, "accept", "plan", plan.id, plan.patient_id)
        return plan_view(session, plan)


def _writable_plan(session: Session, actor: Actor, plan_id: int) -> PlanRecord:
    plan = load_plan(session, plan_id)
    authorize_record(actor, Permission.WRITE_CLINICAL, plan.patient_id, "plan_id", plan_id, "plan")
    return plan


def _finish(
    clinic: Clinic, actor: Actor, plan_id: int, change: Callable[[Plan], None], action: str
) -> PlanView:
    with clinic.uow.write() as session:
        plan = _writable_plan(session, actor, plan_id)
        state = aggregate(session, plan)
        change(state)
        save_status(plan, state, clinic.now())
        session.flush()
        clinic.audit.changed(session, actor, action, "plan", plan.id, plan.patient_id)
        return plan_view(session, plan)


def complete_plan(clinic: Clinic, actor: Actor, plan_id: int) -> PlanView:
    return _finish(clinic, actor, plan_id, Plan.complete, "complete")


def cancel_plan(clinic: Clinic, actor: Actor, plan_id: int) -> PlanView:
    return _finish(clinic, actor, plan_id, Plan.cancel, "cancel")


def edit_plan(clinic: Clinic, actor: Actor, plan_id: int, raw: Any) -> PlanView:
    """Move or remove planned sessions, add or swap a course, or change the regions and
    technique settings of planned sessions, under the proposal's own rules
    (`planning.edits`); the result is a new version, the old ones are kept."""
    edit = validated(PlanEdit, raw, "plan edit")
    with clinic.uow.write() as session:
        plan = _writable_plan(session, actor, plan_id)
        state = aggregate(session, plan)
        _check_based_on(plan, edit.based_on)
        old = current_version(plan)
        patient = session.get_one(PatientRecord, plan.patient_id)
        done = fulfilled(session, old)
        assessment = load_assessment(session, plan.assessment_id)
        case = stored_case(patient, assessment, clinic.today())
        change = _change(edit, old)
        rules = edit_rules(
            case,
            assess_case(case, clinic.knowledge),
            clinic.knowledge,
            clinic_policies(clinic.settings),
            planning_conventions(clinic.settings, clinic_price_list(session, clinic.today())),
            state.document.start_date,
            plan.created_at.date(),
            clinic.today(),
            _avoid_windows(patient.preferences),
        )
        kept: tuple[int | None, ...]
        if change is None:
            result = state.edit(
                {m.position: m.day for m in edit.move},
                _removed_positions(old, edit.remove),
                edit.reason,
                clinic.today(),
                rules.avoid,
                clinic.settings.default_gap_between_modalities_days,
                # A clinician may bring a session before the patient's preferred start, never
                # before the proposal day plus the preparation it needs.
                earliest_days(
                    (s.modality for s in state.document.sessions), rules.proposed_on, rules
                ),
            )
            edited, kept = result.document, result.kept
        else:
            revised = revise(state, change, edit.reason, edit.override_reason, rules)
            edited, kept = revised.document, revised.kept
        document = {
            **edited.model_dump(mode="json"),
            "routine": routine_document(case, edited, clinic.knowledge),
        }
        now = clinic.now()
        version = _version(plan.current_version + 1, edit.reason, document, actor, now)
        plan.versions.append(version)
        plan.current_version = version.version
        plan.updated_at = now
        session.flush()
        # Recorded sessions follow their planned session into the new version.
        new_ids = {
            kept_from: version.sessions[i].id
            for i, kept_from in enumerate(kept)
            if kept_from is not None
        }
        for old_session in old.sessions:
            if old_session.id in done and old_session.position in new_ids:
                treated = session.get_one(TreatmentSessionRecord, done[old_session.id])
                treated.planned_session_id = new_ids[old_session.position]
        session.flush()
        clinic.audit.changed(
            session, actor, "edit", "plan", plan.id, plan.patient_id, {"version": version.version}
        )
        return plan_view(session, plan)


def _change(edit: PlanEdit, version: PlanVersionRecord) -> Change | None:
    """The structural change an edit asks for (None: moves and removals)."""
    if edit.add is not None:
        return AddCourse(_course(edit.add))
    if edit.swap is not None:
        return SwapCourse(edit.swap.replace, _course(edit.swap.course))
    if edit.change is not None:
        positions = {planned.id: planned.position for planned in version.sessions}
        unknown = [
            FieldProblem(
                f"change.sessions[{i}]",
                f"{session_id} is no session of version {version.version} of this plan",
                "use the session ids of the current version",
            )
            for i, session_id in enumerate(edit.change.sessions)
            if session_id not in positions
        ]
        if unknown:
            raise InputError("the plan edit is invalid", unknown)
        settings = edit.change.parameters
        return ChangeSessions(
            tuple(positions[i] for i in edit.change.sessions),
            tuple(edit.change.regions) if edit.change.regions is not None else None,
            {p.name: p.value for p in settings} if settings is not None else None,
        )
    return None


def _course(entered: CourseInput) -> CourseRequest:
    return CourseRequest(
        modality=entered.modality,
        regions=tuple(dict.fromkeys(entered.regions)),
        sessions=entered.sessions,
        interval_days=entered.interval_days,
        first_day=entered.first_day,
        parameters={p.name: p.value for p in entered.parameters},
    )


def _avoid_windows(preferences: dict[str, Any]) -> list[AvoidWindow]:
    return [
        AvoidWindow(
            date.fromisoformat(w["from"]), date.fromisoformat(w["to"]), w.get("reason") or ""
        )
        for w in preferences.get("avoid", [])
    ]


def _removed_positions(version: PlanVersionRecord, session_ids: list[int]) -> list[int]:
    """The positions, in `version`, of the planned sessions named by id; an id of another
    version (or plan) is refused rather than matched by where it once stood."""
    positions = {planned.id: planned.position for planned in version.sessions}
    problems = [
        FieldProblem(
            f"remove[{i}]",
            f"{session_id} is no session of version {version.version} of this plan",
            "use the session ids of the current version",
        )
        for i, session_id in enumerate(session_ids)
        if session_id not in positions
    ]
    if problems:
        raise InputError("the plan edit is invalid", problems)
    return [positions[session_id] for session_id in session_ids]


def _check_based_on(plan: PlanRecord, based_on: int) -> None:
    """Refuse an edit made on an older version than the current one: the editor would
    otherwise overwrite, unseen, what a colleague changed in between."""
    if based_on != plan.current_version:
        raise StateError(
            "the plan was changed by someone else",
            [
                FieldProblem(
                    "based_on",
                    f"you edited version {based_on}; version {plan.current_version} is current",
                    "reload the plan, check the changes and edit again",
                )
            ],
        )
