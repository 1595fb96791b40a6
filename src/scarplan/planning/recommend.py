"""Rank the eligible procedures for the scars actually present, and say why.

Scoring is scarplan's documented convention (docs/planning.md): suitability for each scar type
present, weighted by that type's share of the scars, plus a small credit for stronger evidence,
minus a penalty for the patient's skin-type risk. Hard limits (blocking findings, a skin-type
risk of `avoid`, a downtime above the patient's limit) exclude, and say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from scarplan.domain.vocabulary import ATROPHIC_SCAR_TYPES, Fitzpatrick, Modality, Region, ScarType
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.modalities import (
    EvidenceLevel,
    ModalityEntry,
    RiskLevel,
    SuitabilityRating,
)
from scarplan.planning.conventions import PlanningConventions, planning_downtime
from scarplan.planning.eligibility import Eligibility

SUITABILITY_POINTS = {
    SuitabilityRating.FIRST_LINE: 3.0,
    SuitabilityRating.GOOD: 2.0,
    SuitabilityRating.FAIR: 1.0,
    SuitabilityRating.POOR: 0.0,
    SuitabilityRating.NOT_INDICATED: 0.0,
}
EVIDENCE_CREDIT = {
    EvidenceLevel.MODERATE: 0.5,
    EvidenceLevel.LOW: 0.25,
    EvidenceLevel.VERY_LOW: 0.0,
}
RISK_PENALTY = {RiskLevel.LOW: 0.0, RiskLevel.MODERATE: 0.25, RiskLevel.HIGH: 1.0}
TREATS = frozenset({SuitabilityRating.FIRST_LINE, SuitabilityRating.GOOD, SuitabilityRating.FAIR})
FOCAL_ICE_PICK = frozenset(
    {Modality.TCA_CROSS, Modality.PUNCH_EXCISION, Modality.PUNCH_ELEVATION, Modality.PUNCH_GRAFTING}
)


@dataclass(frozen=True)
class ScarLoad:
    """What the plan must treat: scar counts and regions per atrophic type."""

    counts: Mapping[ScarType, int]
    regions: Mapping[ScarType, tuple[Region, ...]]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Caution:
    """A caution on a recommended procedure: a finding's reason and advice, or the skin-type
    risk, with its sources. The same text on several procedures is one caution of the plan."""

    text: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recommendation:
    modality: Modality
    targets: tuple[ScarType, ...]
    regions: tuple[Region, ...]
    score: float
    reasons: tuple[str, ...]
    cautions: tuple[Caution, ...]
    sources: tuple[str, ...]
    tier: int = 2
    """0 first-line for this patient's scars and skin type, 1 second-line, 2 other
    (planning.ranking)."""
    line: str = ""
    """Why it holds its tier, in words."""
    lesion_groups: tuple[int, ...] = ()
    """The assessed lesion groups it would treat."""


@dataclass(frozen=True)
class Exclusion:
    modality: Modality
    reasons: tuple[str, ...]
    sources: tuple[str, ...]
    targets: tuple[ScarType, ...] = ()
    """The scar types present that it would have treated."""
    relax_days: int | None = None
    """The downtime limit that would allow it, when only the patient's limit excluded it."""
    causes: tuple[str, ...] = ()
    """Each reason in a few words ('the patient is pregnant'), parallel to `reasons`: notes and
    reports name the cause where the full reason is stated once elsewhere."""

    def cause(self, index: int = 0) -> str:
        return self.causes[index] if index < len(self.causes) else self.reasons[index]

    @property
    def relax(self) -> str:
        """What the patient could change to allow it; empty when a safety rule excluded it."""
        if self.relax_days is None:
            return ""
        return f"accepting up to {self.relax_days} days of downtime would allow it"


@dataclass(frozen=True)
class Recommendations:
    recommended: tuple[Recommendation, ...]
    excluded: tuple[Exclusion, ...]
    notes: tuple[str, ...]


def _skin_risk(
    entry: ModalityEntry, fitzpatrick: Fitzpatrick | None
) -> tuple[RiskLevel | None, tuple[str, ...]]:
    """The risk for the patient's type; an unknown type takes the worst level listed."""
    rows = [r for r in entry.skin_type_risks if fitzpatrick is None or fitzpatrick in r.types]
    if not rows:
        return None, ()
    order = list(RiskLevel)
    worst = max(rows, key=lambda r: order.index(r.level))
    return worst.level, tuple(worst.sources)


def recommend(
    load: ScarLoad,
    eligibility: Mapping[Modality, Eligibility],
    knowledge: KnowledgeBase,
    fitzpatrick: Fitzpatrick | None,
    max_downtime_days: int | None,
    conventions: PlanningConventions | None = None,
) -> Recommendations:
    conventions = conventions or PlanningConventions()
    recommended: list[Recommendation] = []
    excluded: list[Exclusion] = []
    present = [t for t in ATROPHIC_SCAR_TYPES if load.counts.get(t, 0) > 0]
    for modality, entry in knowledge.modalities.items():
        status = eligibility[modality]
        targets = tuple(t for t in ScarType if t in present and entry.rating_for(t) in TREATS)
        if not targets:
            continue
        exclusion = (
            _blocked(modality, status)
            or _avoided(modality, entry, fitzpatrick)
            or _too_long(modality, entry, max_downtime_days, conventions)
        )
        if exclusion is not None:
            excluded.append(replace(exclusion, targets=targets))
            continue
        risk, risk_sources = _skin_risk(entry, fitzpatrick)
        recommended.append(
            _recommendation(modality, entry, targets, load, (risk, risk_sources), status)
        )
    recommended.sort(key=lambda r: (-r.score, r.modality.value))
    notes = _notes(load, recommended, excluded)
    return Recommendations(tuple(recommended), tuple(excluded), tuple(notes))


