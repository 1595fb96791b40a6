"""Patients: intake, edits and search, on the database the storage tests run on."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from scarplan.adapters.db.tables import PatientRecord
from scarplan.domain.errors import InputError, NotFoundError
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.records import patients
from support.clinic_data import SCREENED, patient_input
from support.clock import FrozenClock


def paths(error: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [problem.path for problem in error.value.problems]


def stored_codes(clinic: Clinic) -> list[str]:
    with clinic.uow.read() as session:
        return list(session.scalars(select(PatientRecord.code).order_by(PatientRecord.code)))


def test_a_created_patient_reads_back_as_entered(
    clinic: Clinic, clinician: Actor, clock: FrozenClock
) -> None:
    sent = patient_input("P-0001", "  Ana  Silva ", preferences={"start_date": "2027-01-11"})

    created = patients.create_patient(clinic, clinician, sent)
    found = patients.get_patient(clinic, clinician, created.id)

    assert found == created
    assert (found.code, found.full_name, found.sex, found.fitzpatrick) == (
        "P-0001",
        "Ana  Silva",
        "female",
        "III",
    )
    assert found.birth_date is not None
    assert found.birth_date.isoformat() == "1990-05-02"
    assert found.intake["patient"] == sent["patient"]
    assert found.intake["preferences"]["start_date"] == "2027-01-11"
    assert found.created_at == found.updated_at == clock.now()


def test_an_update_replaces_the_record_and_moves_updated_at(
    clinic: Clinic, clinician: Actor, clock: FrozenClock
) -> None:
    created = patients.create_patient(clinic, clinician, patient_input("P-0001", "Ana Silva"))
    clock.advance(days=3)

    patients.update_patient(
        clinic,
        clinician,
        created.id,
        patient_input("P-0001b", "Ana Souza", fitzpatrick="IV", keloid_history=True),
    )
    found = patients.get_patient(clinic, clinician, created.id)

    assert (found.code, found.full_name, found.fitzpatrick) == ("P-0001b", "Ana Souza", "IV")
    assert found.intake["patient"]["keloid_history"] is True
    assert found.created_at == created.created_at
    assert found.updated_at == clock.now() != created.updated_at


def test_getting_an_unknown_patient_is_not_found(clinic: Clinic, clinician: Actor) -> None:
    with pytest.raises(NotFoundError) as error:
        patients.get_patient(clinic, clinician, 424_242)
    assert [p.path for p in error.value.problems] == ["patient_id"]


@pytest.fixture
def roster(clinic: Clinic, clinician: Actor) -> dict[str, int]:
    people = {
        "A-100": "Ana Silva",
        "B-200": "Bruno Silveira",
        "C-300": "Carla Mendes",
        "D-400": "Dora SILVA Costa",
        "E-500": "Eva Lima",
    }
    return {
        code: patients.create_patient(clinic, clinician, patient_input(code, name)).id
        for code, name in people.items()
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("silva", ["Ana Silva", "Dora SILVA Costa"]),
        ("SILV", ["Ana Silva", "Bruno Silveira", "Dora SILVA Costa"]),
        ("  carla   MENDES ", ["Carla Mendes"]),
        ("c-3", ["Carla Mendes"]),
        ("E-500", ["Eva Lima"]),
        ("nobody", []),
        ("%", []),
        ("", ["Ana Silva", "Bruno Silveira", "Carla Mendes", "Dora SILVA Costa", "Eva Lima"]),
    ],
)
def test_search_matches_name_parts_and_codes_ignoring_case(
    clinic: Clinic, roster: dict[str, int], query: str, expected: list[str], clinician: Actor
) -> None:
    page = patients.search_patients(clinic, clinician, query)

    assert [item.full_name for item in page.items] == expected
    assert page.total == len(expected)


def test_search_pages_through_the_matches_by_name(
    clinic: Clinic, roster: dict[str, int], clinician: Actor
) -> None:
    first = patients.search_patients(clinic, clinician, "", offset=0, limit=2)
    second = patients.search_patients(clinic, clinician, "", offset=2, limit=2)
    last = patients.search_patients(clinic, clinician, "", offset=4, limit=2)

    assert [p.code for p in first.items] == ["A-100", "B-200"]
    assert [p.code for p in second.items] == ["C-300", "D-400"]
    assert [p.code for p in last.items] == ["E-500"]
    assert first.total == second.total == last.total == 5
    assert (second.offset, second.limit) == (2, 2)


@pytest.mark.parametrize(("offset", "limit"), [(0, 0), (-1, 10), (0, 201)])
def test_an_invalid_page_is_an_input_error(
    clinic: Clinic, offset: int, limit: int, clinician: Actor
) -> None:
    with pytest.raises(InputError):
        patients.search_patients(clinic, clinician, "", offset=offset, limit=limit)


def test_a_duplicate_code_is_refused_and_saves_nothing(clinic: Clinic, clinician: Actor) -> None:
    patients.create_patient(clinic, clinician, patient_input("P-0001", "Ana Silva"))

    with pytest.raises(InputError) as error:
        patients.create_patient(clinic, clinician, patient_input("P-0001", "Other Person"))

    assert paths(error) == ["patient.id"]
    assert stored_codes(clinic) == ["P-0001"]
    assert patients.search_patients(clinic, clinician, "other").total == 0


def test_an_update_to_another_patients_code_is_refused(clinic: Clinic, clinician: Actor) -> None:
    patients.create_patient(clinic, clinician, patient_input("P-0001", "Ana Silva"))
    second = patients.create_patient(clinic, clinician, patient_input("P-0002", "Eva Lima"))

    with pytest.raises(InputError) as error:
        patients.update_patient(clinic, clinician, second.id, patient_input("P-0001", "Eva X"))

    assert paths(error) == ["patient.id"]
    assert patients.get_patient(clinic, clinician, second.id) == second


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"fitzpatrick": "VII"}, "patient.fitzpatrick"),
        ({"birth_date": "2026-11-22"}, "patient.birth_date"),
        ({"pregnant": "no"}, "patient.pregnant"),
        ({"fitzpatrick_answers": [1, 2, 3]}, "patient.fitzpatrick_answers"),
        (
            {"isotretinoin": {"status": "stopped", "stopped_on": "2027-01-01"}},
            "patient.isotretinoin.stopped_on",
        ),
    ],
)
def test_invalid_intake_names_the_field_and_changes_nothing(
    clinic: Clinic, clinician: Actor, change: dict[str, Any], path: str
) -> None:
    created = patients.create_patient(clinic, clinician, patient_input("P-0001", "Ana Silva"))

    with pytest.raises(InputError) as refused_create:
        patients.create_patient(clinic, clinician, patient_input("P-0002", "Eva Lima", **change))
    with pytest.raises(InputError) as refused_update:
        patients.update_patient(
            clinic, clinician, created.id, patient_input("P-0001", "Renamed", **change)
        )

    assert path in paths(refused_create)
    assert path in paths(refused_update)
    assert stored_codes(clinic) == ["P-0001"]
    assert patients.get_patient(clinic, clinician, created.id) == created


# Bands (knowledge/data/scales.yaml, fitzpatrick_questionnaire): I 0-6, II 7-13, III 14-20,
# IV 21-27, V 28-34, VI 35-40; the type is the band holding the sum of the ten answers.
@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([0, 0, 0, 1, 1, 1, 1, 1, 1, 0], "I"),  # 6
        ([1, 1, 1, 1, 1, 1, 1, 0, 0, 0], "II"),  # 7
        ([3, 3, 3, 3, 2, 2, 2, 2, 2, 2], "IV"),  # 24
        ([4, 4, 4, 4, 4, 3, 3, 3, 3, 3], "VI"),  # 35
    ],
)
def test_the_skin_type_comes_from_the_questionnaire_when_none_is_given(
    clinic: Clinic, clinician: Actor, answers: list[int], expected: str
) -> None:
    sent = patient_input("P-0001", "Ana Silva", fitzpatrick_answers=answers)
    del sent["patient"]["fitzpatrick"]

    created = patients.create_patient(clinic, clinician, sent)

    assert created.fitzpatrick == expected
    assert patients.get_patient(clinic, clinician, created.id).fitzpatrick == expected


def test_a_stated_skin_type_wins_over_the_questionnaire(clinic: Clinic, clinician: Actor) -> None:
    sent = patient_input("P-0001", "Ana Silva", fitzpatrick="II", fitzpatrick_answers=[3] * 10)

    created = patients.create_patient(clinic, clinician, sent)

    assert patients.get_patient(clinic, clinician, created.id).fitzpatrick == "II"


def test_unstated_safety_facts_are_not_stored_as_no(clinic: Clinic, clinician: Actor) -> None:
    sent = {"full_name": "Ana Silva", "patient": {"id": "P-0001", "pregnant": False}}

    created = patients.create_patient(clinic, clinician, sent)

    stored = patients.get_patient(clinic, clinician, created.id).intake["patient"]
    assert stored == {"id": "P-0001", "pregnant": False}
    for unstated in set(SCREENED) - {"pregnant"}:
        assert unstated not in stored
    with clinic.uow.read() as session:
        record = session.get_one(PatientRecord, created.id)
        assert record.intake == {"pregnant": False}
        assert record.fitzpatrick is None
