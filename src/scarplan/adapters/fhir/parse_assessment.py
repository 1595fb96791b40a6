"""Assessments: each panel Observation, its scale scores, and its lesion groups (a BodyStructure
with the Observations that measure it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scarplan.adapters.fhir import codes
from scarplan.adapters.fhir.export_assessment import COUNT_UNIT, FINDING_OF
from scarplan.adapters.fhir.reader import Entry, Found, Reader
from scarplan.adapters.fhir.record import AssessmentFacts, LesionFacts, Origins, Scores

FIELD_OF = {finding: name for name, finding in FINDING_OF.items()}
SCORES = ("goodman_baron_qualitative", "goodman_baron_quantitative", "ecca")


@dataclass
class _Lesion:
    structure: Entry
    findings: dict[str, Found] = field(default_factory=dict)


def read_assessments(reader: Reader) -> tuple[tuple[AssessmentFacts, ...], dict[str, int]]:
    """The assessments, oldest first, and each panel's fullUrl -> its index among them."""
    finding = codes.system("finding")
    read = []
    for entry in reader.of_kind("Observation"):
        concept = entry.get("code")
        if not reader.has_coding(concept, finding, "scar_assessment"):
            continue
        reader.used.add(entry.url)
        reader.subject(entry)
        day = reader.day(entry, "effectiveDateTime")
        facts = _assessment(reader, entry)
        if day is not None and facts is not None:
            read.append((day, entry, facts))
    read.sort(key=lambda item: (item[0].value, item[1].index))
    assessments = []
    panels = {}
    for index, (day, entry, (notes, lesions, scores, origins)) in enumerate(read):
        origins["date"] = day.path
        assessments.append(AssessmentFacts(day.value, notes, lesions, scores, origins))
        panels[entry.url] = index
    return tuple(assessments), panels


def _assessment(
    reader: Reader, panel: Entry
) -> tuple[str, tuple[LesionFacts, ...], Scores | None, Origins] | None:
    origins: Origins = {"": panel.path, "lesions": panel.at("hasMember")}
    notes = reader.note(panel)
    if notes is not None:
        origins["notes"] = notes.path
    scores: dict[str, Any] = {}
    groups: dict[str, _Lesion] = {}
    for number, item in enumerate(panel.get("hasMember") or []):
        member = reader.follow(item, f"{panel.at('hasMember')}[{number}]", "Observation")
        if member is None:
            continue
        reader.used.add(member.url)
        reader.subject(member)
        concept = member.get("code")
        if reader.has_coding(concept, codes.system("scale")):
            _score(reader, member, scores)
        elif reader.has_coding(concept, codes.system("finding")):
            _finding(reader, member, groups)
        else:
            reader.problem(
                member.at("code"),
                "is neither a scale score nor a lesion finding",
                f"use a code of {codes.system('scale')} or {codes.system('finding')}",
            )
    if not groups:
        reader.problem(panel.at("hasMember"), "names no lesion group", "at least one scar_count")
        return None
    lesions = []
    for position, group in enumerate(groups.values()):
        lesion = _lesion(reader, group, origins, f"lesions[{position}]")
        if lesion is not None:
            lesions.append(lesion)
    # Scores are recomputed on import; those in the bundle are read to compare with.
    score = Scores(*(scores[name] for name in SCORES)) if set(SCORES) <= set(scores) else None
    return (notes.value if notes else ""), tuple(lesions), score, origins


def _score(reader: Reader, member: Entry, scores: dict[str, Any]) -> None:
    found = reader.code(member.get("code"), member.at("code"), "scale")
    if found is None:
        return
    if found.value == "fitzpatrick_skin_type":
        reader.problem(
            member.path, "the skin type belongs to the patient, not to an assessment", ""
        )
    elif found.value == "goodman_baron_quantitative":
        value = (member.get("valueQuantity") or {}).get("value")
        if value is None:
            reader.problem(member.at("valueQuantity"), "is missing", "the score")
        else:
            scores[found.value] = float(value)
    elif not isinstance(member.get("valueInteger"), int):
        reader.problem(member.at("valueInteger"), "is missing", "the score as a whole number")
    else:
        scores[found.value] = member.get("valueInteger")


