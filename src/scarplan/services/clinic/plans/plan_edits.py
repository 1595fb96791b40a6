"""Around a clinician's plan edit: the home routine made again for the new dates.

The edit itself (what may move, the gap rule, the dates to avoid) is the plan aggregate's
(`planning.lifecycle.Plan.edit`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from scarplan.domain.case import Case
from scarplan.homecare.routine import ProcedureDate, Routine, build_routine
from scarplan.knowledge import KnowledgeBase
from scarplan.planning.document import PlanDocument
from scarplan.services.homecare import priming_periods, routine_json


def document_routine(
    case: Case,
    document: PlanDocument,
    knowledge: KnowledgeBase,
    moved: Mapping[int, date] | None = None,
) -> Routine:
    """The home routine around the plan's procedure dates; `moved` gives, by session position,
    the day a session actually falls on where it differs from the plan (booked in the clinic
    calendar, or carried out on another day)."""
    days = moved or {}
    procedures = [
        ProcedureDate(days.get(position, s.date), s.modality, s.downtime_days)
        for position, s in enumerate(document.sessions)
    ]
    primings = priming_periods(
        (
            (p.agents, p.date, p.until, p.before, p.sources)
            for p in document.preparations
            if p.kind == "priming"
        ),
        procedures,
    )
    return build_routine(
        case, document.fitzpatrick, procedures, knowledge, document.start_date, primings
    )


def routine_document(
    case: Case, document: PlanDocument, knowledge: KnowledgeBase
) -> dict[str, Any]:
    """The home routine around the (edited or imported) plan's procedure dates."""
    return routine_json(document_routine(case, document, knowledge))
