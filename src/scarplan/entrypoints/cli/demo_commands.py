"""`scarplan demo`: the main job until the web app exists (`make run`)."""

from __future__ import annotations

from scarplan.bootstrap import bootstrap
from scarplan.entrypoints.cli.console import out
from scarplan.services.knowledge import validate_knowledge_base


def demo() -> None:
    """Validate the knowledge base and show what scarplan can do today."""
    summary = validate_knowledge_base(bootstrap().settings.knowledge_dir)
    counts = ", ".join(f"{count} {name}" for name, count in summary.counts.items())
    out.print(f"[green]scarplan knowledge base valid[/]: {counts}")
    out.print("Try:  scarplan kb show tca_cross   |   scarplan kb list modalities")
