"""Each section of a stored patient's report, pinned for three patients built here: one whose
plan is completed (every session done), one whose plan is under way (some done, some planned)
and one with no plan. The expected texts are written from the data put in, not copied from
the output; the HTML and the PDF (WeasyPrint, read back with pdftotext) carry them too.

Issue 22: a patient with every session done got "No plan has been proposed for this patient
yet" (the report read only open plans), and a session done on 07 Dec was listed with its
planned day, "14 Dec 2026 (done)"."""

from __future__ import annotations

import re
import subprocess
from datetime import date, datetime, time
from html import unescape

import pytest

from scarplan.adapters.reports.content import ReportContent, Variant
from scarplan.adapters.reports.render import render_html, render_pdf
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.exchange.patient_report import NO_PLAN, patient_report
from scarplan.services.clinic.plans import plans
from scarplan.services.clinic.records import assessments, patients
from support.clinic_data import assessment_input, patient_input
from support.clock import FrozenClock
from support.consent import record_cleared

pytestmark = pytest.mark.db

# Ten narrow ice pick scars on the left cheek: TCA CROSS, four sessions two weeks apart from
# the start date (1, 15, 29 Dec 2026 and 12 Jan 2027), USD 200 each at the demo prices.
ICE_PICKS = [{"region": "cheek_left", "type": "ice_pick", "count": 10, "width_mm": 1.0}]
PLANNED = [date(2026, 12, 1), date(2026, 12, 15), date(2026, 12, 29), date(2027, 1, 12)]
# Each session was done one day before its planned day (the clinic had a free slot).
PERFORMED = [date(2026, 11, 30), date(2026, 12, 14), date(2026, 12, 28), date(2027, 1, 11)]


def _patient(clinic: Clinic, clinician: Actor, code: str, name: str) -> int:
    record = patients.create_patient(
        clinic,
        clinician,
        patient_input(code, name, preferences={"start_date": "2026-12-01"}),
    )
    assessments.record_assessment(
        clinic, clinician, record.id, assessment_input(clinic.today(), ICE_PICKS)
    )
    return record.id


def _with_plan(
    clinic: Clinic, clinician: Actor, clock: FrozenClock, code: str, name: str, done: int
) -> int:
    patient_id = _patient(clinic, clinician, code, name)
    proposed = plans.propose_plan(clinic, clinician, patient_id)
    assert [s.day for s in proposed.sessions] == PLANNED  # the premise of the expected texts
    plans.accept_plan(clinic, clinician, proposed.id)
    for day in PERFORMED[:done]:
        clock.set(datetime.combine(day, time(17)).replace(tzinfo=clock.now().tzinfo))
        record_cleared(
            clinic,
            clinician,
            patient_id,
            {
                "performed_on": day.isoformat(),
                "modality": "tca_cross",
                "regions": ["cheek_left"],
                "practitioner": "Dr Lee",
                "parameters": {"tca_percent": 70.0},
            },
        )
    return patient_id


def _sessions(content: ReportContent) -> list[tuple[date, str, str, bool]]:
    return [(s.day, s.modality, f"{s.number} of {s.of}", s.done) for s in content.sessions]


def _pdf_text(content: ReportContent) -> str:
    pdf = render_pdf(render_html(content))
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, check=True, capture_output=True)
    return " ".join(out.stdout.decode("utf-8").split())


def _html_text(content: ReportContent) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", render_html(content))).split())


