"""Reports rendered for real: a PDF for every example case, read back with Poppler's pdftotext
and pdfinfo; the HTML checked for its structure (sections, links, charts), not a snapshot."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from scarplan.adapters.casefile import read_case_file
from scarplan.adapters.reports.content import LesionGroup, ReportContent, Variant
from scarplan.adapters.reports.render import render_html
from scarplan.assessment import assess_case
from scarplan.domain.errors import InputError
from scarplan.knowledge import KnowledgeBase
from scarplan.planning.document import read_plan_document
from scarplan.services.assessment import NOTICE, assessment_json
from scarplan.services.demo_case import demo_cases_dir
from scarplan.services.report_content import ReportInputs, build_report
from scarplan.services.reports import (
    case_plan_documents,
    case_report,
    rendered,
    report_format,
    variant_named,
    write_report,
)
from scarplan.settings import Settings

# On or after every example's assessment date (punched-out, teenager and history: 1 Dec 2026).
TODAY = date(2026, 12, 1)
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
        "Each group of scars and what treats it",
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
    # Two face maps (scars by grade, scar groups by treatment): ten regions each, plus the head
    # outline and the eyes.
    assert page.paths == 2 * 12
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


# Issue 19: what treats each lesion group. Narrow ice picks on the right cheek, wide (2.8 mm)
# punched-out ones on the left; by techniques.yaml, ice pick scars under 2 mm wide get TCA CROSS
# first (ice_pick_narrow), 2-3.5 mm wide ones punch excision first (ice_pick_wide).
PUNCHED_OUT = """\
scarplan_case: 1
patient:
  id: EX-19
  age_years: 38
  sex: male
  fitzpatrick: II
  active_acne: none
preferences:
  start_date: 2027-02-01{limit}
assessment:
  date: 2026-11-20
  lesions:
    - {{region: cheek_right, type: ice_pick, count: 11, width_mm: 0.9, depth_mm: 1.2}}
    - {{region: cheek_left, type: ice_pick, count: 3, width_mm: 2.8, depth_mm: 2.2}}
