"""Follow-up visits and the outcome review: which visits are due, the review's comparison of
the scores, the patient's own rating and the photos with the published range, and recording
the visits (docs/clinic-day.md, "Follow-up and outcome review")."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from pydantic import Field
from sqlalchemy import Connection, Row, bindparam, select, union_all
from sqlalchemy.orm import Session

from scarplan.adapters.casefile.schema import IsoDate
from scarplan.adapters.db.tables import (
    AppointmentRecord,
    AssessmentRecord,
    FollowUpVisitRecord,
    PatientRecord,
    PlanRecord,
    PlanVersionRecord,
    TreatmentSessionRecord,
)
from scarplan.assessment import assess_case
from scarplan.domain.errors import FieldProblem, InputError, StateError
from scarplan.domain.vocabulary import Modality, ScarType
from scarplan.planning.follow_up import (
    BookedVisit,
    DoneSession,
    DueVisit,
    EndedCourse,
    VisitKind,
    due_visits,
    still_due,
)
from scarplan.planning.outcome_review import (
    Verdict,
    expected_range,
    improvement_pct,
    verdict,
)
from scarplan.planning.plan import recommendations_for
from scarplan.services.clinic.calendar.appointments import DONE, OCCUPYING
from scarplan.services.clinic.core.access import Permission, authorize
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.inputs import InputModel, validated
from scarplan.services.clinic.plans.plans import (
    FOLLOWED,
    PlanStatus,
    PlanWithSessions,
    patient_plans,
)
from scarplan.services.clinic.plans.prices import clinic_price_list
from scarplan.services.clinic.records.assessments import load_assessment, stored_case
from scarplan.services.clinic.records.outcomes import OutcomeSeries, outcome_series
from scarplan.services.clinic.records.patients import load_patient, read_patient
from scarplan.services.clinic.records.photos import PhotoView, list_photos
from scarplan.services.planning import clinic_policies, planning_conventions

log = logging.getLogger(__name__)

NOT_A_PROMISE = "Published ranges, not a promise: results vary from patient to patient."


# --- which visits are due -------------------------------------------------------------------


# The patient page reads these on every visit: built once, at import, with bound parameters
# (as in records/progress.py).
_VISITS = FollowUpVisitRecord.__table__
_APPOINTMENTS = AppointmentRecord.__table__
_SESSIONS = TreatmentSessionRecord.__table__

_VISITS_BOOKED_OR_RECORDED = union_all(
    select(_VISITS.c.kind, _VISITS.c.visited_on.label("day")).where(
        _VISITS.c.patient_id == bindparam("patient_id")
    ),
    select(_APPOINTMENTS.c.kind, _APPOINTMENTS.c.day).where(
        _APPOINTMENTS.c.patient_id == bindparam("patient_id"),
        _APPOINTMENTS.c.kind.in_([kind.value for kind in VisitKind]),
        _APPOINTMENTS.c.status.in_((*OCCUPYING, DONE)),
    ),
)

_SESSIONS_OF_PATIENT = (
    select(
        _SESSIONS.c.performed_on,
        _SESSIONS.c.modality,
        _SESSIONS.c.plan_id,
        _SESSIONS.c.planned_session_id,
    )
    .where(_SESSIONS.c.patient_id == bindparam("patient_id"))
    .order_by(_SESSIONS.c.performed_on, _SESSIONS.c.id)
)


def _booked_visits(rows: Connection, patient_id: int) -> list[BookedVisit]:
    """The visits booked or recorded: the follow-up visits recorded here, and the front desk's
    appointments of those kinds that still stand (booked, checked in or done; a cancelled or
    missed one leaves the visit due). One query."""
    found = rows.execute(_VISITS_BOOKED_OR_RECORDED, {"patient_id": patient_id})
    return [BookedVisit(VisitKind(kind), day) for kind, day in found]


def _ended_courses(plans: list[PlanWithSessions], done: Sequence[Row[Any]]) -> list[EndedCourse]:
    """Followed plans whose planned sessions are all done (or that were completed), with the
    day of their last session. `plans` from `patient_plans`; `done` is the patient's treatment
    sessions (`_sessions_done`)."""
    ended = []
    for plan in sorted(plans, key=lambda p: p.id):
        if plan.status not in FOLLOWED:
            continue
        all_done = all(s.done_by_session_id is not None for s in plan.sessions)
        if plan.status != PlanStatus.COMPLETED and (not plan.sessions or not all_done):
            continue
        performed = [d for d in done if d.plan_id == plan.id]
        if not performed:
            continue
        ended.append(
            EndedCourse(
                plan.id,
                max(p.performed_on for p in performed),
                tuple(dict.fromkeys(Modality(p.modality) for p in performed)),
            )
        )
    return ended


def _sessions_done(rows: Connection, patient_id: int) -> Sequence[Row[Any]]:
    """The patient's treatment sessions: day, procedure, plan and planned session, by day."""
    return rows.execute(_SESSIONS_OF_PATIENT, {"patient_id": patient_id}).all()


