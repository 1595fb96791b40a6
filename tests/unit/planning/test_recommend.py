"""Recommendation: ranking by suitability for the scars present, with hard exclusions."""

from __future__ import annotations

from datetime import date

from scarplan.domain.case import Assessment, Case, LesionGroup, Patient
from scarplan.domain.vocabulary import Fitzpatrick, Modality, Region, ScarType
from scarplan.knowledge import KnowledgeBase
from scarplan.planning.eligibility import evaluate_eligibility
from scarplan.planning.recommend import FOCAL_ICE_PICK, Recommendations, ScarLoad, recommend
from scarplan.settings import Settings

START = date(2027, 1, 11)
POLICIES = {k: str(v) for k, v in Settings().model_dump().items() if k.endswith("_policy")}
MIXED = ScarLoad(
    counts={ScarType.ICE_PICK: 23, ScarType.BOXCAR: 4, ScarType.ROLLING: 6},
    regions={
        ScarType.ICE_PICK: (Region.CHEEK_LEFT, Region.CHEEK_RIGHT),
        ScarType.BOXCAR: (Region.TEMPLE_LEFT,),
        ScarType.ROLLING: (Region.CHEEK_RIGHT,),
    },
)


def _run(
    knowledge: KnowledgeBase,
    load: ScarLoad = MIXED,
    fitzpatrick: Fitzpatrick | None = Fitzpatrick.III,
    max_downtime_days: int | None = None,
    **patient: object,
) -> Recommendations:
    lesion = LesionGroup(region=Region.CHIN, count=1, type=ScarType.ICE_PICK)
    case = Case(Patient(id="R-1", **patient), Assessment(date(2026, 11, 20), (lesion,)))  # type: ignore[arg-type]
    eligibility = evaluate_eligibility(case, load.counts, fitzpatrick, knowledge, POLICIES, START)
    return recommend(load, eligibility, knowledge, fitzpatrick, max_downtime_days)


def test_ice_pick_dominant_case_gets_a_focal_procedure_first(knowledge: KnowledgeBase) -> None:
    result = _run(knowledge)
    assert result.recommended[0].modality in FOCAL_ICE_PICK
    assert not result.notes
    scores = [r.score for r in result.recommended]
    assert scores == sorted(scores, reverse=True)


def test_targets_are_only_scar_types_the_procedure_treats(knowledge: KnowledgeBase) -> None:
    by_modality = {r.modality: r for r in _run(knowledge).recommended}
    # Microneedling barely helps ice pick scars (5.88% vs 47% boxcar, GARG-CH): not a target.
    assert ScarType.ICE_PICK not in by_modality[Modality.MICRONEEDLING].targets
    subcision = by_modality[Modality.SUBCISION]
    assert subcision.targets[-1] is ScarType.ROLLING
    # Regions follow the targets: rolling on the right cheek (and tethered boxcar: fair).
    assert Region.CHEEK_RIGHT in subcision.regions
    assert Region.CHEEK_LEFT not in subcision.regions  # ice pick only there


def test_every_recommendation_explains_itself_with_sources(knowledge: KnowledgeBase) -> None:
    for recommendation in _run(knowledge).recommended:
        assert recommendation.reasons
        assert recommendation.sources
        assert set(recommendation.sources) <= set(knowledge.sources)


def test_pregnancy_recommends_nothing_and_says_why(knowledge: KnowledgeBase) -> None:
    result = _run(knowledge, pregnant=True)
    assert result.recommended == ()
    assert all("pregnant" in e.reasons[0] for e in result.excluded)
    assert result.notes  # ice pick scars cannot be treated now, and the note says why


def test_fitzpatrick_v_never_gets_deep_peel_or_fully_ablative_first(
    knowledge: KnowledgeBase,
) -> None:
    result = _run(knowledge, fitzpatrick=Fitzpatrick.V)
    recommended = [r.modality for r in result.recommended]
    assert Modality.CHEMICAL_PEEL_DEEP not in recommended
    assert recommended[0] not in (Modality.ABLATIVE_RESURFACING, Modality.CHEMICAL_PEEL_DEEP)
    assert Modality.CHEMICAL_PEEL_DEEP in {e.modality for e in result.excluded}


def test_downtime_limit_excludes_long_recoveries_and_explains_the_ice_pick_gap(
    knowledge: KnowledgeBase,
) -> None:
    result = _run(knowledge, fitzpatrick=Fitzpatrick.V, max_downtime_days=3)
    excluded = {e.modality: e for e in result.excluded}
    assert "exceeds the patient's limit of 3 days" in excluded[Modality.TCA_CROSS].reasons[0]
    for recommendation in result.recommended:
        entry = knowledge.modalities[recommendation.modality]
        assert entry.downtime_days is None or (entry.downtime_days.min or 0) <= 3
    assert any("tca_cross" in note for note in result.notes)
