"""Golden planning cases: expectations derived by hand from docs/planning.md (the planner's
documented rules), the knowledge-base YAML values and the clinical reference, never copied from
the code's output. Each file's header comment shows the reasoning: the rule, the KB value, the
score and the date arithmetic. A case whose careful hand expectation still disagrees with the
code is moved to ``plan_disputed/`` (not collected) until the rule or the code is settled.

Case file format (``tests/golden/plan/pNN_*.yaml``, one case per file)::

    # header comment: Pins / Covers / Hand reasoning
    today: 2026-11-21
    settings: {prices: {tca_cross: 300}}    # optional Settings(...) keyword overrides
    case: {scarplan_case: 1, patient: ..., preferences: ..., assessment: ...}
    expected: {...}

Keys of ``expected`` (every key is optional; an unknown key is an error, so a typo never passes):

- ``infeasible``: planning must raise InfeasibleError with exactly this set of constraint names
  ("preferences.budget", "preferences.avoid", "planning_horizon_months", "treat <scar_type>");
  only the ``infeasible*`` and ``conflict_relax`` keys are then checked.
- ``infeasible_includes``: planning must raise InfeasibleError and these names must be among
  its constraints (when the exact subset the solver reports is not certain).
- ``conflict_relax``: {constraint: substring} of that conflict's ``relax`` text.
- ``excluded``: each modality must appear in ``excluded``.
- ``excluded_reasons``: {modality: substring} of one of its exclusion reasons.
- ``not_excluded``: none of these may appear in ``excluded``.
- ``recommended_first``: the first entry of ``recommended``.
- ``recommended_count``: how many entries ``recommended`` has.
- ``scores``: {modality: score} of ``recommended`` entries (to 3 decimals, the docs' formula).
- ``in_plan``: the exact set of modalities that have sessions.
- ``not_in_plan``: modalities without sessions.
- ``sessions``: the exact list of [date, modality] in date order.
- ``first_session``: [date, modality] of the first session.
- ``modality_sessions``: {modality: [dates]}: the exact dates of one procedure's sessions.
- ``session_count``: {modality: number of sessions}.
- ``no_sessions``: true when the plan must have no sessions.
- ``end_date``: the date of the last session.
- ``total_cost``: {amount, currency}.
- ``unpriced``: the exact list in ``total_cost.unpriced``.
- ``first_session_not_before``: {modality: date}: none of its sessions is earlier.
- ``last_session_not_after``: {modality: date}: none of its sessions is later.
- ``cautions``: {modality: substring} of one of its recommendation's cautions.
- ``notes_contain``: substrings that must each occur in some note.
- ``course_figures``: {modality: {sessions, interval_days, interval_max, downtime_days}}: the
  course figures of docs/planning.md section 5 (only the keys given are checked).

Per lesion group and relational keys (issue 19). Lesion groups are numbered 0.. in the case's
lesion order (plan JSON ``lesion_groups``, each found by its ``index``). Where a key below, or
``modality_sessions``/``session_count`` above, takes a modality, ``field:N`` stands for lesion
group N's field modality (``lesion_groups[N].field``, which must then be set), so dates and
relations can be pinned where the rules leave the choice between two field courses open.

- ``lesion_techniques``: {index: modality or null}: ``lesion_groups[index].technique``.
- ``field_for``: {index: modality or null}: ``lesion_groups[index].field``.
- ``field_one_of``: {index: [modalities]}: ``lesion_groups[index].field`` is one of these.
- ``then_for``: {index: [modalities]}: ``lesion_groups[index].then`` (order ignored).
- ``order``: [[a, b, min_days]]: every session of b is at least min_days after the LAST session
  of a (both must have sessions).
- ``starts_after``: [[a, b, min_days]]: the FIRST session of b is at least min_days after the
  FIRST session of a (both must have sessions).
- ``recommended_top3``: each modality is among the first three entries of ``recommended``.
- ``recommended_before``: [[a, b]]: a ranks above b in ``recommended`` (both recommended).
- ``reviews_after``: each modality has a ``reviews`` entry with ``after`` equal to it, dated
  after that modality's last session.
- ``min_sessions``: {modality: n}: at least n sessions.
- ``regions_treated``: {modality: [regions]}: the exact set of regions its sessions treat.
- ``no_reason_contains``: substrings that occur in no ``recommended`` entry's
  ``not_in_plan_reason``.
- ``not_in_plan_reason``: {modality: substring}: the modality is recommended, has no sessions,
  and its ``not_in_plan_reason`` contains the substring.
- ``preparation_before``: list of [modality, kind, days]: a ``preparations`` entry of that kind
  (``test`` or ``priming``) prepares the modality and is dated exactly `days` before its first
  session (a test is read by then: ``until`` is not after that session).
- ``no_preparations``: true when the plan must have no ``preparations``.
- ``preparation_dates``: list of [modality, kind, date, until]: a ``preparations`` entry of that
  kind prepares the modality, placed (or started) on ``date`` and read (or ending) on ``until``.
- ``preparation_agents``: {modality: [agents]}: the agents of the priming that prepares it.
- ``notes_not_contain``: substrings that occur in no note.

Routine keys (issue 20), checked on the routine built around the plan
(``services.homecare.routine_for_plan``):

- ``routine_steps``: {am: [agents], pm: [agents]}: the exact morning / evening agents.
- ``routine_calendar_events``: entries ``[date, agent or null, event]`` or with ``until``.
- ``routine_agent_events``: {agent: [events]}: the exact sequence of that agent's events.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from scarplan.adapters.casefile import parse_case_text
from scarplan.domain.errors import InfeasibleError
from scarplan.knowledge import KnowledgeBase
from scarplan.services.homecare import routine_for_plan, routine_json
from scarplan.services.planning import plan_case, plan_json
from scarplan.settings import Settings

CASES = sorted((Path(__file__).parent / "plan").glob("p*.yaml"))

INFEASIBLE_KEYS = {"infeasible", "infeasible_includes", "conflict_relax"}
PLAN_KEYS = {
    "excluded",
    "excluded_reasons",
    "not_excluded",
    "recommended_first",
    "recommended_count",
    "scores",
    "in_plan",
    "not_in_plan",
    "sessions",
    "first_session",
    "modality_sessions",
    "session_count",
    "no_sessions",
    "end_date",
    "total_cost",
    "unpriced",
    "first_session_not_before",
    "last_session_not_after",
    "cautions",
    "notes_contain",
    "course_figures",
    "lesion_techniques",
    "field_for",
    "field_one_of",
    "then_for",
    "order",
    "starts_after",
    "recommended_top3",
    "recommended_before",
    "reviews_after",
    "min_sessions",
    "no_reason_contains",
    "not_in_plan_reason",
    "regions_treated",
    "preparation_before",
    "no_preparations",
    "preparation_dates",
    "preparation_agents",
    "notes_not_contain",
}
ROUTINE_KEYS = {"routine_steps", "routine_calendar_events", "routine_agent_events"}


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def test_there_are_enough_golden_plan_cases() -> None:
    assert len(CASES) >= 15


def _check_infeasible(error: InfeasibleError, expected: dict[str, Any]) -> None:
    names = {conflict.constraint for conflict in error.conflicts}
    if "infeasible" in expected:
        assert names == set(expected["infeasible"])
    if "infeasible_includes" in expected:
        assert set(expected["infeasible_includes"]) <= names
    relax = {conflict.constraint: conflict.relax for conflict in error.conflicts}
    for constraint, text in expected.get("conflict_relax", {}).items():
        assert constraint in relax, f"no conflict named {constraint}"
        assert text in relax[constraint], relax[constraint]


def _check_recommendations(result: dict[str, Any], expected: dict[str, Any]) -> None:
    excluded = {e["modality"]: e for e in result["excluded"]}
    recommended = {r["modality"]: r for r in result["recommended"]}
    for modality in expected.get("excluded", []):
        assert modality in excluded, f"{modality} should be excluded"
    for modality, text in expected.get("excluded_reasons", {}).items():
        assert modality in excluded, f"{modality} should be excluded"
        reasons = excluded[modality]["reasons"]
        assert any(text in reason for reason in reasons), (modality, reasons)
    for modality in expected.get("not_excluded", []):
        assert modality not in excluded, (modality, excluded.get(modality))
    if "recommended_first" in expected:
        assert result["recommended"], "nothing recommended"
        assert result["recommended"][0]["modality"] == expected["recommended_first"]
    if "recommended_count" in expected:
        assert len(result["recommended"]) == expected["recommended_count"]
    for modality, score in expected.get("scores", {}).items():
        assert modality in recommended, f"{modality} should be recommended"
        assert recommended[modality]["score"] == pytest.approx(score, abs=0.0015), modality
    for modality, text in expected.get("cautions", {}).items():
        assert modality in recommended, f"{modality} should be recommended"
        cautions = recommended[modality]["cautions"]
        assert any(text in caution for caution in cautions), (modality, cautions)


def _check_sessions(result: dict[str, Any], expected: dict[str, Any]) -> None:
    sessions = result["sessions"]
    by_modality: dict[str, list[str]] = {}
    for session in sessions:
        by_modality.setdefault(session["modality"], []).append(session["date"])
    assert [s["date"] for s in sessions] == sorted(s["date"] for s in sessions)
    if "in_plan" in expected:
        assert set(by_modality) == set(expected["in_plan"])
    for modality in expected.get("not_in_plan", []):
        assert modality not in by_modality, (modality, by_modality.get(modality))
    if "sessions" in expected:
        assert [[s["date"], s["modality"]] for s in sessions] == [
            [_iso(day), modality] for day, modality in expected["sessions"]
        ]
    if "first_session" in expected:
        assert sessions, "no sessions"
        day, modality = expected["first_session"]
        assert [sessions[0]["date"], sessions[0]["modality"]] == [_iso(day), modality]
    for name, days in expected.get("modality_sessions", {}).items():
        modality = _resolve(name, result)
        assert by_modality.get(modality) == [_iso(day) for day in days], name
    for name, count in expected.get("session_count", {}).items():
        assert len(by_modality.get(_resolve(name, result), [])) == count, name
    if expected.get("no_sessions"):
        assert sessions == []
        assert result["end_date"] is None
    if "end_date" in expected:
        assert result["end_date"] == _iso(expected["end_date"])
    for modality, day in expected.get("first_session_not_before", {}).items():
        assert by_modality.get(modality), f"{modality} has no sessions"
        assert min(by_modality[modality]) >= _iso(day), modality
    for modality, day in expected.get("last_session_not_after", {}).items():
        assert by_modality.get(modality), f"{modality} has no sessions"
        assert max(by_modality[modality]) <= _iso(day), modality


def _check_costs_notes_courses(result: dict[str, Any], expected: dict[str, Any]) -> None:
    if "total_cost" in expected:
        total = result["total_cost"]
        assert total["amount"] == pytest.approx(expected["total_cost"]["amount"])
        assert total["currency"] == expected["total_cost"]["currency"]
    if "unpriced" in expected:
        assert result["total_cost"]["unpriced"] == expected["unpriced"]
    notes = result["notes"]
    for text in expected.get("notes_contain", []):
        assert any(text in note for note in notes), (text, notes)
    for text in expected.get("notes_not_contain", []):
        assert not any(text in note for note in notes), (text, notes)
    courses = {c["modality"]: c for c in result["courses"]}
    for modality, figures in expected.get("course_figures", {}).items():
        assert modality in courses, f"{modality} should have a course"
        course = courses[modality]
        actual = {
            "sessions": course["sessions"]["value"],
            "interval_days": course["interval_days"]["value"],
            "interval_max": course["interval_days"]["max"],
            "downtime_days": course["downtime_days"]["value"],
        }
        for key, value in figures.items():
            assert actual[key] == value, (modality, key, actual[key])


def _lesion_groups(result: dict[str, Any]) -> list[dict[str, Any]]:
    assert "lesion_groups" in result, "plan JSON has no lesion_groups (issue 19 planner)"
    groups: list[dict[str, Any]] = result["lesion_groups"]
    indices = [g["index"] for g in groups]
    assert indices == sorted(set(indices)), f"lesion_groups not in case order: {indices}"
    return groups


def _group(groups: list[dict[str, Any]], index: int) -> dict[str, Any]:
    found = [g for g in groups if g["index"] == index]
    assert found, f"no lesion group {index} (plan lists {[g['index'] for g in groups]})"
    return found[0]


def _resolve(name: str, result: dict[str, Any]) -> str:
    """A modality id, or ``field:N`` for lesion group N's field modality."""
    if not name.startswith("field:"):
        return name
    field = _group(_lesion_groups(result), int(name.removeprefix("field:")))["field"]
    assert field is not None, f"{name}: lesion group has no field treatment"
    return str(field)


