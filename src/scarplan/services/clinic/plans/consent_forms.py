"""Informed-consent forms for one procedure, written from the knowledge base for one patient.

A form says, in plain words and each fact with its source: what the procedure is, the
improvement published studies report, its risks (with the patient's own skin-type risk), the
alternatives for the patient's scar types and no treatment, aftercare, downtime, the number of
sessions and the cost in the patient's plan. Its version is the SHA-256 of its text and of the
knowledge it was built from, so a changed knowledge base or plan gives a new version.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from scarplan.adapters.presentation.wording import label, money
from scarplan.domain.vocabulary import Modality, ScarType
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.common import CitedRange
from scarplan.knowledge.schema.modalities import ModalityEntry, SuitabilityRating

# Ratings that make another procedure a real alternative for a scar type.
_ALTERNATIVE = (SuitabilityRating.FIRST_LINE, SuitabilityRating.GOOD)
_RATING_WORDS = {
    SuitabilityRating.FIRST_LINE: "a first choice",
    SuitabilityRating.GOOD: "a good choice",
}
_YEAR = re.compile(r"\b(19|20)\d\d\b")


@dataclass(frozen=True)
class ConsentFacts:
    """What the form needs to know about the patient."""

    patient_name: str
    fitzpatrick: str | None
    scar_types: tuple[ScarType, ...]
    """The scar types of the latest assessment (none: every published outcome is shown)."""
    planned_sessions: int
    """Sessions of this procedure in the patient's active plan (0: none planned)."""
    planned_cost: Decimal | None
    currency: str


@dataclass(frozen=True)
class FormItem:
    text: str
    sources: tuple[str, ...] = ()
    """Short citations ("Khunger N et al., 2011"), shown beside the sentence."""


@dataclass(frozen=True)
class FormSection:
    heading: str
    items: tuple[FormItem, ...]


@dataclass(frozen=True)
class ConsentForm:
    modality: str
    procedure: str
    """The procedure's short name ("TCA CROSS")."""
    title: str
    patient_name: str
    sections: tuple[FormSection, ...]
    references: tuple[str, ...]
    """Full citations of every source the form cites."""
    kb_version: str
    version: str

    @property
    def text(self) -> str:
        return form_text(self.title, self.sections, self.references)

    def as_json(self) -> dict[str, Any]:
        """The form as stored with a signature (JSON types only)."""
        return {
            "title": self.title,
            "procedure": self.procedure,
            "sections": [asdict(section) for section in self.sections],
            "references": list(self.references),
        }


def form_text(title: str, sections: tuple[FormSection, ...], references: tuple[str, ...]) -> str:
    """The form as one plain text: what the version and the signature's hash cover."""
    lines = [title, ""]
    for section in sections:
        lines.append(section.heading)
        for item in section.items:
            cited = f" [{'; '.join(item.sources)}]" if item.sources else ""
            lines.append(f"- {item.text}{cited}")
        lines.append("")
    if references:
        lines.append("Sources")
        lines.extend(f"- {reference}" for reference in references)
    return "\n".join(lines).rstrip() + "\n"


def sections_from_json(raw: list[dict[str, Any]]) -> tuple[FormSection, ...]:
    """The stored sections back as typed values (see `ConsentForm.as_json`)."""
    return tuple(
        FormSection(
            heading=str(section["heading"]),
            items=tuple(
                FormItem(str(item["text"]), tuple(str(s) for s in item["sources"]))
                for item in section["items"]
            ),
        )
        for section in raw
    )


def procedure_name(modality: str) -> str:
    return label(modality)


def knowledge_version(knowledge: KnowledgeBase, modality: Modality) -> str:
    """SHA-256 of the knowledge a form rests on: every procedure entry (the form names the
    alternatives) and the sources."""
    digest = hashlib.sha256()
    for entry in sorted(knowledge.modalities.values(), key=lambda e: e.id.value):
        digest.update(entry.model_dump_json().encode())
    for source_id in sorted(knowledge.sources):
        digest.update(knowledge.sources[source_id].model_dump_json().encode())
    digest.update(modality.value.encode())
    return digest.hexdigest()


def build_form(knowledge: KnowledgeBase, modality: Modality, facts: ConsentFacts) -> ConsentForm:
    entry = knowledge.modalities[modality]
    cite = _Citer(knowledge)
    procedure = procedure_name(modality.value)
    sections = (
        FormSection(
            "What it is",
            (
                FormItem(entry.summary),
                FormItem(
                    f"How strong the evidence is: {label(entry.evidence.level.value).lower()}. "
                    f"{entry.evidence.note}",
                    cite(entry.evidence.sources),
                ),
            ),
        ),
        FormSection("What improvement to expect", _outcomes(entry, facts, cite)),
        FormSection("Risks", _risks(entry, facts, cite)),
        FormSection("Other choices", _alternatives(knowledge, entry, facts, cite)),
        FormSection(
            "Aftercare",
            tuple(FormItem(s.text, cite(s.sources)) for s in entry.aftercare)
            or (FormItem("Your clinician will explain how to look after your skin."),),
        ),
        FormSection("Time off and number of sessions", _course(entry, cite)),
        FormSection("Cost", (_cost(procedure, facts),)),
        FormSection(
            "Your agreement",
            (
                FormItem("You may ask any question before you sign, and take this form home."),
                FormItem(
                    "You may withdraw your consent at any time, before or during the course; "
                    "tell the clinic and no further session will be done."
                ),
            ),
        ),
    )
    title = f"Consent to treatment: {procedure}"
    references = cite.references()
    kb_version = knowledge_version(knowledge, modality)
    text = form_text(title, sections, references)
    version = hashlib.sha256(f"{text}\n{kb_version}".encode()).hexdigest()
    return ConsentForm(
        modality=modality.value,
        procedure=procedure,
        title=title,
        patient_name=facts.patient_name,
        sections=sections,
        references=references,
        kb_version=kb_version,
        version=version,
    )


