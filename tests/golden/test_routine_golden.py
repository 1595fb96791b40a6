"""Golden home-care routine cases (issue 5): expectations derived by hand from docs/homecare.md
(the documented choice, titration, pause and conflict rules), the knowledge-base values in
``agents.yaml`` / ``homecare.yaml`` and the clinical reference sections 6-7, never copied from
the code's output. Each file's header comment shows the reasoning: the rule, the KB value and
the date arithmetic (weekdays of each titration phase, pause windows).

Case file format (``tests/golden/routine/rNN_*.yaml``, one case per file)::

    # header comment: Pins / Covers / Hand reasoning
    today: 2026-11-21
    via: build_routine        # optional; "routine_case" runs the planner (see below)
    case: {scarplan_case: 1, patient: ..., preferences: {start_date: ...}, assessment: ...}
    procedures: [[2027-03-15, chemical_peel_medium, 7], ...]   # optional (build_routine only)
    primings: [[2027-03-15, 2027-03-29, [hydroquinone, tretinoin], [tca_cross]], ...]  # optional
    expected: {...}

``via: build_routine`` (the default) tests the routine independently of the planner: the
Fitzpatrick type comes from ``assess_case``, the procedures are given directly as
``[date, modality, downtime days]``, the priming periods the plan would book as
``[start, first session, [agents], [procedures]]`` (issue 20) and the start is
``preferences.start_date``.
``via: routine_case`` builds the routine around the case's own plan
(``routine_case(case, knowledge, Settings(), today)``); such a case may only check what does
not depend on the planner's dates, so the date keys below are refused for it.

Keys of ``expected`` (every key is optional; an unknown key is an error, so a typo never passes):

- ``am`` / ``pm``: the exact agent ids of the morning / evening routine, in order.
- ``not_in_routine``: agents in neither routine.
- ``already_used``: the exact set of steps marked ``already_used``.
- ``left_out``: agents that must be listed under ``left_out``.
- ``left_out_reasons``: {agent: substring of its left-out reason}.
- ``frequency``: {agent: maintenance frequency words of its step}.
- ``checks``: check kinds that must be present; ``not_checks``: kinds that must be absent.
- ``check_agents``: {kind: agents}: the set of agents of that check (first check of the kind).
- ``referral``: whether a referral is given (non-empty ``referral``).
- ``advice_topics``: advice topics that must be present.
- ``applied`` (date key): {date: {am: [...], pm: [...]}}: exactly the agents
  ``Routine.applied_on(date)`` gives for each slot listed (in routine order). Hydrocolloid
  patches are "on spots, as needed" (no schedule), so they are left out of this comparison.
- ``not_applied`` (date key): {agent: [dates]}: the agent is applied in no slot on those dates.
- ``calendar_events`` (date key): entries ``[date, agent or null, event]`` or
  ``[date, agent or null, event, until]`` that must each be in the JSON calendar.
- ``calendar_agent_events`` (date key): {agent: [events]}: the exact sequence of calendar events
  for that agent, in calendar order.
- ``calendar_text`` (date key): entries ``[date, agent or null, event, substring]``: a calendar
  entry of that date, agent and event whose text contains the substring (e.g. the resume date).

Every case also checks one invariant of docs/homecare.md: the two agents of an ``irritation``
conflict are never applied on the same day (first 26 weeks from the start).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from scarplan.adapters.casefile import parse_case_text
from scarplan.assessment import assess_case
from scarplan.domain.vocabulary import Agent, Modality
from scarplan.homecare.priming import PrimingPeriod
from scarplan.homecare.routine import ProcedureDate, Routine, build_routine
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.agents import TimeOfDay
from scarplan.services.homecare import routine_case, routine_json
from scarplan.settings import Settings

CASES = sorted((Path(__file__).parent / "routine").glob("r*.yaml"))

DATE_KEYS = {
    "applied",
    "not_applied",
    "calendar_events",
    "calendar_agent_events",
    "calendar_text",
}
PLAIN_KEYS = {
    "am",
    "pm",
    "not_in_routine",
    "already_used",
    "left_out",
    "left_out_reasons",
    "frequency",
    "checks",
    "not_checks",
    "check_agents",
    "referral",
    "advice_topics",
}
AS_NEEDED = {Agent.HYDROCOLLOID_PATCH}
INVARIANT_DAYS = 26 * 7


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def test_there_are_enough_golden_routine_cases() -> None:
    assert len(CASES) >= 10


def _build(golden: dict[str, Any], knowledge: KnowledgeBase) -> Routine:
    today = golden["today"]
    assert isinstance(today, date)
    case = parse_case_text(yaml.safe_dump(golden["case"]), today)
    if golden.get("via", "build_routine") == "routine_case":
        assert "procedures" not in golden, "routine_case takes its procedures from the plan"
        assert "primings" not in golden, "routine_case takes its priming from the plan"
        routine, _notes = routine_case(case, knowledge, Settings(), today)
        return routine
    assert golden.get("via", "build_routine") == "build_routine", golden.get("via")
    fitzpatrick = assess_case(case, knowledge).fitzpatrick.type
    procedures = [
        ProcedureDate(_day(day), Modality(modality), int(downtime))
        for day, modality, downtime in golden.get("procedures", [])
    ]
    primings = [
        PrimingPeriod(
            tuple(Agent(a) for a in agents),
            _day(begins),
            _day(until),
            tuple(Modality(m) for m in before),
            ("KHUNGER2011",),
        )
        for begins, until, agents, before in golden.get("primings", [])
    ]
    start = case.preferences.start_date
    assert start is not None, "a build_routine case needs preferences.start_date"
    return build_routine(case, fitzpatrick, procedures, knowledge, start, primings)


def _check_steps(result: dict[str, Any], expected: dict[str, Any]) -> None:
    am = [step["agent"] for step in result["am"]]
    pm = [step["agent"] for step in result["pm"]]
    steps = {step["agent"]: step for step in [*result["am"], *result["pm"]]}
    if "am" in expected:
        assert am == expected["am"]
    if "pm" in expected:
        assert pm == expected["pm"]
    for agent in expected.get("not_in_routine", []):
        assert agent not in steps, agent
    if "already_used" in expected:
        used = {agent for agent, step in steps.items() if step["already_used"]}
        assert used == set(expected["already_used"])
    for agent, words in expected.get("frequency", {}).items():
        assert agent in steps, f"{agent} is not in the routine"
        assert steps[agent]["frequency"] == words, agent
    left = {item["agent"]: item["reason"] for item in result["left_out"]}
    for agent in expected.get("left_out", []):
        assert agent in left, f"{agent} should be left out"
    for agent, text in expected.get("left_out_reasons", {}).items():
        assert agent in left, f"{agent} should be left out"
        assert text in left[agent], (agent, left[agent])


def _check_checks_and_advice(result: dict[str, Any], expected: dict[str, Any]) -> None:
    kinds = [check["kind"] for check in result["checks"]]
    for kind in expected.get("checks", []):
        assert kind in kinds, (kind, kinds)
    for kind in expected.get("not_checks", []):
        assert kind not in kinds, (kind, kinds)
    for kind, agents in expected.get("check_agents", {}).items():
        found = next((c for c in result["checks"] if c["kind"] == kind), None)
        assert found is not None, f"no check {kind}"
        assert set(found["agents"]) == set(agents), (kind, found["agents"])
    if "referral" in expected:
        assert bool(result["referral"]) is expected["referral"]
    topics = [advice["topic"] for advice in result["advice"]]
    for topic in expected.get("advice_topics", []):
        assert topic in topics, (topic, topics)


def _check_days(routine: Routine, expected: dict[str, Any]) -> None:
    for day, slots in expected.get("applied", {}).items():
        used = routine.applied_on(_day(day))
        for slot, agents in slots.items():
            actual = [a.value for a in used[TimeOfDay(slot)] if a not in AS_NEEDED]
            assert actual == agents, (_iso(day), slot, actual)
    for agent, days in expected.get("not_applied", {}).items():
        for day in days:
            used = routine.applied_on(_day(day))
            applied = [a.value for slot in used.values() for a in slot]
            assert agent not in applied, (agent, _iso(day))


def _check_calendar(result: dict[str, Any], expected: dict[str, Any]) -> None:
    calendar = result["calendar"]
    for event in expected.get("calendar_events", []):
        day, agent, name, *until = event
        matches = [
            e
            for e in calendar
            if e["date"] == _iso(day) and e["agent"] == agent and e["event"] == name
        ]
        assert matches, f"no calendar entry {event}"
        if until:
            assert any(e["until"] == _iso(until[0]) for e in matches), (event, matches)
    for agent, events in expected.get("calendar_agent_events", {}).items():
        assert [e["event"] for e in calendar if e["agent"] == agent] == events, agent
    for day, agent, name, text in expected.get("calendar_text", []):
        found = [
            e["text"]
            for e in calendar
            if e["date"] == _iso(day) and e["agent"] == agent and e["event"] == name
        ]
        assert any(text in t for t in found), (day, agent, name, text, found)


def _check_irritation_pairs(routine: Routine, result: dict[str, Any]) -> None:
    """docs/homecare.md: an irritation pair never shares a day."""
    pairs = [c["agents"] for c in result["checks"] if c["kind"] == "conflict: irritation"]
    for offset in range(INVARIANT_DAYS):
        day = routine.start + timedelta(offset)
        used = routine.applied_on(day)
        applied = {a.value for slot in used.values() for a in slot}
        for pair in pairs:
            assert not set(pair) <= applied, (pair, day.isoformat())


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_golden_routine(path: Path, knowledge: KnowledgeBase) -> None:
    golden = yaml.safe_load(path.read_text())
    expected: dict[str, Any] = golden["expected"]
    unknown = set(expected) - PLAIN_KEYS - DATE_KEYS
    assert not unknown, f"unknown expectation keys: {sorted(unknown)}"
    if golden.get("via") == "routine_case":
        assert not set(expected) & DATE_KEYS, "a routine_case case checks no planner dates"
    routine = _build(golden, knowledge)
    result = routine_json(routine)
    _check_steps(result, expected)
    _check_checks_and_advice(result, expected)
    _check_days(routine, expected)
    _check_calendar(result, expected)
    _check_irritation_pairs(routine, result)
