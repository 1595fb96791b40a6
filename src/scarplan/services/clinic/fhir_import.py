"""A FHIR bundle (as `scarplan fhir export` writes it) imported as a new patient, all or nothing.

One transaction holds the patient, the assessments (scored again by this scarplan), the plans
as given (sessions, costs, notes), the performed sessions with their adverse events and the
photos. Each part goes through the same service functions as when it is entered by hand, so
the same validation, permissions and audit entries apply; any problem rolls everything back and
is reported with the bundle path to fix.

What is recomputed rather than copied: the scale scores (a difference from the bundle's is
reported as a warning) and the home routine, which scarplan derives from the case and the
plan's dates; when the derived routine differs from the bundle's, the bundle's is kept as given
(without its calendar of pauses) and a warning says so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import AssessmentRecord, PatientRecord, PlanRecord
from scarplan.adapters.fhir import (
    AssessmentFacts,
    ClinicalRecord,
    Origins,
    PlanFacts,
    locate,
    parse_bundle,
    read_json,
)
from scarplan.adapters.photos import kept_photo
from scarplan.domain.errors import FieldProblem, InputError
from scarplan.services.assessment import NOTICE
from scarplan.services.clinic import assessments, patients, photos, plans, sessions
from scarplan.services.clinic.access import Permission, authorize
from scarplan.services.clinic.context import Actor, Clinic
from scarplan.services.clinic.plan_edits import routine_document
from scarplan.services.fhir import routine_steps

REASON = "imported from a FHIR bundle"
COUNTED = ("assessments", "plans", "sessions", "photos")
Result = TypeVar("Result")
Arguments = ParamSpec("Arguments")


@dataclass(frozen=True)
class ImportReport:
    patient_id: int
    code: str
    assessments: int
    plans: int
    sessions: int
    photos: int
    warnings: list[str]


def import_patient_bundle(clinic: Clinic, actor: Actor, raw: Any) -> ImportReport:
    """Create the bundle's patient with everything recorded about them, or nothing.

    `raw` is the bundle as JSON text (bytes or str) or already parsed.
    """
    authorize(actor, Permission.CREATE_PATIENT)
    authorize(actor, Permission.WRITE_CLINICAL)
    record = parse_bundle(read_json(raw) if isinstance(raw, bytes | str) else raw)
    facts = record.patient
    entered = {
        "full_name": facts.full_name or facts.code,
        "patient": {"id": facts.code, **facts.intake},
    }
    intake = _located(facts.origins, patients.patient_intake, clinic, entered)
    try:
        with clinic.uow.write() as session:
            patient = _located(facts.origins, patients.add_patient, session, clinic, actor, intake)
            report = _store(session, clinic, actor, patient, record)
    except IntegrityError:
        error = patients.code_taken_error(facts.code)
        raise _relocated(error, facts.origins) from None
    return report


def _store(
    session: Session, clinic: Clinic, actor: Actor, patient: PatientRecord, record: ClinicalRecord
) -> ImportReport:
    warnings: list[str] = []
    assessed = [
        _assessment(session, clinic, actor, patient, facts, warnings)
        for facts in record.assessments
    ]
    planned = [
        _plan(session, clinic, actor, patient, assessed[plan.assessment], plan, warnings)
        for plan in record.plans
    ]
    treated = []
    for facts in record.sessions:
        entered = {
            "performed_on": facts.performed_on.isoformat(),
            "modality": facts.modality,
            "regions": list(facts.regions),
            "practitioner": facts.practitioner,
            "parameters": facts.parameters,
            "notes": facts.notes,
            "adverse_events": [
                {
                    "kind": event.kind,
                    "severity": event.severity,
                    "onset_on": event.onset_on.isoformat(),
                    "resolved_on": event.resolved_on.isoformat() if event.resolved_on else None,
                    "notes": event.notes,
                }
                for event in facts.adverse_events
            ],
        }
        checked = _located(facts.origins, sessions.session_input, clinic, entered)
        link = None
        if facts.planned is not None:
            plan = planned[facts.planned[0]]
            link = (plan.id, plan.versions[0].sessions[facts.planned[1]].id)
        treated.append(sessions.add_session(session, clinic, actor, patient.id, checked, link))
    settings = clinic.settings
    for photo in record.photos:
        details = {
            "region": photo.region,
            "angle": photo.angle,
            "taken_on": photo.taken_on.isoformat(),
            "consent": photo.consent,
            "consent_confirmed": True,  # the bundle's Consent covering the photo is the record
            "session_id": treated[photo.session].id if photo.session is not None else None,
        }
        given = _located(photo.origins, photos.photo_input, clinic, details)
        image = _located(
            photo.origins,
            kept_photo,
            photo.data,
            max_bytes=settings.photo_max_bytes,
            max_side_px=settings.photo_max_side_px,
        )
        photos.add_photo_record(session, clinic, actor, patient.id, given, image)
    report = ImportReport(
        patient.id,
        patient.code,
        len(assessed),
        len(planned),
        len(treated),
        len(record.photos),
        warnings,
    )
    counts = {k: v for k, v in vars(report).items() if k in COUNTED}
    clinic.audit.changed(
        session, actor, "import", "patient", patient.id, patient.id, {"format": "fhir", **counts}
    )
    return report


def _assessment(
    session: Session,
    clinic: Clinic,
    actor: Actor,
    patient: PatientRecord,
    facts: AssessmentFacts,
    warnings: list[str],
) -> AssessmentRecord:
    entered = {
        "date": facts.day.isoformat(),
        "lesions": [dict(lesion.given) for lesion in facts.lesions],
        "notes": facts.notes,
    }
    stored = _located(
        facts.origins, assessments.add_assessment, session, clinic, actor, patient, entered
    )
    given = facts.scores
    scored = (stored.gb_qualitative, float(stored.gb_quantitative), stored.ecca)
    if (
        given is not None
        and (
            given.goodman_baron_qualitative,
            given.goodman_baron_quantitative,
            given.ecca,
        )
        != scored
    ):
        warnings.append(
            f"assessment of {facts.day}: the bundle's scores (Goodman & Baron grade "
            f"{given.goodman_baron_qualitative}, score {given.goodman_baron_quantitative}, ECCA "
            f"{given.ecca}) differ from scarplan's ({scored[0]}, {scored[1]}, {scored[2]}); "
            "scarplan's are stored"
        )
    return stored


def _plan(
    session: Session,
    clinic: Clinic,
    actor: Actor,
    patient: PatientRecord,
    assessment: AssessmentRecord,
    facts: PlanFacts,
    warnings: list[str],
) -> PlanRecord:
    document = _plan_document(facts, patient, assessment, clinic.settings.currency)
    case = assessments.stored_case(patient, assessment, clinic.today())
    derived = routine_document(case, document, clinic.knowledge)
    if routine_steps(derived) == facts.routine:
        document["routine"] = derived
    else:
        document["routine"] = _given_routine(facts)
        warnings.append(
            f"plan starting {facts.start}: its home routine differs from the one scarplan makes "
            "for this patient and plan; it was kept as given, without a calendar of pauses"
        )
    status = plans.PlanStatus(facts.status)
    return plans.add_plan(session, clinic, actor, assessment, document, status, REASON)


def _plan_document(
    facts: PlanFacts, patient: PatientRecord, assessment: AssessmentRecord, currency: str
) -> dict[str, Any]:
    """The plan in the `scarplan plan --json` shape, from what the bundle carries: the
    sessions, costs and notes. The planner's reasoning is not in a bundle, so the lists of
    recommendations, exclusions, courses and sequence rules are empty."""
    totals = Counter(s.modality for s in facts.sessions)
    seen: Counter[str] = Counter()
    rows: list[dict[str, Any]] = []
    for item in facts.sessions:
        seen[item.modality] += 1
        rows.append(
            {
                "date": item.day.isoformat(),
                "modality": item.modality,
                "number": seen[item.modality],
                "of": totals[item.modality],
                "targets": list(item.targets),
                "regions": list(item.regions),
                "downtime_days": item.downtime_days,
                "recovered_by": (item.day + timedelta(days=item.downtime_days)).isoformat(),
                "cost": (
                    {"amount": float(item.cost), "currency": item.currency}
                    if item.cost is not None
                    else None
                ),
                "cost_basis": None,
            }
        )
    priced = [s for s in facts.sessions if s.cost is not None]
    currencies = sorted({s.currency or "" for s in priced})
    if len(currencies) > 1:
        raise _relocated(
            InputError(
                "the plan is invalid",
                [
                    FieldProblem(
                        "", f"its sessions cost in {', '.join(currencies)}", "use one currency"
                    )
                ],
            ),
            facts.origins,
        )
    unpriced = list(dict.fromkeys(s.modality for s in facts.sessions if s.cost is None))
    return {
        "patient_id": patient.code,
        "start_date": facts.start.isoformat(),
        "fitzpatrick": assessment.fitzpatrick,
        "scars": dict(assessment.counts),
        "recommended": [],
        "excluded": [],
        "courses": [],
        "sequence": [],
        "sessions": rows,
        "total_cost": {
            "amount": float(sum(s.cost for s in priced if s.cost is not None)),
            "currency": currencies[0] if currencies else currency,
            "complete": not unpriced,
            "unpriced": unpriced,
        },
        "budget": None,
        "end_date": max(s.day for s in facts.sessions).isoformat() if rows else None,
        "routine": None,
        "notes": list(facts.notes),
        "notice": NOTICE,
    }


def _given_routine(facts: PlanFacts) -> dict[str, Any]:
    def steps(slot: str) -> list[dict[str, Any]]:
        return [
            {
                "agent": step.agent,
                "name": step.text,
                "order": step.order,
                "strength": "",
                "dose": step.dose,
                "frequency": step.frequency,
                "already_used": False,
                "why": [],
            }
            for step in facts.routine
            if step.slot == slot
        ]

    return {
        "start_date": facts.start.isoformat(),
        "am": steps("am"),
        "pm": steps("pm"),
        "calendar": [],
        "checks": [],
        "left_out": [],
        "advice": [],
        "referral": [],
        "notes": [f"Home routine {REASON}, as given."],
        "notice": NOTICE,
    }


def _relocated(error: InputError, origins: Origins) -> InputError:
    """The error with each field path replaced by the bundle path it was read from."""
    problems = [FieldProblem(locate(origins, p.path), p.message, p.hint) for p in error.problems]
    return InputError(f"{error.message} (in the FHIR bundle)", problems)


def _located(
    origins: Origins, action: Callable[Arguments, Result], *args: Any, **kwargs: Any
) -> Result:
    """`action(*args, **kwargs)`, its input errors named by bundle paths."""
    try:
        return action(*args, **kwargs)
    except InputError as error:
        raise _relocated(error, origins) from None
