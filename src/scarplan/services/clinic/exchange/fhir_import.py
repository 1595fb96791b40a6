"""A FHIR bundle (as `scarplan fhir export` writes it) imported as a new patient, all or nothing.

One transaction holds the patient with their planning preferences, the assessments (scored
again by this scarplan), the plans as given (sessions, costs, notes, and the planner's reasoning
when the bundle carries the plan document), the performed sessions with their adverse events and
the photos. Each part goes through the same service functions as when it is entered by hand, so
the same validation, permissions and audit entries apply; any problem rolls everything back and
is reported with the bundle path to fix.

What is recomputed rather than copied: the scale scores (a difference from the bundle's is
reported as a warning) and, unless the plan document's routine has the bundle's steps, the home
routine, which scarplan derives from the case and the plan's dates; when the derived routine
differs from the bundle's, the bundle's is kept as given (without its calendar of pauses) and a
warning says so (fhir_import_plans).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import AssessmentRecord, PatientRecord
from scarplan.adapters.fhir import (
    AssessmentFacts,
    ClinicalRecord,
    located,
    parse_bundle,
    read_json,
    relocated,
)
from scarplan.services.clinic.core.access import Permission, authorize
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.exchange import consent_exchange
from scarplan.services.clinic.exchange.fhir_import_plans import import_plan
from scarplan.services.clinic.records import assessments, patients, photos, sessions

COUNTED = ("assessments", "plans", "sessions", "photos")
IMPORTED_WITHOUT_CONSENT = "performed before the import (FHIR); no signed consent was imported"


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
        "preferences": facts.preferences,
        **({"email": facts.email} if facts.email else {}),
    }
    intake = located(facts.origins, patients.patient_intake, clinic, entered)
    try:
        with clinic.uow.write() as session:
            patient = located(facts.origins, patients.add_patient, session, clinic, actor, intake)
            report = _store(session, clinic, actor, patient, record)
    except IntegrityError:
        error = patients.code_taken_error(facts.code)
        raise relocated(error, facts.origins) from None
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
        import_plan(session, clinic, actor, patient, assessed[plan.assessment], plan, warnings)
        for plan in record.plans
    ]
    # Consents before the sessions: a session with its procedure's consent needs no reason.
    for signed in record.consents:
        located(
            signed.origins,
            consent_exchange.import_consent,
            session,
            clinic,
            actor,
            patient.id,
            signed.signed,
        )
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
            # A past session of another system's record: without an imported consent it goes
            # in with this reason, audited (consents.require_consent).
            "consent_override_reason": IMPORTED_WITHOUT_CONSENT,
        }
        checked = located(facts.origins, sessions.session_input, clinic, entered)
        link = None
        if facts.planned is not None:
            plan = planned[facts.planned[0]]
            link = (plan.id, plan.versions[0].sessions[facts.planned[1]].id)
        treated.append(
            sessions.add_session(session, clinic, actor, patient.id, checked, link, imported=True)
        )
    for photo in record.photos:
        details = {
            "region": photo.region,
            "angle": photo.angle,
            "taken_on": photo.taken_on.isoformat(),
            "consent": photo.consent,
            "consent_confirmed": True,  # the bundle's Consent covering the photo is the record
            "session_id": treated[photo.session].id if photo.session is not None else None,
        }
        given = located(photo.origins, photos.photo_input, clinic, details)
        image = located(photo.origins, photos.cleaned, clinic, photo.data)
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
    stored = located(
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
