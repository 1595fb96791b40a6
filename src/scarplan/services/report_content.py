"""The content of a patient report, built from the three documents scarplan already makes (the
assessment and the home routine in their JSON-contract form, the plan as the typed plan
document) and the knowledge base that explains them. The same builder serves a case file and a
stored patient."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Any

from scarplan.adapters.fhir import codes
from scarplan.adapters.presentation.wording import day, label, money
from scarplan.adapters.reports.content import (
    AdviceTopic,
    Booked,
    CalendarEntry,
    Cited,
    Code,
    ConsentLine,
    Costs,
    DateWindow,
    Discussion,
    Excluded,
    Fact,
    Grade,
    LesionGroup,
    LesionRow,
    NotAdvised,
    NotPossible,
    PerformedSession,
    Procedure,
    RegionLoad,
    ReportContent,
    Review,
    Routine,
    RoutineStep,
    ScarTypeSummary,
    Score,
    SessionRow,
    SourceEntry,
    Stop,
    Variant,
)
from scarplan.adapters.reports.glossary import in_plain_words
from scarplan.domain.case import Case
from scarplan.domain.vocabulary import AcneSeverity, Modality, ScarType
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.common import CitedRange, Statement
from scarplan.knowledge.schema.modalities import ModalityEntry
from scarplan.planning import document as planned
from scarplan.planning.document import LesionGroupPlan, PlanDocument, Recommended, Session
from scarplan.services.assessment import NOTICE

# The same codes as the FHIR export (adapters/fhir/codes.py), named for people.
SCAR_CODES = (
    Code("ICD-10", codes.SCAR_ICD10[1], codes.SCAR_ICD10[2]),
    Code("SNOMED CT", codes.SCAR[1], codes.SCAR[2]),
    Code("SNOMED CT", codes.ACNE[1], f"{codes.ACNE[2]} (due to)"),
)
ACTIVE_ACNE_CODE = Code("ICD-10", codes.ACNE_VULGARIS_ICD10[1], codes.ACNE_VULGARIS_ICD10[2])

# What a scar-by-scar technique or a later treatment does, in a patient's words (shortened from
# the plain summaries in modalities.yaml). Whole-area treatments are named as such instead.
PLAIN_TREATMENT: dict[str, str] = {
    Modality.TCA_CROSS: "a few drops of strong acid pressed into each scar",
    Modality.PUNCH_EXCISION: "each scar cut out with a tiny round blade and closed with a stitch",
    Modality.PUNCH_ELEVATION: "the floor of each scar lifted level with the skin around it",
    Modality.PUNCH_GRAFTING: "each scar replaced with a tiny plug of your own skin",
    Modality.SUBCISION: "a fine needle under the skin frees the bands that pull the scars down",
    Modality.HA_FILLER: "a gel injected under the scars to lift them",
    Modality.BIOSTIMULATORY_FILLER: "injections that lift and support soft scars",
}
# Clinicians' words a patient report says plainly, to the patient.
PLAIN_WORDS = {
    "field treatment": "whole-area treatment",
    "treated focally": "treated scar by scar",
    "the patient's": "your",
    "the patient is": "you are",
}


class SourceList:
    """Numbers sources in the order the report first cites them."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self._knowledge = knowledge
        self._numbers: dict[str, int] = {}

    def cite(self, ids: Iterable[str]) -> tuple[int, ...]:
        numbers = []
        for source_id in ids:
            if source_id not in self._numbers:
                self._numbers[source_id] = len(self._numbers) + 1
            numbers.append(self._numbers[source_id])
        return tuple(sorted(set(numbers)))

    def text(self, text: str, ids: Iterable[str]) -> Cited:
        return Cited(text, self.cite(ids))

    def statement(self, statement: Statement) -> Cited:
        return self.text(statement.text, statement.sources)

    def entries(self) -> tuple[SourceEntry, ...]:
        entries = []
        for source_id, number in self._numbers.items():
            source = self._knowledge.sources.get(source_id)
            if source is None:  # a source id the knowledge base no longer has: show the id
                entries.append(SourceEntry(number, source_id, source_id, ""))
                continue
            link = (
                f"https://doi.org/{source.doi}"
                if source.doi
                else f"https://pubmed.ncbi.nlm.nih.gov/{source.pmid}/"
                if source.pmid
                else source.url or ""
            )
            entries.append(SourceEntry(number, source_id, source.citation, link))
        return tuple(entries)


