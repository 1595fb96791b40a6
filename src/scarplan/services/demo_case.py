"""The case-file demo (`scarplan demo`, no database): the knowledge base summarised and the
bundled example case assessed.

The demo clinic in the database (users, patients with history, the scheduling set-up) is
`services/clinic/accounts/demo_clinic.py`."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

from scarplan.assessment import AssessmentResult
from scarplan.knowledge import KnowledgeBase
from scarplan.services.assessment import assess_file
from scarplan.services.knowledge import ValidationSummary, summarize_knowledge_base

DEMO_CASE = "mixed.yaml"


def demo_cases_dir() -> Path:
    return Path(str(resources.files("scarplan.demo") / "cases"))


def run_demo(knowledge: KnowledgeBase, today: date) -> tuple[ValidationSummary, AssessmentResult]:
    """Summarise the knowledge base and assess the bundled example case."""
    return summarize_knowledge_base(knowledge), assess_file(
        demo_cases_dir() / DEMO_CASE, knowledge, today
    )
