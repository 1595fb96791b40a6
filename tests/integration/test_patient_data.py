"""A patient's own data: the complete export and the archive with photos, and erasure."""

from __future__ import annotations

import hashlib
import json
import stat
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, Select, func, select

from scarplan.adapters.db.tables import (
    AdverseEventOutcomeRecord,
    AdverseEventRecord,
    ApiTokenRecord,
    AppointmentRecord,
    AssessmentRecord,
    AuditEventRecord,
    Base,
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
from scarplan.adapters.reports.content import Variant
from scarplan.domain.errors import InputError, NotFoundError, PermissionDeniedError
from scarplan.services.clinic.accounts import identity_requests, invitations, users
from scarplan.services.clinic.calendar import schedule_runs, schedule_setup
from scarplan.services.clinic.calendar.demo_schedule import DEMO_SCHEDULE
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.job_runner import InProcessJobRunner
from scarplan.services.clinic.exchange import patient_data, report_jobs
from scarplan.services.clinic.plans import consents, follow_up, plans
from scarplan.services.clinic.records import (
    adverse_events,
    assessments,
    patients,
    photos,
    questionnaires,
    sessions,
    stored_topography,
)
from support.checklists import with_checklist
from support.clinic_data import assessment_input, jpeg, patient_input
from support.consent import consented, ensure_consents
from support.height_maps import PIXEL_SIZE_MM, small_map_npy
from support.jobs import waiting_upload

PASSWORD = "correct horse battery staple"
PERFORMED = date(2026, 11, 12)


@dataclass(frozen=True)
class Enrolled:
    id: int
    code: str
    name: str
    portal: Actor | None
    portal_token: str | None


def enrol(
    clinic: Clinic, clinician: Actor, code: str, name: str, *, portal: str | None = None
) -> Enrolled:
    """Two assessments, a plan edited once (two versions) and accepted, a session with an
    adverse event, two photos; with `portal`, a signed-in portal account with an API token."""
    intake = {**patient_input(code, name), "email": f"{code.lower()}@example.org"}
    record = patients.create_patient(clinic, clinician, intake)
    assessments.record_assessment(
        clinic, clinician, record.id, assessment_input(date(2026, 5, 4), notes=f"{name}: first")
    )
    assessments.record_assessment(
        clinic, clinician, record.id, assessment_input(date(2026, 11, 16), notes="second")
    )
    proposed = plans.propose_plan(clinic, clinician, record.id)
    last = max(proposed.sessions, key=lambda s: s.position).id
    edited = plans.edit_plan(
        clinic,
        clinician,
        proposed.id,
        {"based_on": proposed.version, "reason": "patient travels in May", "remove": [last]},
    )
    planned = plans.accept_plan(clinic, clinician, edited.id).sessions[0]
    ensure_consents(clinic, clinician, record.id)
    withdrawn = consented(clinic, clinician, record.id, "punch_excision")
    consents.withdraw_consent(clinic, clinician, withdrawn.id, {"reason": "prefers to wait"})
    treated = sessions.record_session(
        clinic,
        clinician,
        record.id,
        with_checklist(
            {
                "performed_on": PERFORMED.isoformat(),
                "modality": planned.modality,
                "regions": planned.regions,
                "practitioner": "Dr Lee",
                "parameters": {"passes": 2, "anaesthesia": "topical"},
                "notes": f"{name} tolerated it well",
                "adverse_events": [
                    {"kind": "pih", "onset_on": "2026-11-14", "notes": "faint, left cheek"}
                ],
            }
        ),
    )
    adverse_events.set_outcome(
        clinic,
        clinician,
        treated.adverse_events[0].id,
        {"outcome": "resolving", "treatment": "sun protection"},
    )
    follow_up.record_visit(
        clinic, clinician, record.id, {"kind": "follow_up", "visited_on": PERFORMED.isoformat()}
    )
    for region, colour in (("cheek_left", (200, 150, 120)), ("forehead", (90, 60, 40))):
        photos.add_photo(
            clinic,
            clinician,
            record.id,
            {
                "region": region,
                "taken_on": PERFORMED.isoformat(),
                "consent": "clinical_record",
                "consent_confirmed": True,
                "session_id": treated.id if region == "cheek_left" else None,
            },
            jpeg(colour=colour),
        )
    job_id = stored_topography.start_analysis(
        clinic,
        clinician,
        record.id,
        {"region": "cheek_left", "taken_on": PERFORMED.isoformat(), "pixel_size_mm": PIXEL_SIZE_MM},
        "cheek.npy",
        small_map_npy(),
    )
    report_jobs.start_report(clinic, clinician, record.id, Variant.PATIENT)  # a PDF kept
    _book(clinic, clinician)
    assert stored_topography.analysis_job(clinic, clinician, job_id).status == "done"
    waiting_upload(clinic, clinician, record.id)  # an upload not yet taken by a worker
    if portal is None:
        return Enrolled(record.id, code, name, None, None)
    account = users.create_user(clinic, portal, name, PASSWORD, "patient", patient_id=record.id)
    invitations.invite_patient(clinic, clinician, record.id)  # an invitation and its e-mail
    identity_requests.request_change(
        clinic, account, record.id, {"full_name": f"{name} Junior", "reason": "new surname"}
    )
    questionnaires.answer_questionnaire(
        clinic, account, record.id, {"instrument_id": "pgi_i", "answers": {"improvement": 3}}
    )
    _, token = users.sign_in(clinic, portal, PASSWORD)
    users.issue_api_token(clinic, account, {"name": "phone"})
    return Enrolled(record.id, code, name, account, token)


def _book(clinic: Clinic, clinician: Actor) -> None:
    """Book every accepted plan's sessions: an optimiser run over 90 days, confirmed."""
    if schedule_setup.read_setup(clinic, clinician) is None:
        schedule_setup.save_setup(clinic, clinician, DEMO_SCHEDULE, "opening set-up")
    job_id = schedule_runs.start_run(clinic, clinician, clinic.today() + timedelta(days=1), 90)
    assert isinstance(clinic.jobs, InProcessJobRunner)
    assert clinic.jobs.wait_idle(60)
    schedule_runs.confirm_run(clinic, clinician, job_id)


@pytest.fixture
def ana(clinic: Clinic, clinician: Actor) -> Enrolled:
    return enrol(clinic, clinician, "P-0001", "Ana Silva", portal="ana.silva")


@pytest.fixture
def bruno(clinic: Clinic, clinician: Actor) -> Enrolled:
    return enrol(clinic, clinician, "P-0002", "Bruno Costa")


def patient_rows(engine: Engine, patient_id: int) -> dict[str, int]:
    """Rows that belong to the patient, table by table, found through their links."""
    sessions_ = select(TreatmentSessionRecord.id).where(
        TreatmentSessionRecord.patient_id == patient_id
    )
    photos_ = select(PhotoRecord.id).where(PhotoRecord.patient_id == patient_id)
    plans_ = select(PlanRecord.id).where(PlanRecord.patient_id == patient_id)
    versions = select(PlanVersionRecord.id).where(PlanVersionRecord.plan_id.in_(plans_))
    assessed = select(AssessmentRecord.id).where(AssessmentRecord.patient_id == patient_id)
    accounts = select(User.id).where(User.patient_id == patient_id)
    maps = select(TopographyRecord.id).where(TopographyRecord.patient_id == patient_id)
    consents_ = select(ConsentRecord.id).where(ConsentRecord.patient_id == patient_id)
    jobs_ = select(JobRecord.id).where(JobRecord.patient_id == patient_id)
    queries: dict[str, Select[Any]] = {
        "patients": select(PatientRecord.id).where(PatientRecord.id == patient_id),
        "assessments": assessed,
        "lesions": select(LesionRecord.id).where(LesionRecord.assessment_id.in_(assessed)),
        "plans": plans_,
        "plan_versions": versions,
        "planned_sessions": select(PlannedSessionRecord.id).where(
            PlannedSessionRecord.plan_version_id.in_(versions)
        ),
        "home_routines": select(HomeRoutineRecord.id).where(
            HomeRoutineRecord.plan_version_id.in_(versions)
        ),
        "treatment_sessions": sessions_,
        "adverse_events": select(AdverseEventRecord.id).where(
            AdverseEventRecord.session_id.in_(sessions_)
        ),
        "checklist_answers": select(ChecklistAnswerRecord.id).where(
            ChecklistAnswerRecord.session_id.in_(sessions_)
        ),
        "adverse_event_outcomes": select(AdverseEventOutcomeRecord.id).where(
            AdverseEventOutcomeRecord.event_id.in_(
                select(AdverseEventRecord.id).where(AdverseEventRecord.session_id.in_(sessions_))
            )
        ),
        "follow_up_visits": select(FollowUpVisitRecord.id).where(
            FollowUpVisitRecord.patient_id == patient_id
        ),
        "photos": photos_,
        "photo_blobs": select(PhotoBlobRecord.photo_id).where(
            PhotoBlobRecord.photo_id.in_(photos_)
        ),
        "users": accounts,
        "user_sessions": select(UserSessionRecord.id).where(
            UserSessionRecord.user_id.in_(accounts)
        ),
        "api_tokens": select(ApiTokenRecord.id).where(ApiTokenRecord.user_id.in_(accounts)),
        "appointments": select(AppointmentRecord.id).where(
            AppointmentRecord.patient_id == patient_id
        ),
        "procedure_consents": consents_,
        "procedure_consent_countersignatures": select(ConsentCountersignatureRecord.id).where(
            ConsentCountersignatureRecord.consent_id.in_(consents_)
        ),
        "procedure_consent_withdrawals": select(ConsentWithdrawalRecord.id).where(
            ConsentWithdrawalRecord.consent_id.in_(consents_)
        ),
        "questionnaire_responses": select(QuestionnaireResponseRecord.id).where(
            QuestionnaireResponseRecord.patient_id == patient_id
        ),
        "jobs": jobs_,
        "job_payloads": select(JobPayloadRecord.job_id).where(JobPayloadRecord.job_id.in_(jobs_)),
        "job_files": select(JobFileRecord.job_id).where(JobFileRecord.job_id.in_(jobs_)),
        "mail_outbox": select(MailOutboxRecord.id).where(MailOutboxRecord.patient_id == patient_id),
        "portal_invitations": select(PortalInvitationRecord.id).where(
            PortalInvitationRecord.patient_id == patient_id
        ),
        "identity_change_requests": select(IdentityChangeRequestRecord.id).where(
            IdentityChangeRequestRecord.patient_id == patient_id
        ),
        "topography_analyses": maps,
        "topography_overlays": select(TopographyOverlayRecord.topography_id).where(
            TopographyOverlayRecord.topography_id.in_(maps)
        ),
        "topography_maps": select(TopographyMapRecord.topography_id).where(
            TopographyMapRecord.topography_id.in_(maps)
        ),
    }
    with engine.connect() as connection:
        return {
            table: connection.scalar(select(func.count()).select_from(query.subquery())) or 0
            for table, query in queries.items()
        }


# Linked only through `created_by`, an account that manages the schedule or the prices: never
# a portal patient's (the patient role has neither schedule.manage nor prices.manage), so never
# a patient's own row.
STAFF_ONLY = {"schedule_resources", "clinic_price_lists"}


def tables_linked_to_patients() -> set[str]:
    """Every table with a chain of foreign keys to `patients`: what erasure must cover."""
    linked = {"patients"}
    grew = True
    while grew:
        grew = False
        for table in Base.metadata.sorted_tables:
            if table.name not in linked and any(
                key.column.table.name in linked for key in table.foreign_keys
            ):
                linked.add(table.name)
                grew = True
    return linked - STAFF_ONLY


def audit_entries(clinic: Clinic, patient_id: int) -> list[AuditEventRecord]:
    clinic.audit.flush()
    with clinic.uow.read() as session:
        return list(
            session.scalars(
                select(AuditEventRecord)
                .where(AuditEventRecord.patient_id == patient_id)
                .order_by(AuditEventRecord.id)
            )
        )


# --- the export ---------------------------------------------------------------------------------


def test_the_export_holds_every_record_of_the_patient(
    clinic: Clinic, clinician: Actor, ana: Enrolled, bruno: Enrolled
) -> None:
    document = patient_data.export_patient(clinic, clinician, ana.id)

    assert json.loads(json.dumps(document)) == document  # plain JSON throughout
    assert (document["format"], document["version"]) == ("scarplan-patient-export", 1)
    patient = document["patient"]
    assert (patient["id"], patient["code"], patient["full_name"]) == (ana.id, ana.code, ana.name)
    assert patient["birth_date"] == "1990-05-02"
    assert patient["intake"]["patient"]["pregnant"] is False
    assert document["portal_account"]["username"] == "ana.silva"
    assert "password_hash" not in json.dumps(document)
    assessed = document["assessments"]
    assert [(a["assessed_on"], a["notes"]) for a in assessed] == [
        ("2026-05-04", "Ana Silva: first"),
        ("2026-11-16", "second"),
    ]
    assert len(assessed[0]["lesions"]) == 3
    assert assessed[0]["result"]["goodman_baron"]["qualitative_grade"] >= 1
    (plan,) = document["plans"]
    assert plan["status"] == "in_progress"
    assert [v["version"] for v in plan["versions"]] == [1, 2]
    first, second = plan["versions"]
    assert second["reason"] == "patient travels in May"
    assert len(second["sessions"]) == len(first["sessions"]) - 1
    assert all(v["document"]["sessions"] and v["routine"] for v in plan["versions"])
    (treated,) = document["sessions"]
    assert (treated["notes"], treated["practitioner"]) == ("Ana Silva tolerated it well", "Dr Lee")
    assert treated["parameters"] == {"passes": 2, "anaesthesia": "topical"}
    assert [(e["kind"], e["notes"]) for e in treated["adverse_events"]] == [
        ("pih", "faint, left cheek")
    ]
    assert [(p["region"], p["session_id"]) for p in document["photos"]] == [
        ("cheek_left", treated["id"]),
        ("forehead", None),
    ]
    signed = {c["procedure"]: c for c in document["consents"]}
    assert signed["Punch excision"]["status"] == "withdrawn"
    assert signed["Punch excision"]["withdrawal_reason"] == "prefers to wait"
    assert signed["Punch excision"]["countersigned_by"] == "Dr Lee"
    assert signed["Punch excision"]["form_text"].startswith("Consent to treatment: Punch excision")
    assert {c["status"] for c in document["consents"]} == {"signed", "withdrawn"}
    assert all(len(c["content_sha256"]) == 64 for c in document["consents"])
    (measured,) = document["topography"]
    assert (measured["region"], measured["filename"]) == ("cheek_left", "cheek.npy")
    assert measured["result"]["counts_by_type"] == {"ice_pick": 2, "boxcar": 1, "rolling": 1}
    assert document["appointments"]
    assert {a["status"] for a in document["appointments"]} == {"booked"}
    (answered,) = document["questionnaires"]
    assert (answered["instrument_id"], answered["answers"], answered["score"]) == (
        "pgi_i",
        {"improvement": 3},
        3.0,
    )
    assert bruno.name not in json.dumps(document)


def test_the_archive_holds_the_data_and_every_photo_as_stored(
    clinic: Clinic, clinician: Actor, ana: Enrolled, tmp_path: Path
) -> None:
    target = tmp_path / "exports" / "ana.zip"

    archive = patient_data.write_patient_archive(clinic, clinician, ana.id, target)

    assert (archive.path, archive.photos, archive.byte_size) == (
        target,
        2,
        target.stat().st_size,
    )
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["ana.zip"]  # no scratch file left
    with zipfile.ZipFile(target) as opened:
        names = opened.namelist()
        data = json.loads(opened.read("data.json"))
        files = {name: opened.read(name) for name in names if name.startswith("photos/")}
    assert data == patient_data.export_patient(clinic, clinician, ana.id)
    assert names[0] == "data.json"
    assert sorted(files) == sorted(p["file"] for p in data["photos"])
    assert all(name.endswith(".jpg") for name in files)
    for photo in data["photos"]:
        content = files[photo["file"]]
        _, stored = photos.photo_content(clinic, clinician, photo["id"])
        assert content == stored
        assert hashlib.sha256(content).hexdigest() == photo["sha256"]
        assert (photo["byte_size"], photo["content_type"]) == (len(content), "image/jpeg")
    # The kept height map travels as uploaded, beside its overlay.
    (measured,) = data["topography"]
    with zipfile.ZipFile(target) as opened:
        uploaded = opened.read(measured["map_file"])
        assert opened.read(measured["overlay_file"]).startswith(b"\x89PNG")
    assert measured["map_file"].endswith(".npy")
    assert uploaded == small_map_npy()
    assert hashlib.sha256(uploaded).hexdigest() == measured["sha256"]
    assert measured["map_read_options"] == {"pixel_size_mm": PIXEL_SIZE_MM, "z_unit": None}
    # Each signed consent's drawn signature travels beside it, as signed.
    with zipfile.ZipFile(target) as opened:
        for signed in data["consents"]:
            drawn = opened.read(signed["signature_file"])
            assert drawn.startswith(b"\x89PNG")
            assert hashlib.sha256(drawn).hexdigest() == signed["signature_sha256"]


def test_an_archive_never_overwrites_a_file(
    clinic: Clinic, clinician: Actor, ana: Enrolled, tmp_path: Path
) -> None:
    target = tmp_path / "ana.zip"
    target.write_bytes(b"earlier")

    with pytest.raises(InputError) as error:
        patient_data.write_patient_archive(clinic, clinician, ana.id, target)

    assert [p.path for p in error.value.problems] == ["target"]
    assert target.read_bytes() == b"earlier"


def test_every_export_is_in_the_audit_trail(
    clinic: Clinic, clinician: Actor, ana: Enrolled, tmp_path: Path
) -> None:
    assert ana.portal is not None
    patient_data.export_patient(clinic, ana.portal, ana.id)
    patient_data.write_patient_archive(clinic, clinician, ana.id, tmp_path / "a.zip")

    exports = [e for e in audit_entries(clinic, ana.id) if e.action == "export"]

    assert [(e.username, e.entity, e.entity_id, e.detail) for e in exports] == [
        ("ana.silva", "patient", ana.id, {"format": "json", "photos": 2}),
        ("dr.lee", "patient", ana.id, {"format": "zip", "photos": 2, "overlays": 1}),
    ]


def test_an_admin_cannot_download_a_patients_clinical_record(
    clinic: Clinic, admin: Actor, ana: Enrolled, tmp_path: Path
) -> None:
    """Issue 24, finding 4: the role table says admin holds no clinical records, yet the
    export (notes, photos, height maps) was open to admin. Erasure, which reads nothing,
    stays theirs."""
    with pytest.raises(PermissionDeniedError):
        patient_data.export_patient(clinic, admin, ana.id)
    with pytest.raises(PermissionDeniedError):
        patient_data.write_patient_archive(clinic, admin, ana.id, tmp_path / "a.zip")
    assert not (tmp_path / "a.zip").exists()
    assert [e for e in audit_entries(clinic, ana.id) if e.action == "export"] == []


def test_the_admins_patient_list_shows_who_but_nothing_clinical(
    clinic: Clinic, admin: Actor, clinician: Actor, ana: Enrolled
) -> None:
    (seen,) = patients.search_patients(clinic, admin).items
    assert (seen.code, seen.full_name) == (ana.code, ana.name)
    assert seen.fitzpatrick is None
    (full,) = patients.search_patients(clinic, clinician).items
    assert full.fitzpatrick is not None


def test_a_portal_patient_exports_their_own_data_and_no_one_elses(
    clinic: Clinic, ana: Enrolled, bruno: Enrolled
) -> None:
    assert ana.portal is not None

    own = patient_data.export_patient(clinic, ana.portal, ana.id)

    assert own["patient"]["code"] == ana.code
    with pytest.raises(NotFoundError):
        patient_data.export_patient(clinic, ana.portal, bruno.id)


def test_a_researcher_may_neither_export_nor_erase_a_patient(
    clinic: Clinic, ana: Enrolled, tmp_path: Path
) -> None:
    researcher = users.create_user(clinic, "res.one", "Res One", PASSWORD, "researcher")

    with pytest.raises(PermissionDeniedError):
        patient_data.export_patient(clinic, researcher, ana.id)
    with pytest.raises(PermissionDeniedError):
        patient_data.write_patient_archive(clinic, researcher, ana.id, tmp_path / "a.zip")
    with pytest.raises(PermissionDeniedError):
        patient_data.erase_patient(clinic, researcher, ana.id, "research")
    assert not (tmp_path / "a.zip").exists()


def test_an_unknown_patient_is_not_found(clinic: Clinic, clinician: Actor, admin: Actor) -> None:
    with pytest.raises(NotFoundError):
        patient_data.export_patient(clinic, clinician, 31_337)
    with pytest.raises(NotFoundError):
        patient_data.erase_patient(clinic, admin, 31_337, "patient request")


# --- erasure ------------------------------------------------------------------------------------


def test_erasure_removes_every_row_of_the_patient_and_nothing_else(
    clinic: Clinic, clinician: Actor, admin: Actor, ana: Enrolled, bruno: Enrolled
) -> None:
    engine = clinic.uow.engine
    before, others = patient_rows(engine, ana.id), patient_rows(engine, bruno.id)
    assert all(count > 0 for count in before.values()), before
    assert set(before) == tables_linked_to_patients()

    report = patient_data.erase_patient(clinic, admin, ana.id, "  patient asked by letter  ")

    assert report.deleted == before
    assert list(report.deleted)[-1] == "patients"  # children first
    assert (report.patient_id, report.reason) == (ana.id, "patient asked by letter")
    assert set(patient_rows(engine, ana.id).values()) == {0}
    assert patient_rows(engine, bruno.id) == others
    assert patient_data.export_patient(clinic, clinician, bruno.id)["patient"]["code"] == "P-0002"
    with pytest.raises(NotFoundError):
        patients.get_patient(clinic, clinician, ana.id)


def test_erasure_signs_the_portal_account_out_for_good(
    clinic: Clinic, admin: Actor, ana: Enrolled
) -> None:
    assert ana.portal_token is not None
    assert users.session_actor(clinic, ana.portal_token) == ana.portal

    patient_data.erase_patient(clinic, admin, ana.id, "patient request")

    assert users.session_actor(clinic, ana.portal_token) is None
    with clinic.uow.read() as session:
        assert session.scalar(select(User.id).where(User.username == "ana.silva")) is None


def test_the_audit_trail_outlives_the_erasure_and_records_it(
    clinic: Clinic, clinician: Actor, admin: Actor, ana: Enrolled
) -> None:
    patient_data.export_patient(clinic, clinician, ana.id)
    kept = [(e.id, e.action, e.entity) for e in audit_entries(clinic, ana.id)]
    assert ("export", "patient") in {(action, entity) for _, action, entity in kept}

    report = patient_data.erase_patient(clinic, admin, ana.id, "patient request of 2026-11-20")

    *earlier, erased = audit_entries(clinic, ana.id)
    assert [(e.id, e.action, e.entity) for e in earlier] == kept
    assert (erased.action, erased.entity, erased.entity_id, erased.username) == (
        "erase",
        "patient",
        ana.id,
        "admin",
    )
    assert erased.detail == {"reason": "patient request of 2026-11-20", "deleted": report.deleted}
    assert ana.name not in json.dumps(erased.detail)


@pytest.mark.parametrize("reason", ["", "  ", "no", " x \n", "y" * 501])
def test_erasure_without_a_reason_is_refused_and_deletes_nothing(
    clinic: Clinic, admin: Actor, ana: Enrolled, reason: str
) -> None:
    before = patient_rows(clinic.uow.engine, ana.id)

    with pytest.raises(InputError) as error:
        patient_data.erase_patient(clinic, admin, ana.id, reason)

    assert [p.path for p in error.value.problems] == ["reason"]
    assert patient_rows(clinic.uow.engine, ana.id) == before


@pytest.mark.parametrize("who", ["clinician", "portal"])
def test_only_an_admin_may_erase(
    clinic: Clinic, ana: Enrolled, who: str, request: pytest.FixtureRequest
) -> None:
    actor = ana.portal if who == "portal" else request.getfixturevalue("clinician")
    assert actor is not None

    with pytest.raises(PermissionDeniedError):
        patient_data.erase_patient(clinic, actor, ana.id, "patient request")

    assert patient_rows(clinic.uow.engine, ana.id)["patients"] == 1


def test_a_patient_with_no_records_but_the_intake_is_erased(
    clinic: Clinic, clinician: Actor, admin: Actor
) -> None:
    record = patients.create_patient(clinic, clinician, patient_input("P-0009", "Dina Reyes"))

    report = patient_data.erase_patient(clinic, admin, record.id, "duplicate record")

    assert report.deleted["patients"] == 1
    assert sum(report.deleted.values()) == 1
    with pytest.raises(NotFoundError):
        patients.get_patient(clinic, clinician, record.id)
