"""FHIR export of stored patients and import into an empty database: the round trips, the
all-or-nothing import, its errors by bundle path, permissions and the audit trail.

What a round trip compares: the whole bundle of the first export against the bundle of the
export after importing it into an empty database, both as canonical FHIR JSON, except the
Bundle's `timestamp` (the moment of export). Resource ids, fullUrls and references are compared
too: they derive from the patient's code and each resource's place in the record, never from
database ids. For a case file the Patient's `name` differs as well: a case has none, and the
import names the patient by their code. The patient's planning preferences and each plan's
stored document (the planner's reasons) are compared as stored too.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from scarplan.adapters.db import SqlUnitOfWork, make_engine, upgrade
from scarplan.adapters.db.audit_trail import SqlAuditTrail
from scarplan.adapters.db.tables import (
    AssessmentRecord,
    AuditEventRecord,
    PatientRecord,
    PhotoBlobRecord,
    PhotoRecord,
    PlanRecord,
    TreatmentSessionRecord,
)
from scarplan.domain.errors import InputError, NotFoundError, PermissionDeniedError
from scarplan.knowledge import KnowledgeBase
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.exchange.fhir_export import export_patient_bundle, patient_id_for_code
from scarplan.services.clinic.exchange.fhir_import import import_patient_bundle
from scarplan.services.clinic.plans import consents, plans
from scarplan.services.clinic.records import assessments, patients, photos, sessions
from scarplan.services.demo_case import demo_cases_dir
from scarplan.services.fhir_case import case_bundle
from scarplan.services.homecare import plan_file_json
from scarplan.settings import Settings
from support.checklists import with_checklist
from support.clinic_data import LESIONS, assessment_input, patient_input
from support.clock import FrozenClock
from support.consent import ensure_consents
from support.fhir import (
    assert_valid,
    clinical_content,
    counts,
    local,
    plan_document,
    put_plan_document,
    resources,
)

pytestmark = pytest.mark.db
PASSWORD = "correct horse battery staple"
UCUM = "http://unitsofmeasure.org"
DOWNTIME_VALUE = "extension[2].valueDuration.value"


def camera_photo(seed: int) -> bytes:
    """A noisy JPEG (as a camera makes), so keeping it byte for byte is really tested."""
    out = io.BytesIO()
    Image.effect_noise((320, 240), 40 + seed).convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


@dataclass(frozen=True)
class Treated:
    id: int
    photo_hashes: list[str]


def preferences(today: date) -> dict[str, Any]:
    """Every planning preference stated: a start, a budget, a downtime limit, two windows to
    keep free (one with a reason) and a home-care budget."""
    return {
        "start_date": (today + timedelta(days=10)).isoformat(),
        "budget": {"amount": 7000, "currency": "USD"},
        "max_downtime_days": 10,
        "avoid": [
            {
                "from": (today + timedelta(days=60)).isoformat(),
                "to": (today + timedelta(days=70)).isoformat(),
                "reason": "wedding",
            },
            {
                "from": (today + timedelta(days=120)).isoformat(),
                "to": (today + timedelta(days=122)).isoformat(),
            },
        ],
        "home_care_budget": "medium",
    }


def treat(clinic: Clinic, clinician: Actor) -> Treated:
    """A patient with every planning preference stated; two assessments (one group typed from
    its width), a superseded plan, an accepted plan edited once, two sessions (one fulfilling
    the plan, with parameters and two adverse events, one added later), and three photos under
    two consent scopes."""
    record = patients.create_patient(
        clinic,
        clinician,
        patient_input(
            "P-0100",
            "Ana Souza",
            preferences=preferences(clinic.today()),
            current_agents=["niacinamide"],
            sensitive_skin=True,
        ),
    )
    measured = [*LESIONS, {"region": "forehead", "count": 3, "width_mm": 1.0, "depth_mm": 0.8}]
    assessments.record_assessment(
        clinic, clinician, record.id, assessment_input(clinic.today() - timedelta(days=200))
    )
    assessments.record_assessment(
        clinic, clinician, record.id, assessment_input(clinic.today(), measured, notes="second")
    )
    first = plans.propose_plan(clinic, clinician, record.id)
    second = plans.propose_plan(clinic, clinician, record.id)
    last = max(second.sessions, key=lambda s: s.position).id
    edited = plans.edit_plan(
        clinic,
        clinician,
        second.id,
        {"based_on": second.version, "reason": "travels in May", "remove": [last]},
    )
    accepted = plans.accept_plan(clinic, clinician, edited.id)
    assert plans.get_plan(clinic, clinician, first.id).status == "superseded"
    planned = accepted.sessions[0]
    day = clinic.today() - timedelta(days=3)
    ensure_consents(clinic, clinician, record.id, "chemical_peel_medium")
    done = sessions.record_session(
        clinic,
        clinician,
        record.id,
        with_checklist(
            {
                "performed_on": day.isoformat(),
                "modality": planned.modality,
                "regions": planned.regions,
                "practitioner": "Dr Lee",
                "parameters": {"needle_depth_mm": 1.5, "passes": 3, "anaesthesia": "topical"},
                "notes": "tolerated well",
                "adverse_events": [
                    {
                        "kind": "prolonged_erythema",
                        "severity": "moderate",
                        "onset_on": day.isoformat(),
                        "resolved_on": (day + timedelta(days=2)).isoformat(),
                        "notes": "settled",
                    }
                ],
            }
        ),
    )
    sessions.add_adverse_event(
        clinic, clinician, done.id, {"kind": "pih", "onset_on": clinic.today().isoformat()}
    )
    sessions.record_session(
        clinic,
        clinician,
        record.id,
        with_checklist(
            {
                "performed_on": (day - timedelta(days=30)).isoformat(),
                "modality": "chemical_peel_medium",
                "regions": ["forehead"],
                "practitioner": "Dr Reyes",
                "parameters": {"agent": "Jessner's solution + 35% TCA", "tca_percent": 35.0},
            }
        ),
    )
    hashes = []
    for seed, (region, angle, consent, session_id) in enumerate(
        [
            ("cheek_left", "front", "clinical_record", done.id),
            ("cheek_right", "right_oblique", "teaching", None),
            ("forehead", "close_up", "clinical_record", None),
        ]
    ):
        added = photos.add_photo(
            clinic,
            clinician,
            record.id,
            {
                "region": region,
                "angle": angle,
                "taken_on": day.isoformat(),
                "consent": consent,
                "consent_confirmed": True,
                "session_id": session_id,
            },
            camera_photo(seed),
        )
        _, data = photos.photo_content(clinic, clinician, added.id)
        hashes.append(hashlib.sha256(data).hexdigest())
    return Treated(record.id, hashes)


@pytest.fixture
def empty(
    fresh_database_url: str, knowledge: KnowledgeBase, clock: FrozenClock, tmp_path: Path
) -> Iterator[Clinic]:
    """The clinic's use cases on a second, empty database."""
    engine = make_engine(fresh_database_url)
    upgrade(engine)
    uow = SqlUnitOfWork(engine)
    settings = Settings(data_dir=tmp_path / "other", database_url=fresh_database_url)
    clinic = Clinic(uow, knowledge, settings, clock, SqlAuditTrail(uow, clock))
    yield clinic
    clinic.audit.close()
    engine.dispose()


