"""The one gap rule (planning.gaps): intervals, downtime, published orders, first-session
orders, alternation and the clinic default, with hand-computed day counts."""

from __future__ import annotations

from datetime import date, timedelta

from scarplan.domain.vocabulary import Modality
from scarplan.knowledge.schema.rules import SequenceAnchor
from scarplan.planning.gaps import CourseTiming, GapRules, Order, Turn

D0 = date(2027, 1, 4)
CROSS, PUNCH, CO2 = Modality.TCA_CROSS, Modality.PUNCH_EXCISION, Modality.FRACTIONAL_CO2
SUBCISION, FILLER, NEEDLING = Modality.SUBCISION, Modality.HA_FILLER, Modality.MICRONEEDLING

RULES = GapRules(
    courses={
        CROSS: CourseTiming(14, 28, 7),
        PUNCH: CourseTiming(28, None, 10),
        CO2: CourseTiming(42, 56, 11),
        SUBCISION: CourseTiming(28, 28, 10),
        FILLER: CourseTiming(28, 28, 14),
        NEEDLING: CourseTiming(28, 28, 2),
    },
    orders=(
        Order(PUNCH, CO2, 28, "punch_then_resurfacing", "punch first", ("ACNEORG-PUNCH",)),
        Order(
            SUBCISION,
            NEEDLING,
            14,
            "subcision_then_resurfacing",
            "subcision opens",
            after=SequenceAnchor.FIRST_SESSION,
        ),
        Order(CO2, FILLER, 14, "resurfacing_then_filler", "filler last", ("URDIALES2019",)),
    ),
    turns=(Turn(frozenset({CROSS, NEEDLING}), 21, 21, "microneedling_alternating_tca_cross"),),
    default_gap_days=14,
)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def test_one_procedure_keeps_its_interval_and_at_least_its_downtime() -> None:
    assert RULES.same(CROSS).min_days == 14
    # Punch: interval 28, downtime 10, so 28; CROSS: interval 14 beats downtime 7.
    assert RULES.same(PUNCH).min_days == 28
    gap = RULES.same(FILLER)
    assert (gap.min_days, gap.max_days) == (28, 28)


def test_alternating_widens_the_maximum_to_leave_room_for_the_other_procedure() -> None:
    assert RULES.same(CROSS).max_days == 28
    assert RULES.same(CROSS, alternating=True).max_days == 42  # 2 x 21


def test_a_published_order_gives_its_gap_and_a_pair_without_one_the_default() -> None:
    assert RULES.between(PUNCH, CO2).min_days == 28
    assert RULES.between(PUNCH, CO2).rule == "punch_then_resurfacing"
    # No rule between TCA CROSS and a filler: the clinic default, 14 days.
    assert RULES.between(CROSS, FILLER).min_days == 14
    # The earlier session's downtime wins when longer: CO2 11 days, no rule CO2 -> CROSS.
    assert RULES.between(CO2, CROSS).min_days == 14
    assert RULES.between(FILLER, CROSS).min_days == 14


def test_sessions_planned_by_the_rule_break_nothing() -> None:
    sessions = [(day(0), PUNCH), (day(28), CO2), (day(70), CO2), (day(84), FILLER)]
    assert RULES.breaches(sessions) == []


def test_resurfacing_too_soon_after_a_punch_is_a_breach_naming_the_rule_and_source() -> None:
    (breach,) = RULES.breaches([(day(0), PUNCH), (day(20), CO2)])
    assert breach.gap.rule == "punch_then_resurfacing"
    assert breach.gap.sources == ("ACNEORG-PUNCH",)
    assert "20 days after punch_excision" in breach.text
    assert not breach.too_far


def test_a_filler_before_the_field_course_ends_breaks_the_order() -> None:
    found = RULES.breaches([(day(0), CO2), (day(21), FILLER), (day(42), CO2)])
    assert [b.gap.rule for b in found] == ["resurfacing_then_filler"]
    assert found[0].earlier == (day(21), FILLER)


def test_only_the_first_subcision_must_open_a_first_session_order() -> None:
    # Needling 14 days after the first subcision, a second subcision 28 days after the first,
    # 14 days after that needling session: allowed (they only keep the default gap apart).
    planned = [(day(0), SUBCISION), (day(14), NEEDLING), (day(28), SUBCISION)]
    assert RULES.breaches(planned) == []
    # Needling before the first subcision is out of order.
    (breach,) = RULES.breaches([(day(0), NEEDLING), (day(14), SUBCISION)])
    assert breach.gap.rule == "subcision_then_resurfacing"


def test_two_procedures_without_a_rule_keep_the_default_gap() -> None:
    (breach,) = RULES.breaches([(day(0), CROSS), (day(10), FILLER)])
    assert breach.gap.min_days == 14


def test_a_session_later_than_the_published_maximum_is_marked_too_far() -> None:
    (breach,) = RULES.breaches([(day(0), FILLER), (day(35), FILLER)])
    assert breach.too_far
    assert breach.gap.max_days == 28
