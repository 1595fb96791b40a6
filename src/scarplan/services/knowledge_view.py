"""The knowledge base for people: each entry as a reader meets it, plain summary first.

Everyone sees this view. Internal flags (verification counts, raw booleans, ids, the full field
dump) are for clinicians and admins only (`shows_internals`), who get them as well, below.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from scarplan.adapters.presentation.wording import label
from scarplan.domain.vocabulary import Fitzpatrick
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.agents import AgentEntry, Level, PregnancyStatus
from scarplan.knowledge.schema.common import CitedRange, Statement
from scarplan.knowledge.schema.modalities import (
    ModalityEntry,
    PriceEstimate,
)
from scarplan.knowledge.schema.rules import Action, ConditionEntry
from scarplan.knowledge.schema.scar_types import ScarTypeEntry
from scarplan.knowledge.schema.sources import Source, SourceTier
from scarplan.services.clinic.core.access import Role
from scarplan.services.guide.content import EVIDENCE_WORDS, RATING_WORDS, RISK_WORDS

INTERNAL_ROLES = frozenset({Role.CLINICIAN, Role.ADMIN})
KIND_WORDS = {
    "ScarType": "Scar type",
    "Modality": "Treatment",
    "Agent": "Skin-care ingredient or medicine",
    "Condition": "Health matter that changes treatment",
    "Source": "Publication or page",
}
ACTION_WORDS = {
    Action.EXCLUDE: "usually not done",
    Action.DEFER: "usually waits",
    Action.REFER: "a specialist decides",
    Action.TEST_FIRST: "a test area first",
    Action.CAUTION: "possible with extra care",
}
LEVEL_WORDS = {Level.NONE: "none", Level.LOW: "low", Level.MODERATE: "moderate", Level.HIGH: "high"}
PREGNANCY_WORDS = {
    PregnancyStatus.ACCEPTABLE: "considered acceptable",
    PregnancyStatus.CAUTION: "ask a doctor first",
    PregnancyStatus.AVOID: "avoid",
    PregnancyStatus.CONTRAINDICATED: "must not be used",
}
TIER_WORDS = {
    SourceTier.GUIDELINE: "a clinical guideline",
    SourceTier.SYSTEMATIC_REVIEW: "a systematic review of studies",
    SourceTier.TRIAL: "a clinical trial",
    SourceTier.STUDY: "a study",
    SourceTier.REVIEW: "a review article",
    SourceTier.REGULATOR: "a regulator's document",
    SourceTier.LOW: "a lower-weight source (a clinic or consumer page, a news item)",
}


def shows_internals(role: str) -> bool:
    """Whether the internal flags and the full field dump are shown (clinicians, admins)."""
    return role in INTERNAL_ROLES


@dataclass(frozen=True)
class Line:
    label: str
    text: str
    refs: tuple[int, ...] = ()


@dataclass(frozen=True)
class Reference:
    number: int
    id: str
    citation: str
    links: tuple[str, ...]
    kind: str


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class PeopleEntry:
    title: str
    kind: str
    summary: str
    key_facts: tuple[Line, ...]
    sections: tuple[Section, ...]
    references: tuple[Reference, ...]


class _Refs:
    def __init__(self, sources: tuple[Source, ...]) -> None:
        self._numbers = {source.id: n for n, source in enumerate(sources, start=1)}

    def __call__(self, ids: tuple[str, ...]) -> tuple[int, ...]:
        return tuple(sorted({self._numbers[i] for i in ids if i in self._numbers}))

    def line(self, title: str, text: str, ids: tuple[str, ...]) -> Line:
        return Line(title, text, self(ids))

    def statement(self, title: str, statement: Statement) -> Line:
        return self.line(title, statement.text, statement.sources)


def people_entry(
    knowledge: KnowledgeBase,
    entry: BaseModel,
    sources: tuple[Source, ...],
    price: PriceEstimate | None,
) -> PeopleEntry:
    refs = _Refs(sources)
    references = tuple(
        Reference(n, s.id, s.citation, tuple(s.links), TIER_WORDS[s.tier])
        for n, s in enumerate(sources, start=1)
    )
    kind = KIND_WORDS.get(type(entry).__name__.removesuffix("Entry"), "Entry")
    if isinstance(entry, ModalityEntry):
        return _modality(knowledge, entry, price, refs, kind, references)
    if isinstance(entry, ScarTypeEntry):
        return _scar_type(entry, refs, kind, references)
    if isinstance(entry, AgentEntry):
        return _agent(entry, refs, kind, references)
    if isinstance(entry, ConditionEntry):
        return _condition(entry, refs, kind, references)
    assert isinstance(entry, Source)
    return PeopleEntry(
        entry.citation,
        kind,
        f"This is {TIER_WORDS[entry.tier]}.",
        (Line("Read it", " ".join(entry.links)),),
        (),
        references,
    )


def _range(refs: _Refs, title: str, value: CitedRange | None, unit: str) -> list[Line]:
    if value is None:
        return []
    text = value.describe(unit).replace(">= ", "at least ").replace("<= ", "up to ")
    if value.usual is not None and value.min != value.max:
        text += f" (usually {value.usual:g})"
    return [refs.line(title, text, value.sources)]


def _modality(
    knowledge: KnowledgeBase,
    entry: ModalityEntry,
    price: PriceEstimate | None,
    refs: _Refs,
    kind: str,
    references: tuple[Reference, ...],
) -> PeopleEntry:
    facts = [
        *_range(refs, "Sessions", entry.sessions, ""),
        *_range(refs, "Time between sessions", entry.interval_weeks, "weeks"),
        *_range(refs, "Downtime after each session", entry.downtime_days, "days"),
    ]
    if price is not None:
        amount = (
            f"{price.min:,.0f}"
            if price.max in (None, price.min)
            else (f"{price.min:,.0f}-{price.max:,.0f}")
        )
        facts.append(
            refs.line(
                "Cost (published estimate)",
                f"{'from ' if price.max is None else ''}{amount} {price.currency} per "
                f"{price.per.value} ({price.year})",
                price.sources,
            )
        )
    facts.append(
        refs.line(
            "Strength of the evidence",
            EVIDENCE_WORDS.get(entry.evidence.level.value, entry.evidence.level.value),
            entry.evidence.sources,
        )
    )
    suits = tuple(
        refs.line(
            f"{knowledge.scar_types[scar_type].name}s",
            f"{RATING_WORDS[rating.rating].capitalize()}. {rating.note}".strip(),
            rating.sources,
        )
        for scar_type, rating in entry.suitability.items()
    )
    outcomes = tuple(
        refs.line(
            ", ".join(knowledge.scar_types[t].name for t in o.scar_types) or "Acne scars",
            f"{o.in_short().capitalize() + '. ' if o.in_short() else ''}{o.summary}",
            o.sources,
        )
        for o in entry.outcomes
    )
    risks = (
        *(refs.statement("", risk) for risk in entry.risks),
        *(
            refs.line(
                f"Skin types {_types(r.types)}",
                f"Risk of dark marks or scarring: {RISK_WORDS[r.level]}. {r.note}",
                r.sources,
            )
            for r in entry.skin_type_risks
        ),
    )
    sections = [
        Section("Which scars it helps", suits),
        Section("Published results", outcomes),
        Section("Risks", risks),
        Section("Aftercare", tuple(refs.statement("", s) for s in entry.aftercare)),
        Section("Good to know", tuple(refs.statement("", s) for s in entry.notes)),
    ]
    return PeopleEntry(
        entry.name,
        kind,
        entry.summary,
        tuple(facts),
        tuple(s for s in sections if s.lines),
        references,
    )


def _types(types: tuple[Fitzpatrick, ...]) -> str:
    values = [t.value for t in types]
    return values[0] if len(values) == 1 else f"{values[0]} to {values[-1]}"


def _scar_type(
    entry: ScarTypeEntry, refs: _Refs, kind: str, references: tuple[Reference, ...]
) -> PeopleEntry:
    facts = [
        *_range(refs, "Width", entry.width_mm, "mm"),
        *_range(refs, "Depth", entry.depth_mm, "mm"),
    ]
    if entry.usual_sites is not None:
        facts.append(
            refs.line(
                "Where it usually appears",
                ", ".join(label(r.value) for r in entry.usual_sites.regions),
                entry.usual_sites.sources,
            )
        )
    if entry.refer:
        facts.append(Line("Treatment", "Treated differently: a dermatologist refers you on."))
    sections = (
        Section(
            "Shape",
            (refs.line("", entry.morphology.description, entry.morphology.sources),),
        ),
        Section("Treatment", tuple(refs.statement("", s) for s in entry.treatment_notes)),
    )
    return PeopleEntry(
        entry.name,
        kind,
        entry.patient_summary,
        tuple(facts),
        tuple(s for s in sections if s.lines),
        references,
    )


def _agent(
    entry: AgentEntry, refs: _Refs, kind: str, references: tuple[Reference, ...]
) -> PeopleEntry:
    facts = (
        Line("Prescription needed", "yes" if entry.prescription_only else "no"),
        refs.line("Irritation", LEVEL_WORDS[entry.irritation.level], entry.irritation.sources),
        refs.line(
            "Makes skin burn more easily in the sun",
            "yes" if entry.photosensitivity.photosensitising else "no",
            entry.photosensitivity.sources,
        ),
        refs.line(
            "Pregnancy",
            f"{PREGNANCY_WORDS[entry.pregnancy.status].capitalize()}. {entry.pregnancy.note}",
            entry.pregnancy.sources,
        ),
    )
    sections = (
        Section("What it does", tuple(refs.statement("", s) for s in entry.purpose)),
        Section("Starting it", tuple(refs.statement("", s) for s in entry.titration)),
        Section("Good to know", tuple(refs.statement("", s) for s in entry.notes)),
    )
    return PeopleEntry(
        entry.name,
        kind,
        entry.purpose[0].text,
        facts,
        tuple(s for s in sections if s.lines),
        references,
    )


def _condition(
    entry: ConditionEntry, refs: _Refs, kind: str, references: tuple[Reference, ...]
) -> PeopleEntry:
    effects = tuple(
        refs.line(
            ", ".join(label(m.value) for m in effect.modalities),
            f"{ACTION_WORDS[effect.action].capitalize()}. {effect.reason}",
            effect.sources,
        )
        for effect in entry.effects
    )
    return PeopleEntry(
        entry.name,
        kind,
        entry.description,
        (),
        (Section("What it changes", effects),),
        references,
    )
