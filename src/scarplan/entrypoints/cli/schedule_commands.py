"""`scarplan schedule INSTANCE` and `scarplan schedule generate`.

One command whose first argument is either an instance file or the word `generate`: Typer
cannot give a command both a positional argument and subcommands. (A file named `generate` is
reached as `./generate`.)
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from scarplan.bootstrap import bootstrap
from scarplan.domain.errors import FieldProblem, InputError
from scarplan.entrypoints.cli.console import out, print_json
from scarplan.services.scheduling import (
    generate_instance,
    instance_json,
    load_instance,
    load_previous,
    result_json,
    schedule_instance,
)

GENERATE = "generate"
SHOWN_ROWS = 200


def _misplaced(option: str, mode: str) -> InputError:
    return InputError(
        f"{option} does not apply here",
        [FieldProblem(option, f"only for {mode}", "see scarplan schedule --help")],
    )


def schedule(
    instance: str = typer.Argument(
        ..., metavar="INSTANCE|generate", help="Instance file (JSON), or `generate`."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON contract."),
    time_limit: float | None = typer.Option(
        None, "--time-limit", help="Seconds for the solver (default: settings)."
    ),
    workers: int | None = typer.Option(
        None, "--workers", help="Solver threads (default: settings)."
    ),
    previous: Path | None = typer.Option(
        None, "--previous", help="A previous result (JSON): reschedule, moving as few as can be."
    ),
    patients: int | None = typer.Option(None, "--patients", help="generate: number of patients."),
    seed: int = typer.Option(0, "--seed", help="generate: instance seed; else the solver's."),
    start: str | None = typer.Option(
        None, "--start", help="generate: first day of the horizon (default: today)."
    ),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="generate: write here instead of stdout."
    ),
) -> None:
    """Book sessions on practitioners, devices and rooms, or generate a realistic instance.

    Solve: scarplan schedule INSTANCE [--json] [--previous RESULT.json]

    Generate: scarplan schedule generate --patients N --seed S [-o FILE]
    """
    container = bootstrap()
    if instance == GENERATE:
        solving_only = {"--time-limit": time_limit, "--workers": workers, "--previous": previous}
        for option, given in solving_only.items():
            if given is not None:
                raise _misplaced(option, "solving an instance")
        _generate(container, patients, seed, start, output)
        return
    for name, value in (("--patients", patients), ("--start", start), ("-o", output)):
        if value is not None:
            raise _misplaced(name, "`scarplan schedule generate`")
    parsed = load_instance(Path(instance))
    result = schedule_instance(
        parsed,
        container.knowledge,
        container.settings,
        previous=load_previous(previous) if previous is not None else None,
        time_limit_s=time_limit,
        workers=workers,
        seed=seed,
    )
    data = result_json(result)
    if as_json:
        print_json(data)
    else:
        render_result(data)


def _generate(
    container: Any, patients: int | None, seed: int, start: str | None, output: Path | None
) -> None:
    if patients is None:
        raise InputError(
            "how many patients?", [FieldProblem("--patients", "missing", "e.g. --patients 100")]
        )
    try:
        first = date.fromisoformat(start) if start else date.today()
    except ValueError:
        raise InputError(
            "the start date is invalid",
            [FieldProblem("--start", f"{start!r}", "write a date like 2027-01-04")],
        ) from None
    made = generate_instance(patients, seed, container.knowledge, container.settings, first)
    text = json.dumps(instance_json(made), indent=1) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputError(
            "cannot write the instance",
            [FieldProblem(str(output), error.strerror or str(error), "check the path")],
        ) from None
    out.print(f"wrote {len(made.patients)} patients to {output}")


def render_result(data: dict[str, Any]) -> None:
    objective, bound, stats = data["objective"], data["bound"], data["stats"]
    out.print(
        f"[bold]{data['status']}[/]: {objective['scheduled']} of {stats['sessions']} sessions "
        f"booked (bound {bound['scheduled']}), {objective['deviation_days']} days from the "
        f"ideal dates (bound {bound['deviation_days']}), peak day "
        f"{objective['peak_utilisation_pct']} % booked; {stats['solve_seconds']:.1f} s"
    )
    if objective["moved"] is not None:
        out.print(f"{objective['moved']} previous bookings moved (bound {bound['moved']})")
    table = Table(title="Bookings", title_justify="left")
    for column in ("date", "start", "end", "session", "patient", "practitioner", "device", "room"):
        table.add_column(column, no_wrap=column in ("date", "start", "end"))
    for a in data["assignments"][:SHOWN_ROWS]:
        table.add_row(
            a["date"],
            a["start"],
            a["end"],
            a["session"],
            a["patient"],
            a["practitioner"],
            a["device"] or "",
            a["room"],
        )
    out.print(table)
    hidden = len(data["assignments"]) - SHOWN_ROWS
    if hidden > 0:
        out.print(f"... and {hidden} more (use --json for all)")
    if data["unscheduled"]:
        left = Table(title="Not booked", title_justify="left")
        left.add_column("session")
        left.add_column("reason", overflow="fold")
        for u in data["unscheduled"][:SHOWN_ROWS]:
            left.add_row(u["session"], u["reason"])
        out.print(left)
    for move in data["moves"]:
        what = ", ".join(move["changes"])
        out.print(f"moved {move['session']}: {what}", markup=False)
    for gone in data["cancelled"]:
        out.print(f"cancelled {gone['session']}", markup=False)
