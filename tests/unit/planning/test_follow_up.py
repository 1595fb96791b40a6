"""Due follow-up visits and the outcome verdict, pinned by hand from the cited sources.

Punch excision: stitches out at about 7 days (ACNEORG-PUNCH), left 8-10 days in one protocol
(PMC4570086-T1) -> a check 7-10 days after. A course's outcome review: 3-6 months after its last
session (the trials' follow-up times: AMIN2014 at 3 months ... MANU2010 at 6 months).
"""

from __future__ import annotations

from datetime import date

import pytest

from scarplan.domain.vocabulary import Modality, ScarType
from scarplan.knowledge import KnowledgeBase
from scarplan.planning.follow_up import (
    BookedVisit,
    DoneSession,
    EndedCourse,
    VisitKind,
    due_visits,
    still_due,
)
from scarplan.planning.outcome_review import (
    Verdict,
    expected_range,
    improvement_pct,
    verdict,
)

MARCH_1 = date(2027, 3, 1)


def test_punch_excision_on_1_march_needs_a_check_from_8_to_11_march(
    knowledge: KnowledgeBase,
) -> None:
    [visit] = due_visits([DoneSession(MARCH_1, Modality.PUNCH_EXCISION)], [], knowledge)

    assert visit.kind is VisitKind.FOLLOW_UP
    assert (visit.earliest, visit.latest) == (date(2027, 3, 8), date(2027, 3, 11))
    assert "Stitch removal" in visit.reason
    assert set(visit.sources) == {"ACNEORG-PUNCH", "PMC4570086-T1"}


def test_punch_grafting_and_elevation_are_checked_at_one_week(knowledge: KnowledgeBase) -> None:
    found = due_visits(
        [
            DoneSession(MARCH_1, Modality.PUNCH_GRAFTING),
            DoneSession(MARCH_1, Modality.PUNCH_ELEVATION),
        ],
        [],
        knowledge,
    )

    assert {(v.modality, v.earliest, v.latest) for v in found} == {
        (Modality.PUNCH_GRAFTING, date(2027, 3, 8), date(2027, 3, 8)),
        (Modality.PUNCH_ELEVATION, date(2027, 3, 8), date(2027, 3, 8)),
    }


@pytest.mark.parametrize(
    "modality",
    [Modality.TCA_CROSS, Modality.FRACTIONAL_CO2, Modality.MICRONEEDLING, Modality.HA_FILLER],
)
def test_no_source_advises_a_check_after_these_so_there_is_none(
    knowledge: KnowledgeBase, modality: Modality
) -> None:
    assert due_visits([DoneSession(MARCH_1, modality)], [], knowledge) == []


def test_a_course_ending_1_march_is_reviewed_from_1_june_to_1_september(
    knowledge: KnowledgeBase,
) -> None:
    course = EndedCourse(7, MARCH_1, (Modality.MICRONEEDLING,))

    [visit] = due_visits([], [course], knowledge)

    assert visit.kind is VisitKind.OUTCOME_REVIEW
    assert (visit.earliest, visit.latest) == (date(2027, 6, 1), date(2027, 9, 1))
    assert visit.plan_id == 7
    assert "MANU2010" in visit.sources
    assert "AMIN2014" in visit.sources


def test_a_review_after_31_august_ends_on_the_last_day_of_february(
    knowledge: KnowledgeBase,
) -> None:
    [visit] = due_visits([], [EndedCourse(1, date(2026, 8, 31), ())], knowledge)

    assert (visit.earliest, visit.latest) == (date(2026, 11, 30), date(2027, 2, 28))


