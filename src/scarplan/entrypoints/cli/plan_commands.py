"""`scarplan plan CASE`: recommendations, exclusions, a session calendar and totals."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from scarplan.bootstrap import bootstrap
from scarplan.domain.errors import InfeasibleError
from scarplan.entrypoints.cli.console import out, print_json
from scarplan.entrypoints.cli.routine_commands import render_stops
from scarplan.services.assessment import NOTICE
from scarplan.services.homecare import plan_file_json


def plan(
    case: Path = typer.Argument(..., metavar="CASE", help="Case file (YAML or JSON)."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON contract."),
) -> None:
    """Plan treatment: safe recommendations, a sequenced schedule, cost and cautions."""
    container = bootstrap()
    try:
        data = plan_file_json(case, container.knowledge, container.settings, date.today())
    except InfeasibleError as error:
        if as_json:
            print_json(
                {
                    "error": error.message,
                    "conflicts": [
                        {"constraint": c.constraint, "detail": c.detail, "relax": c.relax}
                        for c in error.conflicts
                    ],
                    "notice": NOTICE,
                }
            )
        raise
    if as_json:
        print_json(data)
        return
    render_plan(data)


def _money(value: dict[str, Any] | None) -> str:
    """An amount, with its range and source where it is a published estimate."""
    if not value:
        return "no price"
    text = f"{value['amount']:,.2f} {value['currency']}"
    if value.get("min") is not None and value.get("max") is not None:
        text += f" (estimate {value['min']:,.0f}-{value['max']:,.0f})"
    elif value.get("source") == "clinic":
        text += " (clinic)"
    return text


def _render_lesion_groups(data: dict[str, Any]) -> None:
    if not data["lesion_groups"]:
        return
    out.print("[bold]Each lesion group and what treats it[/]")
    causes = {
        (item["modality"], reason): cause
        for item in data["excluded"]
        for reason, cause in zip(item["reasons"], item.get("causes") or [], strict=False)
        if cause and cause != reason
    }
    for group in data["lesion_groups"]:
        parts = [group["technique"] or "no scar-by-scar technique"]
        if group["field"]:
            parts.append(f"field {group['field']}")
        parts.extend(f"then {m}" for m in group["then"])
        out.print(
            f"- {group['region']}: {group['count']} {group['label']} -> {'; '.join(parts)}",
            markup=False,
        )
        out.print(f"   why: {group['reason']} [{', '.join(group['sources'])}]", markup=False)
        # Each reason once; in a few words where the "Not possible now" table states it.
        grouped: dict[str, list[str]] = {}
        for blocked in group["not_possible"]:
            reason = causes.get((blocked["modality"], blocked["reason"]), blocked["reason"])
            grouped.setdefault(reason, []).append(blocked["modality"])
        for reason, modalities in grouped.items():
            out.print(f"   not possible now: {', '.join(modalities)}: {reason}", markup=False)


def _render_cautions(data: dict[str, Any]) -> None:
    """Each caution once, naming the procedures it concerns (plans stored before the plan-level
    list: gathered from the recommendations)."""
    cautions = data.get("cautions") or [
        {
            "text": text,
            "procedures": [r["modality"] for r in data["recommended"] if text in r["cautions"]],
        }
        for text in dict.fromkeys(c for r in data["recommended"] for c in r["cautions"])
    ]
    for caution in cautions:
        out.print(f"[yellow]caution[/] ({', '.join(caution['procedures'])}): {caution['text']}")


def render_plan(data: dict[str, Any]) -> None:
    skin = data["fitzpatrick"] or "unknown"
    out.print(
        f"[bold]Plan for {data['patient_id']}[/] from {data['start_date']} (Fitzpatrick {skin})"
    )
    _render_lesion_groups(data)
    out.print("[bold]Recommended, best first[/]")
    for rank, item in enumerate(data["recommended"], start=1):
        status = (
            "[green]in plan[/]" if item["in_plan"] else f"not in plan: {item['not_in_plan_reason']}"
        )
        out.print(
            f"{rank}. [bold]{item['modality']}[/] for {', '.join(item['targets'])} "
            f"({item['line']}; benefit score {item['score']}); {status}"
        )
        for reason in item["reasons"]:
            out.print(f"   why: {reason}", markup=False)
        for expected in item["expected"][:2]:
            out.print(
                f"   expect: {expected['text']} [{', '.join(expected['sources'])}]", markup=False
            )
    _render_cautions(data)
    if data["excluded"]:
        # Each reason once, with the procedures it keeps out (a pregnancy rule touches all).
        grouped: dict[tuple[str, ...], list[str]] = {}
        for item in data["excluded"]:
            grouped.setdefault(tuple(item["reasons"]), []).append(item["modality"])
        excluded = Table(title="Not possible now", title_justify="left")
        excluded.add_column("procedures", overflow="fold")
        excluded.add_column("reasons", overflow="fold")
        for reasons, modalities in grouped.items():
            excluded.add_row(", ".join(modalities), "\n".join(reasons))
        out.print(excluded)
    if data["sessions"]:
        calendar = Table(title="Session calendar", title_justify="left")
        for column in ("date", "procedure", "session", "regions", "downtime", "cost"):
            if column in ("regions", "cost"):
                calendar.add_column(column, min_width=10, overflow="fold")
            else:
                calendar.add_column(column, no_wrap=True)
        for session in data["sessions"]:
            calendar.add_row(
                session["date"],
                session["modality"],
                f"{session['number']} of {session['of']}",
                ", ".join(session["regions"]),
                f"{session['downtime_days']} days",
                _money(session["cost"]),
            )
        out.print(calendar)
        total = data["total_cost"]
        missing = f" (without {', '.join(total['unpriced'])})" if total["unpriced"] else ""
        budget = f"; budget {_money(data['budget'])}" if data["budget"] else ""
        if data["budget"] and not data.get("budget_checked", True):
            budget += " (not checked: another currency)"
        out.print(f"Total {_money(total)}{missing}{budget}; last session {data['end_date']}")
        for item in data["preparations"]:
            before = ", ".join(item["before"])
            if item["kind"] == "test":
                out.print(
                    f"Before {before}: {item['what']}, on {item['date']}, read {item['until']}",
                    markup=False,
                )
            else:
                out.print(f"Before {before}: {item['what']}, from {item['date']}", markup=False)
        for review in data["reviews"]:
            out.print(f"Re-assessment {review['date']}: {review['after']}, {review['reason']}")
    else:
        out.print("[bold]No procedure can be scheduled now.[/]")
    for note in data["notes"]:
        out.print(f"[yellow]![/] {note}", markup=True)
    if data["routine"]:
        out.print("[bold]Home care[/] (full calendar: scarplan routine CASE)")
        render_stops(data["routine"])
        for slot in ("am", "pm"):
            names = ", ".join(step["name"] for step in data["routine"][slot])
            out.print(f"  {slot.upper()}: {names}")
    out.print(f"[dim]{data['notice']}[/]")
