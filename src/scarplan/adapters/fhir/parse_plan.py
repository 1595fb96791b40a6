"""Plans: each CarePlan with its planned sessions (ServiceRequest) and home routine
(MedicationRequest), as the CarePlan's activities, and the plan document it carries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from scarplan.adapters.fhir import codes
from scarplan.adapters.fhir.export_plan import TIMING
from scarplan.adapters.fhir.reader import Entry, Reader
from scarplan.adapters.fhir.reasoning import Schedule, read_document
from scarplan.adapters.fhir.record import Origins, PlanFacts, PlannedSessionFacts, RoutineStep

PLAN_STATUSES = ("proposed", "accepted", "in_progress", "completed", "superseded", "cancelled")
FROM_CAREPLAN = {
    "draft": "proposed",
    "active": "accepted",
    "completed": "completed",
    "revoked": "cancelled",
}
SLOTS = {when: slot for slot, when in TIMING.items()}
RUNNING = ("accepted", "in_progress")


def read_plans(
    reader: Reader, panels: dict[str, int]
) -> tuple[tuple[PlanFacts, ...], dict[str, tuple[int, int]]]:
    """The plans in bundle order, and each planned session's fullUrl -> (plan, position)."""
    plans: list[PlanFacts] = []
    requests: dict[str, tuple[int, int]] = {}
    running: Entry | None = None
    for entry in reader.of_kind("CarePlan"):
        reader.used.add(entry.url)
        reader.subject(entry)
        read = _plan(reader, entry, panels, len(plans), requests)
        if read is None:
            continue
        if read.status in RUNNING:
            if running is not None:
                reader.problem(
                    entry.at("status"),
                    f"a second running plan ({running.path} is running too)",
                    "a patient has at most one accepted or in-progress plan",
                )
            running = entry
        plans.append(read)
    for kind in ("ServiceRequest", "MedicationRequest"):
        for entry in reader.of_kind(kind):
            if entry.url not in reader.used:
                reader.problem(entry.path, f"this {kind} is no activity of a CarePlan", "")
                reader.used.add(entry.url)
    return tuple(plans), requests


def _status(reader: Reader, entry: Entry) -> str | None:
    extension = reader.extension(entry, codes.PLAN_STATUS)
    if extension is not None:
        value = extension.value.get("valueCode")
        if value in PLAN_STATUSES:
            return str(value)
        reader.problem(
            f"{extension.path}.valueCode", f"{value!r} is not known", ", ".join(PLAN_STATUSES)
        )
        return None
    status = entry.get("status")
    if status not in FROM_CAREPLAN:
        reader.problem(
            entry.at("status"), f"{status!r} cannot be imported", ", ".join(FROM_CAREPLAN)
        )
        return None
    return FROM_CAREPLAN[status]


def _plan(
    reader: Reader,
    entry: Entry,
    panels: dict[str, int],
    index: int,
    requests: dict[str, tuple[int, int]],
) -> PlanFacts | None:
    origins: Origins = {"": entry.path}
    before = len(reader.problems)
    status = _status(reader, entry)
    start = _start(reader, entry)
    assessment = _assessment(reader, entry, panels)
    sessions: list[PlannedSessionFacts] = []
    places: list[str] = []
    routine: list[RoutineStep] = []
    for number, activity in enumerate(entry.get("activity") or []):
        where = f"{entry.at('activity')}[{number}].reference"
        target = reader.follow(
            (activity or {}).get("reference"), where, "ServiceRequest", "MedicationRequest"
        )
        if target is None:
            continue
        if target.url in reader.used:
            reader.problem(where, "names a request another activity names already", "")
            continue
        reader.used.add(target.url)
        reader.subject(target)
        if target.kind == "ServiceRequest":
            session = _session(reader, target)
            if session is not None:
                requests[target.url] = (index, len(sessions))
                sessions.append(session)
                places.append(target.path)
        else:
            step = _step(reader, target)
            if step is not None:
                routine.append(step)
    notes = tuple(str(n.get("text", "")) for n in entry.get("note") or [])
    schedule = (
        Schedule(start, tuple(sessions), tuple(places), notes)
        if start is not None and len(reader.problems) == before
        else None
    )
    document = read_document(reader, entry, schedule)
    if status is None or start is None or assessment is None:
        return None
    return PlanFacts(
        status,
        start,
        assessment,
        tuple(sessions),
        tuple(routine),
        notes,
        document,
        origins,
    )