def read_due(
    rows: Connection, clinic: Clinic, patient_id: int, plans: list[PlanWithSessions]
) -> list[DueVisit]:
    """The patient's due visits read on `rows`, in the caller's transaction, with the
    patient's plans read there (`patient_plans`); the caller has authorised the actor to read
    the schedule."""
    done = _sessions_done(rows, patient_id)
    visits = due_visits(
        [DoneSession(d.performed_on, Modality(d.modality)) for d in done],
        _ended_courses(plans, done),
        clinic.knowledge,
    )
    return still_due(visits, _booked_visits(rows, patient_id))


def follow_ups_due(clinic: Clinic, actor: Actor, patient_id: int) -> list[DueVisit]:
    """A patient's follow-up visits not yet booked or recorded (overdue ones included): dates,
    kinds and reasons, no scores, so the front desk sees them too."""
    authorize(actor, Permission.READ_SCHEDULE, patient_id)
    with clinic.uow.read() as session:
        rows = session.connection()
        read_patient(rows, patient_id)  # a missing patient: 404, not an empty list
        return read_due(rows, clinic, patient_id, patient_plans(rows, patient_id))


@dataclass(frozen=True)
class PatientDueVisit:
    patient_id: int
    full_name: str
    visit: DueVisit


def follow_ups_due_between(
    clinic: Clinic, actor: Actor, first: date, last: date
) -> list[PatientDueVisit]:
    """Every patient's due visits whose window meets the days first..last (for the front
    desk's day page), by first day and name."""
    authorize(actor, Permission.READ_SCHEDULE)
    if last < first:
        raise InputError(
            "the dates are invalid", [FieldProblem("last", "is before the first day", "")]
        )
    clinic.audit.read(actor, "follow_ups_due", None, None, {"first": str(first)})
    with clinic.uow.read() as session:
        rows = session.connection()
        treated = rows.execute(
            select(PatientRecord.id, PatientRecord.full_name)
            .where(PatientRecord.id.in_(select(TreatmentSessionRecord.patient_id).distinct()))
            .order_by(PatientRecord.full_name)
        ).all()
        found = [
            PatientDueVisit(patient_id, name, visit)
            for patient_id, name in treated
            for visit in read_due(rows, clinic, patient_id, patient_plans(rows, patient_id))
            if visit.earliest <= last and visit.latest >= first
        ]
    return sorted(found, key=lambda f: (f.visit.earliest, f.full_name))


# --- the outcome review ---------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreChange:
    scale: str
    baseline: float | None
    latest: float | None
    improvement_pct: float | None


@dataclass(frozen=True)
class ExpectedOutcome:
    procedure: str
    words: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class PhotoSide:
    region: str
    angle: str
    before: PhotoView
    after: PhotoView


@dataclass(frozen=True)
class OutcomeComparison:
    """What the outcome review shows: the scores before and after the course, the patient's
    own rating, the photos side by side, and the verdict against the published range."""

    plan_id: int | None
    course_ended_on: date | None
    baseline_on: date | None
    latest_on: date | None
    scores: list[ScoreChange]
    expected_words: str | None
    expected: list[ExpectedOutcome]
    sources: list[str]
    verdict: str | None
    """as_expected | better | below; None when no comparison can be made."""
    verdict_words: str
    consider: list[str]
    missing: list[str]
    """Plain words on what the review lacks (no baseline, no re-assessment yet...)."""
    patient_ratings: list[OutcomeSeries]
    photos: list[PhotoSide]
    caveat: str = NOT_A_PROMISE


