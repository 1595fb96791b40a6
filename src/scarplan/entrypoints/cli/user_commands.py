"""`scarplan user add/list/disable/enable`: accounts, for whoever runs the server.

The command line acts with the server operator's authority (they hold the database anyway);
every change is still written to the audit trail, as "cli" from "cli". A patient's portal
account is normally made by the patient's invitation (a clinician or the front desk, from the
patient's page); `--role patient` is refused unless the operator says `--without-invitation`,
the documented escape hatch for a clinic that cannot send e-mail.
"""

from __future__ import annotations

import typer

from scarplan.adapters.db import upgrade
from scarplan.bootstrap import bootstrap
from scarplan.domain.errors import FieldProblem, InputError
from scarplan.entrypoints.cli.console import out, print_json
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core.access import Role
from scarplan.services.clinic.core.context import Actor, Clinic

app = typer.Typer(help="Clinic user accounts: add, list, disable, enable.", no_args_is_help=True)

OPERATOR = Actor(None, "cli", Role.ADMIN.value, None, "cli", "cli user")


def _clinic() -> Clinic:
    container = bootstrap()
    upgrade(container.engine)
    return container.clinic


@app.command("add")
def add(
    username: str = typer.Argument(..., help="Lower-case login name."),
    role: Role = typer.Option(Role.CLINICIAN, help="admin, clinician, staff, patient, researcher."),
    full_name: str = typer.Option(..., "--name", help="The person's name."),
    patient_id: int | None = typer.Option(None, help="For the patient role: their patient id."),
    without_invitation: bool = typer.Option(
        False,
        "--without-invitation",
        help="For the patient role only: make the portal account here instead of inviting the "
        "patient from their page (the operator's escape hatch; audited).",
    ),
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="SCARPLAN_NEW_PASSWORD",
        help="At least 10 characters, not a common password, a pattern or the user name "
        "(docs/security.md); prompted for when not given.",
    ),
) -> None:
    """Add a user account."""
    if without_invitation and role != Role.PATIENT:
        raise InputError(
            "the user is invalid",
            [FieldProblem("--without-invitation", "is for --role patient only", "omit it")],
        )
    actor = users.create_user(
        _clinic(),
        username,
        full_name,
        password,
        role.value,
        patient_id=patient_id,
        actor=OPERATOR,
        operator=without_invitation,
    )
    out.print(f"Added {actor.username} ({actor.role}).")


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="JSON output.")) -> None:
    """List user accounts."""
    found = users.list_users(_clinic(), OPERATOR)
    if as_json:
        print_json([vars(u) for u in found])
        return
    for user in found:
        state = "active" if user.active else "disabled"
        link = f" patient {user.patient_id}" if user.patient_id is not None else ""
        out.print(f"{user.username:<24} {user.role:<11} {state}{link}  {user.full_name}")


@app.command("disable")
def disable(username: str = typer.Argument(..., help="Login name.")) -> None:
    """Disable an account: it is signed out everywhere and its API tokens stop working."""
    users.set_active(_clinic(), username, False, OPERATOR)
    out.print(f"Disabled {username}; its sessions and tokens are revoked.")


@app.command("enable")
def enable(username: str = typer.Argument(..., help="Login name.")) -> None:
    """Enable a disabled account again (it must sign in anew)."""
    users.set_active(_clinic(), username, True, OPERATOR)
    out.print(f"Enabled {username}.")
