"""The pre-procedure checklist through the session service, on the real database (SQLite, and
PostgreSQL with SCARPLAN_TEST_DATABASE=postgresql): the gate, the stored answers, the audit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from scarplan.adapters.db.tables import (
    AuditEventRecord,
    ChecklistAnswerRecord,
    TreatmentSessionRecord,
)
from scarplan.domain.errors import InputError
from scarplan.domain.vocabulary import Modality
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans.checklists import cleared_answers, session_checklist
from scarplan.services.clinic.records import patients, sessions
from support.clinic_data import patient_input
from support.consent import ensure_consents


def entered(clinic: Clinic, checklist: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "performed_on": (clinic.today() - timedelta(days=1)).isoformat(),
        "modality": "fractional_co2",
        "regions": ["cheek_left"],
        "practitioner": "Dr Lee",
        "checklist": checklist,
        **extra,
    }


def cleared(clinic: Clinic, actor: Actor, patient_id: int) -> list[dict[str, Any]]:
    day = clinic.today() - timedelta(days=1)
    found = session_checklist(clinic, actor, patient_id, Modality.FRACTIONAL_CO2, day)
    return cleared_answers(found, day)


def without(answers: list[dict[str, Any]], item: str) -> list[dict[str, Any]]:
    return [answer for answer in answers if answer["item"] != item]


def counts(clinic: Clinic) -> tuple[int, int]:
    with clinic.uow.read() as session:
        treated = session.scalar(select(func.count()).select_from(TreatmentSessionRecord))
        answers = session.scalar(select(func.count()).select_from(ChecklistAnswerRecord))
    return int(treated or 0), int(answers or 0)


def overrides(clinic: Clinic, patient_id: int) -> list[AuditEventRecord]:
    clinic.audit.flush()
    with clinic.uow.read() as session:
        return list(
            session.scalars(
                select(AuditEventRecord).where(
                    AuditEventRecord.patient_id == patient_id,
                    AuditEventRecord.action == "checklist_override",
                )
            )
        )


@pytest.fixture
def darker_skin(clinic: Clinic, clinician: Actor) -> int:
    """Skin type V, stopped isotretinoin two months ago, a history of cold sores."""
    stopped = (clinic.today() - timedelta(days=60)).isoformat()
    patient_id = patients.create_patient(
        clinic,
        clinician,
        patient_input(
            "P-CK1",
            fitzpatrick="V",
            isotretinoin={"status": "stopped", "stopped_on": stopped},
            herpes_labialis_history=True,
        ),
    ).id
    ensure_consents(clinic, clinician, patient_id, Modality.FRACTIONAL_CO2.value)
    return patient_id


def test_the_checklist_opens_with_what_the_intake_says(
    clinic: Clinic, clinician: Actor, darker_skin: int
) -> None:
    found = session_checklist(
        clinic, clinician, darker_skin, Modality.FRACTIONAL_CO2, clinic.today()
    )
    by_id = {entry.id: entry for entry in found.entries}
    assert by_id["isotretinoin"].from_record is not None
    assert by_id["isotretinoin"].from_record.answer.value == "no"
    assert by_id["cold_sores"].from_record is not None
    assert by_id["cold_sores"].from_record.answer.value == "no"
    assert by_id["pregnancy"].from_record is not None
    assert by_id["pregnancy"].from_record.answer.value == "yes"
    assert "test_spot" in by_id  # skin type V before a laser


def test_a_red_item_blocks_the_session_and_nothing_is_saved(
    clinic: Clinic, clinician: Actor, darker_skin: int
) -> None:
    before = counts(clinic)
    answers = without(cleared(clinic, clinician, darker_skin), "test_spot")
    with pytest.raises(InputError) as error:
        sessions.record_session(clinic, clinician, darker_skin, entered(clinic, answers))
    assert [p.path for p in error.value.problems] == ["checklist.test_spot"]
    assert "Test spot done and read" in error.value.problems[0].message
    assert counts(clinic) == before


def test_a_reason_lets_a_red_item_through_kept_with_the_session_and_audited(
    clinic: Clinic, clinician: Actor, darker_skin: int
) -> None:
    answers = [
        *without(cleared(clinic, clinician, darker_skin), "test_spot"),
        {
            "item": "test_spot",
            "answer": "no",
            "reason": "treated at low density after discussing the risk",
            "test_spot": {
                "done_on": (clinic.today() - timedelta(days=30)).isoformat(),
                "read_on": (clinic.today() - timedelta(days=2)).isoformat(),
                "result": "pih",
                "notes": "faint darkening",
            },
        },
    ]
    done = sessions.record_session(clinic, clinician, darker_skin, entered(clinic, answers))

    kept = {
        answer.item_id: answer
        for answer in sessions.get_session(clinic, clinician, done.id).checklist
    }
    spot = kept["test_spot"]
    assert (spot.answer, spot.reason) == ("no", "treated at low density after discussing the risk")
    assert spot.test_spot is not None
    assert (spot.test_spot.result, spot.test_spot.result_words) == ("pih", "dark marks (PIH)")
    assert spot.test_spot.notes == "faint darkening"
    assert kept["consent_signed"].answer == "yes"
    assert kept["consent_signed"].answered_from == "record"  # the signed consent on file
    [audited] = overrides(clinic, darker_skin)
    assert audited.entity_id == done.id
    assert audited.detail == {
        "items": [
            {"item": "test_spot", "reason": "treated at low density after discussing the risk"}
        ]
    }


def test_an_amber_item_answered_no_is_kept_as_a_warning_without_an_override(
    clinic: Clinic, clinician: Actor, darker_skin: int
) -> None:
    answers = [
        *without(cleared(clinic, clinician, darker_skin), "photos_taken"),
        {"item": "photos_taken", "answer": "no"},
    ]
    done = sessions.record_session(clinic, clinician, darker_skin, entered(clinic, answers))
    kept = {a.item_id: a for a in done.checklist}
    assert (kept["photos_taken"].answer, kept["photos_taken"].severity) == ("no", "amber")
    assert overrides(clinic, darker_skin) == []


def test_items_left_to_the_record_are_kept_as_the_record_answered_them(
    clinic: Clinic, clinician: Actor, darker_skin: int
) -> None:
    # The clinician ticks only what the record cannot answer; the isotretinoin item is amber
    # for fractional CO2 under the consensus, so the record's "no" only warns.
    answers = without(without(cleared(clinic, clinician, darker_skin), "isotretinoin"), "pregnancy")
    done = sessions.record_session(clinic, clinician, darker_skin, entered(clinic, answers))
    kept = {a.item_id: a for a in done.checklist}
    assert kept["pregnancy"].answered_from == "record"
    assert kept["pregnancy"].answer == "yes"
    assert kept["isotretinoin"].answered_from == "record"
    assert kept["isotretinoin"].answer == "no"
    assert "stopped oral isotretinoin" in kept["isotretinoin"].record_note


def test_a_session_without_a_checklist_is_refused_naming_each_red_item(
    clinic: Clinic, clinician: Actor
) -> None:
    patient_id = patients.create_patient(clinic, clinician, patient_input("P-CK2")).id
    ensure_consents(clinic, clinician, patient_id, Modality.FRACTIONAL_CO2.value)
    with pytest.raises(InputError) as error:
        sessions.record_session(clinic, clinician, patient_id, entered(clinic, []))
    # The intake answers pregnancy and the signed consent answers its item; the site today is
    # for the clinician.
    assert [p.path for p in error.value.problems] == ["checklist.site_clear"]


def test_without_a_signed_consent_the_consent_item_is_the_clinicians_to_answer(
    clinic: Clinic, clinician: Actor
) -> None:
    patient_id = patients.create_patient(clinic, clinician, patient_input("P-CK3")).id
    day = clinic.today() - timedelta(days=1)
    unsigned = session_checklist(clinic, clinician, patient_id, Modality.FRACTIONAL_CO2, day)
    (item,) = [e for e in unsigned.entries if e.id == "consent_signed"]
    assert item.from_record is not None
    assert item.from_record.answer.value == "no"
    assert item.from_record.note.startswith("No signed consent for")

    ensure_consents(clinic, clinician, patient_id, Modality.FRACTIONAL_CO2.value)
    signed = session_checklist(clinic, clinician, patient_id, Modality.FRACTIONAL_CO2, day)
    (item,) = [e for e in signed.entries if e.id == "consent_signed"]
    assert item.from_record is not None
    assert item.from_record.answer.value == "yes"


def test_a_bad_answer_is_refused_naming_the_field(
    clinic: Clinic, clinician: Actor, darker_skin: int
) -> None:
    answers = [*cleared(clinic, clinician, darker_skin), {"item": "Pacemaker!", "answer": "maybe"}]
    with pytest.raises(InputError) as error:
        sessions.record_session(clinic, clinician, darker_skin, entered(clinic, answers))
    paths = {p.path for p in error.value.problems}
    last = len(answers) - 1
    assert paths == {f"checklist[{last}].item", f"checklist[{last}].answer"}
