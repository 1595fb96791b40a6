"""Questionnaires patients fill in at home: what is due, answering, and what was answered.

What is due (one rule, documented in docs/patients.md): once a patient has had a treatment
session, each instrument is due until they answer it on or after the day of their latest
session; the answer is filed against the next planned session of the plan they follow, when
one is coming. Improvement cannot be judged before any treatment, so nothing is due before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, func, select

from scarplan.adapters.db.tables import QuestionnaireResponseRecord, TreatmentSessionRecord
from scarplan.knowledge.instrument_catalogue import score
from scarplan.knowledge.schema.instruments import Instrument
from scarplan.services.clinic.core.access import Permission, authorize
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.inputs import QuestionnaireAnswers, validated
from scarplan.services.clinic.records.instruments import find_instrument, instrument_catalogue
from scarplan.services.clinic.records.patients import load_patient, read_patient
from scarplan.services.clinic.records.progress import next_planned_session

_RESPONSES = QuestionnaireResponseRecord.__table__


@dataclass(frozen=True)
class AnsweredItem:
    question: str
    answer: str
    value: int


@dataclass(frozen=True)
class ResponseView:
    id: int
    instrument_id: str
    instrument_version: str
    title: str
    patient_title: str
    answered_on: date
    score: float
    planned_session_id: int | None
    items: list[AnsweredItem]


@dataclass(frozen=True)
class DueQuestionnaire:
    instrument_id: str
    title: str
    patient_title: str
    before_day: date | None
    """The day of the session it comes before, when one is planned."""


@dataclass(frozen=True)
class PatientQuestionnaires:
    patient_id: int
    last_session_on: date | None
    next_session_on: date | None
    due: list[DueQuestionnaire]
    answered: list[ResponseView]
    """Newest first."""


def _view(row: Any, instrument: Instrument | None) -> ResponseView:
    items = []
    if instrument is not None:
        for item in instrument.items:
            value = row.answers.get(item.id)
            words = next((o.label for o in item.options if o.value == value), str(value))
            items.append(AnsweredItem(item.text, words, value))
    return ResponseView(
        id=row.id,
        instrument_id=row.instrument_id,
        instrument_version=row.instrument_version,
        title=instrument.title if instrument else row.instrument_id,
        patient_title=instrument.patient_title if instrument else row.instrument_id,
        answered_on=row.answered_on,
        score=row.score,
        planned_session_id=row.planned_session_id,
        items=items,
    )


def _last_session_on(rows: Connection, patient_id: int) -> date | None:
    sessions = TreatmentSessionRecord.__table__
    found: date | None = rows.execute(
        select(func.max(sessions.c.performed_on)).where(sessions.c.patient_id == patient_id)
    ).scalar_one()
    return found


def _state(clinic: Clinic, rows: Connection, patient_id: int) -> PatientQuestionnaires:
    catalogue = instrument_catalogue(clinic)
    found = rows.execute(
        select(_RESPONSES)
        .where(_RESPONSES.c.patient_id == patient_id)
        .order_by(_RESPONSES.c.answered_on.desc(), _RESPONSES.c.id.desc())
    ).all()
    last_session_on = _last_session_on(rows, patient_id)
    upcoming = next_planned_session(rows, patient_id)
    before_day = upcoming.day if upcoming is not None else None
    due = []
    if last_session_on is not None:
        for instrument in catalogue.instruments:
            answered_since = any(
                r.instrument_id == instrument.id and r.answered_on >= last_session_on for r in found
            )
            if not answered_since:
                due.append(
                    DueQuestionnaire(
                        instrument.id, instrument.title, instrument.patient_title, before_day
                    )
                )
    return PatientQuestionnaires(
        patient_id,
        last_session_on,
        before_day,
        due,
        [_view(r, catalogue.get(r.instrument_id)) for r in found],
    )


def patient_questionnaires(clinic: Clinic, actor: Actor, patient_id: int) -> PatientQuestionnaires:
    """What is due and what was answered, for the patient at home or a clinician."""
    authorize(actor, Permission.READ_CLINICAL, patient_id)
    clinic.audit.read(actor, "questionnaires", None, patient_id)
    with clinic.uow.read() as session:
        rows = session.connection()
        read_patient(rows, patient_id)
        return _state(clinic, rows, patient_id)


def questionnaire(clinic: Clinic, actor: Actor, instrument_id: str) -> Instrument:
    """An instrument a portal patient is about to answer."""
    authorize(actor, Permission.FILL_PORTAL_FORMS, actor.patient_id)
    return find_instrument(clinic, instrument_id)


def answer_questionnaire(clinic: Clinic, actor: Actor, patient_id: int, raw: Any) -> ResponseView:
    """Store the patient's own answers, scored; InputError naming each item left out or
    answered with a value the instrument does not offer. Only a patient answers, for
    themselves: anyone else's record is answered 404 (see access.authorize)."""
    authorize(actor, Permission.FILL_PORTAL_FORMS, patient_id)
    answers = validated(QuestionnaireAnswers, raw, "questionnaire")
    instrument = find_instrument(clinic, answers.instrument_id)
    total = score(instrument, answers.answers)
    with clinic.uow.write() as session:
        load_patient(session, patient_id)
        upcoming = next_planned_session(session.connection(), patient_id)
        record = QuestionnaireResponseRecord(
            patient_id=patient_id,
            instrument_id=instrument.id,
            instrument_version=instrument.version,
            answered_on=clinic.today(),
            answers=dict(answers.answers),
            score=total,
            planned_session_id=upcoming.id if upcoming is not None else None,
            created_at=clinic.now(),
            created_by=actor.user_id,
        )
        session.add(record)
        session.flush()
        clinic.audit.changed(
            session, actor, "create", "questionnaire_response", record.id, patient_id
        )
        row = session.execute(select(_RESPONSES).where(_RESPONSES.c.id == record.id)).one()
        return _view(row, instrument)