@dataclass(frozen=True)
class ReportInputs:
    """Everything a report is made from."""

    case: Case
    subject: str
    assessment: Mapping[str, Any]
    """`assessment_json` of the case's assessment."""
    plan: PlanDocument | None
    """The plan document (sessions as they stand now), or None when no plan could be made."""
    plan_problem: Sequence[str]
    routine: Mapping[str, Any] | None
    performed: Sequence[PerformedSession]
    today: date
    done: Mapping[int, date] = field(default_factory=dict)
    """The day each session carried out was performed, by its position in `plan.sessions` (a
    stored plan; none for a case file)."""
    consents: Sequence[ConsentLine] = ()
    """The patient's signed procedure consents (a stored patient; none for a case file)."""


def build_report(inputs: ReportInputs, knowledge: KnowledgeBase, variant: Variant) -> ReportContent:
    cite = SourceList(knowledge)
    # "Stop now" opens the report: its sources are numbered first.
    for item in (inputs.routine or {}).get("left_out", []):
        if item.get("stop_now"):
            cite.cite(item.get("sources", []))
    assessment = inputs.assessment
    plan = inputs.plan
    scores = _scores(assessment, knowledge, cite, variant)
    scar_types = _scar_types(assessment, knowledge, cite)
    lesion_groups = _lesion_groups(plan, cite, variant) if plan is not None else ()
    # Cited where the report shows it: at the top of the plan, after the lesion groups.
    expectations = tuple(cite.statement(s) for s in knowledge.techniques.expectations)
    procedures = (
        tuple(_procedure(item, plan, inputs.case, knowledge, cite) for item in plan.recommended)
        if plan is not None
        else ()
    )
    scheduled = [p for p in procedures if p.in_plan]
    discuss = _discussions(plan, scheduled) if plan is not None else ()
    # Without a plan its sections are empty. Those below cite their sources as they are built,
    # which numbers them in the report's order.
    excluded = plan.excluded if plan is not None else []
    sequence = plan.sequence if plan is not None else []
    reviews = plan.reviews if plan is not None else []
    content = ReportContent(
        variant=variant,
        subject=inputs.subject,
        generated_on=inputs.today,
        assessed_on=date.fromisoformat(assessment["assessment_date"]),
        notice=NOTICE,
        facts=_facts(inputs.case, assessment, variant),
        scar_types=scar_types,
        regions=_regions(assessment),
        grades=tuple(
            Grade(g.grade, g.name) for g in knowledge.scales.goodman_baron_qualitative.grades
        ),
        scores=scores,
        lesions=_lesions(assessment),
        warnings=tuple(assessment.get("warnings", [])),
        procedures=tuple(scheduled),
        discuss=discuss,
        considered=tuple(p for p in procedures if not p.in_plan),
        excluded=tuple(
            Excluded(e.modality.value, tuple(e.reasons), e.relax or "", cite.cite(e.sources))
            for e in excluded
        ),
        order=tuple(
            cite.text(
                f"{label(p.first)} before {label(p.then)}, at least "
                f"{p.gap_days.value} days apart: {p.reason}",
                p.gap_days.sources,
            )
            for p in sequence
        ),
        sessions=_sessions(plan, inputs.done) if plan is not None else (),
        progress=_progress(plan, inputs.done) if plan is not None else "",
        avoid=tuple(DateWindow(w.start, w.end, w.reason) for w in inputs.case.preferences.avoid),
        plan_problem=tuple(inputs.plan_problem),
        costs=_costs(plan, knowledge, cite) if plan is not None else None,
        routine=_routine(inputs.routine, cite) if inputs.routine else None,
        notes=tuple(plan.notes) if plan is not None else (),
        codes=_codes(inputs.case),
        performed=tuple(inputs.performed),
        lesion_groups=lesion_groups,
        reviews=tuple(Review(r.date, r.after.value, r.after_session, r.reason) for r in reviews),
        not_advised=_not_advised(excluded, cite),
        expectations=expectations,
        consents=tuple(inputs.consents),
    )
    if variant is Variant.PATIENT:
        content = in_plain_words(content)  # the glossary (adapters/reports/glossary.yaml)
    return replace(content, sources=cite.entries())


