"""The plan's reasoning in the bundle: the stored plan document as the CarePlan's `plan-document`
extension, an inline JSON Attachment, and how the import reads it back.

The document is the `scarplan plan --json` contract stored with the plan version: the
recommendations with their reasons, expected outcomes, cautions and sources, the exclusions,
the courses, the sequencing rules, and the sessions, costs, routine and notes. The bundle
carries it whole, as canonical JSON (sorted keys, no spaces), so an import stores exactly the
document the exporting clinic had and the same document exports to the same bytes again.

The sessions, notes and start are in the bundle twice: in the document and as the CarePlan's
period, notes and ServiceRequests. The import refuses a document that disagrees with them (or
that the plan document model refuses): reasoning about another schedule would mislead.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from scarplan.adapters.fhir import codes
from scarplan.adapters.fhir.bundle import attachment
from scarplan.adapters.fhir.reader import Entry, Reader
from scarplan.adapters.fhir.record import PlannedSessionFacts
from scarplan.domain.validation import field_problems
from scarplan.planning.document import PlanDocument

CONTENT_TYPE = "application/json"
TITLE = "The planner's explained plan (scarplan plan --json)"
CENT = Decimal("0.01")
HINT = (
    "the document must describe the plan of this CarePlan; export the patient again, or remove "
    "the extension to import the plan without its reasoning"
)


def document_extension(document: dict[str, Any]) -> dict[str, Any]:
    """The CarePlan's `plan-document` extension holding the document."""
    text = json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    content = attachment(text.encode("utf-8"), CONTENT_TYPE, TITLE)
    return {"url": codes.PLAN_DOCUMENT, "valueAttachment": content}


@dataclass(frozen=True)
class Schedule:
    """What the CarePlan and its activities say about the plan, to compare the document with."""

    start: date
    sessions: tuple[PlannedSessionFacts, ...]
    places: tuple[str, ...]
    """The path of each session's ServiceRequest."""
    notes: tuple[str, ...]


def read_document(reader: Reader, entry: Entry, schedule: Schedule | None) -> dict[str, Any] | None:
    """The CarePlan's plan document, validated, or None when the CarePlan has none or it is
    refused (the problems are the reader's). `schedule` is None when the CarePlan's own
    elements could not all be read: the document is then checked on its own."""
    found = reader.single_extension(entry, codes.PLAN_DOCUMENT)
    content = reader.value(found, "Attachment") if found is not None else None
    if content is None:
        return None
    kind = str(content.value.get("contentType", "")).split(";")[0].strip()
    if kind != CONTENT_TYPE:
        reader.problem(f"{content.path}.contentType", f"is {kind!r}", CONTENT_TYPE)
        return None
    data = reader.attachment_data(content.value, content.path, "the plan document")
    if data is None:
        return None
    where = f"{content.path}.data"
    try:
        document = PlanDocument.model_validate_json(data)
    except ValidationError as error:
        for problem in field_problems(error):
            reader.problem(
                where,
                f"the plan document's {problem.path or '(the document)'}: {problem.message}",
                "scarplan writes this document; it cannot be edited by hand",
            )
        return None
    if schedule is not None:
        for text in _disagreements(document, schedule):
            reader.problem(where, f"the plan document's {text}", HINT)
    raw: dict[str, Any] = json.loads(data)
    return raw


def _disagreements(document: PlanDocument, schedule: Schedule) -> list[str]:
    found: list[str] = []
    if document.start_date != schedule.start:
        found.append(f"start_date is {document.start_date}; period.start is {schedule.start}")
    if list(document.notes) != list(schedule.notes):
        found.append("notes differ from the CarePlan's note")
    written, requests = document.sessions, schedule.sessions
    if len(written) != len(requests):
        found.append(
            f"sessions has {len(written)} items; the CarePlan has {len(requests)} ServiceRequests"
        )
        return found
    totals = Counter(s.modality for s in written)
    seen: Counter[str] = Counter()
    for number, (session, request, place) in enumerate(
        zip(written, requests, schedule.places, strict=True)
    ):
        seen[session.modality] += 1
        cost = (Decimal(str(session.cost.amount)), session.cost.currency) if session.cost else None
        given = (request.cost, request.currency) if request.cost is not None else None
        pairs: dict[str, tuple[Any, Any]] = {
            "date": (session.date, request.day),
            "modality": (session.modality.value, request.modality),
            "regions": (tuple(r.value for r in session.regions), request.regions),
            "targets": (tuple(t.value for t in session.targets), request.targets),
            "downtime_days": (session.downtime_days, request.downtime_days),
            "cost": (cost, given),
        }
        for name, (mine, theirs) in pairs.items():
            if mine != theirs:
                found.append(
                    f"sessions[{number}].{name} is {_shown(mine)}; {place} says {_shown(theirs)}"
                )
        if (session.number, session.of) != (seen[session.modality], totals[session.modality]):
            found.append(f"sessions[{number}] is not numbered in its course's order")
        if session.recovered_by != session.date + timedelta(days=session.downtime_days):
            found.append(f"sessions[{number}].recovered_by is not its date plus its downtime")
    last = max((s.date for s in written), default=None)
    if document.end_date != last:
        found.append(f"end_date is {document.end_date}; the last session is on {last}")
    return found + _cost_disagreements(document)


def _shown(value: Any) -> str:
    """A compared value as a message shows it: `cheek_left, nose`, `250.0 USD`, `none`."""
    if value is None:
        return "none"
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], Decimal):
        return f"{value[0]} {value[1]}"
    if isinstance(value, tuple):
        return ", ".join(map(str, value)) or "none"
    return str(value)


def _cost_disagreements(document: PlanDocument) -> list[str]:
    total = document.total_cost
    priced = [s.cost for s in document.sessions if s.cost is not None]
    unpriced = {s.modality for s in document.sessions if s.cost is None}
    found = []
    if set(total.unpriced) != unpriced or total.complete != (not unpriced):
        found.append("total_cost does not list the sessions without a price")
    if total.amount is None:
        if priced:
            found.append("total_cost has no amount, but sessions are priced")
        return found
    amount = sum((Decimal(str(money.amount)) for money in priced), Decimal(0))
    if abs(Decimal(str(total.amount)) - amount) > CENT:
        found.append(f"total_cost.amount is {total.amount}; the sessions add up to {amount}")
    if any(money.currency != total.currency for money in priced):
        found.append(f"total_cost is in {total.currency}; not every session is")
    return found
