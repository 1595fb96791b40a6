"""The decision aid's service (issue 21): the visitor's answers through the planner's real
eligibility rules. Expectations are written from conditions.yaml (and reference.md section 4),
not copied from output: pregnancy holds every procedure until afterwards (clinic policy, defer);
isotretinoin defers full-face dermabrasion, fully ablative resurfacing and deep peels for 5-6
months after the last dose (RIVERA2008, CDT2022); darker skin (IV-VI) rules out deep peels,
asks for a test spot before lasers, and is assumed when the skin type is unknown; a keloid
history sends the deepest resurfacing to a specialist."""

from __future__ import annotations

from datetime import date

import pytest

from scarplan.domain.vocabulary import ScarType
from scarplan.knowledge import KnowledgeBase
from scarplan.services.guide import Step, guide_page
from scarplan.services.guide.answers import Matter, read_answers
from scarplan.services.guide.content import HOME_CARE, NOTHING, guide_content
from scarplan.services.guide.pages import values_table
from scarplan.services.guide.scars import guess_scar_type
from scarplan.services.guide.suitability import OptionFit, SuitabilityResult, assess_suitability
from scarplan.services.planning import clinic_policies
from scarplan.settings import Settings

TODAY = date(2026, 12, 7)
DEEP = ("dermabrasion", "ablative_resurfacing", "chemical_peel_deep")


def _suit(knowledge: KnowledgeBase, **answers: str) -> SuitabilityResult:
    parsed, problems = read_answers(list(answers.items()))
    assert problems == ()
    content = guide_content(knowledge)
    return assess_suitability(parsed, content, knowledge, clinic_policies(Settings()), TODAY)


def _fit(result: SuitabilityResult, key: str) -> OptionFit:
    return next(fit for fit in result.options if fit.key == key)


def _about(fit: OptionFit, topic: str) -> list[str]:
    return [c.what for c in fit.considerations if c.topic == topic]


def test_pregnancy_holds_every_procedure_until_after_but_not_home_care(
    knowledge: KnowledgeBase,
) -> None:
    result = _suit(knowledge, pregnant="yes", skin="II", scars="boxcar")
    procedures = [fit for fit in result.options if fit.is_procedure]
    assert procedures
    assert all(fit.held for fit in procedures)
    for fit in procedures:
        assert _about(fit, "Pregnancy") == ["Usually waits until this no longer applies."]
    assert not _fit(result, NOTHING).held
    assert not _fit(result, HOME_CARE).held
    home = _fit(result, HOME_CARE).considerations
    assert [c.topic for c in home] == ["Pregnancy and breastfeeding"]


def test_isotretinoin_stopped_two_months_ago_defers_deep_resurfacing_six_months_from_the_last_dose(
    knowledge: KnowledgeBase,
) -> None:
    result = _suit(
        knowledge, isotretinoin="stopped", isotretinoin_months="2", skin="II", scars="rolling"
    )
    # Last dose 7 Oct 2026; the upper end of the 5-6 month wait ends 7 Apr 2027.
    for key in DEEP:
        fit = _fit(result, key)
        assert _about(fit, "Stopped oral isotretinoin recently") == [
            "Usually waits until about April 2027."
        ]
    # The consensus did not delay subcision or fractional lasers: care, not a wait.
    for key in ("subcision", "fractional_co2"):
        assert _about(_fit(result, key), "Stopped oral isotretinoin recently") == [
            "Possible with extra care: ask how it would be adapted for you."
        ]


def test_isotretinoin_now_holds_deep_resurfacing_with_no_known_end(
    knowledge: KnowledgeBase,
) -> None:
    result = _suit(knowledge, isotretinoin="current", skin="II", scars="boxcar")
    for key in DEEP:
        assert _fit(result, key).held
        assert _about(_fit(result, key), "Taking oral isotretinoin now") == [
            "Usually waits until this no longer applies."
        ]
    assert not _fit(result, "microneedling").held


