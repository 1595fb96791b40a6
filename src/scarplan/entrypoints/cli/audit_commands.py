"""`scarplan audit verify`: prove the audit trail unbroken, or name its first bad entry."""

from __future__ import annotations

from pathlib import Path

import typer

from scarplan.adapters.db.audit_chain import ChainReport
from scarplan.adapters.db.backup.manifest import read_anchor
from scarplan.bootstrap import bootstrap
from scarplan.entrypoints.cli.console import EXIT_FAILURE, err, out, print_json
from scarplan.services.clinic.core.audit_verify import verify_trail

app = typer.Typer(help="The audit trail: who read or changed which record.", no_args_is_help=True)


def describe(report: ChainReport) -> str:
    """One line for people: what was proven, or where and how the trail breaks."""
    head = report.head
    if report.bad is None:
        last = "no entries yet" if head.last_id is None else f"head entry {head.last_id}"
        return (
            f"The audit trail is unbroken: {head.entries} entries, {last}, hash {head.last_hash}."
        )
    bad = report.bad
    where = "" if bad.at is None else f" ({bad.at.isoformat(timespec='seconds')})"
    return f"The audit trail is broken at entry {bad.id}{where}: {bad.flaw.value}: {bad.message}."


def as_json(report: ChainReport) -> dict[str, object]:
    bad = report.bad
    return {
        "intact": report.intact,
        "entries": report.head.entries,
        "head": {"id": report.head.last_id, "hash": report.head.last_hash},
        "first_bad": None
        if bad is None
        else {
            "id": bad.id,
            "at": None if bad.at is None else bad.at.isoformat(),
            "flaw": bad.flaw.value,
            "message": bad.message,
        },
    }


@app.command("verify")
def verify(
    anchor: Path | None = typer.Option(
        None,
        "--anchor",
        help="A backup (or its .manifest.json): its recorded head must still be in the trail, "
        "unchanged.",
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Recompute every entry's hash and link; exit 1 naming the first bad entry."""
    head = None if anchor is None else read_anchor(anchor)
    container = bootstrap()
    try:
        report = verify_trail(container.clinic.uow, head)
    finally:
        container.engine.dispose()  # nothing left open: a restore may follow in this process
    if json_output:
        print_json(as_json(report))
    elif report.intact:
        out.print(describe(report), markup=False, soft_wrap=True)
    else:
        err.print(describe(report), markup=False)
    if not report.intact:
        raise typer.Exit(EXIT_FAILURE)
