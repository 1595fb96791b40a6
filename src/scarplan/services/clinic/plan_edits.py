"""A clinician's edit of a plan: move or remove sessions, checked against the plan's own rules.

The checks are the ones a clinician could break by hand: a session in the past, two sessions
of one procedure closer than its healing interval, downtime inside a date the patient avoids.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from scarplan.adapters.db.tables import PatientRecord, PlanVersionRecord
from scarplan.domain.case import Case
from scarplan.domain.errors import FieldProblem, InputError
from scarplan.domain.vocabulary import Fitzpatrick, Modality
from scarplan.homecare.routine import ProcedureDate, build_routine
from scarplan.knowledge import KnowledgeBase
from scarplan.services.clinic.inputs import PlanEdit
from scarplan.services.homecare import routine_json


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
    sessions: list[dict[str, Any]], document: dict[str, Any], patient: PatientRecord
) -> list[str]:
    problems = []
    minimum = {c["modality"]: c["interval_days"]["value"] for c in document["courses"]}
    last: dict[str, date] = {}
    for item in sessions:
        day = date.fromisoformat(item["date"])
        previous = last.get(item["modality"])
        gap = minimum.get(item["modality"])
        if previous is not None and gap is not None and (day - previous).days < gap:
            problems.append(
                f"{item['modality']} on {day} is {(day - previous).days} days after the one on "
                f"{previous}; its healing interval is at least {gap} days"
            )
        last[item["modality"]] = day
    for window in patient.preferences.get("avoid", []):
        start, end = date.fromisoformat(window["from"]), date.fromisoformat(window["to"])
        for item in sessions:
            day = date.fromisoformat(item["date"])
            recovered = day + timedelta(days=item["downtime_days"])
            if day <= end and start <= recovered:
                reason = f" ({window['reason']})" if window.get("reason") else ""
                problems.append(
                    f"{item['modality']} on {day} heals until {recovered}, inside the dates to "
                    f"avoid {start} to {end}{reason}"
                )
    return problems


def _renumbered(sessions: list[dict[str, Any]]) -> None:
    totals: dict[str, int] = {}
    for item in sessions:
        totals[item["modality"]] = totals.get(item["modality"], 0) + 1
    seen: dict[str, int] = {}
    for item in sessions:
        seen[item["modality"]] = seen.get(item["modality"], 0) + 1
        item["number"], item["of"] = seen[item["modality"]], totals[item["modality"]]


def _totals(document: dict[str, Any]) -> None:
    sessions = document["sessions"]
    total = document["total_cost"]
    priced = [s for s in sessions if s["cost"] is not None]
    if "currency" in total:
        total["amount"] = float(sum(Decimal(str(s["cost"]["amount"])) for s in priced))
    total["unpriced"] = sorted({s["modality"] for s in sessions if s["cost"] is None})
    total["complete"] = not total["unpriced"]
    document["end_date"] = max(s["date"] for s in sessions) if sessions else None


def edited_sessions(
    old: PlanVersionRecord, edit: PlanEdit, done: set[int], patient: PatientRecord, today: date
) -> tuple[dict[str, Any], list[int]]:
    """The new version's document, and each new session's position in the old one."""
    positions = {s.position for s in old.sessions}
    problems = _request_problems(edit, positions, done, today)
    if problems:
        raise InputError("the plan edit is invalid", problems)
    document = copy.deepcopy(old.document)
    moved = {m.position: m.day for m in edit.move}
    kept = [p for p in sorted(positions) if p not in set(edit.remove)]
    rows: list[tuple[dict[str, Any], int]] = []
    for position in kept:
        item = dict(document["sessions"][position])
        if position in moved:
            item["date"] = moved[position].isoformat()
            recovered = moved[position] + timedelta(days=item["downtime_days"])
            item["recovered_by"] = recovered.isoformat()
        rows.append((item, position))
    rows.sort(key=lambda row: (row[0]["date"], row[1]))
    sessions = [item for item, _ in rows]
    broken = _rule_problems(sessions, document, patient)
    if broken:
        raise InputError(
            "the edited plan breaks its rules",
            [FieldProblem("move", text, "choose another date") for text in broken],
        )
    _renumbered(sessions)
    document["sessions"] = sessions
    _totals(document)
    document["notes"] = [*document["notes"], f"Edited by the clinician: {edit.reason}"]
    return document, [position for _, position in rows]


def routine_document(
    case: Case, document: dict[str, Any], knowledge: KnowledgeBase
) -> dict[str, Any]:
    """The home routine around the edited plan's procedure dates."""
    procedures = [
        ProcedureDate(date.fromisoformat(s["date"]), Modality(s["modality"]), s["downtime_days"])
        for s in document["sessions"]
    ]
    fitzpatrick = Fitzpatrick(document["fitzpatrick"]) if document["fitzpatrick"] else None
    start = date.fromisoformat(document["start_date"])
    return routine_json(build_routine(case, fitzpatrick, procedures, knowledge, start))
