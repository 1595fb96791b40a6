"""`scarplan research export`: the de-identified research export from the command line."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from scarplan.adapters.db import upgrade
from scarplan.bootstrap import bootstrap
from scarplan.entrypoints.cli.console import out
from scarplan.services.clinic.core.access import Role
from scarplan.services.clinic.core.context import Actor
from scarplan.services.clinic.exchange.research import Dates, export_research

app = typer.Typer(help="Research: the de-identified export.", no_args_is_help=True)

# The operator acts as a researcher would; the audit trail records the export as the CLI's.
OPERATOR = Actor(None, "cli", Role.RESEARCHER.value, None, "cli", "cli research export")


class DateMode(StrEnum):
    SHIFTED = "shifted"
    YEARS = "years"


@app.command("export")
def export(
    target: Path = typer.Argument(..., help="A new or empty directory to write the export into."),
    dates: DateMode = typer.Option(
        DateMode.SHIFTED,
        help="shifted: each subject's dates move by its own offset; years: years only (HIPAA "
        "Safe Harbor).",
    ),
) -> None:
    """Write the de-identified tables (CSV and Parquet), README.txt and manifest.json, with
    subject ids under the clinic's research salt (kept in the database: the same on every host)."""
    container = bootstrap()
    upgrade(container.engine)
    mode: Dates = "shifted" if dates is DateMode.SHIFTED else "years"
    done = export_research(container.clinic, OPERATOR, target, dates=mode)
    rows = ", ".join(f"{name} {count}" for name, count in done.rows.items())
    out.print(f"Research export ({done.dates} dates) in {done.directory}: {rows}.")