def _blocked(modality: Modality, status: Eligibility) -> Exclusion | None:
    blocking = status.blocking
    if not blocking:
        return None
    return Exclusion(
        modality,
        tuple(f"{f.why_active}: {f.reason}" for f in blocking),
        tuple(sorted({source for f in blocking for source in f.sources})),
        causes=tuple(f.why_active for f in blocking),
    )


def _avoided(
    modality: Modality, entry: ModalityEntry, fitzpatrick: Fitzpatrick | None
) -> Exclusion | None:
    risk, sources = _skin_risk(entry, fitzpatrick)
    if risk is not RiskLevel.AVOID:
        return None
    skin = fitzpatrick.value if fitzpatrick else "unknown"
    reason = f"the knowledge base rates its risk for skin type {skin} as avoid"
    return Exclusion(modality, (reason,), sources, causes=(reason,))


def _too_long(
    modality: Modality,
    entry: ModalityEntry,
    max_downtime_days: int | None,
    conventions: PlanningConventions,
) -> Exclusion | None:
    """The patient's limit is hard: the planned (upper) downtime must stay within it."""
    if max_downtime_days is None:
        return None
    downtime = planning_downtime(entry, conventions)
    if downtime.value <= max_downtime_days:
        return None
    reason = (
        f"downtime up to {downtime.value} days ({downtime.basis}) exceeds the patient's limit "
        f"of {max_downtime_days} days"
    )
    return Exclusion(
        modality,
        (reason,),
        downtime.sources,
        relax_days=downtime.value,
        causes=(reason,),
    )


def _recommendation(
    modality: Modality,
    entry: ModalityEntry,
    targets: tuple[ScarType, ...],
    load: ScarLoad,
    skin_risk: tuple[RiskLevel | None, tuple[str, ...]],
    status: Eligibility,
) -> Recommendation:
    risk, risk_sources = skin_risk
    reasons, sources = [], set(entry.evidence.sources)
    score = 0.0
    for scar_type in targets:
        suitability = entry.suitability[scar_type]
        share = load.counts[scar_type] / load.total
        score += SUITABILITY_POINTS[suitability.rating] * share
        reasons.append(
            f"{suitability.rating.value.replace('_', ' ')} for {scar_type.value.replace('_', ' ')} "
            f"scars ({load.counts[scar_type]}): {suitability.note}".rstrip(": ")
        )
        sources.update(suitability.sources)
    score += EVIDENCE_CREDIT[entry.evidence.level]
    cautions = [
        Caution(f"{f.why_active}: {f.reason} {f.advice}".strip(), tuple(f.sources))
        for f in status.cautions
    ]
    if risk is not None:
        score -= RISK_PENALTY.get(risk, 0.0)
        if risk in (RiskLevel.MODERATE, RiskLevel.HIGH):
            cautions.append(
                Caution(f"{risk.value} pigment or scarring risk for this skin type", risk_sources)
            )
    for finding in status.findings:
        sources.update(finding.sources)
    regions = tuple(
        sorted({r for t in targets for r in load.regions.get(t, ())}, key=list(Region).index)
    )
    return Recommendation(
        modality,
        targets,
        regions,
        round(score, 3),
        tuple(reasons),
        tuple(cautions),
        tuple(sorted(sources)),
    )


def _notes(
    load: ScarLoad, recommended: list[Recommendation], excluded: list[Exclusion]
) -> list[str]:
    notes = []
    if load.counts.get(ScarType.ICE_PICK, 0):
        focal = [r.modality.value for r in recommended if r.modality in FOCAL_ICE_PICK]
        if not focal:
            why = by_cause(
                (e.modality.value, e.cause()) for e in excluded if e.modality in FOCAL_ICE_PICK
            )
            note = (
                "Ice pick scars need a focal procedure (TCA CROSS or a punch technique) and none "
                f"is possible now ({why}); resurfacing alone is much less effective for them."
            )
            relaxable = [
                e for e in excluded if e.modality in FOCAL_ICE_PICK and e.relax_days is not None
            ]
            if relaxable:
                days = min(e.relax_days or 0 for e in relaxable)
                allowed = " or ".join(e.modality.value for e in relaxable if e.relax_days == days)
                note += f" Accepting up to {days} days of downtime would allow {allowed}."
            notes.append(note)
    return notes


def by_cause(pairs: Iterable[tuple[str, str]], *, cause_first: bool = False) -> str:
    """'tca_cross, punch_excision: the patient is pregnant; subcision: ...': each cause once,
    with the procedures it concerns (`cause_first`: 'the patient is pregnant (tca_cross, ...)')."""
    grouped: dict[str, list[str]] = {}
    for name, cause in pairs:
        grouped.setdefault(cause, []).append(name)
    if cause_first:
        return "; ".join(f"{cause} ({', '.join(names)})" for cause, names in grouped.items())
    return "; ".join(f"{', '.join(names)}: {cause}" for cause, names in grouped.items())
