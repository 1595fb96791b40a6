"""Agreement with published practice (project issue 19).

``published_cases.yaml`` holds published cases and case series from the clinical reference
(sections 3 and 5): the study, its skin types and scar types, and the scarplan modality it used
for one target scar type. Each entry becomes a small in-memory case (ten scars of the target
type on the left cheek, a representative lesion, no budget or downtime limit) planned through
the service layer exactly as ``tests/golden/test_plan_golden.py`` does. Two shares are reported:

- top 3: the published modality is among the first three entries of ``recommended`` whose
  ``targets`` include the target type (goal: at least 80 %, asserted);
- booked: the published modality has at least one session in the plan (reported only).

The file's structure is checked in ``test_published_cases.py``; loading and the case built
from an entry live in ``published.py``.

``agreement(cases)`` is a plain function so the shares can be computed outside pytest::

    from tests.clinical.test_published_agreement import agreement, load_cases
    top3, booked, rows = agreement(load_cases())
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import yaml

from scarplan.adapters.casefile import parse_case_text
from scarplan.domain.errors import InfeasibleError
from scarplan.knowledge import KnowledgeBase, load_knowledge_base
from scarplan.services.planning import plan_case, plan_json
from scarplan.settings import Settings

from .published import TODAY, case_document, load_cases

__all__ = ["Row", "agreement", "format_table", "load_cases", "plan_entry"]

TOP = 3
GOAL_TOP3 = 0.80


@cache
def _shipped_knowledge() -> KnowledgeBase:
    return load_knowledge_base()


def plan_entry(entry: dict[str, Any], knowledge: KnowledgeBase) -> dict[str, Any]:
    """Plan one entry through the service layer, as the golden plan tests do; the plan as JSON
    data."""
    case = parse_case_text(yaml.safe_dump(case_document(entry)), TODAY)
    return plan_json(plan_case(case, knowledge, Settings(), TODAY))


# --- agreement -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One entry's outcome. ``rank`` is 1-based among the recommendations for the target type
    (None when the modality is not recommended for it); ``above`` lists what was ranked above
    it (or the whole ranking for the target when it is absent)."""

    id: str
    modality: str
    target: str
    rank: int | None
    booked: bool
    above: tuple[str, ...] = ()
    note: str = ""

    @property
    def top3(self) -> bool:
        return self.rank is not None and self.rank <= TOP


@dataclass(frozen=True)
class _Ranking:
    for_target: list[str]
    booked: set[str] = field(default_factory=set)
    excluded: dict[str, list[str]] = field(default_factory=dict)


def _ranking(result: dict[str, Any], target: str) -> _Ranking:
    for_target = [r["modality"] for r in result["recommended"] if target in r["targets"]]
    booked = {s["modality"] for s in result["sessions"]}
    excluded = {e["modality"]: list(e.get("reasons", [])) for e in result["excluded"]}
    return _Ranking(for_target, booked, excluded)


def evaluate(entry: dict[str, Any], knowledge: KnowledgeBase) -> Row:
    modality, target = entry["modality"], entry["target"]
    try:
        result = plan_entry(entry, knowledge)
    except InfeasibleError as error:
        names = sorted(conflict.constraint for conflict in error.conflicts)
        return Row(entry["id"], modality, target, None, False, note=f"infeasible: {names}")
    ranking = _ranking(result, target)
    booked = modality in ranking.booked
    if modality in ranking.for_target:
        rank = ranking.for_target.index(modality) + 1
        above = tuple(ranking.for_target[: rank - 1])
        own = next(r for r in result["recommended"] if r["modality"] == modality)
        # The planner's own words for where it placed the modality (when it gives them).
        note = ": ".join(str(own[key]) for key in ("tier", "line") if own.get(key))
        if rank <= TOP:
            note = ""
        return Row(entry["id"], modality, target, rank, booked, above, note)
    if modality in ranking.excluded:
        note = "excluded: " + "; ".join(ranking.excluded[modality])
    else:
        note = f"not recommended for {target}"
    return Row(entry["id"], modality, target, None, booked, tuple(ranking.for_target), note)


def agreement(
    cases: list[dict[str, Any]], knowledge: KnowledgeBase | None = None
) -> tuple[float, float, list[Row]]:
    """(top-3 share, booked share, one row per entry) for the given published entries."""
    knowledge = knowledge if knowledge is not None else _shipped_knowledge()
    rows = [evaluate(entry, knowledge) for entry in cases]
    if not rows:
        return 0.0, 0.0, rows
    top3 = sum(row.top3 for row in rows) / len(rows)
    booked = sum(row.booked for row in rows) / len(rows)
    return top3, booked, rows


def format_table(top3: float, booked: float, rows: list[Row]) -> str:
    """A plain-text report: one line per entry, then the two shares."""
    width = max((len(row.id) for row in rows), default=2)
    lines = [f"{'id':<{width}}  {'modality':<22} {'target':<8} rank  booked  why not top 3"]
    for row in rows:
        rank = str(row.rank) if row.rank is not None else "-"
        booked_text = "yes" if row.booked else "no"
        detail = ""
        if not row.top3 and row.above:
            label = "above" if row.rank is not None else f"ranking for {row.target}"
            detail = f"{label}: {', '.join(row.above)}"
        if row.note:
            detail = f"{row.note} | {detail}" if detail else row.note
        lines.append(
            f"{row.id:<{width}}  {row.modality:<22} {row.target:<8} {rank:>4}  {booked_text:<6}  "
            f"{detail}"
        )
    lines.append(
        f"top {TOP}: {sum(r.top3 for r in rows)}/{len(rows)} = {top3:.1%}  "
        f"(goal {GOAL_TOP3:.0%});  booked: {sum(r.booked for r in rows)}/{len(rows)} = {booked:.1%}"
    )
    return "\n".join(lines)


# --- tests -----------------------------------------------------------------------------------


def test_published_modality_is_in_the_top_three(knowledge: KnowledgeBase) -> None:
    top3, booked, rows = agreement(load_cases(), knowledge)
    table = format_table(top3, booked, rows)
    print("\n" + table)
    assert top3 >= GOAL_TOP3, "\n" + table