class _Citer:
    """Short citations for sentences, remembering each source for the list at the end."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self._knowledge = knowledge
        self._used: dict[str, str] = {}

    def __call__(self, source_ids: tuple[str, ...]) -> tuple[str, ...]:
        shown: list[str] = []
        for source_id in source_ids:
            source = self._knowledge.sources[source_id]
            short = _short_citation(source.citation)
            self._used.setdefault(short, source.citation)
            if short not in shown:
                shown.append(short)
        return tuple(shown)

    def references(self) -> tuple[str, ...]:
        return tuple(self._used[short] for short in sorted(self._used))


def _short_citation(citation: str) -> str:
    """'Khunger N et al. Evaluation of ... 2011;10(1):51-7.' -> 'Khunger N et al., 2011'."""
    authors = citation.split(". ", 1)[0].rstrip(".")
    if authors.endswith(" et al"):
        authors += "."
    year = _YEAR.search(citation)
    return f"{authors}, {year.group(0)}" if year else authors


def _outcomes(entry: ModalityEntry, facts: ConsentFacts, cite: _Citer) -> tuple[FormItem, ...]:
    wanted = set(facts.scar_types)
    items = []
    for outcome in entry.outcomes:
        words = outcome.in_short()
        if not words:
            continue
        if wanted and outcome.scar_types and not wanted & set(outcome.scar_types):
            continue
        items.append(
            FormItem(
                f"In a published study, {words}. The study: {outcome.summary}",
                cite(outcome.sources),
            )
        )
    items.append(
        FormItem(
            "These are results reported by studies, not a promise: your own result may be "
            "better or worse."
        )
    )
    return tuple(items)


def _risks(entry: ModalityEntry, facts: ConsentFacts, cite: _Citer) -> tuple[FormItem, ...]:
    items = [FormItem(s.text, cite(s.sources)) for s in entry.risks]
    for risk in entry.skin_type_risks:
        if facts.fitzpatrick is not None and facts.fitzpatrick in {t.value for t in risk.types}:
            items.append(
                FormItem(
                    f"For your skin type (Fitzpatrick {facts.fitzpatrick}) the risk of pigment "
                    f"change or scarring is {risk.level.value}. {risk.note}",
                    cite(risk.sources),
                )
            )
    if facts.fitzpatrick is None:
        items.append(FormItem("Your skin type is not recorded yet: ask your clinician."))
    return tuple(items)


def _alternatives(
    knowledge: KnowledgeBase, entry: ModalityEntry, facts: ConsentFacts, cite: _Citer
) -> tuple[FormItem, ...]:
    scar_types = facts.scar_types or tuple(entry.suitability)
    items = []
    for other in knowledge.modalities.values():
        if other.id == entry.id:
            continue
        suited = [
            (scar_type, other.suitability[scar_type])
            for scar_type in scar_types
            if scar_type in other.suitability
            and other.suitability[scar_type].rating in _ALTERNATIVE
        ]
        if not suited:
            continue
        reasons = "; ".join(
            f"{_RATING_WORDS[found.rating]} for {label(scar_type.value).lower()} scars"
            for scar_type, found in suited
        )
        sources = tuple(s for _, found in suited for s in found.sources)
        items.append(FormItem(f"{procedure_name(other.id.value)}: {reasons}.", cite(sources)))
    items.append(
        FormItem(
            "No treatment: acne scars do not harm your health. You may choose not to treat "
            "them, or to wait and decide later."
        )
    )
    return tuple(items)


def _course(entry: ModalityEntry, cite: _Citer) -> tuple[FormItem, ...]:
    items = []
    if entry.downtime_days is not None:
        items.append(_range_item("Time off normal activities", entry.downtime_days, "days", cite))
    if entry.sessions is not None:
        items.append(_range_item("Number of sessions", entry.sessions, "", cite))
    if entry.interval_weeks is not None:
        items.append(_range_item("Time between sessions", entry.interval_weeks, "weeks", cite))
    return tuple(items) or (FormItem("Your clinician will tell you how many sessions you need."),)


def _range_item(what: str, found: CitedRange, unit: str, cite: _Citer) -> FormItem:
    usual = f", usually {found.usual:g}" if found.usual is not None else ""
    note = f" ({found.note})" if found.note else ""
    return FormItem(f"{what}: {found.describe(unit)}{usual}{note}.", cite(found.sources))


def _cost(procedure: str, facts: ConsentFacts) -> FormItem:
    if facts.planned_sessions and facts.planned_cost is not None:
        return FormItem(
            f"Your plan has {facts.planned_sessions} {procedure} session"
            f"{'s' if facts.planned_sessions != 1 else ''} costing "
            f"{money(facts.planned_cost, facts.currency)} in all, from the clinic's price list."
        )
    if facts.planned_sessions:
        return FormItem(
            f"Your plan has {facts.planned_sessions} {procedure} session"
            f"{'s' if facts.planned_sessions != 1 else ''}; the clinic will tell you the price "
            "before you sign."
        )
    return FormItem(
        "No sessions are planned yet: the clinic will tell you the price before you sign."
    )


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
