"""A clinician's edit of a plan: move or remove sessions, checked against the plan's own rules.

The checks are the ones a clinician could break by hand: a session in the past, two sessions
of one procedure closer than its healing interval, downtime inside a date the patient avoids.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from scarplan.adapters.db.tables import PatientRecord, PlanVersionRecord
from scarplan.domain.case import Case
from scarplan.domain.errors import FieldProblem, InputError
from scarplan.domain.vocabulary import Modality
from scarplan.homecare.routine import ProcedureDate, build_routine
from scarplan.knowledge import KnowledgeBase
from scarplan.planning.document import PlanDocument, Session, Total, read_plan_document
from scarplan.services.clinic.inputs import PlanEdit
from scarplan.services.homecare import routine_json
from scarplan.services.plan_gaps import rules_from_document


def _request_problems(
    edit: PlanEdit, positions: set[int], done: set[int], today: date
) -> list[FieldProblem]:
    problems = []
    for i, position in enumerate(edit.remove):
        if position not in positions:
            problems.append(FieldProblem(f"remove[{i}]", f"no planned session {position}", ""))
        elif position in done:
            problems.append(
                FieldProblem(f"remove[{i}]", f"session {position} was carried out", "keep it")
            )
    for i, move in enumerate(edit.move):
        where = f"move[{i}]"
        if move.position not in positions:
            problems.append(FieldProblem(f"{where}.position", f"no session {move.position}", ""))
        elif move.position in done:
            problems.append(
                FieldProblem(f"{where}.position", "this session was carried out", "keep its date")
            )
        elif move.position in edit.remove:
            problems.append(FieldProblem(where, "the session is also removed", "do one or other"))
        if move.day < today:
            problems.append(FieldProblem(f"{where}.day", f"{move.day} is in the past", ""))
    return problems


def _rule_problems(
    sessions: list[Session],
    moved: set[tuple[date, Modality]],
    document: PlanDocument,
    patient: PatientRecord,
    default_gap: int,
) -> list[str]:
    """The plan's gap rule (the planner's own, `planning.gaps`) for every pair of sessions a
    moved session belongs to, and the patient's dates to avoid.

    A session moved later than a published maximum interval is allowed: the maxima are the
    trials' spacing, not a healing limit, and a patient's delay is the clinician's call."""
    rules = rules_from_document(document, default_gap)
    problems = [
        f"{breach.text}{_cited(breach.gap.sources)}"
        for breach in rules.breaches([(s.date, s.modality) for s in sessions])
        if (breach.earlier in moved or breach.later in moved) and not breach.too_far
    ]
    for window in patient.preferences.get("avoid", []):
        start, end = date.fromisoformat(window["from"]), date.fromisoformat(window["to"])
        for item in sessions:
            recovered = item.date + timedelta(days=item.downtime_days)
            if item.date <= end and start <= recovered:
                reason = f" ({window['reason']})" if window.get("reason") else ""
                problems.append(
                    f"{item.modality.value} on {item.date} heals until {recovered}, inside the "
                    f"dates to avoid {start} to {end}{reason}"
                )
    return problems


def _cited(sources: Sequence[str]) -> str:
    return f" (sources: {', '.join(sources)})" if sources else ""


def _renumbered(sessions: list[Session]) -> list[Session]:
    totals = Counter(item.modality for item in sessions)
    seen: Counter[Modality] = Counter()
    renumbered = []
    for item in sessions:
        seen[item.modality] += 1
        renumbered.append(
            item.model_copy(update={"number": seen[item.modality], "of": totals[item.modality]})
        )
    return renumbered


def _total(document: PlanDocument, sessions: list[Session]) -> Total:
    priced = [s.cost for s in sessions if s.cost is not None]
    unpriced = sorted({s.modality for s in sessions if s.cost is None}, key=lambda m: m.value)
    update: dict[str, object] = {"unpriced": unpriced, "complete": not unpriced}
    if document.total_cost.currency is not None:
        update["amount"] = float(sum((Decimal(str(c.amount)) for c in priced), Decimal(0)))
    return document.total_cost.model_copy(update=update)


def edited_sessions(
    old: PlanVersionRecord,
    edit: PlanEdit,
    done: set[int],
    patient: PatientRecord,
    today: date,
    default_gap: int,
) -> tuple[PlanDocument, list[int]]:
    """The new version's document, and each new session's position in the old one."""
    positions = {s.position for s in old.sessions}
    problems = _request_problems(edit, positions, done, today)
    if problems:
        raise InputError("the plan edit is invalid", problems)
    document = read_plan_document(old.document)
    moved = {m.position: m.day for m in edit.move}
    kept = [p for p in sorted(positions) if p not in set(edit.remove)]
    rows: list[tuple[Session, int]] = []
    for position in kept:
        item = document.sessions[position]
        if position in moved:
            day = moved[position]
            recovered = day + timedelta(days=item.downtime_days)
            item = item.model_copy(update={"date": day, "recovered_by": recovered})
        rows.append((item, position))
    rows.sort(key=lambda row: (row[0].date, row[1]))
    sessions = [item for item, _ in rows]
    moved_now = {(day, document.sessions[position].modality) for position, day in moved.items()}
    broken = _rule_problems(sessions, moved_now, document, patient, default_gap)
    if broken:
        raise InputError(
            "the edited plan breaks its rules",
            [FieldProblem("move", text, "choose another date") for text in broken],
        )
    sessions = _renumbered(sessions)
    edited = document.model_copy(
        update={
            "sessions": sessions,
            "total_cost": _total(document, sessions),
            "end_date": max(s.date for s in sessions) if sessions else None,
            "notes": [*document.notes, f"Edited by the clinician: {edit.reason}"],
        }
    )
    return edited, [position for _, position in rows]


def routine_document(
    case: Case, document: PlanDocument, knowledge: KnowledgeBase
) -> dict[str, Any]:
    """The home routine around the (edited or imported) plan's procedure dates."""
    procedures = [ProcedureDate(s.date, s.modality, s.downtime_days) for s in document.sessions]
    return routine_json(
        build_routine(case, document.fitzpatrick, procedures, knowledge, document.start_date)
    )
