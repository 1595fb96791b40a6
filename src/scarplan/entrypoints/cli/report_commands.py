"""`scarplan report CASE -o FILE.pdf|.html`: the patient report (or clinician summary)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from scarplan.bootstrap import bootstrap
from scarplan.entrypoints.cli.console import out
from scarplan.services.reports import case_report, report_format, variant_named, write_report


def report(
    case: Path = typer.Argument(..., metavar="CASE", help="Case file (YAML or JSON)."),
    output: Path = typer.Option(
        ..., "--output", "-o", help="Where to write it: FILE.pdf or FILE.html."
    ),
    variant: str = typer.Option(
        "patient",
        "--variant",
        help="patient (plain words, to hand out) or clinician (scores, parameters, codes).",
    ),
) -> None:
    """Report: the assessment explained, the plan with its reasons, timeline, aftercare, home
    routine, costs and sources; as PDF or self-contained HTML."""
    kind = report_format(output)  # a wrong suffix is refused before any work
    chosen = variant_named(variant)
    container = bootstrap()
    content = case_report(case, container.knowledge, container.settings, date.today(), chosen)
    size = write_report(content, output)
    out.print(f"Wrote the {chosen.value} report ({kind.upper()}, {size:,} bytes) to {output}")
