"""'Which options might suit me': the visitor's answers through the planner's own safety rules.

The answers become a case (an anonymous patient, the scar types described) and go through
`evaluate_eligibility` with the clinic's policy settings, the same call the planner makes. Each
finding is shown as something to discuss with a dermatologist, never as a prescription; the
clinical advice behind a rule (doses, settings) is for the clinician and is not shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from scarplan.adapters.reports.content import Cited
from scarplan.assessment.fitzpatrick import skin_type
from scarplan.assessment.results import FitzpatrickSource
from scarplan.domain.case import (
    Assessment,
    Case,
    IsotretinoinHistory,
    LesionGroup,
    Patient,
)
from scarplan.domain.vocabulary import (
    AcneSeverity,
    Fitzpatrick,
    IsotretinoinStatus,
    Modality,
    Region,
    ScarType,
)
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.modalities import PER_PRODUCT, ModalityEntry, PriceUnit
from scarplan.knowledge.schema.rules import Action
from scarplan.planning.eligibility import Finding, add_months, evaluate_eligibility
from scarplan.services.guide.answers import GuideAnswers, YesNo
from scarplan.services.guide.content import (
    ATROPHIC,
    HOME_CARE,
    RATING_WORDS,
    GuideContent,
    OptionCard,
)
from scarplan.services.guide.scars import guess_scar_type

VISITOR = "visitor"
"""The anonymous case's patient id: never stored, never shown."""
BUDGET_CURRENCY = "USD"
ACTION_WORDS = {
    Action.EXCLUDE: "Usually not done for people with this.",
    Action.REFER: "A specialist usually decides whether it is done.",
    Action.TEST_FIRST: "Usually starts with a small test area, checked before the full treatment.",
    Action.CAUTION: "Possible with extra care: ask how it would be adapted for you.",
}


@dataclass(frozen=True)
class Reason:
    """Why a health matter changes an option: shown once per page, linked from each option."""

    number: int
    topic: str
    text: Cited


@dataclass(frozen=True)
class Consideration:
    topic: str
    what: str
    why: tuple[int, ...]
    """The numbers of its reasons (SuitabilityResult.reasons)."""


@dataclass(frozen=True)
class OptionFit:
    key: str
    name: str
    is_procedure: bool
    for_your_scars: tuple[str, ...]
    helps_little: bool
    """Every scar type considered is one this option helps little or not at all."""
    held: bool
    """A rule usually holds it back (excluded, referred, or waiting with no known end)."""
    considerations: tuple[Consideration, ...]
    preferences: tuple[str, ...]
    """Where the published downtime or cost is beyond what the visitor said they can accept."""


@dataclass(frozen=True)
class SkinTypeAnswer:
    type: Fitzpatrick | None
    how: str
    description: str


@dataclass(frozen=True)
class SuitabilityResult:
    skin: SkinTypeAnswer
    scar_types: tuple[str, ...]
    scar_types_assumed: bool
    options: tuple[OptionFit, ...]
    reasons: tuple[Reason, ...]

    @property
    def refs(self) -> tuple[int, ...]:
        return tuple(n for reason in self.reasons for n in reason.text.refs)


def visitor_case(answers: GuideAnswers, scar_types: tuple[ScarType, ...], today: date) -> Case:
    """The answers as a case file would state them (unanswered safety questions: no)."""
    months = answers.isotretinoin_months
    status = answers.isotretinoin or IsotretinoinStatus.NONE
    stopped_on = (
        add_months(today, -months)
        if status is IsotretinoinStatus.STOPPED and months is not None
        else today
        if status is IsotretinoinStatus.STOPPED
        else None
    )
    patient = Patient(
        id=VISITOR,
        age_years=answers.age,
        fitzpatrick=answers.skin,
        fitzpatrick_answers=tuple(a for a in answers.skin_answers if a is not None)
        if answers.questionnaire_complete
        else None,
        pregnant=answers.pregnant is YesNo.YES,
        breastfeeding=answers.breastfeeding is YesNo.YES,
        keloid_history=answers.keloid is YesNo.YES,
        herpes_labialis_history=answers.cold_sores is YesNo.YES,
        active_acne=answers.acne or AcneSeverity.NONE,
        isotretinoin=IsotretinoinHistory(status, stopped_on),
    )
    lesions = tuple(
        LesionGroup(region=Region.CHEEK_LEFT, count=1, type=scar_type) for scar_type in scar_types
    )
    return Case(patient=patient, assessment=Assessment(date=today, lesions=lesions))


