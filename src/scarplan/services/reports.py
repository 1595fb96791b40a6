"""Report use cases: the patient report (or clinician summary) of a case file, and writing any
report as HTML or PDF by the output file's suffix."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from scarplan.adapters.casefile import read_case_file
from scarplan.adapters.reports.content import ReportContent, Variant
from scarplan.adapters.reports.render import render_html, render_pdf
from scarplan.assessment import assess_case
from scarplan.domain.case import Case
from scarplan.domain.errors import FieldProblem, InfeasibleError, InputError
from scarplan.knowledge import KnowledgeBase
from scarplan.planning.document import PlanDocument
from scarplan.services.assessment import assessment_json
from scarplan.services.homecare import routine_case, routine_for_plan, routine_json
from scarplan.services.planning import plan_case, plan_document
from scarplan.services.report_content import ReportInputs, build_report
from scarplan.settings import Settings

FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html"}


def report_format(path: Path) -> str:
    """'pdf' or 'html' from the output file's suffix; anything else is refused up front."""
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise InputError(
            "unknown report format",
            [FieldProblem("output", f"{path.name} ends in neither .pdf nor .html", "")],
        )
    return found


def variant_named(name: str) -> Variant:
    try:
        return Variant(name)
    except ValueError:
        choices = ", ".join(v.value for v in Variant)
        raise InputError(
            "unknown report variant",
            [FieldProblem("variant", f"{name!r} is not a report variant", f"use one of {choices}")],
        ) from None


def case_plan_documents(
    case: Case, knowledge: KnowledgeBase, settings: Settings, today: date
) -> tuple[PlanDocument | None, list[str], dict[str, Any]]:
    """The plan document and routine (JSON contract) of a case; when no plan can be made, the
    conflicts in words and the routine around no procedure."""
    try:
        plan = plan_case(case, knowledge, settings, today)
    except InfeasibleError as error:
        routine, notes = routine_case(case, knowledge, settings, today)
        problems = [f"{c.constraint}: {c.detail} ({c.relax})" for c in error.conflicts]
        return None, problems or [error.message], routine_json(routine, notes)
    routine_document = routine_json(routine_for_plan(case, plan, knowledge))
    return plan_document(plan, routine_document), [], routine_document


def case_report(
    path: Path, knowledge: KnowledgeBase, settings: Settings, today: date, variant: Variant
) -> ReportContent:
    case = read_case_file(path, today)
    plan, problems, routine = case_plan_documents(case, knowledge, settings, today)
    inputs = ReportInputs(
        case=case,
        subject=f"case {case.patient.id}",
        assessment=assessment_json(assess_case(case, knowledge)),
        plan=plan,
        plan_problem=problems,
        routine=routine,
        performed=(),
        today=today,
    )
    return build_report(inputs, knowledge, variant)


def rendered(content: ReportContent, kind: str) -> bytes:
    html = render_html(content)
    return render_pdf(html) if kind == "pdf" else html.encode("utf-8")


def write_report(content: ReportContent, output: Path) -> int:
    """Write the report as the suffix says (.pdf or .html); returns the bytes written. The file
    appears whole or not at all (written beside it, then renamed)."""
    data = rendered(content, report_format(output))
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(data)
