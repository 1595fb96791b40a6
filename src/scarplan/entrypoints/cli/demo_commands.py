"""`scarplan demo`: the main job until the web app exists (`make run`)."""

from __future__ import annotations

from datetime import date

from scarplan.bootstrap import bootstrap
from scarplan.entrypoints.cli.assess_commands import render_assessment
from scarplan.entrypoints.cli.console import out
from scarplan.services.assessment import assessment_json
from scarplan.services.demo import DEMO_CASE, run_demo


def demo() -> None:
    """Validate the knowledge base and assess a bundled example case."""
    summary, result = run_demo(bootstrap().knowledge, date.today())
    counts = ", ".join(f"{count} {name}" for name, count in summary.counts.items())
    out.print(f"[green]scarplan knowledge base valid[/]: {counts}\n")
    out.print(f"[bold]Demo: the bundled example case {DEMO_CASE}[/]")
    render_assessment(assessment_json(result))
    out.print(
        "\nNext: scarplan assess examples/darker-skin.yaml | scarplan kb show tca_cross | "
        "scarplan kb list modalities"
    )