def _facts(case: Case, assessment: Mapping[str, Any], variant: Variant) -> tuple[Fact, ...]:
    patient = case.patient
    facts = [Fact("Assessed", _long_date(assessment["assessment_date"]))]
    if patient.age_years is not None:
        facts.append(Fact("Age", f"{patient.age_years} years"))
    skin = assessment.get("fitzpatrick")
    facts.append(Fact("Skin type (Fitzpatrick)", skin or "not recorded"))
    if patient.active_acne is not AcneSeverity.NONE:
        facts.append(Fact("Active acne", patient.active_acne.value))
    if variant is Variant.CLINICIAN:
        flags = {
            "pregnant": patient.pregnant,
            "breastfeeding": patient.breastfeeding,
            "keloid history": patient.keloid_history,
            "cold sores (herpes labialis)": patient.herpes_labialis_history,
            "anticoagulants": patient.anticoagulants,
            "skin infection": patient.skin_infection,
            "sensitive skin": patient.sensitive_skin,
        }
        present = [name for name, on in flags.items() if on]
        facts.append(Fact("Risk factors", ", ".join(present) or "none recorded"))
        iso = patient.isotretinoin
        if iso.status.value != "none":
            stopped = f", stopped {iso.stopped_on.isoformat()}" if iso.stopped_on else ""
            facts.append(Fact("Isotretinoin", f"{iso.status.value}{stopped}"))
        if patient.current_agents:
            facts.append(Fact("Uses now", ", ".join(label(a) for a in patient.current_agents)))
    preferences = case.preferences
    if preferences.max_downtime_days is not None:
        facts.append(Fact("Downtime limit", f"{preferences.max_downtime_days} days"))
    if preferences.budget is not None:
        facts.append(Fact("Budget", money(preferences.budget.amount, preferences.budget.currency)))
    return tuple(facts)


def _long_date(value: str) -> str:
    return date.fromisoformat(value[:10]).strftime("%d %B %Y")


def _scar_types(
    assessment: Mapping[str, Any], knowledge: KnowledgeBase, cite: SourceList
) -> tuple[ScarTypeSummary, ...]:
    regions: dict[str, list[str]] = {}
    for lesion in assessment["lesions"]:
        found = regions.setdefault(lesion["type"], [])
        if lesion["region"] not in found:
            found.append(lesion["region"])
    summaries = []
    for type_id, count in assessment["counts_by_type"].items():
        if not count:
            continue
        entry = knowledge.scar_types.get(ScarType(type_id))
        if entry is None:
            continue
        summaries.append(
            ScarTypeSummary(
                id=type_id,
                name=entry.name,
                count=count,
                regions=tuple(regions.get(type_id, [])),
                explanation=cite.text(entry.patient_summary, entry.morphology.sources),
            )
        )
    marks = assessment.get("macular", [])
    macular = next(
        (g for g in knowledge.scales.goodman_baron_qualitative.grades if g.grade == 1), None
    )
    if marks and macular is not None:
        summaries.append(
            ScarTypeSummary(
                id="macular",
                name="Flat marks",
                count=sum(m["count"] for m in marks),
                regions=tuple(m["region"] for m in marks),
                explanation=cite.text(
                    f"{macular.description} They change the skin's colour, not its surface; "
                    "the scar procedures in this plan treat contour, not colour.",
                    macular.sources,
                ),
            )
        )
    return tuple(summaries)


