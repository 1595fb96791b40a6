"""`scarplan fhir export-case|export|import`: FHIR R4 bundles of a case or a stored patient.

The stored-patient commands act with the server operator's authority (they hold the database
anyway) in the clinician role, since a whole record is a clinical read and an import a clinical
write; every export and import is in the audit trail as "cli".
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import typer

from scarplan.adapters.db import upgrade
from scarplan.adapters.fhir import bundle_text
from scarplan.bootstrap import bootstrap
from scarplan.domain.errors import FieldProblem, InputError
from scarplan.entrypoints.cli.console import err, out
from scarplan.services.clinic.core.access import Role
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.exchange.fhir_export import export_patient_bundle, patient_id_for_code
from scarplan.services.clinic.exchange.fhir_import import import_patient_bundle
from scarplan.services.fhir_case import case_bundle

app = typer.Typer(
    help="FHIR R4 bundles: export a case file or a stored patient, import a bundle.",
    no_args_is_help=True,
)

OPERATOR = Actor(None, "cli", Role.CLINICIAN.value, None, "cli", "cli fhir")

OUTPUT = typer.Option(
    None, "-o", "--output", help="File to write; the JSON goes to stdout without."
)


def _clinic() -> Clinic:
    container = bootstrap()
    upgrade(container.engine)
    return container.clinic


def _emit(bundle: dict[str, Any], output: Path | None) -> None:
    text = bundle_text(bundle)
    if output is None:
        sys.stdout.write(text)
        return
    # Written beside the target and renamed into place, readable by its owner only: a bundle
    # is a health record.
    output.parent.mkdir(parents=True, exist_ok=True)
    descriptor, scratch = tempfile.mkstemp(prefix=f".{output.name}-", dir=output.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(scratch, output)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise
    err.print(f"Wrote {len(bundle['entry'])} resources to {output}.", markup=False)


@app.command("export-case")
def export_case(
    case: Path = typer.Argument(..., metavar="CASE", help="Case file (YAML or JSON)."),
    output: Path | None = OUTPUT,
) -> None:
    """A case file's assessment, plan and home routine as a FHIR bundle (no database)."""
    container = bootstrap()
    bundle = case_bundle(
        case, container.knowledge, container.settings, date.today(), container.clock()
    )
    _emit(bundle, output)


@app.command("export")
def export(
    patient: str = typer.Argument(
        ..., metavar="PATIENT_ID", help="The patient's code (the case file's patient.id)."
    ),
    output: Path | None = OUTPUT,
) -> None:
    """Everything stored about a patient as a FHIR bundle, photos included."""
    clinic = _clinic()
    bundle = export_patient_bundle(clinic, OPERATOR, patient_id_for_code(clinic, OPERATOR, patient))
    _emit(bundle, output)


@app.command("import")
def import_(
    bundle: Path = typer.Argument(..., metavar="BUNDLE", help="A bundle from `fhir export`."),
) -> None:
    """Create a patient from a FHIR bundle with their whole record, or nothing at all."""
    try:
        data = bundle.read_bytes()
    except OSError as error:
        problem = FieldProblem(str(bundle), error.strerror or str(error), "check the path")
        raise InputError("cannot read the bundle", [problem]) from None
    report = import_patient_bundle(_clinic(), OPERATOR, data)
    out.print(
        f"Imported patient {report.code} (record {report.patient_id}): "
        f"{report.assessments} assessments, {report.plans} plans, {report.sessions} sessions, "
        f"{report.photos} photos.",
        markup=False,
    )
    for warning in report.warnings:
        err.print(f"warning: {warning}", markup=False)
