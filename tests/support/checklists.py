"""A session input with its pre-procedure checklist answered: nothing stops the session."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from scarplan.domain.vocabulary import Modality
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.loader import load_knowledge_base
from scarplan.services.clinic.plans.checklists import build_checklist, cleared_answers


@cache
def _knowledge() -> KnowledgeBase:
    return load_knowledge_base()


def with_checklist(entered: dict[str, Any]) -> dict[str, Any]:
    """`entered` (a session as the API takes it) with every checklist item of its procedure
    answered yes, the test spot read without a reaction on the session's day."""
    day = date.fromisoformat(str(entered["performed_on"]))
    modality = Modality(entered["modality"])
    checklist = build_checklist(_knowledge(), {}, modality, None, None, day)
    return {**entered, "checklist": cleared_answers(checklist, day)}