def assess_suitability(
    answers: GuideAnswers,
    content: GuideContent,
    knowledge: KnowledgeBase,
    policies: Mapping[str, str],
    today: date,
) -> SuitabilityResult:
    scar_types, assumed = _scar_types(answers, knowledge)
    questionnaire = knowledge.scales.fitzpatrick_questionnaire
    case = visitor_case(answers, scar_types, today)
    fitzpatrick = skin_type(
        case.patient.fitzpatrick, case.patient.fitzpatrick_answers, questionnaire
    )
    eligibility = evaluate_eligibility(
        case, scar_types, fitzpatrick.type, knowledge, policies, today
    )
    fits = []
    reasons = _Reasons(content)
    for card in content.options:
        if not card.is_procedure:
            fits.append(_no_procedure_fit(card, answers, knowledge, reasons))
            continue
        modality = Modality(card.key)
        entry = knowledge.modalities[modality]
        findings = eligibility[modality].findings
        fits.append(
            OptionFit(
                key=card.key,
                name=card.name,
                is_procedure=True,
                for_your_scars=tuple(
                    f"{knowledge.scar_types[t].name}s: {RATING_WORDS[entry.rating_for(t)]}"
                    for t in scar_types
                ),
                helps_little=all(entry.rating_for(t).rank >= 3 for t in scar_types),
                held=bool(eligibility[modality].blocking),
                considerations=_considerations(findings, knowledge, reasons),
                preferences=_preferences(entry, knowledge, answers),
            )
        )
    definitions = {d.type: d.description for d in questionnaire.definitions}
    how = {
        FitzpatrickSource.GIVEN: "as you chose it",
        FitzpatrickSource.QUESTIONNAIRE: f"from your questionnaire score "
        f"({fitzpatrick.questionnaire_score} of 40)",
        FitzpatrickSource.UNKNOWN: "not known yet: the higher risk of dark marks is assumed",
    }[fitzpatrick.source]
    skin = SkinTypeAnswer(
        fitzpatrick.type,
        how,
        definitions.get(fitzpatrick.type, "") if fitzpatrick.type else "",
    )
    names = tuple(knowledge.scar_types[t].name for t in scar_types)
    return SuitabilityResult(skin, names, assumed, tuple(fits), reasons.listed())


def _scar_types(
    answers: GuideAnswers, knowledge: KnowledgeBase
) -> tuple[tuple[ScarType, ...], bool]:
    """The types the visitor chose, else what their description may fit, else all three."""
    if answers.scars:
        return answers.scars, False
    guess = guess_scar_type(answers, knowledge)
    if guess is not None:
        return (guess.likely, *guess.others), False
    return ATROPHIC, True


class _Reasons:
    """Numbers each distinct (topic, reason) once: many options share the same reason."""

    def __init__(self, content: GuideContent) -> None:
        self._content = content
        self._reasons: dict[tuple[str, str], Reason] = {}

    def number(self, topic: str, text: str, sources: tuple[str, ...]) -> int:
        key = (topic, text)
        if key not in self._reasons:
            cited = Cited(text, self._content.citations.refs(sources))
            self._reasons[key] = Reason(len(self._reasons) + 1, topic, cited)
        return self._reasons[key].number

    def listed(self) -> tuple[Reason, ...]:
        return tuple(self._reasons.values())


def _considerations(
    findings: tuple[Finding, ...], knowledge: KnowledgeBase, reasons: _Reasons
) -> tuple[Consideration, ...]:
    """One consideration per topic (condition): a condition with two rules for the same option
    (darker skin: extra care, and a test area first) reads as one item, both reasons kept."""
    whats: dict[str, list[str]] = {}
    whys: dict[str, list[int]] = {}
    for finding in findings:
        topic = knowledge.conditions[finding.condition].name
        if finding.action is Action.DEFER:
            what = (
                f"Usually waits until about {finding.not_before.strftime('%B %Y')}."
                if finding.not_before
                else "Usually waits until this no longer applies."
            )
        else:
            what = ACTION_WORDS[finding.action]
        if what not in whats.setdefault(topic, []):
            whats[topic].append(what)
        number = reasons.number(topic, finding.reason, finding.sources)
        if number not in whys.setdefault(topic, []):
            whys[topic].append(number)
    return tuple(
        Consideration(topic, " ".join(whats[topic]), tuple(whys[topic])) for topic in whats
    )


def _preferences(
    entry: ModalityEntry, knowledge: KnowledgeBase, answers: GuideAnswers
) -> tuple[str, ...]:
    notes = []
    downtime = entry.downtime_days
    least_downtime = downtime.min if downtime and downtime.min is not None else None
    if (
        answers.downtime is not None
        and least_downtime is not None
        and least_downtime > answers.downtime
    ):
        notes.append(
            f"Each session is usually followed by at least {least_downtime:g} days of "
            f"downtime, more than the {answers.downtime} days you said you can accept."
        )
    price = knowledge.prices[entry.id]
    if answers.budget is not None and price.currency == BUDGET_CURRENCY:
        if price.per is PriceUnit.SCAR:
            notes.append(
                "Priced per scar, so the cost depends on how many scars are treated: ask for "
                "a quote against your budget."
            )
        else:
            sessions = entry.sessions.min if entry.sessions and entry.sessions.min else 1
            units = (
                price.units_per_session.min or 1
                if price.per in PER_PRODUCT and price.units_per_session
                else 1
            )
            least = price.min * units * sessions
            if least > answers.budget:
                notes.append(
                    f"At published prices a course usually costs at least {least:,.0f} "
                    f"{price.currency}, more than your budget of {answers.budget:,} "
                    f"{BUDGET_CURRENCY}. Clinic prices vary."
                )
    return tuple(notes)


def _no_procedure_fit(
    card: OptionCard, answers: GuideAnswers, knowledge: KnowledgeBase, reasons: _Reasons
) -> OptionFit:
    considerations: tuple[Consideration, ...] = ()
    if card.key == HOME_CARE and YesNo.YES in (answers.pregnant, answers.breastfeeding):
        statement = knowledge.homecare.pregnancy[3]
        topic = "Pregnancy and breastfeeding"
        considerations = (
            Consideration(
                topic,
                "Some creams are left out: ask which are safe for you.",
                (reasons.number(topic, statement.text, statement.sources),),
            ),
        )
    return OptionFit(
        key=card.key,
        name=card.name,
        is_procedure=False,
        for_your_scars=card.helps,
        helps_little=False,
        held=False,
        considerations=considerations,
        preferences=(),
    )
