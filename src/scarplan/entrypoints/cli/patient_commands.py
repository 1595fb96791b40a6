"""`scarplan patient invite`: portal invitations from the command line."""

from __future__ import annotations

import typer

from scarplan.adapters.db import upgrade
from scarplan.bootstrap import bootstrap
from scarplan.entrypoints.cli.console import out
from scarplan.services.clinic.accounts.invitations import invite_patient
from scarplan.services.clinic.core.access import Role
from scarplan.services.clinic.core.context import Actor

app = typer.Typer(help="Patients: portal invitations.", no_args_is_help=True)

# The operator acts as the front desk would: inviting is a front-desk permission.
OPERATOR = Actor(None, "cli", Role.STAFF.value, None, "cli", "cli patient invite")


@app.command("invite")
def invite(
    patient: str = typer.Argument(..., help="The patient's id as the app shows it, e.g. P-2001."),
) -> None:
    """E-mail the patient a one-time link to set their portal password (creates the account)."""
    container = bootstrap()
    upgrade(container.engine)
    sent = invite_patient(container.clinic, OPERATOR, patient)
    out.print(
        f"Invitation queued for {sent.full_name} ({sent.patient_code}) to {sent.email}; "
        f"username {sent.username}; the link works until {sent.expires_at:%Y-%m-%d %H:%M} UTC."
    )
