"""Planning use cases: plan a case file; present the plan as the JSON contract."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from scarplan.adapters.casefile import read_case_file
from scarplan.assessment import assess_case
from scarplan.domain.case import Case, Money
from scarplan.knowledge import KnowledgeBase
from scarplan.planning.conventions import Figure, PlanningConventions
from scarplan.planning.plan import Plan, build_plan
from scarplan.services.assessment import NOTICE
from scarplan.settings import Settings

POLICY_SETTINGS = (
    "pregnancy_procedure_policy",
    "anticoagulant_policy",
    "skin_infection_policy",
    "active_acne_policy",
    "keloid_deep_resurfacing_policy",
    "isotretinoin_wait_policy",
    "default_gap_between_modalities_days",
)


def clinic_policies(settings: Settings) -> dict[str, str]:
    return {name: str(getattr(settings, name)) for name in POLICY_SETTINGS}


def planning_conventions(settings: Settings) -> PlanningConventions:
    return PlanningConventions(
        default_gap_days=settings.default_gap_between_modalities_days,
        fallback_sessions=settings.fallback_sessions,
        fallback_interval_weeks=settings.fallback_interval_weeks,
        fallback_downtime_days=settings.fallback_downtime_days,
        horizon_months=settings.planning_horizon_months,
        currency=settings.currency,
        clinic_prices={m: Decimal(str(p)) for m, p in settings.prices.items()},
    )


def plan_case(case: Case, knowledge: KnowledgeBase, settings: Settings, today: date) -> Plan:
    assessment = assess_case(case, knowledge)
    return build_plan(
        case,
        assessment,
        knowledge,
        clinic_policies(settings),
        planning_conventions(settings),
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


def _figure(figure: Figure) -> dict[str, Any]:
    return {"value": figure.value, "basis": figure.basis, "sources": list(figure.sources)}


def plan_json(plan: Plan, routine: dict[str, Any] | None = None) -> dict[str, Any]:
    """The `scarplan plan --json` contract (architecture.md), with the reasoning behind it."""
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
                "in_plan": r.modality not in plan.not_in_plan,
                "not_in_plan_reason": plan.not_in_plan.get(r.modality),
                "reasons": list(r.reasons),
                "expected": [
                    {"text": e.text, "sources": list(e.sources)}
                    for e in expectations.get(r.modality, ())
                ],
                "cautions": list(r.cautions),
                "sources": list(r.sources),
            }
            for r in plan.recommendations.recommended
        ],
        "excluded": [
            {
                "modality": e.modality.value,
                "targets": [t.value for t in e.targets],
                "reasons": list(e.reasons),
                "relax": e.relax or None,
                "sources": list(e.sources),
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
        "sequence": [
            {
                "first": p.first.value,
                "then": p.then.value,
                "gap_days": _figure(p.gap),
                "rule": p.rule_id,
                "reason": p.reason,
            }
            for p in plan.sequence
        ],
        "sessions": [
            {
                "date": s.day.isoformat(),
                "modality": s.modality.value,
                "number": s.number,
                "of": s.of,
                "targets": [t.value for t in s.targets],
                "regions": [region.value for region in s.regions],
                "downtime_days": s.downtime.value,
                "recovered_by": (s.day + timedelta(days=s.downtime.value)).isoformat(),
                "cost": _money(s.price.money) if s.price else None,
                "cost_basis": s.price.basis if s.price else None,
            }
            for s in plan.sessions
        ],
        "total_cost": {
            **(_money(plan.total_cost) or {}),
            "complete": plan.cost_complete,
            "unpriced": [m.value for m in plan.unpriced],
        },
        "budget": _money(plan.budget),
        "end_date": plan.end_date.isoformat() if plan.end_date else None,
        "routine": routine,
        "notes": list(plan.notes),
        "notice": NOTICE,
    }
