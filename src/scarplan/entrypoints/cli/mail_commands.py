"""`scarplan mail send|remind|status`: the e-mail outbox, for cron or a look by the operator."""

from __future__ import annotations

from dataclasses import asdict

import typer

from scarplan.adapters.db import upgrade
from scarplan.bootstrap import bootstrap
from scarplan.entrypoints.cli.console import out, print_json
from scarplan.services.clinic.accounts.mail_outbox import outbox_status, send_queued
from scarplan.services.clinic.calendar.reminders import queue_due_reminders
from scarplan.services.clinic.core.context import Clinic

app = typer.Typer(
    help="E-mail: deliver the outbox, queue due reminders, show the outbox.", no_args_is_help=True
)


def _clinic() -> Clinic:
    container = bootstrap()
    upgrade(container.engine)
    return container.clinic


@app.command("send")
def send() -> None:
    """Deliver the queued e-mails that are due, once (failures are retried on a later pass)."""
    report = send_queued(_clinic())
    out.print(f"Sent {report.sent}; failed {report.failed} (given up: {report.gave_up}).")


@app.command("remind")
def remind() -> None:
    """Queue the reminders due today (each is queued once, however often this runs)."""
    queued = queue_due_reminders(_clinic())
    out.print(f"Queued {queued} reminder(s).")


@app.command("status")
def status(as_json: bool = typer.Option(False, "--json", help="JSON output.")) -> None:
    """Counts of queued, sent and failed e-mails and the last delivery error."""
    found = outbox_status(_clinic())
    if as_json:
        print_json(asdict(found))
        return
    if not found.smtp_configured:
        out.print("No mail server is configured (SCARPLAN_SMTP_HOST): e-mails stay queued.")
    out.print(
        f"queued {found.queued} (retrying {found.retrying}), sent {found.sent}, "
        f"failed {found.failed}"
    )
    if found.oldest_queued_at is not None:
        out.print(f"oldest queued since {found.oldest_queued_at:%Y-%m-%d %H:%M} UTC")
    if found.last_error:
        out.print(f"last error: {found.last_error}", markup=False)