def _finding(reader: Reader, member: Entry, groups: dict[str, _Lesion]) -> None:
    found = reader.code(member.get("code"), member.at("code"), "finding")
    if found is None:
        return
    if found.value == "scar_assessment":
        reader.problem(member.path, "an assessment cannot hold another assessment", "")
        return
    focus = reader.first(
        member.get("focus"), member.at("focus"), "the lesion group's BodyStructure"
    )
    structure = reader.follow(focus.value, focus.path, "BodyStructure") if focus else None
    if structure is None:
        return
    group = groups.setdefault(structure.url, _Lesion(structure))
    if found.value in group.findings:
        reader.problem(member.path, f"a second {found.value} for the same lesion group", "")
        return
    value = _value(reader, member, found.value)
    if value is not None:
        group.findings[found.value] = value


def _value(reader: Reader, member: Entry, finding: str) -> Found | None:
    if finding in ("scar_count", "scar_width", "scar_depth"):
        unit = COUNT_UNIT if finding == "scar_count" else "mm"
        quantity = member.get("valueQuantity")
        where = member.at("valueQuantity")
        if not isinstance(quantity, dict) or quantity.get("value") is None:
            reader.problem(where, "is missing", f"a quantity in UCUM {unit}")
            return None
        if quantity.get("code") != unit:
            reader.problem(f"{where}.code", f"is {quantity.get('code')!r}", f"use UCUM {unit}")
            return None
        number = quantity["value"]
        if finding == "scar_count":
            if float(number) != int(number):
                reader.problem(f"{where}.value", "must be a whole number", "")
                return None
            return Found(int(number), f"{where}.value")
        return Found(float(number), f"{where}.value")
    if finding == "scar_edges":
        concept = member.get("valueCodeableConcept")
        return reader.code(concept, member.at("valueCodeableConcept"), "edge-profile")
    if not isinstance(member.get("valueBoolean"), bool):
        reader.problem(member.at("valueBoolean"), "is missing", "true or false")
        return None
    return Found(member.get("valueBoolean"), member.at("valueBoolean"))


def _lesion(reader: Reader, group: _Lesion, origins: Origins, where: str) -> LesionFacts | None:
    structure = group.structure
    reader.used.add(structure.url)
    reader.subject(structure, "patient")
    origins[where] = structure.path
    region = reader.code(structure.get("location"), structure.at("location"), "region")
    morphology = structure.get("morphology")
    typed = reader.code(morphology, structure.at("morphology"), "scar-type")
    count = group.findings.get("scar_count")
    if count is None:
        reader.problem(structure.path, "no scar_count Observation counts this lesion group", "")
    if region is None or typed is None or count is None:
        return None
    given: dict[str, Any] = {"region": region.value}
    origins[f"{where}.region"] = region.path
    if _user_selected(morphology):
        given["type"] = typed.value
        origins[f"{where}.type"] = typed.path
    for finding, value in group.findings.items():
        name = "count" if finding == "scar_count" else FIELD_OF[finding]
        given[name] = value.value
        origins[f"{where}.{name}"] = value.path
    ordered = {k: given[k] for k in ("region", "type", "count", *FINDING_OF) if k in given}
    return LesionFacts(ordered, typed.value)


def _user_selected(concept: dict[str, Any]) -> bool:
    """Whether the clinician named the type (absent counts as named: scarplan marks a type it
    classified from the width with userSelected false)."""
    url = codes.system("scar-type")
    coding = next(c for c in concept["coding"] if c.get("system") == url)
    return coding.get("userSelected", True) is not False
