"""What the decision aid shows everyone: scar types, the options side by side (with doing
nothing and home care only), home care, questions for a dermatologist and the date the evidence
was reviewed. Built once per knowledge base: it is immutable for the life of the process."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

from scarplan.adapters.presentation.wording import label
from scarplan.adapters.reports.content import Cited
from scarplan.domain.vocabulary import Agent, Modality, ScarType
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.common import CitedRange
from scarplan.knowledge.schema.modalities import (
    PER_PRODUCT,
    ModalityEntry,
    PriceEstimate,
    RiskLevel,
    SuitabilityRating,
)
from scarplan.planning.eligibility import DARKER_TYPES
from scarplan.services.guide.citations import CitationBuilder, Citations

ATROPHIC = (ScarType.ICE_PICK, ScarType.BOXCAR, ScarType.ROLLING)
NOTHING = "nothing"
HOME_CARE = "home_care"
MAX_OUTCOMES = 2
"""Published results shown per option in the grid (the knowledge-base page lists them all)."""
MAX_RISKS = 2

RATING_WORDS = {
    SuitabilityRating.FIRST_LINE: "a first choice",
    SuitabilityRating.GOOD: "works well",
    SuitabilityRating.FAIR: "helps somewhat",
    SuitabilityRating.POOR: "helps little",
    SuitabilityRating.NOT_INDICATED: "not used",
}
EVIDENCE_WORDS = {
    "moderate": "moderate: a few good trials",
    "low": "low: small trials and case series",
    "very_low": "very low: very few studies",
}
RISK_WORDS = {
    RiskLevel.LOW: "low",
    RiskLevel.MODERATE: "moderate",
    RiskLevel.HIGH: "high",
    RiskLevel.AVOID: "usually avoided",
}
RISK_ORDER = (RiskLevel.LOW, RiskLevel.MODERATE, RiskLevel.HIGH, RiskLevel.AVOID)
SCAR_DRAWING_ALT = {
    ScarType.ICE_PICK: (
        "Cross-section of skin with an ice pick scar: a narrow opening at the surface and a "
        "deep, V-shaped channel that narrows to a point far down in the skin."
    ),
    ScarType.BOXCAR: (
        "Cross-section of skin with a boxcar scar: a wide dent with steep, sharp walls and a "
        "flat floor, like a small box pressed into the skin."
    ),
    ScarType.ROLLING: (
        "Cross-section of skin with rolling scars: wide, shallow, wavy dips with soft sloping "
        "edges, pulled down by bands of scar tissue underneath that tie the skin to deeper layers."
    ),
}
QUESTIONS = (
    "Which types of scar do I have, and where?",
    "Which options would you suggest for my scars, and why those?",
    "How many sessions will I need, how far apart, and how long will I look red, swollen or "
    "crusted after each one?",
    "What will the whole course cost, including follow-up visits and any creams?",
    "How much improvement can I expect, and how will we measure it? (Treatment improves scars; "
    "it does not erase them.)",
    "What are the risks for my skin type, especially dark marks, and how do you prevent them? "
    "Do I need a test spot first?",
    "Should I stop any creams or medicines before treatment, and when?",
    "What happens if I wait, or choose home care only?",
    "How often have you done this procedure, and can I see results in skin like mine?",
    "Is my acne calm enough to start, or should we treat the acne first?",
)


@dataclass(frozen=True)
class ScarTypeCard:
    key: str
    """The vocabulary id: picks the drawing and the page anchor (never shown)."""
    name: str
    summary: str
    shape: Cited
    width: Cited | None
    drawing_alt: str
    helped_by: tuple[str, ...]
    """Procedures the knowledge base rates a first choice or good for this type."""


@dataclass(frozen=True)
class OptionCard:
    key: str
    """A procedure id, or `nothing` / `home_care` (anchors and form values; never shown)."""
    name: str
    is_procedure: bool
    summary: str
    helps: tuple[str, ...]
    """'Ice pick scars: a first choice' for each atrophic type."""
    sessions: Cited
    interval: Cited
    downtime: Cited
    cost: Cited
    improvement: tuple[Cited, ...]
    risks: tuple[Cited, ...]
    darker_skin: Cited
    """The dark-mark (PIH) risk in Fitzpatrick IV-VI."""
    evidence: str
    # The figures the values clarification compares (None: not applicable or not published).
    downtime_days_max: float | None
    visits_max: float | None
    dark_mark_risk: RiskLevel | None


@dataclass(frozen=True)
class HomeCareSection:
    title: str
    items: tuple[Cited, ...]


@dataclass(frozen=True)
class GuideContent:
    scar_types: tuple[ScarTypeCard, ...]
    options: tuple[OptionCard, ...]
    home_care: tuple[HomeCareSection, ...]
    questions: tuple[str, ...]
    reviewed_on: date | None
    citations: Citations

    def option(self, key: str) -> OptionCard:
        return next(card for card in self.options if card.key == key)


_cache: dict[int, tuple[KnowledgeBase, GuideContent]] = {}
_lock = threading.Lock()


def guide_content(knowledge: KnowledgeBase) -> GuideContent:
    """The guide for this knowledge base, built on first use and then reused (the knowledge
    base is immutable; the cache holds it, so its id cannot be reused by another object)."""
    cached = _cache.get(id(knowledge))
    if cached is not None:
        return cached[1]
    with _lock:
        cached = _cache.get(id(knowledge))
        if cached is None:
            cached = (knowledge, build_content(knowledge))
            _cache[id(knowledge)] = cached
    return cached[1]


def build_content(knowledge: KnowledgeBase) -> GuideContent:
    cite = CitationBuilder(knowledge)
    scar_types = tuple(_scar_card(knowledge, scar_type, cite) for scar_type in ATROPHIC)
    procedures = tuple(_procedure_card(knowledge, entry, cite) for entry in _procedures(knowledge))
    options = (_nothing_card(), _home_care_card(knowledge, cite), *procedures)
    home_care = _home_care(knowledge, cite)
    for condition in knowledge.conditions.values():  # the suitability page cites these
        for effect in condition.effects:
            cite.cite(effect.sources)
    return GuideContent(
        scar_types, options, home_care, QUESTIONS, knowledge.reviewed_on, cite.freeze()
    )


def _procedures(knowledge: KnowledgeBase) -> list[ModalityEntry]:
    """Procedures that treat atrophic scars on their own (PRP is only ever added to another)."""
    return [
        entry
        for entry in knowledge.modalities.values()
        if entry.id is not Modality.PRP
        and any(entry.rating_for(t) is not SuitabilityRating.NOT_INDICATED for t in ATROPHIC)
    ]


def _scar_card(
    knowledge: KnowledgeBase, scar_type: ScarType, cite: CitationBuilder
) -> ScarTypeCard:
    entry = knowledge.scar_types[scar_type]
    width = entry.width_mm
    helped_by = tuple(
        label(m.id.value)
        for m in _procedures(knowledge)
        if m.rating_for(scar_type) in (SuitabilityRating.FIRST_LINE, SuitabilityRating.GOOD)
    )
    return ScarTypeCard(
        key=scar_type.value,
        name=entry.name,
        summary=entry.patient_summary,
        shape=cite.text(entry.morphology.description, entry.morphology.sources),
        width=cite.text(_width_words(width).capitalize(), width.sources) if width else None,
        drawing_alt=SCAR_DRAWING_ALT[scar_type],
        helped_by=helped_by,
    )


def _width_words(width: CitedRange) -> str:
    if width.min is not None and width.max is not None:
        return f"usually {width.min:g} to {width.max:g} mm across"
    if width.max is not None:
        return f"usually under {width.max:g} mm across"
    return f"usually wider than {width.min:g} mm"


def _range(value: CitedRange | None, unit: str, cite: CitationBuilder) -> Cited:
    if value is None:
        return Cited("not published")
    text = value.describe(unit).replace(">= ", "at least ").replace("<= ", "up to ")
    if value.usual is not None and value.min != value.max:
        text += f" (usually {value.usual:g})"
    return cite.text(text, value.sources)


def _procedure_card(
    knowledge: KnowledgeBase, entry: ModalityEntry, cite: CitationBuilder
) -> OptionCard:
    helps = tuple(
        f"{knowledge.scar_types[t].name}s: {RATING_WORDS[entry.rating_for(t)]}" for t in ATROPHIC
    )
    improvement = tuple(
        cite.text(
            _outcome_words(knowledge, outcome.in_short(), outcome.summary, outcome.scar_types),
            outcome.sources,
        )
        for outcome in entry.outcomes[:MAX_OUTCOMES]
    )
    dark = _darker_skin_risk(entry)
    darker = (
        cite.text(f"{RISK_WORDS[dark[0]].capitalize()}. {dark[1]}", dark[2])
        if dark
        else Cited("No figure published for darker skin.")
    )
    sessions = entry.sessions
    return OptionCard(
        key=entry.id.value,
        name=label(entry.id.value),
        is_procedure=True,
        summary=entry.summary,
        helps=helps,
        sessions=_range(sessions, "", cite),
        interval=_range(entry.interval_weeks, "weeks apart", cite)
        if sessions is not None and (sessions.max or 0) > 1
        else Cited("a single visit"),
        downtime=_range(entry.downtime_days, "days", cite),
        cost=_price(knowledge.prices[entry.id], cite),
        improvement=improvement,
        risks=tuple(cite.statement(risk) for risk in entry.risks[:MAX_RISKS]),
        darker_skin=darker,
        evidence=EVIDENCE_WORDS.get(entry.evidence.level.value, entry.evidence.level.value),
        downtime_days_max=_upper(entry.downtime_days),
        visits_max=_upper(sessions),
        dark_mark_risk=dark[0] if dark else None,
    )


def _upper(value: CitedRange | None) -> float | None:
    if value is None:
        return None
    return value.max if value.max is not None else value.min


def _outcome_words(
    knowledge: KnowledgeBase, short: str, summary: str, scar_types: tuple[ScarType, ...]
) -> str:
    who = ", ".join(knowledge.scar_types[t].name.lower() + "s" for t in scar_types)
    text = short[0].upper() + short[1:] if short else summary
    return f"{who.capitalize()}: {text}" if who else text


def _darker_skin_risk(entry: ModalityEntry) -> tuple[RiskLevel, str, tuple[str, ...]] | None:
    """The highest pigment risk the knowledge base gives for any of types IV-VI."""
    darker = [risk for risk in entry.skin_type_risks if set(risk.types) & DARKER_TYPES]
    if not darker:
        return None
    worst = max(darker, key=lambda risk: RISK_ORDER.index(risk.level))
    return worst.level, worst.note, worst.sources


def _price(price: PriceEstimate, cite: CitationBuilder) -> Cited:
    amount = (
        f"{price.min:,.0f}"
        if price.max in (None, price.min)
        else (f"{price.min:,.0f}-{price.max:,.0f}")
    )
    if price.max is None:
        amount = f"from {price.min:,.0f}"
    text = f"{amount} {price.currency} per {price.per.value}"
    sources = list(price.sources)
    if price.per in PER_PRODUCT and price.units_per_session is not None:
        units = price.units_per_session
        text += f" ({units.describe()} {price.per.value}s a session)"
        sources.extend(units.sources)
    return cite.text(f"{text}; published estimate from {price.year}", sources)


def _nothing_card() -> OptionCard:
    none = Cited("none")
    return OptionCard(
        key=NOTHING,
        name="Do nothing for now",
        is_procedure=False,
        summary=(
            "You keep your scars as they are and decide later. Scar treatment is never urgent: "
            "every option on this page stays open."
        ),
        helps=("No change to the scars.",),
        sessions=none,
        interval=Cited("not needed"),
        downtime=Cited("none"),
        cost=Cited("nothing"),
        improvement=(Cited("No improvement from a procedure."),),
        risks=(Cited("No risk from a procedure."),),
        darker_skin=Cited("No risk from a procedure."),
        evidence="not applicable",
        downtime_days_max=0,
        visits_max=0,
        dark_mark_risk=None,
    )


def _home_care_card(knowledge: KnowledgeBase, cite: CitationBuilder) -> OptionCard:
    devices = knowledge.homecare.at_home_microneedling
    return OptionCard(
        key=HOME_CARE,
        name="Home care only",
        is_procedure=False,
        summary=(
            "Daily sunscreen, treating active acne early, not picking, and a retinoid cream if "
            "your skin tolerates it. This protects your skin and helps prevent new scars."
        ),
        helps=(
            "Depressed scars: creams and surface treatments rarely reach the bottom of a deep "
            "scar. Home care helps prevent new scars and dark marks.",
        ),
        sessions=Cited("none (daily at home)"),
        interval=Cited("not needed"),
        downtime=Cited("none"),
        cost=Cited("the creams you buy (not in the published estimates)"),
        improvement=(cite.statement(devices[1]),),
        risks=(cite.statement(knowledge.homecare.darker_skin[0]),),
        darker_skin=cite.statement(knowledge.homecare.darker_skin[0]),
        evidence="see the sources of each statement",
        downtime_days_max=0,
        visits_max=0,
        dark_mark_risk=None,
    )


def _home_care(knowledge: KnowledgeBase, cite: CitationBuilder) -> tuple[HomeCareSection, ...]:
    homecare = knowledge.homecare
    prevention = {advice.severity.value: advice for advice in homecare.prevention}
    retinoids = [
        statement
        for agent in (Agent.ADAPALENE, Agent.RETINOL)
        for statement in knowledge.agents[agent].purpose[:2]
    ]
    return (
        HomeCareSection(
            "Treat acne early",
            tuple(
                cite.statement(s)
                for s in (
                    *prevention["none"].advice[1:2],
                    *prevention["mild"].advice[:2],
                    *prevention["severe"].advice[:2],
                )
            ),
        ),
        HomeCareSection(
            "Do not pick or squeeze", tuple(cite.statement(s) for s in homecare.picking)
        ),
        HomeCareSection(
            "Sunscreen every day (SPF 30 or more)",
            tuple(cite.statement(s) for s in homecare.sun_protection[:5]),
        ),
        HomeCareSection("Retinoid creams", tuple(cite.statement(s) for s in retinoids)),
        HomeCareSection("Darker skin", tuple(cite.statement(s) for s in homecare.darker_skin[:3])),
        HomeCareSection(
            "At-home microneedling (rollers and pens)",
            tuple(cite.statement(s) for s in homecare.at_home_microneedling[:4]),
        ),
        HomeCareSection(
            "Pregnancy and breastfeeding",
            tuple(cite.statement(s) for s in homecare.pregnancy[:4]),
        ),
    )
