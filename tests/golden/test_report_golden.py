"""Golden report checks for the example cases. Every expectation is written by hand from the
case file (counts, regions, dates, wishes) or from issue 8 (codes, the notice), never copied
from the report's output."""

from __future__ import annotations

from datetime import date

import pytest

from scarplan.adapters.reports.content import ReportContent, Variant
from scarplan.knowledge import KnowledgeBase
from scarplan.services.demo_case import demo_cases_dir
from scarplan.services.reports import case_report
from scarplan.settings import Settings

TODAY = date(2026, 11, 21)


def report(knowledge: KnowledgeBase, name: str, variant: Variant) -> ReportContent:
    return case_report(demo_cases_dir() / name, knowledge, Settings(), TODAY, variant)


@pytest.fixture(scope="module")
def mixed(knowledge: KnowledgeBase) -> ReportContent:
    return report(knowledge, "mixed.yaml", Variant.PATIENT)


def test_mixed_counts_each_scar_type_from_its_lesions(mixed: ReportContent) -> None:
    # mixed.yaml: ice pick 14 (left cheek) + 9 (right cheek); boxcar 4; rolling 6.
    counts = {t.id: (t.count, set(t.regions)) for t in mixed.scar_types}
    assert counts == {
        "ice_pick": (23, {"cheek_left", "cheek_right"}),
        "boxcar": (4, {"temple_left"}),
        "rolling": (6, {"cheek_right"}),
    }


def test_mixed_face_map_sums_each_regions_scars(mixed: ReportContent) -> None:
    # Right cheek holds 9 ice pick and 6 rolling scars.
    loads = {r.region: r.count for r in mixed.regions}
    assert loads == {"cheek_left": 14, "cheek_right": 15, "temple_left": 4}
    assert all(1 <= r.grade <= 4 for r in mixed.regions)


def test_mixed_keeps_the_patients_wishes(mixed: ReportContent) -> None:
    # Start on 11 Jan 2027, nothing from 10 to 18 Apr 2027 (a wedding), 7 days of downtime.
    assert mixed.sessions
    assert min(s.day for s in mixed.sessions) >= date(2027, 1, 11)
    assert not [s for s in mixed.sessions if date(2027, 4, 10) <= s.day <= date(2027, 4, 18)]
    assert all(s.downtime_days <= 7 for s in mixed.sessions)
    assert [(w.start, w.end) for w in mixed.avoid] == [(date(2027, 4, 10), date(2027, 4, 18))]
    facts = {f.label: f.value for f in mixed.facts}
    assert facts["Skin type (Fitzpatrick)"] == "III"
    assert facts["Budget"] == "USD 4,000"
    assert facts["Downtime limit"] == "7 days"


def test_every_citation_number_names_a_listed_source(mixed: ReportContent) -> None:
    numbers = {s.number for s in mixed.sources}
    assert numbers == set(range(1, len(mixed.sources) + 1))
    cited = {n for p in mixed.procedures for e in p.expected for n in e.refs}
    assert cited
    assert cited <= numbers
    assert all(s.citation for s in mixed.sources)


def test_the_clinician_summary_carries_the_codes_of_issue_8(knowledge: KnowledgeBase) -> None:
    # Scar due to acne: ICD-10 L90.5, SNOMED CT 275322007 (scar) and 11381005 (acne); mixed.yaml
    # has mild active acne, so acne vulgaris L70.0 too. The measured-only case has none.
    mixed = report(knowledge, "mixed.yaml", Variant.CLINICIAN)
    codes = {(c.system, c.code) for c in mixed.codes}
    assert codes == {
        ("ICD-10", "L90.5"),
        ("SNOMED CT", "275322007"),
        ("SNOMED CT", "11381005"),
        ("ICD-10", "L70.0"),
    }
    measured = report(knowledge, "measured-only.yaml", Variant.CLINICIAN)
    assert "L70.0" not in {c.code for c in measured.codes}
    assert any(f.label == "Risk factors" and "cold sores" in f.value for f in mixed.facts)


def test_pregnancy_schedules_no_procedure_and_no_retinoid(knowledge: KnowledgeBase) -> None:
    # pregnant.yaml: procedures wait until after pregnancy; retinoids are avoided in pregnancy.
    content = report(knowledge, "pregnant.yaml", Variant.PATIENT)
    assert content.sessions == ()
    assert content.procedures == ()
    assert content.excluded
    assert content.routine is not None
    names = " ".join(s.name for s in (*content.routine.am, *content.routine.pm)).lower()
    for retinoid in ("adapalene", "tretinoin", "tazarotene", "trifarotene"):
        assert retinoid not in names


def test_severe_active_acne_is_referred(knowledge: KnowledgeBase) -> None:
    content = report(knowledge, "active-acne.yaml", Variant.PATIENT)
    assert content.routine is not None
    advice = " ".join(i.text for a in content.routine.advice for i in a.items)
    assert "dermatologist" in advice
