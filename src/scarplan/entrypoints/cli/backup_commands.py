"""`scarplan backup PATH` and `scarplan restore PATH --yes`: the whole database in one file."""

from __future__ import annotations

from pathlib import Path

import typer

from scarplan.adapters.db import backup as backups
from scarplan.adapters.db.backup import SchemaState
from scarplan.bootstrap import bootstrap
from scarplan.domain.errors import FieldProblem, InputError
from scarplan.entrypoints.cli.audit_commands import describe
from scarplan.entrypoints.cli.console import EXIT_FAILURE, err, out

MB = 1_000_000
SCHEMA_NOTES = {
    SchemaState.CURRENT: "up to date",
    SchemaState.OLDER: "older than this scarplan's {head}: `scarplan serve` applies the "
    "missing migrations when it starts",
    SchemaState.UNKNOWN: "unknown to this scarplan (newest {head}): the backup comes from a "
    "newer version; upgrade scarplan before serving",
}


def _say(text: str) -> None:
    # soft_wrap: a long path stays on one line, so it can be copied.
    out.print(text, markup=False, soft_wrap=True)


def backup(
    path: Path = typer.Argument(..., help="The file to write, e.g. scarplan-2026-11-21.backup."),
    force: bool = typer.Option(False, "--force", help="Overwrite PATH if it exists."),
) -> None:
    """Back up the whole database (records, photos, audit trail) to one file, while it runs."""
    report = backups.backup(bootstrap().database_url, path, overwrite=force)
    _say(
        f"Backed up the {report.database} database to {report.path}: "
        f"{report.size_bytes / MB:.1f} MB, {sum(report.row_counts.values())} rows in "
        f"{len(report.row_counts)} tables, schema revision {report.revision}, "
        f"{report.seconds:.1f} s. Verified."
    )
    if report.audit_head is not None:
        _say(
            f"Audit trail head: entry {report.audit_head.last_id} of {report.audit_head.entries}, "
            f"hash {report.audit_head.last_hash}; recorded in {report.manifest}: keep it with "
            "the backup."
        )


def restore(
    path: Path = typer.Argument(..., help="A file written by `scarplan backup`."),
    yes: bool = typer.Option(
        False, "--yes", help="Confirm: every record in the database is replaced by the backup's."
    ),
) -> None:
    """Replace the whole database with a backup. Stop `scarplan serve` first."""
    if not yes:
        fix = "add --yes once you are sure; back up the current database first if in doubt"
        raise InputError(
            "a restore replaces every record in the database",
            [FieldProblem("--yes", "is required", fix)],
        )
    report = backups.restore(bootstrap().database_url, path)
    _say(
        f"Restored {report.path} into the {report.database} database: "
        f"{sum(report.row_counts.values())} rows in {len(report.row_counts)} tables, "
        f"{report.seconds:.1f} s."
    )
    note = SCHEMA_NOTES[report.schema].format(head=report.head)
    _say(f"Schema revision {report.revision or 'none'}: {note}.")
    if report.audit is None:
        _say("The audit trail predates its hash chain: `scarplan serve` chains it when migrating.")
        return
    anchored = "checked against the backup's manifest" if report.anchored else "no manifest found"
    if report.audit.intact:
        _say(f"{describe(report.audit)} ({anchored})")
        return
    err.print(f"{describe(report.audit)} ({anchored})", markup=False)
    raise typer.Exit(EXIT_FAILURE)
