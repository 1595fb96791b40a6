"""Benchmark: patient reports, in-process (issue 8).

Run: .venv/bin/python bench/report.py [--rounds 5]. For every example case and both variants:
builds the report content (assessment, plan, routine, knowledge lookups), renders the HTML and
lays it out as a PDF with WeasyPrint; prints the median time of each step and the PDF's size.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

from scarplan.adapters.reports.content import Variant
from scarplan.adapters.reports.render import render_html, render_pdf
from scarplan.knowledge import load_knowledge_base
from scarplan.services.demo_case import demo_cases_dir
from scarplan.services.reports import case_report
from scarplan.settings import Settings

TODAY = date(2026, 12, 7)  # on or after every example assessment


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    knowledge = load_knowledge_base()
    settings = Settings()
    warm_up = case_report(
        demo_cases_dir() / "mixed.yaml", knowledge, settings, TODAY, Variant.PATIENT
    )
    render_pdf(render_html(warm_up))  # fonts and imports load once
    for path in sorted(demo_cases_dir().glob("*.yaml")):
        for variant in Variant:
            build, html_times, pdf_times = [], [], []
            size = 0
            for _ in range(args.rounds):
                started = time.perf_counter()
                content = case_report(path, knowledge, settings, TODAY, variant)
                built = time.perf_counter()
                html = render_html(content)
                rendered = time.perf_counter()
                pdf = render_pdf(html)
                done = time.perf_counter()
                build.append(built - started)
                html_times.append(rendered - built)
                pdf_times.append(done - rendered)
                size = len(pdf)
            print(
                f"{path.stem:14} {variant.value:9}: content {statistics.median(build) * 1000:6.1f}"
                f" ms, HTML {statistics.median(html_times) * 1000:5.1f} ms, PDF "
                f"{statistics.median(pdf_times) * 1000:6.0f} ms ({size / 1024:.0f} KiB)"
            )


if __name__ == "__main__":
    main()
