"""A portal patient's identity (clinic code, name, date of birth) is the clinic's to change:
the patient asks, a clinician or the front desk approves or declines (issue 24, finding 4)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from scarplan.adapters.db.tables import AuditEventRecord
from scarplan.domain.errors import InputError, NotFoundError, PermissionDeniedError, StateError
from scarplan.services.clinic.accounts import identity_requests, users
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.records import patients
from support.clinic_data import patient_input

PASSWORD = "correct horse battery staple"


@pytest.fixture
def ana(clinic: Clinic, clinician: Actor) -> tuple[int, Actor]:
    record = patients.create_patient(clinic, clinician, patient_input("P-0001", "Ana Silva"))
    portal = users.create_user(clinic, "ana.p", "Ana", PASSWORD, "patient", patient_id=record.id)
    return record.id, portal


@pytest.fixture
def desk(clinic: Clinic) -> Actor:
    return users.create_user(clinic, "front.desk", "Front Desk", PASSWORD, "staff")


def _stored(clinic: Clinic, clinician: Actor, patient_id: int) -> tuple[str, str, date | None]:
    found = patients.get_patient(clinic, clinician, patient_id)
    return found.code, found.full_name, found.birth_date


def test_a_portal_patient_cannot_change_their_own_code_name_or_birth_date(
    clinic: Clinic, clinician: Actor, ana: tuple[int, Actor]
) -> None:
    patient_id, portal = ana
    before = _stored(clinic, clinician, patient_id)
    for changed, path in (
        (patient_input("P-0001", "Someone Else"), "full_name"),
        (patient_input("P-0001", "Ana Silva", birth_date="1970-01-01"), "patient.birth_date"),
        (patient_input("P-9999", "Ana Silva"), "patient.id"),
    ):
        with pytest.raises(InputError) as error:
            patients.update_patient(clinic, portal, patient_id, changed)
        assert [p.path for p in error.value.problems] == [path]
        assert "ask the clinic" in str(error.value.problems[0]).lower()
    assert _stored(clinic, clinician, patient_id) == before
    # Everything else of their intake stays theirs to fill in.
    saved = patients.update_patient(
        clinic, portal, patient_id, patient_input("P-0001", "Ana Silva", pregnant=True)
    )
    assert saved.intake["patient"]["pregnant"] is True


def test_a_portal_patient_never_learns_whether_a_clinic_code_exists(
    clinic: Clinic, clinician: Actor, ana: tuple[int, Actor]
) -> None:
    patient_id, portal = ana
    patients.create_patient(clinic, clinician, patient_input("P-0002", "Bruno Costa"))
    answers = []
    for code in ("P-0002", "P-0003"):  # one taken, one free
        with pytest.raises(InputError) as error:
            patients.update_patient(clinic, portal, patient_id, patient_input(code, "Ana Silva"))
        answers.append([(p.path, p.message, p.hint) for p in error.value.problems])
    assert answers[0] == answers[1]
    assert "already used" not in str(answers[0])


def test_a_request_approved_by_the_front_desk_changes_the_record_and_is_audited(
    clinic: Clinic, clinician: Actor, desk: Actor, ana: tuple[int, Actor]
) -> None:
    patient_id, portal = ana
    asked = identity_requests.request_change(
        clinic,
        portal,
        patient_id,
        {"full_name": "Ana Souza", "birth_date": "1990-05-03", "reason": "married; typo"},
    )
    assert asked.status == "pending"
    assert [r.id for r in identity_requests.pending_requests(clinic, desk)] == [asked.id]
    assert [r.id for r in identity_requests.patient_requests(clinic, portal, patient_id)] == [
        asked.id
    ]

    approved = identity_requests.approve_request(clinic, desk, asked.id)

    assert approved.status == "approved"
    assert _stored(clinic, clinician, patient_id) == ("P-0001", "Ana Souza", date(1990, 5, 3))
    assert identity_requests.pending_requests(clinic, desk) == []
    with pytest.raises(StateError):
        identity_requests.approve_request(clinic, desk, asked.id)
    clinic.audit.flush()
    with clinic.uow.read() as session:
        trail = session.execute(
            select(AuditEventRecord.username, AuditEventRecord.action, AuditEventRecord.entity)
            .where(AuditEventRecord.patient_id == patient_id)
            .order_by(AuditEventRecord.id)
        ).all()
    assert ("ana.p", "create", "identity_request") in trail
    assert ("front.desk", "update", "patient") in trail
    assert ("front.desk", "approve", "identity_request") in trail


def test_a_declined_request_changes_nothing_and_the_patient_sees_why(
    clinic: Clinic, clinician: Actor, ana: tuple[int, Actor]
) -> None:
    patient_id, portal = ana
    asked = identity_requests.request_change(
        clinic, portal, patient_id, {"full_name": "Ana X", "reason": "I prefer it"}
    )
    with pytest.raises(InputError) as error:
        identity_requests.decline_request(clinic, clinician, asked.id, "")
    assert [p.path for p in error.value.problems] == ["note"]

    identity_requests.decline_request(
        clinic, clinician, asked.id, "Please bring an identity document to your next visit."
    )

    (seen,) = identity_requests.patient_requests(clinic, portal, patient_id)
    assert (seen.status, seen.note) == (
        "declined",
        "Please bring an identity document to your next visit.",
    )
    assert _stored(clinic, clinician, patient_id)[1] == "Ana Silva"


def test_requests_are_the_patients_own_and_only_staff_decide(
    clinic: Clinic, clinician: Actor, ana: tuple[int, Actor], admin: Actor
) -> None:
    patient_id, portal = ana
    other = patients.create_patient(clinic, clinician, patient_input("P-0002", "Bruno Costa"))
    with pytest.raises(NotFoundError):
        identity_requests.request_change(
            clinic, portal, other.id, {"full_name": "Bruno X", "reason": "mine now"}
        )
    for nothing in ({"reason": "nothing"}, {"full_name": "   ", "reason": "blank"}):
        with pytest.raises(InputError) as error:
            identity_requests.request_change(clinic, portal, patient_id, nothing)
        assert [p.path for p in error.value.problems] == ["full_name"]
    asked = identity_requests.request_change(
        clinic, portal, patient_id, {"full_name": "Ana Souza", "reason": "married"}
    )
    for outsider in (portal, admin):
        with pytest.raises(PermissionDeniedError):
            identity_requests.approve_request(clinic, outsider, asked.id)
        with pytest.raises(PermissionDeniedError):
            identity_requests.pending_requests(clinic, outsider)
    with pytest.raises(NotFoundError):
        identity_requests.patient_requests(clinic, portal, other.id)
