"""Questionnaires a patient answers at home: what is due, what was answered, answering."""

from __future__ import annotations

from fastapi import APIRouter

from scarplan.entrypoints.web.api.common import ERRORS, PREFIX, body
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, require
from scarplan.entrypoints.web.ids import RecordId
from scarplan.services.clinic.core.access import Permission
from scarplan.services.clinic.core.inputs import QuestionnaireAnswers
from scarplan.services.clinic.records.questionnaires import (
    PatientQuestionnaires,
    ResponseView,
    answer_questionnaire,
    patient_questionnaires,
)

router = APIRouter(prefix=PREFIX, tags=["questionnaires"], responses=ERRORS)


@router.get("/patients/{patient_id}/questionnaires")
def read_questionnaires(
    clinic: ClinicDep, actor: ActorDep, patient_id: RecordId
) -> PatientQuestionnaires:
    return patient_questionnaires(clinic, actor, patient_id)


@router.post(
    "/patients/{patient_id}/questionnaires",
    dependencies=[require(Permission.FILL_PORTAL_FORMS)],
    status_code=201,
)
def answer(
    clinic: ClinicDep, actor: ActorDep, patient_id: RecordId, answers: QuestionnaireAnswers
) -> ResponseView:
    return answer_questionnaire(clinic, actor, patient_id, body(answers))
