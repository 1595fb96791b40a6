"""Fitzpatrick skin phototype: as stated, or from the ten-item questionnaire (band set A)."""

from __future__ import annotations

from collections.abc import Sequence

from scarplan.assessment.results import FitzpatrickResult, FitzpatrickSource
from scarplan.domain.vocabulary import Fitzpatrick
from scarplan.knowledge.schema.scales import FitzpatrickQuestionnaire


def questionnaire_type(
    answers: Sequence[int], questionnaire: FitzpatrickQuestionnaire
) -> tuple[int, Fitzpatrick]:
    if len(answers) != len(questionnaire.questions) or any(not 0 <= a <= 4 for a in answers):
        raise ValueError("the questionnaire takes ten answers, each 0-4")
    score = sum(answers)
    for band in questionnaire.bands:
        if band.min_score <= score <= band.max_score:
            return score, band.type
    raise ValueError(f"no band contains the score {score}")  # the schema makes bands tile 0..40


def skin_type(
    stated: Fitzpatrick | None,
    answers: Sequence[int] | None,
    questionnaire: FitzpatrickQuestionnaire,
) -> FitzpatrickResult:
    score, from_answers = (None, None)
    if answers is not None:
        score, from_answers = questionnaire_type(answers, questionnaire)
    if stated is not None:
        return FitzpatrickResult(stated, FitzpatrickSource.GIVEN, score, from_answers)
    if from_answers is not None:
        return FitzpatrickResult(from_answers, FitzpatrickSource.QUESTIONNAIRE, score, from_answers)
    return FitzpatrickResult(None, FitzpatrickSource.UNKNOWN)