def _regions(assessment: Mapping[str, Any]) -> tuple[RegionLoad, ...]:
    counts: dict[str, int] = {}
    types: dict[str, list[str]] = {}
    # Flat (macular) marks count with the scars of their region: grade 1 where they are alone.
    marks = [{**m, "type": "macular"} for m in assessment.get("macular", [])]
    for lesion in [*assessment["lesions"], *marks]:
        counts[lesion["region"]] = counts.get(lesion["region"], 0) + lesion["count"]
        kinds = types.setdefault(lesion["region"], [])
        if lesion["type"] not in kinds:
            kinds.append(lesion["type"])
    grades = assessment["goodman_baron"]["qualitative_by_region"]
    return tuple(
        RegionLoad(region, count, int(grades.get(region, 0)), tuple(types[region]))
        for region, count in counts.items()
    )


def _scores(
    assessment: Mapping[str, Any], knowledge: KnowledgeBase, cite: SourceList, variant: Variant
) -> tuple[Score, ...]:
    scales = knowledge.scales
    gb = assessment["goodman_baron"]
    grade = gb["qualitative_grade"]
    qualitative = scales.goodman_baron_qualitative
    described = next((g for g in qualitative.grades if g.grade == grade), None)
    meaning = f"{described.name}: {described.description}" if described else "no scars to grade"
    clinician = variant is Variant.CLINICIAN
    quantitative = scales.goodman_baron_quantitative
    ecca = scales.ecca
    return (
        Score(
            "Goodman & Baron qualitative grade",
            f"{grade} of 4" if grade else "none",
            cite.text(
                f"{meaning} The grade is that of the most severe region.",
                described.sources if described else qualitative.sources,
            ),
            tuple(f"{label(r)}: grade {g}" for r, g in gb["qualitative_by_region"].items())
            if clinician
            else (),
        ),
        Score(
            "Goodman & Baron quantitative score",
            f"{_number(gb['quantitative_score'])} of {_number(gb['quantitative_max'])}",
            cite.text(
                "Points for each kind of scar, weighted by how many there are; a higher score "
                "means more, and more severe, scarring. It is the count the treatment aims to "
                "lower.",
                quantitative.sources,
            ),
            tuple(
                f"{item['label']}: {item['count']} scars, {_number(item['points'])} points x "
                f"{_number(item['multiplier'])} = {_number(item['score'])}"
                for item in gb["quantitative_items"]
            )
            if clinician
            else (),
        ),
        Score(
            "ECCA score",
            f"{assessment['ecca']} of {_number(assessment['ecca_detail']['max'])}",
            cite.text(
                "The ECCA grading scale weighs each scar type by how visible it is and scores "
                "how many there are; higher means more severe.",
                ecca.sources,
            ),
            tuple(
                f"{item['label']}: count score {_number(item['count_score'])} x weight "
                f"{_number(item['weight'])} = {_number(item['score'])}"
                for item in assessment["ecca_detail"]["items"]
            )
            if clinician
            else (),
        ),
    )


def _number(value: float | int) -> str:
    return f"{value:g}"


def _lesions(assessment: Mapping[str, Any]) -> tuple[LesionRow, ...]:
    return tuple(
        LesionRow(
            region=lesion["region"],
            type=lesion["type"],
            type_source=lesion["type_source"],
            count=lesion["count"],
            width_mm=lesion.get("width_mm"),
            depth_mm=lesion.get("depth_mm"),
            note="; ".join(lesion.get("reasons", []))
            if lesion["type_source"] == "measured"
            else "",
        )
        for lesion in assessment["lesions"]
    )


