"""Entry point: builds the Typer app and translates errors once."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer

from scarplan import __version__
from scarplan.domain.errors import ScarplanError
from scarplan.entrypoints.cli import (
    assess_commands,
    audit_commands,
    backup_commands,
    config_commands,
    demo_commands,
    fhir_commands,
    kb_commands,
    mail_commands,
    patient_commands,
    plan_commands,
    report_commands,
    routine_commands,
    schedule_commands,
    serve_commands,
    topo_commands,
    user_commands,
)
from scarplan.entrypoints.cli.console import EXIT_BAD_INPUT, EXIT_FAILURE, err, report_error

app = typer.Typer(
    name="scarplan",
    help="Decision support for atrophic acne scars. Supports, never replaces, clinical judgement.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(kb_commands.app, name="kb")
app.add_typer(config_commands.app, name="config")
app.add_typer(user_commands.app, name="user")
app.add_typer(fhir_commands.app, name="fhir")
app.add_typer(topo_commands.app, name="topo")
app.add_typer(audit_commands.app, name="audit")
app.add_typer(mail_commands.app, name="mail")
app.add_typer(patient_commands.app, name="patient")
app.command("demo")(demo_commands.demo)
app.command("assess")(assess_commands.assess)
app.command("schema")(assess_commands.schema)
app.command("plan")(plan_commands.plan)
app.command("routine")(routine_commands.routine)
app.command("report")(report_commands.report)
app.command("serve")(serve_commands.serve)
app.command("backup")(backup_commands.backup)
app.command("restore")(backup_commands.restore)
app.command("schedule")(schedule_commands.schedule)


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