@pytest.mark.parametrize("variant", list(Variant))
def test_a_completed_plan_is_reported_with_the_days_the_sessions_were_done(
    clinic: Clinic, clinician: Actor, clock: FrozenClock, variant: Variant
) -> None:
    patient_id = _with_plan(clinic, clinician, clock, "P-0101", "Bea Costa", done=4)
    assert plans.list_plans(clinic, clinician, patient_id)[0].status == "completed"

    content = patient_report(clinic, clinician, patient_id, variant)

    assert content.subject == "Bea Costa"
    assert content.plan_problem == ()
    assert [(t.id, t.count) for t in content.scar_types] == [("ice_pick", 10)]
    assert [p.modality for p in content.procedures] == ["tca_cross"]
    assert _sessions(content) == [
        (date(2026, 11, 30), "tca_cross", "1 of 4", True),
        (date(2026, 12, 14), "tca_cross", "2 of 4", True),
        (date(2026, 12, 28), "tca_cross", "3 of 4", True),
        (date(2027, 1, 11), "tca_cross", "4 of 4", True),
    ]
    assert content.progress == "All 4 planned sessions done, the last on 11 Jan 2027."
    assert [(s.day, s.modality) for s in content.performed] == [
        (day, "tca_cross") for day in PERFORMED
    ]
    assert [(f.label, f.value) for f in content.performed[0].parameters] == [
        ("TCA concentration (%)", "70.0")
    ]
    assert content.costs is not None
    assert content.costs.total == "USD 800"
    html = _html_text(content)
    assert "All 4 planned sessions done, the last on 11 Jan 2027." in html
    assert "30 Nov 2026 TCA CROSS 1 of 4 (done) Left cheek 7 days USD 200" in html
    assert "11 Jan 2027 TCA CROSS 4 of 4 (done) Left cheek 7 days USD 200" in html
    assert "12 Jan 2027 TCA CROSS" not in html  # the planned day of the last session
    pdf = _pdf_text(content)
    assert "All 4 planned sessions done, the last on 11 Jan 2027." in pdf
    for text in (html, pdf):
        assert NO_PLAN not in text


@pytest.mark.parametrize("variant", list(Variant))
def test_an_open_plan_shows_what_is_done_and_what_comes_next(
    clinic: Clinic, clinician: Actor, clock: FrozenClock, variant: Variant
) -> None:
    patient_id = _with_plan(clinic, clinician, clock, "P-0102", "Caio Reis", done=2)

    content = patient_report(clinic, clinician, patient_id, variant)

    assert content.subject == "Caio Reis"
    assert content.plan_problem == ()
    assert _sessions(content) == [
        (date(2026, 11, 30), "tca_cross", "1 of 4", True),
        (date(2026, 12, 14), "tca_cross", "2 of 4", True),
        (date(2026, 12, 29), "tca_cross", "3 of 4", False),
        (date(2027, 1, 12), "tca_cross", "4 of 4", False),
    ]
    assert content.progress == "2 of 4 planned sessions done; the next is planned for 29 Dec 2026."
    assert [s.day for s in content.performed] == PERFORMED[:2]
    html = _html_text(content)
    assert "14 Dec 2026 TCA CROSS 2 of 4 (done) Left cheek" in html
    assert "15 Dec 2026 TCA CROSS" not in html  # the planned day of the second, done the 14th
    assert "29 Dec 2026 TCA CROSS 3 of 4 Left cheek" in html
    for text in (html, _pdf_text(content)):
        assert "2 of 4 planned sessions done; the next is planned for 29 Dec 2026." in text


@pytest.mark.parametrize("variant", list(Variant))
def test_without_a_plan_the_report_says_so_and_shows_no_sessions(
    clinic: Clinic, clinician: Actor, variant: Variant
) -> None:
    patient_id = _patient(clinic, clinician, "P-0103", "Davi Lima")

    content = patient_report(clinic, clinician, patient_id, variant)

    assert content.subject == "Davi Lima"
    assert content.plan_problem == (NO_PLAN,)
    assert content.sessions == ()
    assert content.progress == ""
    assert content.performed == ()
    assert content.costs is None
    assert [(t.id, t.count) for t in content.scar_types] == [("ice_pick", 10)]
    assert content.procedures == ()
    for text in (_html_text(content), _pdf_text(content)):
        assert NO_PLAN in text
        assert "planned sessions done" not in text
