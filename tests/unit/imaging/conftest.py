"""Fixtures of the imaging tests: the knowledge base's typing thresholds, a small synthetic map."""

from __future__ import annotations

import pytest

from scarplan.assessment.classify import TypingThresholds
from scarplan.imaging.synth import SyntheticSurface, synthesize
from scarplan.knowledge import KnowledgeBase
from unit.imaging.shapes import SMALL_SYNTH


@pytest.fixture(scope="session")
def thresholds(knowledge: KnowledgeBase) -> TypingThresholds:
    return TypingThresholds.from_knowledge(knowledge)


@pytest.fixture(scope="session")
def small_surface() -> SyntheticSurface:
    """A 30 mm synthetic map with ten scars (one touching pair), noise 5 um."""
    return synthesize(3, SMALL_SYNTH)