def test_a_visit_of_its_kind_from_the_first_day_on_stops_it_being_due(
    knowledge: KnowledgeBase,
) -> None:
    visits = due_visits(
        [DoneSession(MARCH_1, Modality.PUNCH_EXCISION)], [EndedCourse(1, MARCH_1, ())], knowledge
    )

    assert len(still_due(visits, [])) == 2
    # A review does not count as the stitch check, nor a visit before the window opens.
    early = [BookedVisit(VisitKind.FOLLOW_UP, date(2027, 3, 7))]
    review = [BookedVisit(VisitKind.OUTCOME_REVIEW, date(2027, 3, 9))]
    assert len(still_due(visits, early)) == 2
    assert [v.kind for v in still_due(visits, review)] == [
        VisitKind.FOLLOW_UP,
        VisitKind.OUTCOME_REVIEW,
    ]
    on_day_8 = [BookedVisit(VisitKind.FOLLOW_UP, date(2027, 3, 8))]
    assert [v.kind for v in still_due(visits, on_day_8)] == [VisitKind.OUTCOME_REVIEW]
    late_review = [BookedVisit(VisitKind.OUTCOME_REVIEW, date(2027, 9, 2))]
    assert [v.kind for v in still_due(visits, late_review)] == [VisitKind.FOLLOW_UP]


# --- the improvement measure and the verdict ---------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "latest", "expected"),
    [
        (40.0, 20.0, 50.0),
        (40.0, 30.0, 25.0),
        (30.0, 30.0, 0.0),
        (20.0, 25.0, -25.0),
        (3.0, 0.0, 100.0),
        (0.0, 0.0, None),
        (None, 10.0, None),
        (10.0, None, None),
    ],
)
def test_improvement_is_the_percent_fall_from_the_baseline(
    baseline: float | None, latest: float | None, expected: float | None
) -> None:
    assert improvement_pct(baseline, latest) == expected


def test_subcision_for_rolling_scars_expects_30_to_90_percent(knowledge: KnowledgeBase) -> None:
    # HARANDI2011: 60-90 % (protocol followed) and 30-60 % (late suction); the other subcision
    # outcomes give no per cent.
    found = expected_range([(Modality.SUBCISION, (ScarType.ROLLING,))], knowledge)

    assert found is not None
    assert (found.low, found.high) == (30.0, 90.0)
    assert found.sources == ("HARANDI2011",)


@pytest.mark.parametrize(
    ("improvement", "expected"),
    [
        (29.9, Verdict.BELOW),
        (30.0, Verdict.AS_EXPECTED),
        (60.0, Verdict.AS_EXPECTED),
        (90.0, Verdict.AS_EXPECTED),
        (90.1, Verdict.BETTER),
        (-10.0, Verdict.BELOW),
    ],
)
def test_the_verdict_at_the_edges_of_the_subcision_range(
    knowledge: KnowledgeBase, improvement: float, expected: Verdict
) -> None:
    found = expected_range([(Modality.SUBCISION, (ScarType.ROLLING,))], knowledge)
    assert found is not None

    assert verdict(improvement, found) is expected


def test_an_open_ended_range_is_never_beaten(knowledge: KnowledgeBase) -> None:
    # TCA CROSS for ice pick scars: over 70 % in most (KHUNGER2011), 51-70 % (AMIN2014).
    found = expected_range([(Modality.TCA_CROSS, (ScarType.ICE_PICK,))], knowledge)
    assert found is not None

    assert (found.low, found.high) == (51.0, None)
    assert found.words() == "51 % or more"
    assert verdict(100.0, found) is Verdict.AS_EXPECTED
    assert verdict(50.9, found) is Verdict.BELOW


def test_the_range_follows_the_scar_types_each_procedure_treats(
    knowledge: KnowledgeBase,
) -> None:
    # Microneedling (GARG-CH): boxcar 47.06 %, rolling 37.25 %, ice pick 5.88 %; DOGRA2014
    # (no scar type named) 50-75 %.
    boxcar = expected_range([(Modality.MICRONEEDLING, (ScarType.BOXCAR,))], knowledge)
    both = expected_range(
        [(Modality.MICRONEEDLING, (ScarType.BOXCAR,)), (Modality.SUBCISION, (ScarType.ROLLING,))],
        knowledge,
    )

    assert boxcar is not None
    assert (boxcar.low, boxcar.high) == (47.06, 75.0)
    assert both is not None
    assert (both.low, both.high) == (30.0, 90.0)


def test_procedures_without_a_published_percentage_give_no_range(
    knowledge: KnowledgeBase,
) -> None:
    assert expected_range([(Modality.PUNCH_EXCISION, (ScarType.ICE_PICK,))], knowledge) is None