def test_isotretinoin_a_year_ago_is_past_every_wait(knowledge: KnowledgeBase) -> None:
    result = _suit(knowledge, isotretinoin="stopped", isotretinoin_months="12", skin="II")
    assert all(not _about(fit, "Stopped oral isotretinoin recently") for fit in result.options)


@pytest.mark.parametrize("skin", ["IV", "V", "VI"])
def test_darker_skin_rules_out_deep_peels_and_asks_for_a_laser_test_spot(
    knowledge: KnowledgeBase, skin: str
) -> None:
    result = _suit(knowledge, skin=skin, scars="boxcar")
    topic = "Darker skin (Fitzpatrick types IV to VI)"
    deep_peel = _fit(result, "chemical_peel_deep")
    assert deep_peel.held
    assert _about(deep_peel, topic) == ["Usually not done for people with this."]
    (co2,) = _about(_fit(result, "fractional_co2"), topic)  # care and a test area: one item
    assert "Usually starts with a small test area, checked before the full treatment." in co2
    assert "Possible with extra care" in co2
    assert not _fit(result, "fractional_co2").held
    assert not _fit(result, "subcision").held


def test_lighter_skin_has_no_darker_skin_rule(knowledge: KnowledgeBase) -> None:
    result = _suit(knowledge, skin="II", scars="boxcar")
    assert all(
        not _about(fit, "Darker skin (Fitzpatrick types IV to VI)") for fit in result.options
    )
    assert not _fit(result, "chemical_peel_deep").held


def test_an_unknown_skin_type_is_treated_as_darker_skin(knowledge: KnowledgeBase) -> None:
    result = _suit(knowledge, scars="boxcar")
    assert result.skin.type is None
    assert _fit(result, "chemical_peel_deep").held


def test_the_questionnaire_is_scored_with_the_projects_bands(knowledge: KnowledgeBase) -> None:
    # Ten answers of 4 score 40: band 35-40 is type VI (scales.yaml, band set A).
    answers = {f"q{i}": "4" for i in range(10)}
    result = _suit(knowledge, **answers)
    assert result.skin.type is not None
    assert result.skin.type.value == "VI"
    assert "40 of 40" in result.skin.how
    assert _fit(result, "chemical_peel_deep").held


def test_a_keloid_history_sends_the_deepest_resurfacing_to_a_specialist(
    knowledge: KnowledgeBase,
) -> None:
    result = _suit(knowledge, keloid="yes", skin="II", scars="rolling")
    topic = "History of keloids or hypertrophic scars"
    for key in DEEP:
        assert _fit(result, key).held
        assert _about(_fit(result, key), topic) == [
            "A specialist usually decides whether it is done."
        ]
    subcision = _fit(result, "subcision")
    assert not subcision.held
    assert _about(subcision, topic) == [
        "Possible with extra care: ask how it would be adapted for you."
    ]


def test_no_answers_no_rules_but_every_option_is_listed_in_one_order(
    knowledge: KnowledgeBase,
) -> None:
    result = _suit(knowledge, skin="II", scars="ice_pick")
    keys = [fit.key for fit in result.options]
    assert keys[:2] == [NOTHING, HOME_CARE]
    assert keys == [card.key for card in guide_content(knowledge).options]
    assert not any(fit.held for fit in result.options)


def test_downtime_and_budget_are_compared_with_the_published_figures(
    knowledge: KnowledgeBase,
) -> None:
    # TCA CROSS: at least 5 days of downtime; 180 USD a session, at least 3 sessions.
    result = _suit(knowledge, skin="II", scars="ice_pick", downtime="3", budget="500")
    notes = " ".join(_fit(result, "tca_cross").preferences)
    assert "at least 5 days of downtime, more than the 3 days" in notes
    assert "at least 540 USD, more than your budget of 500 USD" in notes
    roomy = _suit(knowledge, skin="II", scars="ice_pick", downtime="7", budget="600")
    assert _fit(roomy, "tca_cross").preferences == ()


