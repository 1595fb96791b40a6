"""HTML and PDF of a report from the same templates: the HTML is self-contained (inline CSS
and SVG, no external files), and WeasyPrint lays the same HTML out on A4 pages."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from scarplan.adapters.presentation.face_map import (
    EYES,
    FACE_ORDER,
    FACE_SHAPES,
    GRADE_COLOURS,
    HEAD_OUTLINE,
    VIEW_BOX,
)
from scarplan.adapters.presentation.wording import day, label, money
from scarplan.adapters.reports.content import ReportContent, Variant
from scarplan.adapters.reports.timeline import build_timeline

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE_OF = {Variant.PATIENT: "patient.html", Variant.CLINICIAN: "clinician.html"}


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(label=label, money=money, day=day)
    env.globals.update(
        face_shapes=FACE_SHAPES,
        face_order=FACE_ORDER,
        face_head=HEAD_OUTLINE,
        face_eyes=EYES,
        view_box=VIEW_BOX,
        grade_colours=GRADE_COLOURS,
        stylesheet=(TEMPLATES / "report.css").read_text(encoding="utf-8"),
    )
    return env


def render_html(content: ReportContent) -> str:
    """The report as one HTML document."""
    template = _environment().get_template(TEMPLATE_OF[content.variant])
    return template.render(
        content=content,
        timeline=build_timeline(content.sessions, content.avoid),
        grades=content.grades,
    )


def render_pdf(html: str) -> bytes:
    """A4 pages of the report's HTML."""
    # A heavy import (Pango through cffi), made only when a PDF is asked for.
    from weasyprint import HTML  # noqa: PLC0415

    pdf: bytes = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    return pdf
