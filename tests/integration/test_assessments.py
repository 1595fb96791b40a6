"""Assessments: scored on save, stored with every lesion in one transaction, or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from scarplan.adapters.casefile import parse_case_document
from scarplan.adapters.db.tables import AssessmentRecord, LesionRecord
from scarplan.assessment import AssessmentResult, assess_case
from scarplan.domain.errors import InputError
from scarplan.knowledge import KnowledgeBase
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.records import assessments, patients
from support.clinic_data import LESIONS, assessment_input, count_rows, patient_input
from support.clock import FrozenClock


@pytest.fixture
def patient_id(clinic: Clinic, clinician: Actor) -> int:
    return patients.create_patient(clinic, clinician, patient_input("P-0001")).id


def expected_result(
    knowledge: KnowledgeBase, lesions: list[dict[str, Any]], day: date, today: date
) -> AssessmentResult:
    """The scores computed straight from a case file holding the same patient and lesions."""
    document = {
        "scarplan_case": 1,
        "patient": patient_input("P-0001")["patient"],
        "assessment": {"date": day.isoformat(), "lesions": lesions},
    }
    return assess_case(parse_case_document(document, today), knowledge)


def stored_counts(clinic: Clinic) -> tuple[int, int]:
    engine = clinic.uow.engine
    return count_rows(engine, AssessmentRecord), count_rows(engine, LesionRecord)


def test_recording_stores_every_lesion_and_the_scores_of_the_case(
    clinic: Clinic, clinician: Actor, patient_id: int, knowledge: KnowledgeBase
) -> None:
    day = clinic.today() - timedelta(days=2)

    recorded = assessments.record_assessment(
        clinic, clinician, patient_id, assessment_input(day, notes="both cheeks")
    )
    found = assessments.get_assessment(clinic, clinician, recorded.id)

    expected = expected_result(knowledge, LESIONS, day, clinic.today())
    assert found.goodman_baron_qualitative == expected.goodman_baron_qualitative.grade
    assert found.goodman_baron_quantitative == pytest.approx(
        expected.goodman_baron_quantitative.score
    )
    assert found.ecca == int(expected.ecca.score)
    assert found.counts_by_type == {t.value: n for t, n in expected.counts_by_type.items()}
    assert found.fitzpatrick == "III"
    assert found.result["goodman_baron"]["qualitative_grade"] == found.goodman_baron_qualitative
    assert (found.patient_id, found.assessed_on, found.notes) == (patient_id, day, "both cheeks")
    assert found.lesions == LESIONS
    assert found == recorded
    assert stored_counts(clinic) == (1, len(LESIONS))
    with clinic.uow.read() as session:
        record = session.get_one(AssessmentRecord, recorded.id)
        assert record.created_by == clinician.user_id


def test_a_type_left_out_is_inferred_on_save_and_the_entry_kept_as_given(
    clinic: Clinic, clinician: Actor, patient_id: int, knowledge: KnowledgeBase
) -> None:
    lesions = [{"region": "chin", "count": 3, "width_mm": 1.0}]

    recorded = assessments.record_assessment(
        clinic, clinician, patient_id, assessment_input(clinic.today(), lesions)
    )

    expected = expected_result(knowledge, lesions, clinic.today(), clinic.today())
    assert recorded.lesions == lesions
    assert recorded.counts_by_type == {t.value: n for t, n in expected.counts_by_type.items()}
    assert sum(recorded.counts_by_type.values()) == 3


def test_a_date_in_the_future_is_refused_naming_date(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    tomorrow = clinic.today() + timedelta(days=1)

    with pytest.raises(InputError) as error:
        assessments.record_assessment(clinic, clinician, patient_id, assessment_input(tomorrow))

    assert [p.path for p in error.value.problems] == ["date"]
    assert stored_counts(clinic) == (0, 0)


def test_an_invalid_lesion_is_named_and_nothing_is_stored(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    sent = assessment_input(clinic.today())
    sent["lesions"][1]["count"] = 0

    with pytest.raises(InputError) as error:
        assessments.record_assessment(clinic, clinician, patient_id, sent)

    assert [p.path for p in error.value.problems] == ["lesions[1].count"]
    assert stored_counts(clinic) == (0, 0)


@pytest.fixture
def failing_commit() -> Iterator[list[int]]:
    """Make every flush fail once its lesion rows are in the database; yields what was seen."""
    seen: list[int] = []

    def fail(session: Session, _context: Any) -> None:
        lesions = session.scalar(select(func.count()).select_from(LesionRecord)) or 0
        if lesions:
            seen.append(lesions)
            raise RuntimeError("the connection dropped before commit")

    event.listen(Session, "after_flush", fail)
    yield seen
    event.remove(Session, "after_flush", fail)


def test_a_failure_after_the_lesions_are_written_leaves_no_trace(
    clinic: Clinic, clinician: Actor, patient_id: int, failing_commit: list[int]
) -> None:
    with pytest.raises(RuntimeError, match="dropped"):
        assessments.record_assessment(
            clinic, clinician, patient_id, assessment_input(clinic.today())
        )

    assert failing_commit == [len(LESIONS)]  # the rows were written when it failed
    assert stored_counts(clinic) == (0, 0)
    assert assessments.list_assessments(clinic, clinician, patient_id) == []


def test_a_failure_after_a_clean_flush_but_before_commit_leaves_no_trace(
    clinic: Clinic, clinician: Actor, patient_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    flushed: list[int] = []

    def broken_view(record: AssessmentRecord) -> assessments.AssessmentView:
        flushed.append(len(record.lesions))
        raise RuntimeError("the process was stopped before commit")

    monkeypatch.setattr(assessments, "view", broken_view)

    with pytest.raises(RuntimeError, match="stopped"):
        assessments.record_assessment(
            clinic, clinician, patient_id, assessment_input(clinic.today())
        )

    assert flushed == [len(LESIONS)]
    assert stored_counts(clinic) == (0, 0)


def test_a_preview_scores_like_a_save_but_never_writes(
    clinic: Clinic, clinician: Actor, patient_id: int
) -> None:
    sent = assessment_input(clinic.today())

    preview = assessments.preview_assessment(clinic, clinician, patient_id, sent)

    assert stored_counts(clinic) == (0, 0)
    saved = assessments.record_assessment(clinic, clinician, patient_id, sent)
    assert preview == saved.result
    assert preview["ecca"] == saved.ecca


def test_a_preview_of_invalid_input_is_refused_like_a_save(
    clinic: Clinic, patient_id: int, clinician: Actor
) -> None:
    sent = assessment_input(clinic.today() + timedelta(days=1))

    with pytest.raises(InputError) as error:
        assessments.preview_assessment(clinic, clinician, patient_id, sent)

    assert [p.path for p in error.value.problems] == ["date"]


def test_assessments_list_oldest_first(
    clinic: Clinic, clinician: Actor, patient_id: int, clock: FrozenClock
) -> None:
    today = clinic.today()
    later = assessments.record_assessment(clinic, clinician, patient_id, assessment_input(today))
    earlier = assessments.record_assessment(
        clinic, clinician, patient_id, assessment_input(today - timedelta(days=90))
    )

    listed = assessments.list_assessments(clinic, clinician, patient_id)

    assert [a.id for a in listed] == [earlier.id, later.id]
    assert all(a.created_at == clock.now() for a in listed)
