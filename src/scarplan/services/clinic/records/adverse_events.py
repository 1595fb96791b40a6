"""An adverse event's outcome: resolved, resolving, persisting or resolved with sequelae, the
day it resolved, the treatment given. Each change adds a history row (who, when, what) and an
audit event; the event row holds the newest values.

One rule for "unresolved" everywhere: an event without a resolved date (the overview's count).
The outcomes that mean resolved need that date; the others must not have one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from scarplan.adapters.casefile.schema import IsoDate
from scarplan.adapters.db.tables import (
    AdverseEventOutcomeRecord,
    AdverseEventRecord,
    TreatmentSessionRecord,
    User,
)
from scarplan.domain.errors import FieldProblem, InputError, NotFoundError
from scarplan.services.clinic.core.access import Permission, authorize_record
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.inputs import InputModel, validated
from scarplan.services.clinic.records.sessions import AdverseEventView, adverse_event_view

log = logging.getLogger(__name__)


class EventOutcome(StrEnum):
    RESOLVED = "resolved"
    RESOLVING = "resolving"
    PERSISTING = "persisting"
    RESOLVED_WITH_SEQUELAE = "resolved_with_sequelae"

    @property
    def resolved(self) -> bool:
        return self in (EventOutcome.RESOLVED, EventOutcome.RESOLVED_WITH_SEQUELAE)


class OutcomeInput(InputModel):
    outcome: EventOutcome = Field(
        description="resolved | resolving | persisting | resolved_with_sequelae"
    )
    resolved_on: IsoDate | None = Field(None, description="The day it resolved.")
    treatment: str = Field("", max_length=2000, description="Treatment given.")
    note: str = Field("", max_length=2000)


@dataclass(frozen=True)
class OutcomeEntry:
    outcome: str
    resolved_on: date | None
    treatment: str
    note: str
    recorded_at: datetime
    recorded_by: str


@dataclass(frozen=True)
class AdverseEventDetail:
    event: AdverseEventView
    patient_id: int
    session_id: int
    session_on: date
    modality: str
    history: list[OutcomeEntry]
    """Oldest first."""


def _load(
    session: Session, actor: Actor, event_id: int, permission: Permission
) -> tuple[AdverseEventRecord, TreatmentSessionRecord]:
    event = session.get(AdverseEventRecord, event_id)
    if event is None:
        raise NotFoundError(
            "no such adverse event",
            [FieldProblem("event_id", f"{event_id} names no adverse event", "")],
        )
    treated = session.get(TreatmentSessionRecord, event.session_id)
    assert treated is not None  # a foreign key
    authorize_record(actor, permission, treated.patient_id, "event_id", event_id, "adverse event")
    return event, treated


def _detail(
    session: Any, event: AdverseEventRecord, treated: TreatmentSessionRecord
) -> AdverseEventDetail:
    rows = session.execute(
        select(AdverseEventOutcomeRecord, User.full_name)
        .outerjoin(User, User.id == AdverseEventOutcomeRecord.created_by)
        .where(AdverseEventOutcomeRecord.event_id == event.id)
        .order_by(AdverseEventOutcomeRecord.id)
    ).all()
    return AdverseEventDetail(
        adverse_event_view(event),
        treated.patient_id,
        treated.id,
        treated.performed_on,
        treated.modality,
        [
            OutcomeEntry(
                r.outcome, r.resolved_on, r.treatment, r.note, r.created_at, name or "unknown"
            )
            for r, name in rows
        ],
    )


def adverse_event(clinic: Clinic, actor: Actor, event_id: int) -> AdverseEventDetail:
    with clinic.uow.read() as session:
        event, treated = _load(session, actor, event_id, Permission.READ_CLINICAL)
        found = _detail(session, event, treated)
    clinic.audit.read(actor, "adverse_event", event_id, found.patient_id)
    return found


def _problems(entered: OutcomeInput, onset: date, today: date) -> list[FieldProblem]:
    problems = []
    if entered.outcome.resolved and entered.resolved_on is None:
        problems.append(
            FieldProblem(
                "resolved_on",
                "the resolved date is needed once the event has resolved",
                "enter the day it resolved",
            )
        )
    state = entered.outcome.value.replace("_", " ")
    if not entered.outcome.resolved and entered.resolved_on is not None:
        problems.append(
            FieldProblem(
                "resolved_on",
                f"a resolved date is only given once the event has resolved ({state})",
                "leave the resolved date empty, or choose resolved",
            )
        )
    if entered.resolved_on is not None and entered.resolved_on < onset:
        problems.append(
            FieldProblem(
                "resolved_on",
                f"the resolved date is before the event began ({onset:%d %b %Y})",
                "enter a day on or after it",
            )
        )
    if entered.resolved_on is not None and entered.resolved_on > today:
        problems.append(
            FieldProblem(
                "resolved_on", "the resolved date is in the future", "enter a day up to today"
            )
        )
    return problems


def set_outcome(clinic: Clinic, actor: Actor, event_id: int, raw: Any) -> AdverseEventDetail:
    """Record (or change) the event's outcome; the previous values stay in its history."""
    entered = validated(OutcomeInput, raw, "adverse event outcome")
    with clinic.uow.write() as session:
        event, treated = _load(session, actor, event_id, Permission.WRITE_CLINICAL)
        problems = _problems(entered, event.onset_on, clinic.today())
        if problems:
            raise InputError("the outcome is invalid", problems)
        event.outcome = entered.outcome.value
        event.resolved_on = entered.resolved_on
        event.treatment = entered.treatment.strip()
        session.add(
            AdverseEventOutcomeRecord(
                event_id=event.id,
                outcome=entered.outcome.value,
                resolved_on=entered.resolved_on,
                treatment=entered.treatment.strip(),
                note=entered.note.strip(),
                created_at=clinic.now(),
                created_by=actor.user_id,
            )
        )
        session.flush()
        clinic.audit.changed(
            session,
            actor,
            "set_outcome",
            "adverse_event",
            event.id,
            treated.patient_id,
            {"outcome": entered.outcome.value},
        )
        log.info("adverse event %s outcome set to %s", event.id, entered.outcome.value)
        return _detail(session, event, treated)