def _latest_followed_plan(session: Session, patient_id: int) -> PlanRecord | None:
    return session.scalar(
        select(PlanRecord)
        .where(PlanRecord.patient_id == patient_id, PlanRecord.status.in_(FOLLOWED))
        .order_by(PlanRecord.id.desc())
        .limit(1)
    )


def _plan_procedures(
    session: Session, plan: PlanRecord
) -> list[tuple[Modality, tuple[ScarType, ...]]]:
    """The plan's procedures and the scar types each treats, as the plan states them."""
    document = session.scalar(
        select(PlanVersionRecord.document).where(
            PlanVersionRecord.plan_id == plan.id,
            PlanVersionRecord.version == plan.current_version,
        )
    )
    recommended = (document or {}).get("recommended", [])
    return [
        (Modality(r["modality"]), tuple(ScarType(t) for t in r.get("targets", [])))
        for r in recommended
        if r.get("in_plan", True)
    ]


def _consider(
    clinic: Clinic,
    patient: PatientRecord,
    latest: AssessmentRecord,
    in_plan: set[Modality],
) -> list[str]:
    """What the planner recommends for the scars still there: a further course of a plan's
    procedure, or the best other procedure for each scar type remaining."""
    case = stored_case(patient, latest, clinic.today())
    result = assess_case(case, clinic.knowledge)
    with clinic.uow.read() as session:
        prices = clinic_price_list(session, clinic.today())
    found = recommendations_for(
        case,
        result,
        clinic.knowledge,
        clinic_policies(clinic.settings),
        planning_conventions(clinic.settings, prices),
        clinic.today(),
    )
    remaining: dict[Modality, list[str]] = {}
    for scar_type, count in result.counts_by_type.items():
        if not count or scar_type not in (ScarType.ICE_PICK, ScarType.BOXCAR, ScarType.ROLLING):
            continue
        best = next((r for r in found.recommended if scar_type in r.targets), None)
        if best is not None:
            kind = scar_type.value.replace("_", " ")
            remaining.setdefault(best.modality, []).append(f"{count} {kind}")
    ideas = []
    for modality, scars in remaining.items():
        name = clinic.knowledge.modalities[modality].name
        what = " and ".join(scars)
        further = "a further course of " if modality in in_plan else ""
        ideas.append(f"{further}{name} for the {what} scars remaining")
    return ideas


def _photos(photos: list[PhotoView], course_ended_on: date | None) -> list[PhotoSide]:
    """Per region and angle, the first photo beside the latest one taken after the course."""
    groups: dict[tuple[str, str], list[PhotoView]] = {}
    for photo in sorted(photos, key=lambda p: (p.taken_on, p.id)):
        groups.setdefault((photo.region, photo.angle), []).append(photo)
    sides = []
    for (region, angle), group in sorted(groups.items()):
        after = [p for p in group if course_ended_on is None or p.taken_on > course_ended_on]
        if len(group) > 1 and after and after[-1].id != group[0].id:
            sides.append(PhotoSide(region, angle, group[0], after[-1]))
    return sides


