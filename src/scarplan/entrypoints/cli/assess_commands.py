"""`scarplan assess CASE` and `scarplan schema case`."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from scarplan.adapters.casefile import case_json_schema
from scarplan.bootstrap import bootstrap
from scarplan.entrypoints.cli.console import out, print_json
from scarplan.services.assessment import NOTICE, assess_file, assessment_json


def assess(
    case: Path = typer.Argument(..., metavar="CASE", help="Case file (YAML or JSON)."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON contract."),
) -> None:
    """Type each lesion group and compute Goodman & Baron, ECCA and the skin type."""
    container = bootstrap()
    result = assess_file(case, container.knowledge, date.today())
    data = assessment_json(result)
    if as_json:
        print_json(data)
        return
    render_assessment(data)


def render_assessment(data: dict[str, Any]) -> None:
    out.print(f"[bold]Assessment of {data['patient_id']}[/] on {data['assessment_date']}")
    fitz = data["fitzpatrick_detail"]
    out.print(f"Fitzpatrick skin type: {data['fitzpatrick'] or 'unknown'} ({fitz['source']})")
    table = Table(title="Lesion groups", title_justify="left")
    for column in ("#", "region", "type", "count", "typed by", "confidence"):
        table.add_column(column)
    for lesion in data["lesions"]:
        table.add_row(
            str(lesion["index"]),
            lesion["region"],
            lesion["type"],
            str(lesion["count"]),
            lesion["type_source"],
            lesion["confidence"] or "",
        )
    if data["lesions"]:
        out.print(table)
    for marks in data.get("macular", []):
        colour = f" ({marks['colour']})" if marks.get("colour") else ""
        out.print(f"Flat (macular) marks: {marks['region']}, {marks['count']}{colour}")
    gb = data["goodman_baron"]
    scores = Table(title="Scales", title_justify="left")
    scores.add_column("scale")
    scores.add_column("result")
    scores.add_column("how")
    regions = ", ".join(f"{r} {g}" for r, g in gb["qualitative_by_region"].items())
    scores.add_row("Goodman & Baron qualitative", f"grade {gb['qualitative_grade']}", regions)
    scores.add_row(
        "Goodman & Baron quantitative",
        f"{gb['quantitative_score']} / {gb['quantitative_max']}",
        " + ".join(
            f"{i['points']}x{i['multiplier']} ({i['count']} {i['category']})"
            for i in gb["quantitative_items"]
        ),
    )
    scores.add_row(
        "ECCA",
        f"{data['ecca']} / {data['ecca_detail']['max']}",
        " + ".join(
            f"{i['weight']}x{i['count_score']} ({i['count']} {i['item']})"
            for i in data["ecca_detail"]["items"]
            if i["count"]
        ),
    )
    out.print(scores)
    for warning in data["warnings"]:
        out.print(f"[yellow]![/] {warning}", markup=True)
    out.print(f"[dim]Sources: {', '.join(data['sources'])}. {NOTICE}[/]")


class SchemaName(StrEnum):
    CASE = "case"


def schema(name: SchemaName = typer.Argument(..., help="Which schema: case.")) -> None:
    """Print a JSON Schema (case: the case file, version 1)."""
    sys.stdout.write(json.dumps(case_json_schema(), indent=2) + "\n")