@pytest.fixture
def importer(empty: Clinic) -> Actor:
    return users.create_user(empty, "dr.new", "Dr New", PASSWORD, "clinician")


def rows(clinic: Clinic, model: Any) -> int:
    with clinic.uow.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


SAVED = (
    PatientRecord,
    AssessmentRecord,
    PlanRecord,
    TreatmentSessionRecord,
    PhotoRecord,
    PhotoBlobRecord,
)


def assert_nothing_saved(clinic: Clinic, audited: int) -> None:
    for model in SAVED:
        assert rows(clinic, model) == 0, model
    assert rows(clinic, AuditEventRecord) == audited


def _is_procedure_consent(resource: dict[str, Any]) -> bool:
    return resource["resourceType"] == "Consent" and any(
        c["code"] == "treatment" for c in resource["scope"]["coding"]
    )


def procedure_consents(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """Each procedure Consent's signed record (its extension), without the seal."""
    found = []
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if _is_procedure_consent(resource):
            (extension,) = resource["extension"]
            signed = json.loads(base64.b64decode(extension["valueAttachment"]["data"]))
            signed.pop("content_hash")
            assert resource["status"] in ("active", "proposed", "inactive")
            assert resource["provision"]["code"][0]["coding"][0]["code"] == signed["modality"]
            text = base64.b64decode(resource["sourceAttachment"]["data"]).decode()
            assert text == signed["form_text"]
            found.append(signed)
    return found


def unsealed(bundle: dict[str, Any]) -> dict[str, Any]:
    """The bundle without the procedure consents' seals and signed records."""
    content = copy.deepcopy(bundle)
    for entry in content["entry"]:
        if _is_procedure_consent(entry["resource"]):
            entry["resource"].pop("identifier")
            entry["resource"].pop("extension")
    return content


def entry_of(bundle: dict[str, Any], kind: str, nth: int = 0) -> int:
    return [n for n, e in enumerate(bundle["entry"]) if e["resource"]["resourceType"] == kind][nth]


def test_a_treated_patient_round_trips_into_an_empty_database(
    clinic: Clinic, clinician: Actor, empty: Clinic, importer: Actor
) -> None:
    treated = treat(clinic, clinician)
    exported = export_patient_bundle(clinic, clinician, treated.id)
    assert_valid(exported)
    found = counts(exported)
    assert {k: found[k] for k in ("Procedure", "Media", "Practitioner", "CarePlan")} == {
        "Procedure": 2,
        "Media": 3,
        "Practitioner": 2,
        "CarePlan": 2,
    }
    signed = procedure_consents(exported)
    assert found["Consent"] == 2 + len(signed)  # two photo consent scopes, then the procedures
    assert {"chemical_peel_medium", "tca_cross"} <= {d["modality"] for d in signed}
    assert found["MedicationStatement"] == 2  # isotretinoin never taken; niacinamide in use

    report = import_patient_bundle(empty, importer, copy.deepcopy(exported))
    assert (report.code, report.assessments, report.plans, report.sessions, report.photos) == (
        "P-0100",
        2,
        2,
        2,
        3,
    )
    assert report.warnings == []
    again = export_patient_bundle(empty, importer, report.patient_id)
    # The seals are made again over the imported rows (the signers' accounts are not this
    # clinic's); everything signed comes back as it was.
    assert clinical_content(unsealed(again)) == clinical_content(unsealed(exported))
    assert procedure_consents(again) == procedure_consents(exported)
    with empty.uow.read() as session:
        assert all(c.intact for c in consents.patient_consents(session, report.patient_id))

    with empty.uow.read() as session:
        statuses = session.scalars(select(PlanRecord.status).order_by(PlanRecord.id)).all()
        stored = session.scalars(select(PhotoBlobRecord.data).order_by(PhotoBlobRecord.photo_id))
        linked = session.scalars(select(TreatmentSessionRecord.planned_session_id)).all()
        assert statuses == ["superseded", "in_progress"]
        assert [hashlib.sha256(d).hexdigest() for d in stored] == treated.photo_hashes
        assert linked.count(None) == 1  # the peel was not planned; the other session was


def test_a_case_file_round_trips_through_the_database(
    knowledge: KnowledgeBase, empty: Clinic, importer: Actor, clock: FrozenClock
) -> None:
    case = demo_cases_dir() / "mixed.yaml"
    exported = case_bundle(case, knowledge, Settings(), empty.today(), empty.now())
    report = import_patient_bundle(empty, importer, exported)
    assert report.warnings == []
    again = export_patient_bundle(empty, importer, report.patient_id)
    (patient,) = resources(again, "Patient")
    assert patient.pop("name") == [{"text": "EX-MIXED"}]
    assert clinical_content(again) == clinical_content(exported)
    # The case's preferences, as examples/mixed.yaml states them, and its plan with the reasons
    # `scarplan plan --json` gives.
    assert patients.get_patient(empty, importer, report.patient_id).intake["preferences"] == {
        "start_date": "2027-01-11",
        "budget": {"amount": 4000.0, "currency": "USD"},
        "max_downtime_days": 7,
        "avoid": [{"from": "2027-04-10", "to": "2027-04-18", "reason": "sister's wedding"}],
        "home_care_budget": None,
    }
    (plan,) = plans.list_plans(empty, importer, report.patient_id)
    assert plan.document.model_dump(mode="json") == plan_file_json(
        case, knowledge, Settings(), empty.today()
    )
    assert plan.document.recommended
    assert plan.document.excluded


def test_preferences_and_each_plans_reasoning_come_back_exactly(
    clinic: Clinic, clinician: Actor, empty: Clinic, importer: Actor
) -> None:
    treated = treat(clinic, clinician)
    exported = export_patient_bundle(clinic, clinician, treated.id)
    report = import_patient_bundle(empty, importer, exported)
    original = patients.get_patient(clinic, clinician, treated.id).intake["preferences"]
    imported = patients.get_patient(empty, importer, report.patient_id).intake["preferences"]
    today = clinic.today()
    assert original == {
        "start_date": (today + timedelta(days=10)).isoformat(),
        "budget": {"amount": 7000.0, "currency": "USD"},
        "max_downtime_days": 10,
        "avoid": [
            {
                "from": (today + timedelta(days=60)).isoformat(),
                "to": (today + timedelta(days=70)).isoformat(),
                "reason": "wedding",
            },
            {
                "from": (today + timedelta(days=120)).isoformat(),
                "to": (today + timedelta(days=122)).isoformat(),
                "reason": "",
            },
        ],
        "home_care_budget": "medium",
    }
    assert imported == original
    before = plans.list_plans(clinic, clinician, treated.id)
    after = plans.list_plans(empty, importer, report.patient_id)
    assert [p.document for p in after] == [p.document for p in before]
    assert [p.routine for p in after] == [p.routine for p in before]
    edited = next(p for p in after if p.status == "in_progress")
    assert edited.document.recommended
    assert edited.document.sequence
    assert edited.document.notes[-1] == "Edited by the clinician: travels in May"


def test_a_tampered_reasoning_document_is_refused_and_nothing_is_saved(
    clinic: Clinic, clinician: Actor, empty: Clinic, importer: Actor
) -> None:
    bundle = export_patient_bundle(clinic, clinician, treat(clinic, clinician).id)
    n = entry_of(bundle, "CarePlan", 1)
    care_plan = bundle["entry"][n]["resource"]
    document = plan_document(care_plan)
    document["recommended"][0]["reasons"] = ["the best procedure there is"]
    document["recommended"][0]["sources"] = ["made up"]
    put_plan_document(care_plan, document)
    audited = rows(empty, AuditEventRecord)
    with pytest.raises(InputError) as error:
        import_patient_bundle(empty, importer, bundle)
    (problem,) = error.value.problems
    assert problem.path == f"entry[{n}].resource.extension[1].valueAttachment.data"
    assert problem.message.startswith("the plan document's recommended[0].sources[0]")
    assert_nothing_saved(empty, audited)


@pytest.mark.parametrize(
    ("element", "value", "where"),
    [
        ("valueMoney", {"value": 6000}, "extension[1].valueMoney"),
        ("valueMoney", {"value": -5, "currency": "USD"}, "extension[1].valueMoney.value"),
        ("valueMoney", {"value": 6000, "currency": "usd"}, "extension[1].valueMoney.currency"),
        ("valueDuration", {"value": 400, "system": UCUM, "code": "d"}, DOWNTIME_VALUE),
        ("valueCode", "lavish", "extension[5].valueCode"),
    ],
)
def test_a_malformed_preference_is_named_and_nothing_is_saved(
    clinic: Clinic,
    clinician: Actor,
    empty: Clinic,
    importer: Actor,
    element: str,
    value: Any,
    where: str,
) -> None:
    bundle = export_patient_bundle(clinic, clinician, treat(clinic, clinician).id)
    extensions = bundle["entry"][0]["resource"]["extension"]
    (extension,) = [e for e in extensions if element in e]
    extension[element] = value
    audited = rows(empty, AuditEventRecord)
    with pytest.raises(InputError) as error:
        import_patient_bundle(empty, importer, bundle)
    assert [p.path for p in error.value.problems] == [f"entry[0].resource.{where}"]
    assert_nothing_saved(empty, audited)


def test_a_window_to_avoid_that_ends_before_it_starts_is_named(
    clinic: Clinic, clinician: Actor, empty: Clinic, importer: Actor
) -> None:
    bundle = export_patient_bundle(clinic, clinician, treat(clinic, clinician).id)
    window = bundle["entry"][0]["resource"]["extension"][3]
    assert window["url"].endswith("/preference-avoid")
    period = window["extension"][0]["valuePeriod"]
    period["start"], period["end"] = period["end"], period["start"]
    with pytest.raises(InputError) as error:
        import_patient_bundle(empty, importer, bundle)
    (problem,) = error.value.problems
    assert problem.path == "entry[0].resource.extension[3]"
    assert "before" in problem.message
    assert rows(empty, PatientRecord) == 0


def test_a_plan_without_its_document_is_imported_without_reasoning(
    clinic: Clinic, clinician: Actor, empty: Clinic, importer: Actor
) -> None:
    bundle = export_patient_bundle(clinic, clinician, treat(clinic, clinician).id)
    for resource in resources(bundle, "CarePlan"):
        resource["extension"] = [
            e for e in resource["extension"] if not e["url"].endswith("/plan-document")
        ]
    report = import_patient_bundle(empty, importer, bundle)
    assert report.warnings == []
    for plan in plans.list_plans(empty, importer, report.patient_id):
        assert plan.document.recommended == []
        assert plan.document.excluded == []
        assert plan.document.sessions


def test_a_failed_import_leaves_nothing_behind(
    clinic: Clinic, clinician: Actor, empty: Clinic, importer: Actor
) -> None:
    bundle = export_patient_bundle(clinic, clinician, treat(clinic, clinician).id)
    # The last photo fails only after the patient, assessments, plans and sessions are added.
    last = max(n for n, e in enumerate(bundle["entry"]) if e["resource"]["resourceType"] == "Media")
    content = bundle["entry"][last]["resource"]["content"]
    content["data"] = "bm90IGFuIGltYWdl"  # "not an image"
    del content["size"], content["hash"]
    audited = rows(empty, AuditEventRecord)
    with pytest.raises(InputError) as error:
        import_patient_bundle(empty, importer, bundle)
    assert [p.path for p in error.value.problems] == [f"entry[{last}].resource.content.data"]
    assert_nothing_saved(empty, audited)


def test_the_clinics_own_checks_name_the_bundle_path(
    clinic: Clinic, clinician: Actor, empty: Clinic, importer: Actor
) -> None:
    bundle = export_patient_bundle(clinic, clinician, treat(clinic, clinician).id)
    entries = bundle["entry"]
    procedure = next(
        n for n, e in enumerate(entries) if e["resource"]["resourceType"] == "Procedure"
    )
    entries[procedure]["resource"]["performedDateTime"] = "2030-01-01"
    with pytest.raises(InputError) as error:
        import_patient_bundle(empty, importer, bundle)
    found = [p.path for p in error.value.problems]
    assert f"entry[{procedure}].resource.performedDateTime" in found
    assert rows(empty, PatientRecord) == 0


def test_a_patient_code_in_use_is_named_at_the_identifier(clinic: Clinic, clinician: Actor) -> None:
    treated = treat(clinic, clinician)
    bundle = export_patient_bundle(clinic, clinician, treated.id)
    with pytest.raises(InputError) as error:
        import_patient_bundle(clinic, clinician, bundle)
    (problem,) = error.value.problems
    assert problem.path == "entry[0].resource.identifier[0].value"
    assert "already used" in problem.message


def test_changed_scores_and_routine_are_reported_and_the_routine_kept_as_given(
    knowledge: KnowledgeBase, empty: Clinic, importer: Actor
) -> None:
    exported = case_bundle(
        demo_cases_dir() / "mixed.yaml", knowledge, Settings(), empty.today(), empty.now()
    )
    bundle = copy.deepcopy(exported)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "Observation" and local(resource["code"], "scale") == "ecca":
            resource["valueInteger"] = 99
        if resource["resourceType"] == "MedicationRequest":
            resource["dosageInstruction"][0]["text"] = "every other day"
    report = import_patient_bundle(empty, importer, bundle)
    assert len(report.warnings) == 2
    assert "ECCA 99" in report.warnings[0]
    assert "115" in report.warnings[0]
    assert "kept as given" in report.warnings[1]
    again = export_patient_bundle(empty, importer, report.patient_id)
    frequencies = {r["dosageInstruction"][0]["text"] for r in resources(again, "MedicationRequest")}
    assert frequencies == {"every other day"}
    (ecca,) = [r for r in resources(again, "Observation") if local(r["code"], "scale") == "ecca"]
    assert ecca["valueInteger"] == 115  # scarplan's score is stored


def test_who_may_export_and_import(clinic: Clinic, clinician: Actor, admin: Actor) -> None:
    treated = treat(clinic, clinician)
    staff = users.create_user(clinic, "desk", "Front Desk", PASSWORD, "staff")
    portal = users.create_user(
        clinic, "ana", "Ana Souza", PASSWORD, "patient", patient_id=treated.id
    )
    other = patients.create_patient(clinic, clinician, patient_input("P-0200", "Bo Lin"))
    bundle = export_patient_bundle(clinic, portal, treated.id)  # their own record
    for actor in (staff, admin):
        with pytest.raises(PermissionDeniedError):
            export_patient_bundle(clinic, actor, treated.id)
    with pytest.raises(NotFoundError):
        export_patient_bundle(clinic, portal, other.id)
    for actor in (staff, admin, portal):
        with pytest.raises(PermissionDeniedError):
            import_patient_bundle(clinic, actor, bundle)
    with pytest.raises(NotFoundError):
        patient_id_for_code(clinic, clinician, "P-NONE")
    assert patient_id_for_code(clinic, clinician, "P-0100") == treated.id


def test_exports_and_imports_are_audited(
    clinic: Clinic, clinician: Actor, empty: Clinic, importer: Actor
) -> None:
    treated = treat(clinic, clinician)
    bundle = export_patient_bundle(clinic, clinician, treated.id)
    report = import_patient_bundle(empty, importer, bundle)
    with clinic.uow.read() as session:
        exported = session.scalars(
            select(AuditEventRecord).where(AuditEventRecord.action == "export")
        ).one()
    assert (exported.patient_id, exported.username, exported.detail["format"]) == (
        treated.id,
        "dr.lee",
        "fhir",
    )
    with empty.uow.read() as session:
        actions = session.execute(
            select(AuditEventRecord.action, AuditEventRecord.entity).where(
                AuditEventRecord.patient_id == report.patient_id
            )
        ).all()
    assert ("import", "patient") in actions
    assert ("create", "photo") in actions
    assert [a for a in actions if a == ("create", "session")] == [("create", "session")] * 2


def test_the_export_timestamp_is_the_clinic_clock(
    clinic: Clinic, clinician: Actor, clock: FrozenClock
) -> None:
    treated = treat(clinic, clinician)
    clock.set(datetime(2026, 12, 1, 8, 30, tzinfo=UTC))
    assert export_patient_bundle(clinic, clinician, treated.id)["timestamp"] == (
        "2026-12-01T08:30:00Z"
    )


# --- the medical history (issue 20) -----------------------------------------------------------

HISTORY: dict[str, Any] = {
    "conditions": ["vitiligo", "hypertrophic_scar_history"],
    "allergies": ["lidocaine", "hyaluronidase"],
    "implants": ["implanted_electronic_device", "facial_metal_implant"],
    "medications": ["photosensitising", "immunosuppressant"],
    "prior_procedures": [
        {
            "kind": "permanent_filler",
            "product": "silicone",
            "regions": ["cheek_left"],
            "date": "2015-05-01",
        },
        {"kind": "fractional_co2", "regions": ["forehead", "nose"], "date": "2024-06-10"},
        {"kind": "subcision"},
    ],
}


def with_history(clinic: Clinic, clinician: Actor) -> int:
    """A patient with every kind of history item, an assessment and a session with an adverse
    event: their Conditions and Procedures sit beside the history's."""
    record = patients.create_patient(
        clinic, clinician, patient_input("P-0200", "Lena Park", **HISTORY)
    )
    day = clinic.today() - timedelta(days=20)
    assessments.record_assessment(clinic, clinician, record.id, assessment_input(day))
    ensure_consents(clinic, clinician, record.id, "subcision")
    sessions.record_session(
        clinic,
        clinician,
        record.id,
        with_checklist(
            {
                "performed_on": (day + timedelta(days=5)).isoformat(),
                "modality": "subcision",
                "regions": ["cheek_right"],
                "practitioner": "Dr Lee",
                "adverse_events": [
                    {"kind": "bruising", "onset_on": (day + timedelta(days=5)).isoformat()}
                ],
            }
        ),
    )
    return record.id


def test_a_medical_history_round_trips_into_an_empty_database(
    clinic: Clinic, clinician: Actor, empty: Clinic, importer: Actor
) -> None:
    patient_id = with_history(clinic, clinician)
    exported = export_patient_bundle(clinic, clinician, patient_id)
    assert_valid(exported)
    found = counts(exported)
    # 2 history conditions, the acne scars and the bruising; 3 earlier procedures and the session
    assert {k: found[k] for k in ("Condition", "AllergyIntolerance", "Device", "Procedure")} == {
        "Condition": 4,
        "AllergyIntolerance": 2,
        "Device": 2,
        "Procedure": 4,
    }
    history = [r for r in resources(exported, "Condition") if local(r["code"], "condition")]
    assert [local(r["code"], "condition") for r in history] == HISTORY["conditions"]

    report = import_patient_bundle(empty, importer, copy.deepcopy(exported))
    assert (report.sessions, report.warnings) == (1, [])
    again = export_patient_bundle(empty, importer, report.patient_id)
    assert clinical_content(unsealed(again)) == clinical_content(unsealed(exported))
    assert procedure_consents(again) == procedure_consents(exported)
    stored = patients.get_patient(empty, importer, report.patient_id).intake["patient"]
    assert {name: stored[name] for name in HISTORY} == HISTORY


def test_an_unknown_history_code_is_named_and_nothing_is_saved(
    clinic: Clinic, clinician: Actor, empty: Clinic, importer: Actor
) -> None:
    bundle = export_patient_bundle(clinic, clinician, with_history(clinic, clinician))
    device = entry_of(bundle, "Device", 1)
    bundle["entry"][device]["resource"]["type"]["coding"][0]["code"] = "cochlear_implant"
    audited = rows(empty, AuditEventRecord)
    with pytest.raises(InputError) as error:
        import_patient_bundle(empty, importer, bundle)
    (problem,) = error.value.problems
    assert problem.path == f"entry[{device}].resource.type.coding[0].code"
    assert "implanted_electronic_device, facial_metal_implant" in problem.hint
    assert_nothing_saved(empty, audited)


def test_a_future_earlier_procedure_is_named_at_its_date(
    clinic: Clinic, clinician: Actor, empty: Clinic, importer: Actor
) -> None:
    bundle = export_patient_bundle(clinic, clinician, with_history(clinic, clinician))
    earlier = entry_of(bundle, "Procedure", 1)  # the laser, before the clinic's session
    resource = bundle["entry"][earlier]["resource"]
    assert local(resource["code"], "modality") == "fractional_co2"
    resource["performedDateTime"] = "2030-01-01"
    audited = rows(empty, AuditEventRecord)
    with pytest.raises(InputError) as error:
        import_patient_bundle(empty, importer, bundle)
    (problem,) = error.value.problems
    assert problem.path == f"entry[{earlier}].resource.performedDateTime"
    assert "future" in problem.message
    assert_nothing_saved(empty, audited)


def test_the_email_travels_as_patient_telecom_and_a_malformed_one_is_named(
    clinic: Clinic, clinician: Actor, empty: Clinic, importer: Actor
) -> None:
    document = {**patient_input("P-2001", "Lena Park"), "email": "lena@example.org"}
    patient_id = patients.create_patient(clinic, clinician, document).id
    bundle = export_patient_bundle(clinic, clinician, patient_id)
    (patient,) = resources(bundle, "Patient")
    assert patient["telecom"] == [{"system": "email", "value": "lena@example.org"}]

    broken = copy.deepcopy(bundle)
    broken["entry"][0]["resource"]["telecom"][0]["value"] = "lena@"
    with pytest.raises(InputError) as error:
        import_patient_bundle(empty, importer, broken)
    assert [p.path for p in error.value.problems] == ["entry[0].resource.telecom[0].value"]

    imported = import_patient_bundle(empty, importer, bundle)
    again = patients.get_patient(empty, importer, patient_id_for_code(empty, importer, "P-2001"))
    assert again.intake["email"] == "lena@example.org"
    assert imported is not None