def _lesion_groups(
    plan: PlanDocument, cite: SourceList, variant: Variant
) -> tuple[LesionGroup, ...]:
    """What treats each lesion group, numbered in the plan's order (as on the face map).

    Plans made before lesion groups (plan document version 1) have none."""
    sessions = plan.sessions
    patient = variant is Variant.PATIENT

    def plain(text: str) -> str:
        return _plain_words(text) if patient else text

    causes = _causes(plan)
    groups = []
    for number, group in enumerate(plan.lesion_groups, start=1):
        technique = _booked(group.technique, sessions)
        field = _booked(group.field, sessions)
        then = tuple(b for b in (_booked(m, sessions) for m in group.then) if b)
        groups.append(
            LesionGroup(
                number=number,
                region=group.region.value,
                type=group.type.value,
                count=group.count,
                label=group.label,
                technique=technique,
                field=field,
                then=then,
                not_possible=_not_possible(group.not_possible, causes, plain),
                reason=cite.text(plain(group.reason), group.sources),
                plain=_plain_group(group, technique, field, then),
            )
        )
    return tuple(groups)


def _booked(modality: Modality | None, sessions: Sequence[Session]) -> Booked | None:
    """A procedure booked for a lesion group, its visits counted from the plan's sessions as
    they stand (edited or not), their spacing from the dates."""
    if modality is None:
        return None
    days = sorted(s.date for s in sessions if s.modality == modality)
    gaps = [(later - earlier).days for earlier, later in pairwise(days)]
    return Booked(
        modality=modality.value,
        name=label(modality.value),
        plain=PLAIN_TREATMENT.get(modality, ""),
        sessions=len(days),
        spacing=_spacing(gaps),
    )


def _spacing(gaps: Sequence[int]) -> str:
    """'2 weeks apart', '2-4 weeks apart', '10 days apart'; empty for a single visit."""
    if not gaps:
        return ""
    low, high = min(gaps), max(gaps)
    if all(gap % 7 == 0 for gap in (low, high)) and low:
        low, high, unit = low // 7, high // 7, "week"
    else:
        unit = "day"
    span = f"{low}" if low == high else f"{low}-{high}"
    return f"{span} {unit}{'' if high == 1 else 's'} apart"


def _visits(booked: Booked) -> str:
    if not booked.sessions:
        return "no visits booked now"
    visits = f"{booked.sessions} visit{'' if booked.sessions == 1 else 's'}"
    return f"{visits} {booked.spacing}" if booked.spacing else visits


def _plain_booked(booked: Booked) -> str:
    parts = [booked.name, booked.plain, _visits(booked)]
    return ", ".join(part for part in parts if part)


def _your(region: str) -> str:
    if region == "perioral":
        return "Around your mouth"
    words = label(region)
    return f"Your {words[:1].lower()}{words[1:]}"


def _scars(count: int, words: str) -> str:
    if count == 1:
        words = words.replace("scars", "scar", 1)
    return f"{count} {words}"


def _plain_group(
    group: LesionGroupPlan, technique: Booked | None, field: Booked | None, then: Sequence[Booked]
) -> str:
    """One sentence a patient can read: 'Your left cheek: 14 narrow ice pick scars — TCA CROSS,
    a few drops of strong acid pressed into each scar, 4 visits 2 weeks apart'."""
    treatments = []
    if technique:
        treatments.append(_plain_booked(technique))
    if field:
        first = "then " if treatments else ""
        treatments.append(f"{first}whole-area treatment: {_plain_booked(field)}")
    treatments.extend(f"afterwards {_plain_booked(b)}" for b in then)
    treated = "; ".join(treatments) or "no treatment is booked for them now"
    return f"{_your(group.region.value)}: {_scars(group.count, group.label)} — {treated}."


def _plain_words(text: str) -> str:
    for jargon, plain in PLAIN_WORDS.items():
        text = text.replace(jargon, plain)
    return text