def _start(reader: Reader, entry: Entry) -> date | None:
    start = (entry.get("period") or {}).get("start")
    try:
        return date.fromisoformat(str(start)[:10])
    except ValueError:
        reader.problem(entry.at("period.start"), f"{start!r} is not a date", "the plan's start")
        return None


def _assessment(reader: Reader, entry: Entry, panels: dict[str, int]) -> int | None:
    info = entry.get("supportingInfo") or []
    for number, item in enumerate(info):
        target = reader.follow(item, f"{entry.at('supportingInfo')}[{number}]", required=False)
        if target is not None and target.url in panels:
            return panels[target.url]
    if len(panels) == 1:
        return next(iter(panels.values()))
    reader.problem(
        entry.at("supportingInfo"),
        "names no assessment",
        "refer to the assessment (Observation scar_assessment) the plan was made from",
    )
    return None


def _session(reader: Reader, entry: Entry) -> PlannedSessionFacts | None:
    modality = reader.code(entry.get("code"), entry.at("code"), "modality")
    day = reader.day(entry, "occurrenceDateTime")
    regions = [
        reader.code(site, f"{entry.at('bodySite')}[{n}]", "region")
        for n, site in enumerate(entry.get("bodySite") or [])
    ]
    if not regions:
        reader.problem(entry.at("bodySite"), "is missing", "the regions treated")
    targets = [
        reader.code(reason, f"{entry.at('reasonCode')}[{n}]", "scar-type")
        for n, reason in enumerate(entry.get("reasonCode") or [])
    ]
    downtime = _downtime(reader, entry)
    cost, currency = _cost(reader, entry)
    if modality is None or day is None or downtime is None or None in regions or None in targets:
        return None
    return PlannedSessionFacts(
        day=day.value,
        modality=modality.value,
        regions=tuple(r.value for r in regions if r is not None),
        targets=tuple(t.value for t in targets if t is not None),
        downtime_days=downtime,
        cost=cost,
        currency=currency,
        done=False,
    )


def _downtime(reader: Reader, entry: Entry) -> int | None:
    found = reader.extension(entry, codes.DOWNTIME)
    if found is None:
        reader.problem(entry.at("extension"), f"has no {codes.DOWNTIME}", "the days of downtime")
        return None
    duration = reader.value(found, "Duration")
    return reader.whole_days(duration) if duration is not None else None


def _cost(reader: Reader, entry: Entry) -> tuple[Decimal | None, str | None]:
    found = reader.extension(entry, codes.PLANNED_COST)
    money = reader.value(found, "Money") if found is not None else None
    priced = reader.money(money) if money is not None else None
    return priced if priced is not None else (None, None)


def _step(reader: Reader, entry: Entry) -> RoutineStep | None:
    concept = entry.get("medicationCodeableConcept")
    agent = reader.code(concept, entry.at("medicationCodeableConcept"), "agent")
    dosage = reader.first(entry.get("dosageInstruction"), entry.at("dosageInstruction"), "")
    if agent is None or dosage is None:
        return None
    details: dict[str, Any] = dosage.value
    when = ((details.get("timing") or {}).get("repeat") or {}).get("when") or []
    slot = SLOTS.get(when[0]) if len(when) == 1 else None
    if slot is None:
        reader.problem(
            f"{dosage.path}.timing.repeat.when", f"is {when!r}", "MORN (morning) or EVE (evening)"
        )
    if not isinstance(details.get("sequence"), int) or not details.get("text"):
        reader.problem(dosage.path, "needs its sequence and text", "the step's order and how often")
        return None
    if slot is None:
        return None
    text = concept.get("text") or codes.display("agent", agent.value)
    return RoutineStep(
        slot=slot,
        agent=agent.value,
        text=str(text),
        dose=str(details.get("patientInstruction", "")),
        frequency=str(details["text"]),
        order=details["sequence"],
    )
