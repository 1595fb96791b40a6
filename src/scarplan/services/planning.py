"""Planning use cases: plan a case file; present the plan as the JSON contract."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from scarplan.adapters.casefile import read_case_file
from scarplan.assessment import assess_case
from scarplan.domain.case import Case, Money
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.modalities import PlanRole
from scarplan.planning.conventions import ClinicPrice, Figure, PlanningConventions
from scarplan.planning.courses import SessionPrice
from scarplan.planning.document import PlanDocument, read_plan_document
from scarplan.planning.plan import Plan, build_plan
from scarplan.planning.price_list import PriceList
from scarplan.planning.techniques import LesionTreatment
from scarplan.services.assessment import NOTICE
from scarplan.settings import Settings

POLICY_SETTINGS = (
    *(name for name in Settings.model_fields if name.endswith("_policy")),
    "default_gap_between_modalities_days",
)
"""Every clinic-policy setting (each `*_policy` field), passed to the planner by name."""


def clinic_policies(settings: Settings) -> dict[str, str]:
    return {name: str(getattr(settings, name)) for name in POLICY_SETTINGS}


@dataclass(frozen=True)
class ClinicPriceList:
    """The clinic's price list in force: the newest saved version (services/clinic/plans/prices)."""

    version: int
    prices: PriceList


def planning_conventions(
    settings: Settings, price_list: ClinicPriceList | None = None
) -> PlanningConventions:
    """The planner's conventions. Prices, in order of precedence: the newest version of the
    clinic's price list (database) replaces settings `prices` and `currency` whole; without a
    saved version (the CLI, a new clinic) settings `prices` (per session, in `currency`) are
    the clinic's prices; any procedure neither names keeps its published estimate."""
    base = PlanningConventions(
        default_gap_days=settings.default_gap_between_modalities_days,
        fallback_sessions=settings.fallback_sessions,
        fallback_interval_weeks=settings.fallback_interval_weeks,
        fallback_downtime_days=settings.fallback_downtime_days,
        horizon_months=settings.planning_horizon_months,
        currency=settings.currency,
        clinic_prices={m: ClinicPrice(Decimal(str(p))) for m, p in settings.prices.items()},
    )
    if price_list is None:
        return base
    return replace(
        base,
        currency=price_list.prices.currency,
        clinic_prices=price_list.prices.clinic_prices(),
        price_list=f"clinic price list version {price_list.version}",
    )


def plan_case(
    case: Case,
    knowledge: KnowledgeBase,
    settings: Settings,
    today: date,
    price_list: ClinicPriceList | None = None,
) -> Plan:
    assessment = assess_case(case, knowledge)
    return build_plan(
        case,
        assessment,
        knowledge,
        clinic_policies(settings),
        planning_conventions(settings, price_list),
        today,
    )


def plan_file(
    path: Path, knowledge: KnowledgeBase, settings: Settings, today: date
) -> tuple[Case, Plan]:
    case = read_case_file(path, today)
    return case, plan_case(case, knowledge, settings, today)


def _money(value: Money | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"amount": float(value.amount), "currency": value.currency}


def _session_cost(price: SessionPrice) -> dict[str, Any]:
    """A session's cost: the planned amount, where it comes from, and an estimate's range."""
    cost: dict[str, Any] = {
        "amount": float(price.amount),
        "currency": price.currency,
        "source": price.source.value,
    }
    if price.is_estimate:
        cost |= {"min": float(price.low), "max": float(price.high)}
    return cost


def _total(plan: Plan) -> dict[str, Any]:
    total: dict[str, Any] = {**(_money(plan.total_cost) or {}), "complete": True, "unpriced": []}
    if plan.cost_range is not None:
        low, high = plan.cost_range
        total |= {"min": float(low), "max": float(high)}
    return total


def _figure(figure: Figure) -> dict[str, Any]:
    return {"value": figure.value, "basis": figure.basis, "sources": list(figure.sources)}


def _lesion_group(treatment: LesionTreatment, plan: Plan) -> dict[str, Any]:
    field = next(
        (
            c.spec.modality
            for c in plan.courses
            if c.spec.role is PlanRole.RESURFACING and treatment.index in c.spec.lesion_groups
        ),
        None,
    )
    return {
        "index": treatment.index,
        "region": treatment.region.value,
        "type": treatment.scar_type.value,
        "count": treatment.count,
        "label": treatment.label,
        "rule": treatment.rule_id,
        "technique": treatment.technique.value if treatment.technique else None,
        "field": field.value if field else None,
        "then": [treatment.then.value] if treatment.then else [],
        "not_possible": [{"modality": m.value, "reason": why} for m, why in treatment.blocked],
        "reason": treatment.reason,
        "sources": list(treatment.sources),
    }