@pytest.mark.parametrize(
    ("width", "edges", "stretch", "likely"),
    [
        ("narrow", "sharp", "stays", ScarType.ICE_PICK),
        ("medium", "sharp", "stays", ScarType.BOXCAR),
        ("wide", "sloped", "flattens", ScarType.ROLLING),
    ],
)
def test_the_self_description_uses_the_assessments_typing(
    knowledge: KnowledgeBase, width: str, edges: str, stretch: str, likely: ScarType
) -> None:
    answers, _ = read_answers([("width", width), ("edges", edges), ("stretch", stretch)])
    guess = guess_scar_type(answers, knowledge)
    assert guess is not None
    assert guess.likely is likely


def test_bad_answers_are_named_in_words_and_left_out(knowledge: KnowledgeBase) -> None:
    answers, problems = read_answers(
        [("budget", "lots"), ("scars", "keloid"), ("skin", "VII"), ("age", "9"), ("q3", "7")]
    )
    assert answers.budget is None
    assert answers.scars == ()
    assert answers.skin is None
    assert [p.question for p in problems] == [
        "Skin-type question 4",
        "Your scar types",
        "Your skin type",
        "Your age",
        "Your budget",
    ]
    assert all("_" not in p.question + p.message for p in problems)


def test_answers_survive_the_trip_through_the_query_string() -> None:
    raw = [("scars", "ice_pick"), ("scars", "rolling"), ("skin", "IV"), ("q0", "2")]
    raw += [("budget", "3000"), ("matters", "cost"), ("isotretinoin", "stopped")]
    answers, _ = read_answers(raw)
    again, problems = read_answers(
        [tuple(pair.split("=")) for pair in answers.query().split("&")]  # type: ignore[misc]
    )
    assert problems == ()
    assert again == answers


def test_values_table_never_reorders_the_options(knowledge: KnowledgeBase) -> None:
    options = guide_content(knowledge).options
    for matters in ([Matter.COST], [Matter.DARK_MARKS, Matter.DOWNTIME], []):
        table = values_table(options, matters)
        assert [row.key for row in table.rows] == [card.key for card in options]
        assert len(table.columns) == (len(matters) or len(Matter))


def test_the_guide_shows_when_the_evidence_was_reviewed(knowledge: KnowledgeBase) -> None:
    page = guide_page(Step.START, [], knowledge, Settings(), TODAY)
    assert page.reviewed_on == knowledge.reviewed_on == date(2026, 12, 7)
    assert page.references  # the scar types' facts are cited


def test_the_option_grid_holds_every_procedure_but_the_adjunct(knowledge: KnowledgeBase) -> None:
    keys = {card.key for card in guide_content(knowledge).options}
    procedures = {m.value for m in knowledge.modalities} - {"prp"}
    assert keys == procedures | {NOTHING, HOME_CARE}
    tca = guide_content(knowledge).option("tca_cross")
    assert tca.cost.text.startswith("180-200 USD per session")
    assert tca.cost.refs
    assert tca.improvement
    assert all(item.refs for item in tca.improvement)


def test_each_reason_is_listed_once_and_every_option_links_to_its_reasons(
    knowledge: KnowledgeBase,
) -> None:
    result = _suit(knowledge, keloid="yes", skin="V", scars="rolling")
    listed = [(reason.topic, reason.text.text) for reason in result.reasons]
    assert len(listed) == len(set(listed))
    numbers = {reason.number for reason in result.reasons}
    linked = {n for fit in result.options for c in fit.considerations for n in c.why}
    assert linked == numbers
    keloid = [r for r in result.reasons if r.topic == "History of keloids or hypertrophic scars"]
    assert len(keloid) == 2  # one reason for the deepest resurfacing, one for the rest
