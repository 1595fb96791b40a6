"""The patient report of every example uses plain words: no clinical term of the glossary is
left in what the patient reads (the source list keeps the papers' own titles); the clinician
summary keeps the clinical words."""

from __future__ import annotations

from datetime import date

import pytest

from scarplan.adapters.reports.content import Variant
from scarplan.adapters.reports.glossary import glossary
from scarplan.adapters.reports.render import render_html
from scarplan.knowledge import KnowledgeBase
from scarplan.services.demo_case import demo_cases_dir
from scarplan.services.reports import case_report
from scarplan.settings import Settings
from support.report_text import seen

TODAY = date(2026, 12, 1)
CASES = sorted(p.name for p in demo_cases_dir().glob("*.yaml"))


@pytest.mark.parametrize("name", CASES)
def test_the_patient_report_has_no_clinical_term_left(knowledge: KnowledgeBase, name: str) -> None:
    content = case_report(demo_cases_dir() / name, knowledge, Settings(), TODAY, Variant.PATIENT)
    text = seen(render_html(content))
    assert glossary().remaining(text) == []


def test_the_clinician_summary_keeps_the_clinical_words(knowledge: KnowledgeBase) -> None:
    found: set[str] = set()
    for name in CASES:
        content = case_report(
            demo_cases_dir() / name, knowledge, Settings(), TODAY, Variant.CLINICIAN
        )
        found.update(glossary().remaining(seen(render_html(content))))
    assert {"PIH", "RCT", "ecchymosis"} <= found