def _dates(result: dict[str, Any], name: str) -> list[date]:
    modality = _resolve(name, result)
    days = [date.fromisoformat(s["date"]) for s in result["sessions"] if s["modality"] == modality]
    assert days, f"{name} ({modality}) has no sessions"
    return days


def _check_lesion_groups(result: dict[str, Any], expected: dict[str, Any]) -> None:
    keys = ("lesion_techniques", "field_for", "field_one_of", "then_for")
    if not set(keys) & set(expected):
        return
    groups = _lesion_groups(result)
    for index, modality in expected.get("lesion_techniques", {}).items():
        assert _group(groups, index)["technique"] == modality, (index, _group(groups, index))
    for index, modality in expected.get("field_for", {}).items():
        assert _group(groups, index)["field"] == modality, (index, _group(groups, index))
    for index, choices in expected.get("field_one_of", {}).items():
        assert _group(groups, index)["field"] in choices, (index, _group(groups, index))
    for index, modalities in expected.get("then_for", {}).items():
        assert sorted(_group(groups, index)["then"]) == sorted(modalities), (
            index,
            _group(groups, index),
        )


def _check_relations(result: dict[str, Any], expected: dict[str, Any]) -> None:
    for first, then, days in expected.get("order", []):
        last = max(_dates(result, first))
        earliest = min(_dates(result, then))
        assert (earliest - last).days >= days, (first, then, last, earliest)
    for first, then, days in expected.get("starts_after", []):
        start = min(_dates(result, first))
        later = min(_dates(result, then))
        assert (later - start).days >= days, (first, then, start, later)
    for name, count in expected.get("min_sessions", {}).items():
        assert len(_dates(result, name)) >= count, name
    for name, regions in expected.get("regions_treated", {}).items():
        modality = _resolve(name, result)
        treated = {r for s in result["sessions"] if s["modality"] == modality for r in s["regions"]}
        assert treated == set(regions), (name, modality, sorted(treated))
    reviews = result.get("reviews")
    if expected.get("no_preparations"):
        assert result["preparations"] == [], result["preparations"]
    for name, kind, days in expected.get("preparation_before", []):
        modality, first = _resolve(name, result), min(_dates(result, name))
        found = [p for p in result["preparations"] if p["kind"] == kind and modality in p["before"]]
        assert found, (modality, kind, result["preparations"])
        placed, until = date.fromisoformat(found[0]["date"]), date.fromisoformat(found[0]["until"])
        assert (first - placed).days == days, (modality, first, found[0])
        assert until <= first, (modality, first, found[0])
    for name, kind, day, until in expected.get("preparation_dates", []):
        modality = _resolve(name, result)
        found = [p for p in result["preparations"] if p["kind"] == kind and modality in p["before"]]
        assert found, (modality, kind, result["preparations"])
        assert [found[0]["date"], found[0]["until"]] == [_iso(day), _iso(until)], found[0]
    for name, agents in expected.get("preparation_agents", {}).items():
        modality = _resolve(name, result)
        found = [p for p in result["preparations"] if p["kind"] == "priming"]
        found = [p for p in found if modality in p["before"]]
        assert found, (modality, result["preparations"])
        assert found[0]["agents"] == agents, found[0]
    for name in expected.get("reviews_after", []):
        assert reviews is not None, "plan JSON has no reviews (issue 19 planner)"
        modality, last = _resolve(name, result), max(_dates(result, name))
        dated = [date.fromisoformat(r["date"]) for r in reviews if r["after"] == modality]
        assert any(day > last for day in dated), (name, modality, last, reviews)