def _procedure(
    item: Recommended,
    plan: PlanDocument,
    case: Case,
    knowledge: KnowledgeBase,
    cite: SourceList,
) -> Procedure:
    modality = item.modality
    entry = knowledge.modalities[modality]
    sessions = sum(1 for s in plan.sessions if s.modality == modality)
    return Procedure(
        modality=modality.value,
        name=label(modality.value),
        summary=entry.summary,
        targets=tuple(t.value for t in item.targets),
        regions=tuple(r.value for r in item.regions),
        sessions=sessions,
        reasons=tuple(item.reasons),
        expected=tuple(cite.text(e.text, e.sources) for e in item.expected),
        cautions=tuple(item.cautions),
        downtime=_range(entry.downtime_days, "days", cite),
        aftercare=tuple(cite.statement(s) for s in entry.aftercare),
        risks=tuple(cite.statement(s) for s in entry.risks),
        skin_type_risk=_skin_type_risk(entry, case, cite),
        parameters=tuple(
            cite.text(f"{p.name}: {p.describe(p.unit)}", p.sources) for p in entry.parameters
        ),
        refs=cite.cite(item.sources),
        in_plan=item.in_plan,
        not_in_plan_reason=item.not_in_plan_reason or "",
    )


def _discussions(plan: PlanDocument, procedures: Sequence[Procedure]) -> tuple[Discussion, ...]:
    """Each caution once, with the scheduled procedures it concerns: the plan's own list
    (`cautions`), or, for plans stored before it, gathered from the procedures."""
    names = {p.modality: p.name for p in procedures}
    stated = plan.cautions
    if stated:
        found = (
            Discussion(c.text, tuple(names[m.value] for m in c.procedures if m.value in names))
            for c in stated
        )
        return tuple(d for d in found if d.procedures)
    concerns: dict[str, list[str]] = {}
    for procedure in procedures:
        for caution in procedure.cautions:
            concerns.setdefault(caution, []).append(procedure.name)
    return tuple(Discussion(text, tuple(names)) for text, names in concerns.items())


def _causes(plan: PlanDocument) -> dict[tuple[str, str], str]:
    """(procedure, full reason) -> the reason in a few words, where the plan gives one that is
    shorter (`excluded[].causes`; plans stored before have none: the full reason stays)."""
    found = {}
    for item in plan.excluded:
        for reason, cause in zip(item.reasons, item.causes, strict=False):
            if cause and cause != reason:
                found[(item.modality.value, reason)] = cause
    return found


def _not_possible(
    items: Sequence[planned.NotPossible],
    causes: Mapping[tuple[str, str], str],
    plain: Callable[[str], str],
) -> tuple[NotPossible, ...]:
    """A group's techniques not possible now, each reason once: in a few words where the full
    reason is stated once under the report's exclusions."""
    grouped: dict[str, list[str]] = {}
    for item in items:
        reason = causes.get((item.modality.value, item.reason), item.reason)
        grouped.setdefault(plain(reason), []).append(item.modality.value)
    return tuple(
        NotPossible(modalities[0], reason, tuple(modalities))
        for reason, modalities in grouped.items()
    )


def _not_advised(excluded: Sequence[planned.Excluded], cite: SourceList) -> tuple[NotAdvised, ...]:
    """The exclusions, each set of reasons once with the procedures it keeps out."""
    grouped: dict[tuple[tuple[str, ...], str], list[planned.Excluded]] = {}
    for item in excluded:
        key = (tuple(item.reasons), item.relax or "")
        grouped.setdefault(key, []).append(item)
    return tuple(
        NotAdvised(
            reasons,
            tuple(i.modality.value for i in items),
            relax,
            cite.cite(dict.fromkeys(s for i in items for s in i.sources)),
        )
        for (reasons, relax), items in grouped.items()
    )


def _range(value: CitedRange | None, unit: str, cite: SourceList) -> Cited | None:
    if value is None:
        return None
    note = f" ({value.note})" if value.note else ""
    return cite.text(f"{value.describe(unit)}{note}", value.sources)


def _skin_type_risk(entry: ModalityEntry, case: Case, cite: SourceList) -> Cited | None:
    skin = case.patient.fitzpatrick
    for risk in entry.skin_type_risks:
        if skin is not None and skin in risk.types:
            return cite.text(
                f"For skin type {skin.value}: {risk.level.value} risk. {risk.note}", risk.sources
            )
    return None


