"""Patient-reported outcomes as series over time, read beside the clinical score trend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, bindparam, select

from scarplan.adapters.db.tables import QuestionnaireResponseRecord
from scarplan.knowledge.instrument_catalogue import score_range
from scarplan.services.clinic.core.context import Clinic
from scarplan.services.clinic.records.instruments import instrument_catalogue

_RESPONSES = QuestionnaireResponseRecord.__table__
# Built once: read on every visit to a patient's page (see progress.py, "Statements built once").
_ANSWERS_OF_PATIENT = (
    select(
        _RESPONSES.c.instrument_id,
        _RESPONSES.c.answered_on,
        _RESPONSES.c.score,
        _RESPONSES.c.answers,
    )
    .where(_RESPONSES.c.patient_id == bindparam("patient_id"))
    .order_by(_RESPONSES.c.answered_on, _RESPONSES.c.id)
)


@dataclass(frozen=True)
class OutcomePoint:
    answered_on: date
    score: float
    answer: str
    """The chosen answer's words for a one-question instrument, else the score as text."""


@dataclass(frozen=True)
class OutcomeSeries:
    instrument_id: str
    title: str
    lowest: float
    highest: float
    higher_is_better: bool
    points: list[OutcomePoint]


def outcome_series(rows: Connection, clinic: Clinic, patient_id: int) -> list[OutcomeSeries]:
    """One series per instrument answered, in the catalogue's order, points by date."""
    found = rows.execute(_ANSWERS_OF_PATIENT, {"patient_id": patient_id}).all()
    series = []
    for instrument in instrument_catalogue(clinic).instruments:
        answered = [r for r in found if r.instrument_id == instrument.id]
        if not answered:
            continue
        lowest, highest = score_range(instrument)
        labels = (
            {o.value: o.label for o in instrument.items[0].options}
            if len(instrument.items) == 1
            else {}
        )
        item = instrument.items[0].id
        points = [
            OutcomePoint(
                r.answered_on,
                r.score,
                labels.get(r.answers.get(item), f"{r.score:g}") if labels else f"{r.score:g}",
            )
            for r in answered
        ]
        series.append(
            OutcomeSeries(
                instrument.id,
                instrument.title,
                lowest,
                highest,
                instrument.scoring.higher_is_better,
                points,
            )
        )
    return series
