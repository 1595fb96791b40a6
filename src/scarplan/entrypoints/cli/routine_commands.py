"""`scarplan routine CASE`: the AM/PM routine, its dated calendar and its checks."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from scarplan.bootstrap import bootstrap
from scarplan.entrypoints.cli.console import out, print_json
from scarplan.services.homecare import routine_file, routine_json


def routine(
    case: Path = typer.Argument(..., metavar="CASE", help="Case file (YAML or JSON)."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON contract."),
) -> None:
    """Home care: AM/PM routine that knows the plan, titration and pauses, checks, prevention."""
    container = bootstrap()
    result, notes = routine_file(case, container.knowledge, container.settings, date.today())
    data = routine_json(result, notes)
    if as_json:
        print_json(data)
        return
    render_routine(data)


def render_stops(data: dict[str, Any]) -> None:
    """An agent the patient uses now and must stop: first, in red, with why."""
    for item in data["left_out"]:
        if item.get("stop_now"):
            out.print(f"[bold red]{item['stop_now']}[/]", highlight=False)
            out.print(f"  why: {item['reason']} [{', '.join(item['sources'])}]", markup=False)


def render_routine(data: dict[str, Any]) -> None:
    out.print(f"[bold]Home-care routine[/] from {data['start_date']}")
    render_stops(data)
    for slot in ("am", "pm"):
        table = Table(title="Morning" if slot == "am" else "Evening", title_justify="left")
        for column in ("step", "product", "strength", "how much", "how often", "why"):
            table.add_column(column, overflow="fold")
        for number, step in enumerate(data[slot], start=1):
            why = step["why"][0]["text"] if step["why"] else ""
            table.add_row(
                str(number),
                step["name"],
                step["strength"],
                step["dose"],
                step["frequency"],
                why,
            )
        out.print(table)
    calendar = Table(title="Calendar", title_justify="left")
    for column in ("date", "until", "what"):
        calendar.add_column(column, overflow="fold")
    for entry in data["calendar"]:
        calendar.add_row(entry["date"], entry["until"] or "", entry["text"])
    out.print(calendar)
    for check in data["checks"]:
        out.print(f"[yellow]check ({check['kind']}):[/] {check['message']}")
        out.print(f"  what to do: {check['resolution']}", markup=False)
    for item in data["left_out"]:
        if not item.get("stop_now"):
            out.print(f"[yellow]left out:[/] {item['agent']}: {item['reason']}")
    for referral in data["referral"]:
        out.print(f"[bold red]refer:[/] {referral['text']}")
    for advice in data["advice"]:
        out.print(f"[bold]{advice['topic']}[/]")
        for item in advice["items"]:
            out.print(f"  - {item['text']}", markup=False)
    for note in data["notes"]:
        out.print(f"[yellow]![/] {note}")
    out.print(f"[dim]{data['notice']}[/]")