def _sessions(plan: PlanDocument, done: Mapping[int, date]) -> tuple[SessionRow, ...]:
    """The plan's sessions; one carried out is shown on the day it was done."""
    return tuple(
        SessionRow(
            day=done.get(position, s.date),
            modality=s.modality.value,
            number=s.number,
            of=s.of,
            regions=tuple(r.value for r in s.regions),
            downtime_days=s.downtime_days,
            cost=money(s.cost.amount, s.cost.currency) if s.cost is not None else "not priced",
            done=position in done,
        )
        for position, s in enumerate(plan.sessions)
    )


def _progress(plan: PlanDocument, done: Mapping[int, date]) -> str:
    """How far the course has gone, in one sentence (empty before the first session)."""
    total = len(plan.sessions)
    if not done or not total:
        return ""
    if len(done) >= total:
        return f"All {total} planned sessions done, the last on {day(max(done.values()))}."
    upcoming = [s.date for position, s in enumerate(plan.sessions) if position not in done]
    return (
        f"{len(done)} of {total} planned sessions done; "
        f"the next is planned for {day(min(upcoming))}."
    )


def _costs(plan: PlanDocument, knowledge: KnowledgeBase, cite: SourceList) -> Costs:
    total = plan.total_cost
    budget = plan.budget
    unpriced = tuple(m.value for m in total.unpriced)
    estimates = []
    for modality in total.unpriced:
        price = knowledge.prices.get(modality)
        if price is None:
            continue
        top = f"-{Decimal(str(price.max)):,.0f}" if price.max is not None else " or more"
        estimates.append(
            cite.text(
                f"{label(modality.value)}: published prices {price.currency} "
                f"{Decimal(str(price.min)):,.0f}{top} per {price.per.value} ({price.year})"
                f"{'; ' + price.note if price.note else ''}",
                price.sources,
            )
        )
    return Costs(
        total=money(total.amount, total.currency or "") if total.amount is not None else "",
        complete=total.complete,
        unpriced=unpriced,
        budget=money(budget.amount, budget.currency) if budget is not None else "",
        estimates=tuple(estimates),
    )


def _routine(routine: Mapping[str, Any], cite: SourceList) -> Routine:
    stopped = {x["agent"] for x in routine.get("left_out", []) if x.get("stop_now")}

    def steps(slot: str) -> tuple[RoutineStep, ...]:
        return tuple(
            RoutineStep(
                name=s["name"],
                strength=s.get("strength") or "",
                frequency=s["frequency"],
                why=tuple(cite.text(w["text"], w["sources"]) for w in s.get("why", [])),
            )
            for s in routine[slot]
        )

    return Routine(
        am=steps("am"),
        pm=steps("pm"),
        calendar=tuple(
            CalendarEntry(
                date.fromisoformat(e["date"]),
                date.fromisoformat(e["until"]) if e.get("until") else None,
                e["text"],
                cite.cite(e.get("sources", [])),
            )
            for e in routine.get("calendar", [])
        ),
        checks=tuple(
            cite.text(f"{c['message']} {c['resolution']}".strip(), c.get("sources", []))
            for c in routine.get("checks", [])
            # An agent to stop now is said once, under "Stop now", not again as a check.
            if not (c.get("agents") and set(c["agents"]) <= stopped)
        ),
        advice=tuple(
            AdviceTopic(a["topic"], tuple(cite.text(i["text"], i["sources"]) for i in a["items"]))
            for a in routine.get("advice", [])
        ),
        referral=tuple(cite.text(r["text"], r["sources"]) for r in routine.get("referral", [])),
        stops=tuple(
            Stop(x["stop_now"], cite.text(x["reason"], x.get("sources", [])))
            for x in routine.get("left_out", [])
            if x.get("stop_now")
        ),
    )


def _codes(case: Case) -> tuple[Code, ...]:
    if case.patient.active_acne is AcneSeverity.NONE:
        return SCAR_CODES
    return (*SCAR_CODES, ACTIVE_ACNE_CODE)