def outcome_comparison(clinic: Clinic, actor: Actor, patient_id: int) -> OutcomeComparison:
    """The outcome review of the latest plan followed, computed now."""
    authorize(actor, Permission.READ_CLINICAL, patient_id)
    clinic.audit.read(actor, "outcome_review", None, patient_id)
    photos = list_photos(clinic, actor, patient_id)
    with clinic.uow.read() as session:
        patient = load_patient(session, patient_id)
        ratings = outcome_series(session.connection(), clinic, patient_id)
        plan = _latest_followed_plan(session, patient_id)
        if plan is None:
            return _empty(["No accepted plan has been carried out yet."], ratings)
        rows = session.connection()
        courses = _ended_courses(patient_plans(rows, patient_id), _sessions_done(rows, patient_id))
        ended = next((c for c in courses if c.plan_id == plan.id), None)
        last_session = session.scalar(
            select(TreatmentSessionRecord.performed_on)
            .where(TreatmentSessionRecord.plan_id == plan.id)
            .order_by(TreatmentSessionRecord.performed_on.desc())
            .limit(1)
        )
        missing = []
        if last_session is None:
            return _empty(["No session of the plan has been recorded yet."], ratings, plan.id)
        if ended is None:
            missing.append("The course is not finished: some planned sessions are still to do.")
        baseline = load_assessment(session, plan.assessment_id)
        latest = session.scalar(
            select(AssessmentRecord)
            .where(
                AssessmentRecord.patient_id == patient_id,
                AssessmentRecord.assessed_on > last_session,
            )
            .order_by(AssessmentRecord.assessed_on.desc(), AssessmentRecord.id.desc())
            .limit(1)
        )
        procedures = _plan_procedures(session, plan)
        expected = expected_range(procedures, clinic.knowledge)
        scores = [
            ScoreChange(
                "Goodman & Baron quantitative score",
                baseline.gb_quantitative,
                latest.gb_quantitative if latest else None,
                improvement_pct(baseline.gb_quantitative, latest.gb_quantitative)
                if latest
                else None,
            ),
            ScoreChange(
                "ECCA",
                float(baseline.ecca),
                float(latest.ecca) if latest else None,
                improvement_pct(baseline.ecca, latest.ecca) if latest else None,
            ),
        ]
        if latest is None:
            missing.append(
                f"No re-assessment after the last session ({last_session:%d %b %Y}) yet: "
                "record one on the face map to compare."
            )
        elif all(s.improvement_pct is None for s in scores):
            missing.append(
                "The assessment before the course scored 0 on both scales: there is no score "
                "to improve on, so no percentage can be compared."
            )
        if expected is None:
            missing.append(
                "The published outcomes of the plan's procedures give no improvement in per "
                "cent to compare with."
            )
        measured = next((s for s in scores if s.improvement_pct is not None), None)
        found: Verdict | None = None
        consider: list[str] = []
        if measured is not None and expected is not None and measured.improvement_pct is not None:
            found = verdict(measured.improvement_pct, expected)
            if found is Verdict.BELOW and latest is not None:
                consider = _consider(clinic, patient, latest, {m for m, _ in procedures})
        words = _verdict_words(found, measured, expected, consider)
        names = {m: clinic.knowledge.modalities[m].name for m, _ in procedures}
        return OutcomeComparison(
            plan_id=plan.id,
            course_ended_on=ended.last_day if ended else None,
            baseline_on=baseline.assessed_on,
            latest_on=latest.assessed_on if latest else None,
            scores=scores,
            expected_words=expected.words() if expected else None,
            expected=[
                ExpectedOutcome(names[o.modality], o.words, o.sources)
                for o in (expected.outcomes if expected else ())
            ],
            sources=list(expected.sources) if expected else [],
            verdict=found.value if found else None,
            verdict_words=words,
            consider=consider,
            missing=missing,
            patient_ratings=ratings,
            photos=_photos(photos, last_session),
        )


def _verdict_words(
    found: Verdict | None, measured: ScoreChange | None, expected: Any, consider: list[str]
) -> str:
    if found is None or measured is None or expected is None:
        return "No comparison yet."
    text = (
        f"{found.words.capitalize()}: the {measured.scale} improved "
        f"{measured.improvement_pct:g} % (published range: {expected.words()})"
    )
    if found is Verdict.BELOW:
        text += "; consider " + (
            "; or ".join(consider) if consider else "a further course or another procedure"
        )
    return text + "."


def _empty(
    missing: list[str], ratings: list[OutcomeSeries], plan_id: int | None = None
) -> OutcomeComparison:
    return OutcomeComparison(
        plan_id=plan_id,
        course_ended_on=None,
        baseline_on=None,
        latest_on=None,
        scores=[],
        expected_words=None,
        expected=[],
        sources=[],
        verdict=None,
        verdict_words="No comparison yet.",
        consider=[],
        missing=missing,
        patient_ratings=ratings,
        photos=[],
    )


# --- recording a visit ----------------------------------------------------------------------


class VisitInput(InputModel):
    kind: VisitKind = Field(description="follow_up | outcome_review")
    visited_on: IsoDate = Field(description="The day of the visit.")
    notes: str = Field("", max_length=4000)


