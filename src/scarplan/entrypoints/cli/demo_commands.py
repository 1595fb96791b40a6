"""`scarplan demo`: the main job until the web app exists (`make run`)."""

from __future__ import annotations

from datetime import date

from scarplan.bootstrap import bootstrap
from scarplan.entrypoints.cli.assess_commands import render_assessment
from scarplan.entrypoints.cli.console import out
from scarplan.entrypoints.cli.plan_commands import render_plan
from scarplan.services.assessment import assessment_json
from scarplan.services.demo_case import DEMO_CASE, demo_cases_dir, run_demo
from scarplan.services.homecare import plan_file_json


def demo() -> None:
    """Validate the knowledge base, then assess and plan a bundled example case."""
    container = bootstrap()
    summary, result = run_demo(container.knowledge, date.today())
    counts = ", ".join(f"{count} {name}" for name, count in summary.counts.items())
    out.print(f"[green]scarplan knowledge base valid[/]: {counts}\n")
    out.print(f"[bold]Demo: the bundled example case {DEMO_CASE}[/]")
    render_assessment(assessment_json(result))
    out.print("")
    render_plan(
        plan_file_json(
            demo_cases_dir() / DEMO_CASE, container.knowledge, container.settings, date.today()
        )
    )
    out.print(
        "\nNext: scarplan plan examples/darker-skin.yaml | scarplan routine examples/mixed.yaml | "
        "scarplan kb show tca_cross"
    )
