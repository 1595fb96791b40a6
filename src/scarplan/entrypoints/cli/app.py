"""Entry point: builds the Typer app and translates errors once."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import typer
from typer import _click as click  # Typer vendors Click; its group API takes these types
from typer.core import TyperCommand, TyperGroup

from scarplan import __version__
from scarplan.domain.errors import ScarplanError
from scarplan.entrypoints.cli.console import EXIT_BAD_INPUT, EXIT_FAILURE, err, report_error


@dataclass(frozen=True)
class LazyCommand:
    """A command whose module is imported only when it runs or shows its own help.

    The modules pull in the planner (OR-Tools), the 3D analysis (SciPy, pandas) and the PDF
    renderer (WeasyPrint); importing them all made `scarplan --version` take seconds. `summary`
    is the line `scarplan --help` shows; a test holds it equal to the command's own help.
    """

    module: str
    attribute: str
    summary: str

    def load(self, name: str) -> click.Command:
        target: Any = getattr(
            importlib.import_module(f"scarplan.entrypoints.cli.{self.module}"), self.attribute
        )
        if isinstance(target, typer.Typer):
            group = typer.main.get_group(target)
            group.name = name
            return group
        single = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
        single.command(name)(target)
        return typer.main.get_command(single)


COMMANDS: dict[str, LazyCommand] = {
    "kb": LazyCommand("kb_commands", "app", "Validate and browse the clinical knowledge base."),
    "config": LazyCommand("config_commands", "app", "Show the settings in force."),
    "user": LazyCommand(
        "user_commands", "app", "Clinic user accounts: add, list, disable, enable."
    ),
    "fhir": LazyCommand(
        "fhir_commands",
        "app",
        "FHIR R4 bundles: export a case file or a stored patient, import a bundle.",
    ),
    "topo": LazyCommand(
        "topo_commands", "app", "3D skin topography: find, measure and type scars in a height map."
    ),
    "audit": LazyCommand(
        "audit_commands", "app", "The audit trail: who read or changed which record."
    ),
    "mail": LazyCommand(
        "mail_commands", "app", "E-mail: deliver the outbox, queue due reminders, show the outbox."
    ),
    "patient": LazyCommand("patient_commands", "app", "Patients: portal invitations."),
    "research": LazyCommand("research_commands", "app", "Research: the de-identified export."),
    "demo": LazyCommand(
        "demo_commands",
        "demo",
        "Validate the knowledge base, then assess and plan a bundled example case.",
    ),
    "assess": LazyCommand(
        "assess_commands",
        "assess",
        "Type each lesion group and compute Goodman & Baron, ECCA and the skin type.",
    ),
    "schema": LazyCommand(
        "assess_commands", "schema", "Print a JSON Schema (case: the case file, version 1)."
    ),
    "plan": LazyCommand(
        "plan_commands",
        "plan",
        "Plan treatment: safe recommendations, a sequenced schedule, cost and cautions.",
    ),
    "routine": LazyCommand(
        "routine_commands",
        "routine",
        "Home care: AM/PM routine that knows the plan, titration and pauses, checks, prevention.",
    ),
    "report": LazyCommand(
        "report_commands",
        "report",
        "Report: the assessment explained, the plan with its reasons, timeline, aftercare, home "
        "routine, costs and sources; as PDF or self-contained HTML.",
    ),
    "serve": LazyCommand(
        "serve_commands",
        "serve",
        "Serve the clinic web app and the REST API; applies database migrations first.",
    ),
    "worker": LazyCommand(
        "worker_commands",
        "worker",
        "Run queued jobs (3D analyses, optimiser runs) from the PostgreSQL queue until stopped.",
    ),
    "backup": LazyCommand(
        "backup_commands",
        "backup",
        "Back up the whole database (records, photos, audit trail) to one file, while it runs.",
    ),
    "restore": LazyCommand(
        "backup_commands",
        "restore",
        "Replace the whole database with a backup. Stop `scarplan serve` first.",
    ),
    "schedule": LazyCommand(
        "schedule_commands",
        "schedule",
        "Book sessions on practitioners, devices and rooms, or generate a realistic instance.",
    ),
    "migrate": LazyCommand(
        "migrate_commands",
        "migrate",
        "Apply the database migrations this release needs; does nothing when they are applied.",
    ),
}


class LazyGroup(TyperGroup):
    """The root command: lists every command from COMMANDS and imports one only to run it."""

    _listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *COMMANDS]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        lazy = COMMANDS.get(cmd_name)
        if lazy is None:
            return super().get_command(ctx, cmd_name)
        if self._listing:  # the root's help lists the summary without importing the module
            return TyperCommand(cmd_name, help=lazy.summary)
        return lazy.load(cmd_name)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="scarplan",
    cls=LazyGroup,
    help="Decision support for atrophic acne scars. Supports, never replaces, clinical judgement.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"scarplan {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """scarplan: assess, plan, care, track and share atrophic acne scar treatment."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code (0 ok, 2 bad input, 1 unexpected failure)."""
    command = typer.main.get_command(app)
    try:
        result = command.main(
            args=list(argv) if argv is not None else None,
            prog_name="scarplan",
            standalone_mode=False,
        )
    except ScarplanError as error:
        return report_error(error)
    except typer.Exit as exit_:
        return exit_.exit_code
    except typer.Abort:
        err.print("aborted")
        return EXIT_FAILURE
    except typer.TyperException as error:  # usage errors: unknown option, bad argument value
        err.print(f"error: {error.format_message()}", markup=False)
        err.print("Try 'scarplan --help' or 'scarplan COMMAND --help'.", markup=False)
        return EXIT_BAD_INPUT
    return result if isinstance(result, int) else 0


if __name__ == "__main__":  # pragma: no cover - `python -m` convenience
    sys.exit(main())