def plan_json(plan: Plan, routine: dict[str, Any] | None = None) -> dict[str, Any]:
    """The `scarplan plan --json` contract (architecture.md), as JSON-ready data."""
    return plan_document(plan, routine).model_dump(mode="json")


def plan_document(plan: Plan, routine: dict[str, Any] | None = None) -> PlanDocument:
    """The plan as the typed plan document (planning.document), with the reasoning behind it."""
    return read_plan_document(_document_data(plan, routine))


def _document_data(plan: Plan, routine: dict[str, Any] | None) -> dict[str, Any]:
    expectations = plan.expectations
    return {
        "patient_id": plan.patient_id,
        "start_date": plan.start.isoformat(),
        "fitzpatrick": plan.fitzpatrick.value if plan.fitzpatrick else None,
        "scars": {t.value: n for t, n in plan.load.counts.items()},
        "recommended": [
            {
                "modality": r.modality.value,
                "targets": [t.value for t in r.targets],
                "regions": [region.value for region in r.regions],
                "score": r.score,
                "tier": ("first_line", "second_line", "other")[r.tier],
                "line": r.line,
                "lesion_groups": list(r.lesion_groups),
                "in_plan": r.modality not in plan.not_in_plan,
                "not_in_plan_reason": plan.not_in_plan.get(r.modality),
                "reasons": list(r.reasons),
                "expected": [
                    {"text": e.text, "sources": list(e.sources)}
                    for e in expectations.get(r.modality, ())
                ],
                "cautions": [c.text for c in r.cautions],
                "sources": list(r.sources),
            }
            for r in plan.recommendations.recommended
        ],
        "cautions": [
            {
                "text": c.text,
                "procedures": [m.value for m in c.modalities],
                "sources": list(c.sources),
            }
            for c in plan.cautions
        ],
        "excluded": [
            {
                "modality": e.modality.value,
                "targets": [t.value for t in e.targets],
                "reasons": list(e.reasons),
                "relax": e.relax or None,
                "sources": list(e.sources),
                "causes": [e.cause(i) for i in range(len(e.reasons))],
            }
            for e in plan.recommendations.excluded
        ],
        "courses": [
            {
                "modality": c.spec.modality.value,
                "role": c.spec.role.value,
                "sessions": _figure(c.spec.sessions),
                "published_sessions": c.spec.sessions_published,
                "interval_days": {
                    **_figure(c.spec.interval_min_days),
                    "max": c.spec.interval_max_days,
                },
                "downtime_days": _figure(c.spec.downtime),
                "earliest": c.earliest.isoformat(),
                "first": c.first.isoformat(),
                "last": c.last.isoformat(),
            }
            for c in plan.courses
        ],
        "lesion_groups": [_lesion_group(t, plan) for t in plan.lesion_treatments],
        "sequence": [
            {
                "first": o.first.value,
                "then": o.then.value,
                "after": o.after.value,
                "gap_days": {"value": o.gap_days, "basis": o.basis, "sources": list(o.sources)},
                "rule": o.rule_id,
                "reason": o.reason,
            }
            for o in plan.sequence
        ],
        "alternations": [
            {
                "modalities": sorted(m.value for m in t.pair),
                "gap_days": {"value": t.gap_days, "basis": t.basis, "sources": list(t.sources)},
                "max_days": t.gap_max_days,
                "rule": t.rule_id,
                "note": t.note,
            }
            for t in plan.alternations
        ],
        "default_gap_days": plan.default_gap_days,
        "sessions": [
            {
                "date": s.day.isoformat(),
                "modality": s.modality.value,
                "number": s.number,
                "of": s.of,
                "targets": [t.value for t in s.targets],
                "regions": [region.value for region in s.regions],
                "lesion_groups": list(s.lesion_groups),
                "downtime_days": s.downtime.value,
                "recovered_by": (s.day + timedelta(days=s.downtime.value)).isoformat(),
                "cost": _session_cost(s.price),
                "cost_basis": s.price.basis,
            }
            for s in plan.sessions
        ],
        "preparations": [
            {
                "kind": p.kind,
                "what": p.what,
                "date": p.day.isoformat(),
                "until": p.until.isoformat(),
                "before": [m.value for m in p.before],
                "agents": list(p.agents),
                "reason": p.reason,
                "sources": list(p.sources),
            }
            for p in plan.preparations
        ],
        "reviews": [
            {
                "date": r.day.isoformat(),
                "after": r.after.value,
                "after_session": r.after_session,
                "reason": r.reason,
            }
            for r in plan.reviews
        ],
        "total_cost": _total(plan),
        "budget": _money(plan.budget),
        "budget_checked": plan.budget_checked,
        "end_date": plan.end_date.isoformat() if plan.end_date else None,
        "routine": routine,
        "notes": list(plan.notes),
        "notice": NOTICE,
    }