@dataclass(frozen=True)
class VisitView:
    id: int
    kind: str
    visited_on: date
    verdict: str | None
    verdict_words: str
    notes: str


def _visit_view(record: FollowUpVisitRecord) -> VisitView:
    return VisitView(
        record.id,
        record.kind,
        record.visited_on,
        record.verdict,
        str((record.comparison or {}).get("verdict_words", "")),
        record.notes,
    )


def record_visit(clinic: Clinic, actor: Actor, patient_id: int, raw: Any) -> VisitView:
    """Record a follow-up check or the outcome review; the review keeps the comparison shown
    that day (scores, range, verdict), so a later change of the record does not rewrite it."""
    authorize(actor, Permission.WRITE_CLINICAL, patient_id)
    entered = validated(VisitInput, raw, "visit")
    if entered.visited_on > clinic.today():
        raise InputError(
            "the visit is invalid",
            [FieldProblem("visited_on", "is in the future", "enter the day of the visit")],
        )
    comparison: dict[str, Any] = {}
    found: str | None = None
    plan_id: int | None = None
    if entered.kind is VisitKind.OUTCOME_REVIEW:
        shown = outcome_comparison(clinic, actor, patient_id)
        if shown.plan_id is None:
            raise StateError(
                "there is no course to review",
                [FieldProblem("kind", "no accepted plan has been carried out", "")],
            )
        comparison = {
            "verdict_words": shown.verdict_words,
            "scores": [asdict(s) for s in shown.scores],
            "expected": shown.expected_words,
            "sources": shown.sources,
            "consider": shown.consider,
            "missing": shown.missing,
            "baseline_on": shown.baseline_on.isoformat() if shown.baseline_on else None,
            "latest_on": shown.latest_on.isoformat() if shown.latest_on else None,
        }
        found, plan_id = shown.verdict, shown.plan_id
    with clinic.uow.write() as session:
        load_patient(session, patient_id)
        record = FollowUpVisitRecord(
            patient_id=patient_id,
            kind=entered.kind.value,
            visited_on=entered.visited_on,
            plan_id=plan_id,
            verdict=found,
            comparison=comparison,
            notes=entered.notes,
            created_at=clinic.now(),
            created_by=actor.user_id,
        )
        session.add(record)
        session.flush()
        clinic.audit.changed(session, actor, "create", "follow_up_visit", record.id, patient_id)
        log.info("follow-up visit %s recorded for patient %s", record.id, patient_id)
        return _visit_view(record)


def list_visits(clinic: Clinic, actor: Actor, patient_id: int) -> list[VisitView]:
    """The follow-up visits recorded, newest first."""
    authorize(actor, Permission.READ_CLINICAL, patient_id)
    with clinic.uow.read() as session:
        load_patient(session, patient_id)
        records = session.scalars(
            select(FollowUpVisitRecord)
            .where(FollowUpVisitRecord.patient_id == patient_id)
            .order_by(FollowUpVisitRecord.visited_on.desc(), FollowUpVisitRecord.id.desc())
        ).all()
        return [_visit_view(r) for r in records]


PLAIN_VERDICT = {
    Verdict.AS_EXPECTED.value: "Your scars improved about as much as published results for "
    "these treatments.",
    Verdict.BETTER.value: "Your scars improved more than published results for these treatments.",
    Verdict.BELOW.value: "Your scars improved less than published results for these "
    "treatments; your clinician will talk with you about what could help next.",
}


def latest_review_words(clinic: Clinic, actor: Actor, patient_id: int) -> str | None:
    """The latest outcome review's result in plain words for the patient, or None."""
    authorize(actor, Permission.READ_CLINICAL, patient_id)
    with clinic.uow.read() as session:
        found = session.scalar(
            select(FollowUpVisitRecord.verdict)
            .where(
                FollowUpVisitRecord.patient_id == patient_id,
                FollowUpVisitRecord.kind == VisitKind.OUTCOME_REVIEW.value,
                FollowUpVisitRecord.verdict.is_not(None),
            )
            .order_by(FollowUpVisitRecord.visited_on.desc(), FollowUpVisitRecord.id.desc())
            .limit(1)
        )
    return PLAIN_VERDICT.get(found) if found else None
