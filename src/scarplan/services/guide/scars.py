"""'Which scars do I have': the visitor's description, typed by the assessment's own rules.

The visitor picks a width band, the edges and whether the scar flattens when the skin is
stretched; a representative width for the band goes through `classify_lesion` (the thresholds
in scar_types.yaml), exactly as a measured lesion would. The answer is a possibility to discuss,
never a diagnosis: only an examination can tell.
"""

from __future__ import annotations

from dataclasses import dataclass

from scarplan.assessment.classify import TypingThresholds, classify_lesion
from scarplan.domain.case import LesionGroup
from scarplan.domain.vocabulary import EdgeProfile, Region, ScarType
from scarplan.knowledge import KnowledgeBase
from scarplan.services.guide.answers import Edges, GuideAnswers, Stretch, Width

EDGES = {Edges.SHARP: EdgeProfile.SHARP, Edges.SLOPED: EdgeProfile.SLOPED}
STRETCH = {Stretch.FLATTENS: True, Stretch.STAYS: False, Stretch.UNSURE: None}


@dataclass(frozen=True)
class WidthChoice:
    value: Width
    words: str


@dataclass(frozen=True)
class ScarGuess:
    likely: ScarType
    likely_name: str
    others: tuple[ScarType, ...]
    other_names: tuple[str, ...]


def width_choices(knowledge: KnowledgeBase) -> tuple[WidthChoice, ...]:
    limits = TypingThresholds.from_knowledge(knowledge)
    return (
        WidthChoice(
            Width.NARROW,
            f"Narrow: under {limits.boxcar_min_width_mm:g} mm, like a pinprick or a large pore",
        ),
        WidthChoice(
            Width.MEDIUM,
            f"Medium: about {limits.boxcar_min_width_mm:g} to {limits.rolling_min_width_mm:g} mm, "
            "like the tip of a ballpoint pen to a pencil's eraser",
        ),
        WidthChoice(
            Width.WIDE,
            f"Wide: more than {limits.rolling_min_width_mm:g} mm, wider than a pencil's eraser",
        ),
    )


def representative_width_mm(width: Width, limits: TypingThresholds) -> float:
    """A width inside the band the visitor chose, on the assessment's own thresholds."""
    if width is Width.NARROW:
        return limits.boxcar_min_width_mm / 2
    if width is Width.MEDIUM:
        return (limits.ice_pick_max_width_mm + limits.rolling_min_width_mm) / 2
    return limits.rolling_min_width_mm + 1


def guess_scar_type(answers: GuideAnswers, knowledge: KnowledgeBase) -> ScarGuess | None:
    """What the description may fit, or None until all three questions are answered."""
    if answers.width is None or answers.edges is None or answers.stretch is None:
        return None
    limits = TypingThresholds.from_knowledge(knowledge)
    lesion = LesionGroup(
        region=Region.CHEEK_LEFT,  # the region plays no part in typing
        count=1,
        width_mm=representative_width_mm(answers.width, limits),
        edges=EDGES[answers.edges],
        distensible=STRETCH[answers.stretch],
    )
    typed = classify_lesion(0, lesion, limits)
    others = tuple(t for t in typed.candidates if t is not typed.type)
    return ScarGuess(
        likely=typed.type,
        likely_name=knowledge.scar_types[typed.type].name,
        others=others,
        other_names=tuple(knowledge.scar_types[t].name for t in others),
    )
