"""Darker skin (issue 20 item 4): the advice follows the scar types present, and the knowledge
base's test spots and priming are structured, cited and name real agents."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from scarplan.domain.vocabulary import Agent, Modality, ScarType
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.rules import Action, ConditionId, Effect
from scarplan.planning.eligibility import advice_for

PREFER = "Prefer microneedling"


def _darker(knowledge: KnowledgeBase) -> tuple[Effect, ...]:
    return knowledge.conditions[ConditionId.DARKER_SKIN].effects


def test_prefer_microneedling_only_with_boxcar_or_rolling_scars(knowledge: KnowledgeBase) -> None:
    effects = [e for e in _darker(knowledge) if e.advice.startswith(PREFER)]
    assert effects
    for effect in effects:
        assert advice_for(effect, [ScarType.ICE_PICK]) == ""
        assert advice_for(effect, [ScarType.ICE_PICK, ScarType.BOXCAR]) == effect.advice
        assert advice_for(effect, [ScarType.ROLLING]) == effect.advice


def test_advice_without_scar_types_always_applies(knowledge: KnowledgeBase) -> None:
    plain = next(e for e in _darker(knowledge) if e.advice and not e.advice_scar_types)
    assert advice_for(plain, [ScarType.ICE_PICK]) == plain.advice


def test_advice_scar_types_need_advice_and_atrophic_types() -> None:
    base: dict[str, object] = {
        "modalities": [Modality.TCA_CROSS],
        "action": Action.CAUTION,
        "reason": "r",
        "sources": ["S"],
    }
    with pytest.raises(ValidationError, match="give the advice"):
        Effect.model_validate({**base, "advice_scar_types": [ScarType.BOXCAR]})
    with pytest.raises(ValidationError, match="atrophic"):
        Effect.model_validate({**base, "advice": "a", "advice_scar_types": [ScarType.KELOID]})


def test_test_spots_and_priming_for_the_procedures_the_sources_name(
    knowledge: KnowledgeBase,
) -> None:
    tests = {m: e.test for e in _darker(knowledge) if e.test is not None for m in e.modalities}
    assert set(tests) == {
        Modality.FRACTIONAL_CO2,
        Modality.FRACTIONAL_ERBIUM,
        Modality.ABLATIVE_RESURFACING,
        Modality.NONABLATIVE_FRACTIONAL,
        Modality.TCA_CROSS,
        Modality.CHEMICAL_PEEL_MEDIUM,
    }
    for test in tests.values():
        assert test is not None
        assert test.lead_days.min == 28  # KE2009: 4 weeks before treating the whole area
        assert test.read_after_days is not None
        assert "KE2009" in test.read_after_days.sources
    laser, cross = tests[Modality.FRACTIONAL_CO2], tests[Modality.TCA_CROSS]
    assert laser is not None
    assert cross is not None
    assert "PMC4570086-T1" in laser.sources
    assert not cross.verified
    primings = {
        m: e.priming for e in _darker(knowledge) if e.priming is not None for m in e.modalities
    }
    assert set(primings) == {Modality.TCA_CROSS, Modality.CHEMICAL_PEEL_MEDIUM}
    priming = primings[Modality.TCA_CROSS]
    assert priming is not None
    assert priming.agents == (Agent.HYDROQUINONE, Agent.TRETINOIN)
    assert priming.weeks.min == 2
    assert priming.sources == ("KHUNGER2011",)
    for effect in _darker(knowledge):
        assert "Prime for 2 weeks" not in effect.advice


def test_hydroquinone_is_a_knowledge_base_agent(knowledge: KnowledgeBase) -> None:
    entry = knowledge.agents[Agent.HYDROQUINONE]
    assert entry.pregnancy.status.value == "avoid"
    assert {"UKTIS-HQ", "DAILYMED-HQ4"} <= set(entry.pregnancy.sources)
    assert entry.max_course_weeks is not None
    assert entry.max_course_weeks.min == 12
    assert "ISHACK2021" in entry.max_course_weeks.sources
    assert any(4 in s.percent for s in entry.strengths)
