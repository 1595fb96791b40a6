"""Questionnaires at home and the intake steps, on the database the storage tests run on."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from scarplan.adapters.db.tables import AuditEventRecord, PatientRecord, QuestionnaireResponseRecord
from scarplan.domain.errors import (
    InputError,
    KnowledgeBaseError,
    NotFoundError,
    PermissionDeniedError,
)
from scarplan.services.clinic.accounts import portal_intake
from scarplan.services.clinic.accounts.setup import prepare_database
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.plans import plans
from scarplan.services.clinic.records import patients, progress, questionnaires
from support.clinic_data import count_rows, patient_input
from support.treated_patient import treated_patient
from unit.knowledge.test_instrument_catalogue import FAKE


def paths(error: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [problem.path for problem in error.value.problems]


def test_nothing_is_due_before_the_first_session(clinic: Clinic, clinician: Actor) -> None:
    home = treated_patient(clinic, clinician, treated=False)
    state = questionnaires.patient_questionnaires(clinic, home.actor, home.patient_id)
    assert (state.last_session_on, state.due, state.answered) == (None, [], [])


def test_after_a_session_both_are_due_and_an_answer_is_scored_and_filed(
    clinic: Clinic, clinician: Actor
) -> None:
    home = treated_patient(clinic, clinician)
    plan = plans.get_plan(clinic, clinician, home.plan_id)
    coming = min((s for s in plan.sessions if s.done_by_session_id is None), key=lambda s: s.day)

    state = questionnaires.patient_questionnaires(clinic, home.actor, home.patient_id)
    assert [d.instrument_id for d in state.due] == ["pgi_i", "satisfaction"]
    assert {d.before_day for d in state.due} == {coming.day}

    answered = questionnaires.answer_questionnaire(
        clinic,
        home.actor,
        home.patient_id,
        {"instrument_id": "pgi_i", "answers": {"improvement": 2}},
    )
    # PGI-I scores the chosen answer's value: "Much better" is 2.
    assert (answered.score, answered.items[0].answer) == (2.0, "Much better")
    assert (answered.answered_on, answered.planned_session_id) == (clinic.today(), coming.id)
    assert answered.instrument_version == "1"

    after = questionnaires.patient_questionnaires(clinic, clinician, home.patient_id)
    assert [d.instrument_id for d in after.due] == ["satisfaction"]
    assert [r.id for r in after.answered] == [answered.id]

    series = progress.patient_progress(clinic, clinician, home.patient_id).outcomes
    assert [(s.instrument_id, [(p.score, p.answer) for p in s.points]) for s in series] == [
        ("pgi_i", [(2.0, "Much better")])
    ]
    overview = progress.patient_overview(clinic, clinician, home.patient_id)
    assert overview.outcomes == series


def test_a_patient_cannot_answer_or_read_for_another_patient(
    clinic: Clinic, clinician: Actor
) -> None:
    home = treated_patient(clinic, clinician)
    other = treated_patient(clinic, clinician, "P-OTHER", "bruno.home")
    answer = {"instrument_id": "satisfaction", "answers": {"satisfaction": 5}}
    with pytest.raises(NotFoundError):
        questionnaires.answer_questionnaire(clinic, home.actor, other.patient_id, answer)
    with pytest.raises(NotFoundError):
        questionnaires.patient_questionnaires(clinic, home.actor, other.patient_id)
    assert count_rows(clinic.uow.engine, QuestionnaireResponseRecord) == 0


def test_only_the_patient_answers_and_bad_answers_change_nothing(
    clinic: Clinic, clinician: Actor
) -> None:
    home = treated_patient(clinic, clinician)
    with pytest.raises(PermissionDeniedError):
        questionnaires.answer_questionnaire(
            clinic,
            clinician,
            home.patient_id,
            {"instrument_id": "pgi_i", "answers": {"improvement": 1}},
        )
    with pytest.raises(InputError) as wrong:
        questionnaires.answer_questionnaire(
            clinic,
            home.actor,
            home.patient_id,
            {"instrument_id": "pgi_i", "answers": {"improvement": 8}},
        )
    assert paths(wrong) == ["answers.improvement"]
    with pytest.raises(InputError) as shape:
        questionnaires.answer_questionnaire(
            clinic,
            home.actor,
            home.patient_id,
            {"instrument_id": "pgi_i", "answers": {"improvement": "2"}},
        )
    assert paths(shape) == ["answers.improvement"]
    with pytest.raises(NotFoundError):
        questionnaires.answer_questionnaire(
            clinic, home.actor, home.patient_id, {"instrument_id": "face_q", "answers": {}}
        )
    assert count_rows(clinic.uow.engine, QuestionnaireResponseRecord) == 0


def _stored(clinic: Clinic, patient_id: int) -> PatientRecord:
    with clinic.uow.read() as session:
        record = session.get(PatientRecord, patient_id)
        assert record is not None
        session.expunge(record)
        return record


def test_the_skin_step_keeps_the_clinicians_type_and_scores_the_answers_when_none(
    clinic: Clinic, clinician: Actor
) -> None:
    typed = treated_patient(clinic, clinician)
    untyped = treated_patient(clinic, clinician, "P-UNTYPED", "carla.home", fitzpatrick=None)
    for home in (typed, untyped):
        portal_intake.save_intake_step(
            clinic, home.actor, "skin", {"patient": {"fitzpatrick_answers": [3] * 10}}
        )
    # Ten answers of 3 score 30: band set A puts 28-34 at type V.
    assert _stored(clinic, typed.patient_id).fitzpatrick == "III"
    assert _stored(clinic, untyped.patient_id).fitzpatrick == "V"
    assert _stored(clinic, typed.patient_id).intake["fitzpatrick_answers"] == [3] * 10


def test_a_step_saves_only_its_fields_through_the_audited_update(
    clinic: Clinic, clinician: Actor
) -> None:
    home = treated_patient(clinic, clinician)
    before = _stored(clinic, home.patient_id)
    portal_intake.save_intake_step(
        clinic,
        home.actor,
        "history",
        {"patient": {"conditions": ["vitiligo"], "pregnant": False, "anticoagulants": True}},
    )
    after = _stored(clinic, home.patient_id)
    assert after.intake["conditions"] == ["vitiligo"]
    assert after.intake["anticoagulants"] is True
    assert "breastfeeding" not in after.intake  # left out of the step: "not stated" again
    assert after.intake["skin_infection"] is False  # the clinic's finding stays
    assert (after.code, after.full_name, after.birth_date) == (
        before.code,
        before.full_name,
        before.birth_date,
    )
    with clinic.uow.read() as session:
        updates = session.scalars(
            select(AuditEventRecord.username).where(
                AuditEventRecord.action == "update", AuditEventRecord.patient_id == home.patient_id
            )
        ).all()
    assert updates == [home.username]


def test_a_patient_cannot_write_fields_the_portal_does_not_offer(
    clinic: Clinic, clinician: Actor
) -> None:
    home = treated_patient(clinic, clinician)
    before = _stored(clinic, home.patient_id)
    with pytest.raises(InputError) as other_step:
        portal_intake.save_intake_step(
            clinic, home.actor, "skin", {"patient": {"fitzpatrick": "I", "conditions": []}}
        )
    assert paths(other_step) == ["patient.fitzpatrick", "patient.conditions"]
    with pytest.raises(InputError) as elsewhere:
        portal_intake.save_intake_step(clinic, home.actor, "about", {"full_name": "Someone"})
    assert paths(elsewhere) == ["full_name"]
    # The same rule holds on the clinic's own form and API, whatever a patient sends there.
    renamed = patient_input("P-NEW", "Someone Else", fitzpatrick="I", skin_infection=True)
    with pytest.raises(InputError) as direct:
        patients.update_patient(clinic, home.actor, home.patient_id, renamed)
    assert paths(direct) == [
        "full_name",
        "patient.fitzpatrick",
        "patient.id",
        "patient.skin_infection",
    ]
    after = _stored(clinic, home.patient_id)
    assert (after.code, after.full_name, after.fitzpatrick, after.intake) == (
        before.code,
        before.full_name,
        before.fitzpatrick,
        before.intake,
    )
    with pytest.raises(PermissionDeniedError):
        portal_intake.save_intake_step(clinic, clinician, "history", {"patient": {}})
    with pytest.raises(NotFoundError):
        portal_intake.save_intake_step(clinic, home.actor, "payment", {})


def test_a_licensed_instrument_from_the_clinics_directory_is_offered_and_scored(
    clinic: Clinic, clinician: Actor, tmp_path: Path
) -> None:
    (tmp_path / "made_up.yaml").write_text(FAKE, encoding="utf-8")
    licensed = replace(
        clinic, settings=clinic.settings.model_copy(update={"questionnaires_dir": tmp_path})
    )
    home = treated_patient(licensed, clinician)
    due = questionnaires.patient_questionnaires(licensed, home.actor, home.patient_id).due
    assert [d.instrument_id for d in due] == ["pgi_i", "satisfaction", "made_up_scar_scale"]
    answered = questionnaires.answer_questionnaire(
        licensed,
        home.actor,
        home.patient_id,
        {"instrument_id": "made_up_scar_scale", "answers": {"pretend_one": 2, "pretend_two": 3}},
    )
    assert (answered.score, answered.instrument_version) == (2.5, "2.1")  # mean of 2 and 3


def test_a_wrong_licensed_file_stops_the_start_naming_the_file(
    clinic: Clinic, tmp_path: Path
) -> None:
    (tmp_path / "licensed.yaml").write_text(FAKE.replace("rule: mean", "rule: rasch"), "utf-8")
    broken = replace(
        clinic, settings=clinic.settings.model_copy(update={"questionnaires_dir": tmp_path})
    )
    with pytest.raises(KnowledgeBaseError) as raised:
        prepare_database(clinic.uow.engine, broken, demo=False)
    assert [p.path for p in raised.value.problems] == ["licensed.yaml: field scoring.rule"]
