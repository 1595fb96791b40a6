"""Which technique treats each lesion group: its type, width, depth, edges and distensibility.

The rules are knowledge-base data (techniques.yaml); this module applies them. For each group
the first matching rule applies and its first technique the patient may have is chosen; the
techniques that are excluded for this patient are named with why, so the plan can say what
was wanted and what stood in the way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from scarplan.assessment.results import TypedLesion
from scarplan.domain.vocabulary import ATROPHIC_SCAR_TYPES, Fitzpatrick, Modality, Region, ScarType
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.techniques import FieldLine, LesionRule

Exclusion = Callable[[Modality], str | None]
"""The reason a procedure is not possible for this patient, or None when it is."""


@dataclass(frozen=True)
class LesionTreatment:
    """What treats one assessed lesion group, and why."""

    index: int
    region: Region
    scar_type: ScarType
    count: int
    rule_id: str | None
    label: str
    technique: Modality | None
    """The focal or release technique booked for this group (None: field treatment only)."""
    then: Modality | None
    """A later treatment once the field course is over (a filler)."""
    field: bool
    """Whether the region's field course treats this group too."""
    wanted: tuple[Modality, ...]
    """The rule's techniques in order of preference, possible or not."""
    blocked: tuple[tuple[Modality, str], ...]
    """Preferred techniques this patient cannot have now, each with the reason."""
    reason: str
    sources: tuple[str, ...]


def _first_rule(rules: Iterable[LesionRule], typed: TypedLesion) -> LesionRule | None:
    lesion = typed.lesion
    for rule in rules:
        if rule.matches(
            typed.type, lesion.width_mm, lesion.depth_mm, lesion.edges, lesion.distensible
        ):
            return rule
    return None


def _choose(
    options: tuple[Modality, ...], excluded: Exclusion
) -> tuple[Modality | None, list[tuple[Modality, str]]]:
    blocked: list[tuple[Modality, str]] = []
    for modality in options:
        why = excluded(modality)
        if why is None:
            return modality, blocked
        blocked.append((modality, why))
    return None, blocked


def assign_techniques(
    lesions: Iterable[TypedLesion], knowledge: KnowledgeBase, excluded: Exclusion
) -> tuple[LesionTreatment, ...]:
    """One treatment per atrophic lesion group, in the assessment's order."""
    treatments = []
    for typed in lesions:
        lesion = typed.lesion
        if typed.type not in ATROPHIC_SCAR_TYPES:
            treatments.append(_referred(typed, knowledge))
            continue
        rule = _first_rule(knowledge.techniques.lesion_rules, typed)
        if rule is None:
            treatments.append(
                LesionTreatment(
                    typed.index,
                    lesion.region,
                    typed.type,
                    lesion.count,
                    None,
                    typed.type.value.replace("_", " ") + " scars",
                    None,
                    None,
                    True,
                    (),
                    (),
                    "no technique rule matches; the field treatment treats it",
                    (),
                )
            )
            continue
        technique, blocked = _choose(rule.techniques, excluded)
        later, later_blocked = _choose(rule.then, excluded)
        if later is None:
            blocked.extend(later_blocked)
        treatments.append(
            LesionTreatment(
                index=typed.index,
                region=lesion.region,
                scar_type=typed.type,
                count=lesion.count,
                rule_id=rule.id,
                label=rule.label,
                technique=technique,
                then=later,
                field=rule.field,
                wanted=(*rule.techniques, *rule.then),
                blocked=tuple(blocked),
                reason=rule.reason,
                sources=_cited(rule),
            )
        )
    return tuple(treatments)


def _referred(typed: TypedLesion, knowledge: KnowledgeBase) -> LesionTreatment:
    """A raised scar group: no atrophic-scar technique treats it; it is referred on."""
    entry = knowledge.scar_types[typed.type]
    return LesionTreatment(
        index=typed.index,
        region=typed.lesion.region,
        scar_type=typed.type,
        count=typed.lesion.count,
        rule_id=None,
        label=f"{entry.name.lower()}s",
        technique=None,
        then=None,
        field=False,
        wanted=(),
        blocked=(),
        reason=entry.patient_summary,
        sources=tuple(entry.morphology.sources),
    )


def _cited(rule: LesionRule) -> tuple[str, ...]:
    found = set(rule.sources)
    for bound in (rule.width_mm, rule.depth_mm):
        if bound is not None:
            found.update(bound.sources)
    return tuple(sorted(found))


@dataclass(frozen=True)
class FieldTier:
    """How a field treatment ranks for this patient: 0 first-line, 1 second-line, 2 other."""

    tier: int
    line: FieldLine | None


def field_tier(
    modality: Modality,
    scar_types: Iterable[ScarType],
    fitzpatrick: Fitzpatrick | None,
    lines: Iterable[FieldLine],
) -> FieldTier:
    """The best line this field treatment holds for any of the scar types it would treat.

    An unknown skin type takes the darker-skin lines' view, the cautious one (the lines for
    types that would rate it lowest)."""
    wanted = set(scar_types)
    best = FieldTier(2, None)
    worst_unknown: FieldTier | None = None
    for line in lines:
        if not wanted & set(line.scar_types):
            continue
        tier = 0 if modality in line.first_line else 1 if modality in line.second_line else 2
        if fitzpatrick is None:
            if worst_unknown is None or tier > worst_unknown.tier:
                worst_unknown = FieldTier(tier, line)
            continue
        if fitzpatrick in line.fitzpatrick and tier < best.tier:
            best = FieldTier(tier, line)
    if fitzpatrick is None and worst_unknown is not None:
        return worst_unknown
    return best


def groups_by_technique(
    treatments: Iterable[LesionTreatment],
) -> Mapping[Modality, tuple[LesionTreatment, ...]]:
    """The lesion groups each chosen technique (and each later filler) treats."""
    found: dict[Modality, list[LesionTreatment]] = {}
    for treatment in treatments:
        for modality in (treatment.technique, treatment.then):
            if modality is not None:
                found.setdefault(modality, []).append(treatment)
    return {m: tuple(ts) for m, ts in found.items()}
