"""`scarplan config show`: every setting, its value and what it does."""

from __future__ import annotations

from dataclasses import asdict

import typer
from rich.table import Table

from scarplan.entrypoints.cli.console import out, print_json
from scarplan.services.configuration import describe_settings
from scarplan.settings import load_settings

app = typer.Typer(help="Show the settings in force.", no_args_is_help=True)


@app.command("show")
def show(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Show every setting with its value, environment variable and description."""
    rows = describe_settings(load_settings())
    if as_json:
        print_json([asdict(row) for row in rows])
        return
    table = Table(title="scarplan settings", show_lines=True)
    for column in ("setting", "value", "env", "description"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row.setting, str(row.value), row.env, row.description)
    out.print(table)