def _check_ranking(result: dict[str, Any], expected: dict[str, Any]) -> None:
    order = [r["modality"] for r in result["recommended"]]
    for name in expected.get("recommended_top3", []):
        modality = _resolve(name, result)
        assert modality in order[:3], (modality, order[:3])
    for pair in expected.get("recommended_before", []):
        above, below = (_resolve(name, result) for name in pair)
        assert above in order, f"{above} should be recommended"
        assert below in order, f"{below} should be recommended"
        assert order.index(above) < order.index(below), (above, below, order)
    reasons = [r["not_in_plan_reason"] or "" for r in result["recommended"]]
    for text in expected.get("no_reason_contains", []):
        assert not any(text in reason for reason in reasons), (text, reasons)
    recommended = {r["modality"]: r for r in result["recommended"]}
    planned = {s["modality"] for s in result["sessions"]}
    for modality, text in expected.get("not_in_plan_reason", {}).items():
        assert modality in recommended, f"{modality} should be recommended"
        assert modality not in planned, f"{modality} should have no sessions"
        reason = recommended[modality]["not_in_plan_reason"] or ""
        assert text in reason, (modality, reason)


def _check_routine(routine: dict[str, Any], expected: dict[str, Any]) -> None:
    for slot, agents in expected.get("routine_steps", {}).items():
        assert [step["agent"] for step in routine[slot]] == agents, (slot, routine[slot])
    calendar = routine["calendar"]
    for day, agent, name, *until in expected.get("routine_calendar_events", []):
        matches = [
            e
            for e in calendar
            if e["date"] == _iso(day) and e["agent"] == agent and e["event"] == name
        ]
        assert matches, f"no routine calendar entry {[day, agent, name]}"
        if until:
            assert any(e["until"] == _iso(until[0]) for e in matches), matches
    for agent, events in expected.get("routine_agent_events", {}).items():
        assert [e["event"] for e in calendar if e["agent"] == agent] == events, agent


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_golden_plan(path: Path, knowledge: KnowledgeBase) -> None:
    golden = yaml.safe_load(path.read_text())
    today = golden["today"]
    assert isinstance(today, date)
    expected: dict[str, Any] = golden["expected"]
    unknown = set(expected) - INFEASIBLE_KEYS - PLAN_KEYS - ROUTINE_KEYS
    assert not unknown, f"unknown expectation keys: {sorted(unknown)}"
    settings = Settings(**golden.get("settings", {}))
    case = parse_case_text(yaml.safe_dump(golden["case"]), today)

    if set(expected) & {"infeasible", "infeasible_includes"}:
        assert not set(expected) & PLAN_KEYS, "an infeasible case checks nothing else"
        with pytest.raises(InfeasibleError) as raised:
            plan_case(case, knowledge, settings, today)
        _check_infeasible(raised.value, expected)
        return

    plan = plan_case(case, knowledge, settings, today)
    result = plan_json(plan)
    if set(expected) & ROUTINE_KEYS:
        _check_routine(routine_json(routine_for_plan(case, plan, knowledge)), expected)
    _check_recommendations(result, expected)
    _check_sessions(result, expected)
    _check_costs_notes_courses(result, expected)
    _check_lesion_groups(result, expected)
    _check_relations(result, expected)
    _check_ranking(result, expected)