"""


def punched_out(
    knowledge: KnowledgeBase, tmp_path: Path, variant: Variant, downtime: int | None = None
) -> ReportContent:
    limit = f"\n  max_downtime_days: {downtime}" if downtime is not None else ""
    case = tmp_path / "punched-out.yaml"
    case.write_text(PUNCHED_OUT.format(limit=limit), encoding="utf-8")
    return case_report(case, knowledge, Settings(), TODAY, variant)


def group_in(content: ReportContent, region: str) -> LesionGroup:
    (group,) = [g for g in content.lesion_groups if g.region == region]
    return group


def visits(content: ReportContent, modality: str) -> int:
    return sum(1 for s in content.sessions if s.modality == modality)


def section_text(html: str, heading_id: str) -> str:
    """The visible text of the section a heading id opens, whitespace collapsed."""
    start = html.index(f'id="{heading_id}"')
    end = html.index("</section>", start)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html[start:end])).split())


def cited_ids(content: ReportContent, refs: tuple[int, ...]) -> set[str]:
    return {s.id for s in content.sources if s.number in refs}


def test_the_patient_report_says_in_plain_words_what_treats_each_scar_group(
    knowledge: KnowledgeBase, tmp_path: Path
) -> None:
    content = punched_out(knowledge, tmp_path, Variant.PATIENT)
    narrow, wide = group_in(content, "cheek_right"), group_in(content, "cheek_left")
    assert [g.number for g in content.lesion_groups] == [1, 2]
    assert narrow.technique is not None
    assert narrow.technique.name == "TCA CROSS"
    assert wide.technique is not None
    assert wide.technique.name == "Punch excision"
    # The visits are the plan's own sessions of the technique.
    crosses = visits(content, "tca_cross")
    assert crosses >= 1
    assert narrow.plain.startswith(
        "Your right cheek: 11 narrow ice pick scars — TCA CROSS, a few drops of strong acid "
        f"pressed into each scar, {crosses} visit"
    )
    assert wide.plain.startswith("Your left cheek: 3 wide punched-out ice pick scars — Punch")
    # The reasons are cited with the report's numbers, from the rules' sources.
    assert {"FABB2010", "KHUNGER2011"} <= cited_ids(content, narrow.reason.refs)
    assert {"HEBER", "ACNEORG-PUNCH"} <= cited_ids(content, wide.reason.refs)

    html = render_html(content)
    text = section_text(html, "groups-h")
    assert narrow.plain in text
    assert wide.plain in text
    assert f"[{','.join(str(n) for n in narrow.reason.refs)}]" in text.replace(" ", "")
    assert "field" not in text.lower()
    # The map numbers the groups as the list does, on their regions.
    assert "Right cheek: group 1" in html
    assert "Left cheek: group 2" in html
    # Re-assessment visits are listed with the sessions.
    assert content.reviews
    timeline = section_text(html, "timeline-h")
    assert "Re-assessment visits" in timeline
    for review in content.reviews:
        assert review.reason in timeline


def test_the_clinician_summary_tabulates_each_groups_technique(
    knowledge: KnowledgeBase, tmp_path: Path
) -> None:
    content = punched_out(knowledge, tmp_path, Variant.CLINICIAN)
    html = render_html(content)
    text = section_text(html, "groups-h")
    crosses = visits(content, "tca_cross")
    assert (
        f"1 Right cheek 11 narrow ice pick scars TCA CROSS {crosses} session"
        f"{'s' if crosses != 1 else ''}"
    ) in text
    assert "2 Left cheek 3 wide punched-out ice pick scars Punch excision 1 session" in text
    assert "Right cheek, narrow ice pick scars: Narrow (under 2 mm)" in text
    sessions = section_text(html, "sessions-h")
    assert "Re-assessment visits" in sessions
    assert "after TCA CROSS session" in sessions


def test_a_technique_the_patient_cannot_have_now_is_named_with_its_reason(
    knowledge: KnowledgeBase, tmp_path: Path
) -> None:
    # A 9-day downtime limit: punch excision (up to 10 days) is out, punch grafting (7 days),
    # the wide ice picks' next technique, is not.
    content = punched_out(knowledge, tmp_path, Variant.CLINICIAN, downtime=9)
    wide = group_in(content, "cheek_left")
    assert wide.technique is not None
    assert wide.technique.name == "Punch grafting"
    assert [n.modality for n in wide.not_possible] == ["punch_excision"]
    assert "9 days" in wide.not_possible[0].reason
    text = section_text(render_html(content), "groups-h")
    assert f"Not possible now: Punch excision: {wide.not_possible[0].reason}" in text
    patient = punched_out(knowledge, tmp_path, Variant.PATIENT, downtime=9)
    assert "Not possible for you now: Punch excision (" in section_text(
        render_html(patient), "groups-h"
    )


def test_a_plan_made_before_lesion_groups_has_no_group_section(
    knowledge: KnowledgeBase, tmp_path: Path
) -> None:
    punched_out(knowledge, tmp_path, Variant.PATIENT)
    case = read_case_file(tmp_path / "punched-out.yaml", TODAY)
    plan, problems, routine = case_plan_documents(case, knowledge, Settings(), TODAY)
    assert plan is not None
    stored = plan.model_dump(mode="json")
    version_1 = read_plan_document(
        {k: v for k, v in stored.items() if k not in ("lesion_groups", "reviews")}
    )
    for variant in Variant:
        content = build_report(
            ReportInputs(
                case=case,
                subject="case EX-19",
                assessment=assessment_json(assess_case(case, knowledge)),
                plan=version_1,
                plan_problem=problems,
                routine=routine,
                performed=(),
                today=TODAY,
            ),
            knowledge,
            variant,
        )
        assert content.lesion_groups == ()
        assert content.reviews == ()
        html = render_html(content)
        assert 'id="groups-h"' not in html
        assert "Re-assessment visits" not in html
        assert content.sessions
