"""The clinic's price list: versions kept with who, when and why; the newest prices the plans;
only the admin role manages it; the demo clinic prices every procedure."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from scarplan.adapters.db.tables import AuditEventRecord
from scarplan.domain.errors import InputError, PermissionDeniedError
from scarplan.domain.vocabulary import Modality
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.accounts.demo_clinic import DEMO_PRICES, seed_demo_clinic
from scarplan.services.clinic.core.context import Clinic
from scarplan.services.clinic.plans import plans, prices
from scarplan.services.clinic.records import assessments, patients
from support.clinic_data import assessment_input, patient_input
from support.clock import FrozenClock

PASSWORD = "a long test password"


def _list(currency: str = "USD", **amounts: Any) -> dict[str, Any]:
    return {
        "currency": currency,
        "prices": {m: {"amount": str(a), "per": "session"} for m, a in amounts.items()},
    }


def test_each_save_is_a_new_version_kept_with_who_when_and_why(
    clinic: Clinic, clock: FrozenClock
) -> None:
    admin = users.create_user(clinic, "admin.prices", "Admin", PASSWORD, "admin")
    first = prices.save_price_list(clinic, admin, _list(tca_cross=250), "opening prices")
    clock.advance(days=3)
    second = prices.save_price_list(clinic, admin, _list(tca_cross=300), "new year prices")

    page = prices.read_prices(clinic, admin)

    assert page.current is not None
    assert page.current.version == second.version
    assert [v.version for v in page.history] == [second.version, first.version]
    assert page.history[1].reason == "opening prices"
    assert page.history[1].created_by == "admin.prices"
    assert page.history[0].created_at > page.history[1].created_at
    assert page.current.price_list.prices[Modality.TCA_CROSS].amount == 300
    assert {e.modality for e in page.estimates} == set(Modality)
    clinic.audit.flush()
    with clinic.uow.read() as session:
        audited = session.scalars(
            select(AuditEventRecord.entity_id).where(AuditEventRecord.entity == "price_list")
        ).all()
    assert sorted(a for a in audited if a is not None) == sorted([first.version, second.version])


@pytest.mark.parametrize("role", ["clinician", "staff", "researcher"])
def test_only_the_admin_role_manages_prices(clinic: Clinic, role: str) -> None:
    other = users.create_user(clinic, f"{role}.prices", role, PASSWORD, role)
    with pytest.raises(PermissionDeniedError):
        prices.read_prices(clinic, other)
    with pytest.raises(PermissionDeniedError):
        prices.save_price_list(clinic, other, _list(tca_cross=250), "not allowed")


@pytest.mark.parametrize(
    ("raw", "reason", "field"),
    [
        (_list(tca_cross=0), "zero", "prices.tca_cross.amount"),
        (_list("usd", tca_cross=250), "lower case", "currency"),
        ({"currency": "USD", "prices": {"laser": {"amount": "9"}}}, "unknown id", "prices.laser"),
        (
            {"currency": "USD", "prices": {"subcision": {"amount": "9", "per": "scar"}}},
            "per scar",
            "",
        ),
        (_list(tca_cross=250), "", "reason"),
    ],
)
def test_a_wrong_price_list_is_refused_naming_the_field(
    clinic: Clinic, raw: dict[str, Any], reason: str, field: str
) -> None:
    admin = users.create_user(clinic, "admin.prices", "Admin", PASSWORD, "admin")
    with pytest.raises(InputError) as caught:
        prices.save_price_list(clinic, admin, raw, reason)
    assert any(field in p.path for p in caught.value.problems), caught.value.problems


def test_the_newest_version_prices_the_plan_and_estimates_fill_the_rest(clinic: Clinic) -> None:
    admin = users.create_user(clinic, "admin.prices", "Admin", PASSWORD, "admin")
    clinician = users.create_user(clinic, "dr.prices", "Dr P", PASSWORD, "clinician")
    patient = patients.create_patient(clinic, clinician, patient_input("P-PRICE", "Priced"))
    assessments.record_assessment(
        clinic, clinician, patient.id, assessment_input(clinic.today() - timedelta(days=1))
    )
    saved = prices.save_price_list(clinic, admin, _list(tca_cross=275), "tca price")

    plan = plans.propose_plan(clinic, clinician, patient.id)

    costs = {s.modality: s.cost for s in plan.document.sessions}
    assert all(cost is not None for cost in costs.values())
    tca = costs[Modality.TCA_CROSS]
    assert tca is not None
    assert (tca.amount, tca.source, tca.min) == (275.0, "clinic", None)
    basis = {s.modality: s.cost_basis for s in plan.document.sessions}
    assert f"clinic price list version {saved.version}" in (basis[Modality.TCA_CROSS] or "")
    others = [c for m, c in costs.items() if m is not Modality.TCA_CROSS]
    assert others
    assert all(c is not None and c.source == "published_estimate" for c in others)
    total = plan.document.total_cost
    assert total.unpriced == []
    assert total.complete
    assert total.min is not None
    assert total.max == total.amount


def test_the_demo_clinic_prices_every_procedure(clinic: Clinic) -> None:
    seed_demo_clinic(clinic)
    with clinic.uow.read() as session:
        in_force = prices.clinic_price_list(session, clinic.today())
    assert in_force is not None
    assert in_force.prices.complete
    assert set(DEMO_PRICES["prices"]) == {m.value for m in Modality}
    admin = users.create_user(clinic, "admin.demo", "Admin", PASSWORD, "admin")
    assert prices.read_prices(clinic, admin).current is not None
