"""The patient portal: a signed-in patient's own pages, read as the patient.

Each page is one use case over the ones the clinic already has: the overview's counts, the
visit preparation (visit_preparation.py), the patient report's plain-language content
(patient_report.py, the patient variant: procedures, costs, scores explained with their sources),
the score trend and the photos (progress.py). Nothing is worked out twice; what is new here is
the choice of what a patient sees, and the score trend said in words.

Only a patient account reaches these: anyone else is refused (PermissionDeniedError) and uses
the clinic's own pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from scarplan.adapters.reports.content import ReportContent, Score, Variant
from scarplan.domain.errors import PermissionDeniedError
from scarplan.services.clinic.core.access import Role
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.exchange.patient_report import patient_report
from scarplan.services.clinic.plans.plans import PlanView
from scarplan.services.clinic.plans.visit_preparation import Preparation, preparation
from scarplan.services.clinic.records.photos import PhotoView
from scarplan.services.clinic.records.progress import (
    Overview,
    PhotoPair,
    ScoreSummary,
    open_plan_view,
    patient_overview,
    patient_progress,
)


def own_patient(actor: Actor) -> int:
    """The patient record of a portal account; anyone else is refused."""
    if actor.role != Role.PATIENT or actor.patient_id is None:
        raise PermissionDeniedError("the portal is for patients; the clinic uses its own pages")
    return actor.patient_id


@dataclass(frozen=True)
class PortalHome:
    name: str
    overview: Overview
    preparation: Preparation
    plan_status: str | None
    """The open plan's status (proposed, accepted, in_progress), None without one."""


def portal_home(clinic: Clinic, actor: Actor, today: date) -> PortalHome:
    patient_id = own_patient(actor)
    overview = patient_overview(clinic, actor, patient_id)
    return PortalHome(
        name=overview.patient.full_name,
        overview=overview,
        preparation=preparation(clinic, actor, patient_id, today),
        plan_status=overview.plan.status if overview.plan is not None else None,
    )


@dataclass(frozen=True)
class CostSplit:
    currency: str
    spent: Decimal
    """The sessions carried out, at the plan's prices."""
    to_come: Decimal
    """The sessions still to do."""
    unpriced: int
    """Sessions without a price (plans stored before every procedure had one)."""


@dataclass(frozen=True)
class PortalPlan:
    status: str | None
    report: ReportContent | None
    """The patient report's content (plain words); None before the first assessment."""
    costs: CostSplit | None


def cost_split(plan: PlanView) -> CostSplit:
    done = [s for s in plan.sessions if s.done_by_session_id is not None]
    left = [s for s in plan.sessions if s.done_by_session_id is None]
    return CostSplit(
        currency=plan.currency,
        spent=sum((s.cost for s in done if s.cost is not None), Decimal(0)),
        to_come=sum((s.cost for s in left if s.cost is not None), Decimal(0)),
        unpriced=sum(1 for s in plan.sessions if s.cost is None),
    )


def portal_plan(clinic: Clinic, actor: Actor) -> PortalPlan:
    patient_id = own_patient(actor)
    plan = open_plan_view(clinic, actor, patient_id)
    if plan is None:
        return PortalPlan(None, None, None)
    report = patient_report(clinic, actor, patient_id, Variant.PATIENT)
    return PortalPlan(plan.status, report, cost_split(plan))


@dataclass(frozen=True)
class Trend:
    scale: str
    sentence: str


@dataclass(frozen=True)
class PortalProgress:
    points: tuple[ScoreSummary, ...]
    scores: tuple[Score, ...]
    """The latest scores with what they mean and their sources (the report's)."""
    trend: tuple[Trend, ...]
    report: ReportContent | None
    photos: tuple[PhotoView, ...]
    pairs: tuple[PhotoPair, ...]
    sessions: tuple[tuple[date, str], ...]


def _month(day: date) -> str:
    return day.strftime("%B %Y")


def _change(name: str, first: float, last: float, since: date, better: str) -> Trend:
    shown = f"{first:g}", f"{last:g}"
    if last < first:
        words = f"down from {shown[0]} to {shown[1]} since {_month(since)}: {better}"
    elif last > first:
        words = (
            f"up from {shown[0]} to {shown[1]} since {_month(since)}: your clinic will talk "
            "this through with you"
        )
    else:
        words = f"the same as in {_month(since)} ({shown[1]})"
    return Trend(name, f"{name}: {words}.")


def score_trend(points: tuple[ScoreSummary, ...]) -> tuple[Trend, ...]:
    """The change from the first assessment to the latest, in words; lower is better on all
    three scales (scales.yaml: each scores more, and more severe, scarring higher)."""
    if len(points) < 2:
        return ()
    first, last = points[0], points[-1]
    since = first.assessed_on
    return (
        _change(
            "Overall grade",
            first.goodman_baron_qualitative,
            last.goodman_baron_qualitative,
            since,
            "your most affected area looks milder",
        ),
        _change(
            "Scar score",
            first.goodman_baron_quantitative,
            last.goodman_baron_quantitative,
            since,
            "fewer or milder scars",
        ),
        _change("ECCA score", first.ecca, last.ecca, since, "fewer or shallower scars"),
    )


def portal_progress(clinic: Clinic, actor: Actor) -> PortalProgress:
    patient_id = own_patient(actor)
    progress = patient_progress(clinic, actor, patient_id)
    points = tuple(progress.points)
    report = patient_report(clinic, actor, patient_id, Variant.PATIENT) if points else None
    return PortalProgress(
        points=points,
        scores=report.scores if report is not None else (),
        trend=score_trend(points),
        report=report,
        photos=tuple(progress.photos),
        pairs=tuple(progress.pairs),
        sessions=tuple(progress.sessions),
    )


@dataclass(frozen=True)
class PortalRoutine:
    preparation: Preparation
    report: ReportContent | None
    """For the whole routine: its products, calendar and advice (the report's, in plain words)."""


def portal_routine(clinic: Clinic, actor: Actor, today: date) -> PortalRoutine:
    patient_id = own_patient(actor)
    prepared = preparation(clinic, actor, patient_id, today)
    report = (
        patient_report(clinic, actor, patient_id, Variant.PATIENT)
        if prepared.following_plan
        else None
    )
    return PortalRoutine(prepared, report)


@dataclass(frozen=True)
class PortalRecords:
    photos: tuple[PhotoView, ...]
    has_report: bool
    """A report exists once the clinic has assessed the patient."""


def portal_records(clinic: Clinic, actor: Actor) -> PortalRecords:
    patient_id = own_patient(actor)
    progress = patient_progress(clinic, actor, patient_id)
    return PortalRecords(tuple(progress.photos), bool(progress.points))
