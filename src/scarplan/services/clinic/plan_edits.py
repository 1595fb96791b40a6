"""Around a clinician's plan edit: the home routine made again for the new dates.

The edit itself (what may move, the gap rule, the dates to avoid) is the plan aggregate's
(`planning.lifecycle.Plan.edit`)."""

from __future__ import annotations

from typing import Any

from scarplan.domain.case import Case
from scarplan.homecare.routine import ProcedureDate, build_routine
from scarplan.knowledge import KnowledgeBase
from scarplan.planning.document import PlanDocument
from scarplan.services.homecare import priming_periods, routine_json


def routine_document(
    case: Case, document: PlanDocument, knowledge: KnowledgeBase
) -> dict[str, Any]:
    """The home routine around the (edited or imported) plan's procedure dates."""
    procedures = [ProcedureDate(s.date, s.modality, s.downtime_days) for s in document.sessions]
    primings = priming_periods(
        (
            (p.agents, p.date, p.until, p.before, p.sources)
            for p in document.preparations
            if p.kind == "priming"
        ),
        procedures,
    )
    return routine_json(
        build_routine(
            case, document.fitzpatrick, procedures, knowledge, document.start_date, primings
        )
    )
