"""Pricing a plan: every session has a price and says where it comes from (the clinic's price,
else the published estimate with its range); per-scar prices count the scars treated; the
budget counts every course; a currency mismatch never makes a session free."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from scarplan.adapters.casefile import parse_case_text
from scarplan.domain.errors import InfeasibleError, InputError
from scarplan.domain.vocabulary import Modality, ScarType
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.modalities import PriceUnit
from scarplan.planning.conventions import ClinicPrice, PlanningConventions
from scarplan.planning.courses import PriceSource, session_price
from scarplan.planning.document import read_plan_document
from scarplan.planning.price_list import PriceList
from scarplan.planning.recommend import ScarLoad
from scarplan.services.planning import ClinicPriceList, plan_case, plan_json
from scarplan.settings import Settings
from support.clinic_data import SCREENED

TODAY = date(2026, 11, 21)
V1_DOCUMENT = Path(__file__).parents[2] / "support" / "plan_v1_mixed.json"
LOAD = ScarLoad({ScarType.ICE_PICK: 14, ScarType.BOXCAR: 0, ScarType.ROLLING: 6}, {})


def _case(lesions: list[dict[str, Any]], **preferences: Any) -> Any:
    document = {
        "scarplan_case": 1,
        "patient": {
            "id": "PR-1",
            "age_years": 40,
            "sex": "female",
            "fitzpatrick": "III",
            **SCREENED,
        },
        "preferences": {"start_date": "2027-01-11", **preferences},
        "assessment": {"date": "2026-11-21", "lesions": lesions},
    }
    return parse_case_text(yaml.safe_dump(document), TODAY)


BOXCAR = [{"region": "forehead", "type": "boxcar", "count": 9, "width_mm": 2.5, "depth_mm": 0.4}]
ICE_PICKS = [
    {"region": "cheek_left", "type": "ice_pick", "count": 14, "width_mm": 1.1, "depth_mm": 1.4}
]
WIDE_ICE_PICKS = [
    {"region": "cheek_left", "type": "ice_pick", "count": 5, "width_mm": 2.5, "depth_mm": 1.5}
]


def test_without_a_clinic_price_the_published_estimate_prices_the_session_with_its_range(
    knowledge: KnowledgeBase,
) -> None:
    price = session_price(
        Modality.SUBCISION, 6, (ScarType.ROLLING,), LOAD, knowledge, PlanningConventions()
    )
    estimate = knowledge.prices[Modality.SUBCISION]
    assert price.source is PriceSource.PUBLISHED_ESTIMATE
    assert (price.low, price.high) == (Decimal(str(estimate.min)), Decimal(str(estimate.max)))
    assert price.amount == price.high  # the upper end is planned
    assert price.currency == estimate.currency
    assert "published estimate" in price.basis
    assert str(estimate.year) in price.basis
    assert price.sources == tuple(estimate.sources)


def test_a_clinic_price_replaces_the_estimate_and_is_one_figure(knowledge: KnowledgeBase) -> None:
    conventions = PlanningConventions(
        currency="EUR",
        clinic_prices={Modality.SUBCISION: ClinicPrice(Decimal("410"))},
        price_list="clinic price list version 7",
    )
    price = session_price(Modality.SUBCISION, 6, (ScarType.ROLLING,), LOAD, knowledge, conventions)
    assert price.source is PriceSource.CLINIC
    assert (price.amount, price.low, price.high) == (Decimal("410.00"),) * 3
    assert price.currency == "EUR"
    assert price.basis == "clinic price list version 7 (per session)"


def test_per_scar_prices_count_the_scars_of_the_course(knowledge: KnowledgeBase) -> None:
    estimate = knowledge.prices[Modality.PUNCH_EXCISION]
    assert estimate.per is PriceUnit.SCAR
    published = session_price(
        Modality.PUNCH_EXCISION, 5, (ScarType.ICE_PICK,), LOAD, knowledge, PlanningConventions()
    )
    assert published.high == Decimal(str(estimate.max)) * 5
    assert "per scar x 5 scars" in published.basis
    clinic = PlanningConventions(
        clinic_prices={Modality.TCA_CROSS: ClinicPrice(Decimal("20"), PriceUnit.SCAR)}
    )
    all_ice_picks = session_price(
        Modality.TCA_CROSS, None, (ScarType.ICE_PICK,), LOAD, knowledge, clinic
    )
    assert all_ice_picks.amount == Decimal("280.00")  # 14 ice pick scars x 20


@pytest.mark.parametrize("modality", list(Modality))
def test_every_procedure_has_a_price(knowledge: KnowledgeBase, modality: Modality) -> None:
    price = session_price(modality, 3, tuple(ScarType), LOAD, knowledge, PlanningConventions())
    assert price.amount > 0
    assert price.low <= price.amount == price.high


def test_every_session_of_a_plan_carries_its_cost_and_source(knowledge: KnowledgeBase) -> None:
    lesions = [*ICE_PICKS, {"region": "cheek_right", "type": "rolling", "count": 6}]
    settings = Settings(prices={"tca_cross": 250})
    data = plan_json(plan_case(_case(lesions), knowledge, settings, TODAY))
    assert data["sessions"]
    for session in data["sessions"]:
        cost = session["cost"]
        assert cost is not None
        assert cost["amount"] > 0
        if session["modality"] == "tca_cross":
            assert cost == {"amount": 250.0, "currency": "USD", "source": "clinic"}
        else:
            assert cost["source"] == "published_estimate"
            assert cost["min"] <= cost["amount"] == cost["max"]
    total = data["total_cost"]
    assert total["amount"] == sum(s["cost"]["amount"] for s in data["sessions"])
    assert total["min"] == sum(s["cost"].get("min", s["cost"]["amount"]) for s in data["sessions"])
    assert total["max"] == total["amount"]
    assert total["unpriced"] == []
    assert total["complete"]
    assert not any("No price for" in note for note in data["notes"])
    assert any("published estimates" in note for note in data["notes"])


def test_clinic_prices_only_give_a_total_without_a_range(knowledge: KnowledgeBase) -> None:
    every = PriceList.model_validate(
        {"currency": "USD", "prices": {m.value: {"amount": "100"} for m in Modality}}
    )
    plan = plan_case(_case(ICE_PICKS), knowledge, Settings(), TODAY, ClinicPriceList(3, every))
    data = plan_json(plan)
    assert {s["cost"]["source"] for s in data["sessions"]} == {"clinic"}
    assert "min" not in data["total_cost"]
    assert all("clinic price list version 3" in s["cost_basis"] for s in data["sessions"])


def test_an_option_that_used_to_be_free_no_longer_slips_under_the_budget(
    knowledge: KnowledgeBase,
) -> None:
    """Golden p19's patient: before, the unpriced RF microneedling course passed a budget of
    1500 while the priced courses did not; now every course counts (the cheapest field course
    is microneedling, 4 x 700 = 2800 > 1500), so the budget clashes with treating the scars."""
    settings = Settings(prices={"microneedling": 700, "nonablative_fractional": 1200})
    case = _case(BOXCAR, budget={"amount": 1500, "currency": "USD"}, max_downtime_days=6)
    with pytest.raises(InfeasibleError) as refused:
        plan_case(case, knowledge, settings, TODAY)
    names = {c.constraint for c in refused.value.conflicts}
    assert names == {"preferences.budget", "treat boxcar"}
    budget = next(c for c in refused.value.conflicts if c.constraint == "preferences.budget")
    assert "2800.00 USD" in budget.relax

    enough = _case(BOXCAR, budget={"amount": 2800, "currency": "USD"}, max_downtime_days=6)
    data = plan_json(plan_case(enough, knowledge, settings, TODAY))
    assert {s["modality"] for s in data["sessions"]} == {"microneedling"}
    assert data["total_cost"]["amount"] == 2800.0


def test_a_budget_in_another_currency_is_not_checked_and_says_so(
    knowledge: KnowledgeBase,
) -> None:
    case = _case(ICE_PICKS, budget={"amount": 10, "currency": "EUR"})
    data = plan_json(plan_case(case, knowledge, Settings(), TODAY))
    assert data["sessions"]  # no rate: the EUR 10 budget is not held against USD prices
    assert data["budget_checked"] is False
    assert data["total_cost"]["currency"] == "USD"
    assert data["budget"] == {"amount": 10.0, "currency": "EUR"}
    assert any("budget is in EUR and the prices in USD" in note for note in data["notes"])


def test_prices_in_two_currencies_refuse_the_plan_naming_what_to_set(
    knowledge: KnowledgeBase,
) -> None:
    settings = Settings(currency="EUR", prices={"tca_cross": 250})
    lesions = [*ICE_PICKS, {"region": "cheek_right", "type": "rolling", "count": 6}]
    with pytest.raises(InputError) as refused:
        plan_case(_case(lesions), knowledge, settings, TODAY)
    problem = refused.value.problems[0]
    assert problem.path == "prices"
    assert "EUR: tca_cross (clinic)" in problem.message
    assert "set the clinic's price in EUR for subcision" in problem.hint


def test_a_plan_stored_before_costs_carried_their_source_still_reads() -> None:
    document = read_plan_document(json.loads(V1_DOCUMENT.read_text(encoding="utf-8")))
    assert document.sessions
    assert document.budget_checked is True
    for session in document.sessions:
        assert session.cost is None or session.cost.source is None
    assert document.total_cost.min is None


def test_a_session_cost_with_half_a_range_is_refused() -> None:
    data = json.loads(V1_DOCUMENT.read_text(encoding="utf-8"))
    data["sessions"][0]["cost"] = {"amount": 10.0, "currency": "USD", "min": 5.0}
    with pytest.raises(ValueError, match="min and max"):
        read_plan_document(data)
