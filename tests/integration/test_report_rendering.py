"""Reports rendered for real: a PDF for every example case, read back with Poppler's pdftotext
and pdfinfo; the HTML checked for its structure (sections, links, charts), not a snapshot."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from scarplan.adapters.reports.content import ReportContent, Variant
from scarplan.domain.errors import InputError
from scarplan.knowledge import KnowledgeBase
from scarplan.services.assessment import NOTICE
from scarplan.services.demo import demo_cases_dir
from scarplan.services.reports import (
    case_report,
    rendered,
    report_format,
    variant_named,
    write_report,
)
from scarplan.settings import Settings

TODAY = date(2026, 11, 21)
CASES = sorted(p.name for p in demo_cases_dir().glob("*.yaml"))


def pdf_text(path: Path) -> str:
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True).stdout
    return " ".join(text.decode("utf-8").split())


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True).stdout
    found = re.search(r"^Pages:\s+(\d+)", info.decode(), re.M)
    assert found is not None
    return int(found.group(1))


def content_of(knowledge: KnowledgeBase, name: str, variant: Variant) -> ReportContent:
    return case_report(demo_cases_dir() / name, knowledge, Settings(), TODAY, variant)


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("variant", list(Variant))
def test_every_example_renders_a_readable_pdf(
    knowledge: KnowledgeBase, tmp_path: Path, name: str, variant: Variant
) -> None:
    content = content_of(knowledge, name, variant)
    output = tmp_path / f"{name}.pdf"
    write_report(content, output)

    text = pdf_text(output)
    assert output.read_bytes().startswith(b"%PDF-")
    assert 2 <= pdf_pages(output) <= 30
    # The notice in full, and the page footer on every page.
    assert " ".join(NOTICE.split()) in text
    assert text.count("not a promise of results") == pdf_pages(output)
    for scar_type in content.scar_types:
        assert f"{scar_type.name}: {scar_type.count}" in text
    for score in content.scores:  # names wrap inside table cells; the values do not
        assert score.value in text
    assert "Sources" in text
    title = "Clinician summary" if variant is Variant.CLINICIAN else "Your acne scar treatment plan"
    assert text.startswith(title)


def test_the_mixed_pdf_shows_the_plan_dates_costs_and_aftercare(
    knowledge: KnowledgeBase, tmp_path: Path
) -> None:
    content = content_of(knowledge, "mixed.yaml", Variant.PATIENT)
    output = tmp_path / "mixed.pdf"
    write_report(content, output)
    text = pdf_text(output)
    # The first session is on the start date the patient asked for (11 Jan 2027).
    assert "11 Jan 2027" in text
    for section in ("Timeline", "Downtime and aftercare", "Your home routine", "Costs"):
        assert section in text
    for procedure in content.procedures:
        assert procedure.name in text
    assert "Budget: USD 4,000" in text


class Structure(HTMLParser):
    """Collects ids, in-page links, section headings and SVG shapes."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.headings: list[str] = []
        self.rects = 0
        self.paths = 0
        self._in_h2 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "a" and str(found.get("href", "")).startswith("#"):
            self.links.append(str(found["href"])[1:])
        self._in_h2 = tag == "h2"
        self.rects += tag == "rect"
        self.paths += tag == "path"

    def handle_data(self, data: str) -> None:
        if self._in_h2 and data.strip():
            self.headings.append(data.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self._in_h2 = False


def test_the_html_report_is_whole_and_its_links_resolve(knowledge: KnowledgeBase) -> None:
    content = content_of(knowledge, "mixed.yaml", Variant.PATIENT)
    html = rendered(content, "html").decode("utf-8")
    page = Structure()
    page.feed(html)

    assert page.headings == [
        "Your scars",
        "How severe they are: the scores",
        "The recommended plan",
        "Timeline",
        "Downtime and aftercare",
        "Your home routine",
        "Preventing new scars, and everyday care",
        "Costs",
        "Other options we looked at",
        "Sources",
    ]
    assert page.links
    assert set(page.links) <= page.ids
    # Each session is drawn twice on the timeline (its day and its downtime); dates to avoid
    # add one shaded column each.
    assert page.rects == 2 * len(content.sessions) + len(content.avoid)
    # Ten face-map regions plus the head outline and the eyes.
    assert page.paths == 12
    # Self-contained: no outside files.
    assert "<link" not in html
    assert "src=" not in html


def test_bad_output_suffix_and_variant_name_the_field(tmp_path: Path) -> None:
    with pytest.raises(InputError) as suffix:
        report_format(tmp_path / "out.docx")
    with pytest.raises(InputError) as variant:
        variant_named("doctor")
    assert [p.path for p in suffix.value.problems] == ["output"]
    assert [p.path for p in variant.value.problems] == ["variant"]
