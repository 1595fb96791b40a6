"""One typed model per page of the decision aid, from the cached content and the answers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from scarplan.adapters.reports.content import Cited, SourceEntry
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.scales import Question
from scarplan.services.guide.answers import GuideAnswers, Matter, Problem, read_answers
from scarplan.services.guide.content import (
    RISK_WORDS,
    GuideContent,
    OptionCard,
    ScarTypeCard,
    guide_content,
)
from scarplan.services.guide.scars import ScarGuess, WidthChoice, guess_scar_type, width_choices
from scarplan.services.guide.suitability import SuitabilityResult, assess_suitability
from scarplan.services.planning import clinic_policies
from scarplan.settings import Settings


class Step(StrEnum):
    """The pages, in the order the guide walks through them."""

    START = "start"
    SCARS = "scars"
    OPTIONS = "options"
    COMPARE = "compare"
    HOME_CARE = "home-care"
    QUESTIONS = "questions"
    SUMMARY = "summary"


MATTER_WORDS = {
    Matter.DOWNTIME: "Downtime (days you look red, swollen or crusted)",
    Matter.COST: "Cost",
    Matter.VISITS: "Number of visits",
    Matter.DARK_MARKS: "Risk of dark marks in darker skin",
}


@dataclass(frozen=True)
class ValueRow:
    key: str
    name: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class ValuesTable:
    columns: tuple[str, ...]
    rows: tuple[ValueRow, ...]
    chosen: bool
    """False when the visitor chose nothing yet: every column is shown."""


@dataclass(frozen=True)
class GuidePage:
    step: Step
    content: GuideContent
    answers: GuideAnswers
    problems: tuple[Problem, ...]
    query: str
    """The answers as a query string, carried by every link to another step."""
    widths: tuple[WidthChoice, ...] = ()
    guess: ScarGuess | None = None
    questionnaire: tuple[Question, ...] = ()
    suitability: SuitabilityResult | None = None
    values: ValuesTable | None = None
    references: tuple[SourceEntry, ...] = ()

    @property
    def reviewed_on(self) -> date | None:
        return self.content.reviewed_on


def guide_page(
    step: Step,
    raw_answers: Sequence[tuple[str, str]],
    knowledge: KnowledgeBase,
    settings: Settings,
    today: date,
) -> GuidePage:
    """Everything the page for `step` shows. Nothing here is stored or logged."""
    content = guide_content(knowledge)
    answers, problems = read_answers(raw_answers)
    widths: tuple[WidthChoice, ...] = ()
    guess = None
    questionnaire: tuple[Question, ...] = ()
    suitability = None
    values = None
    refs: list[int] = []
    if step in (Step.SCARS, Step.SUMMARY):
        widths = width_choices(knowledge)
        guess = guess_scar_type(answers, knowledge)
    if step is Step.START:
        refs.extend(_refs(c for card in content.scar_types for c in _scar_cited(card)))
    if step in (Step.OPTIONS, Step.SUMMARY):
        questionnaire = knowledge.scales.fitzpatrick_questionnaire.questions
        policies = clinic_policies(settings)
        suitability = assess_suitability(answers, content, knowledge, policies, today)
        refs.extend(suitability.refs)
    if step in (Step.COMPARE, Step.SUMMARY):
        values = values_table(content.options, answers.matters)
    if step is Step.COMPARE:
        refs.extend(_refs(c for card in content.options for c in _option_cited(card)))
    if step is Step.HOME_CARE:
        refs.extend(_refs(item for section in content.home_care for item in section.items))
    return GuidePage(
        step=step,
        content=content,
        answers=answers,
        problems=problems,
        query=answers.query(),
        widths=widths,
        guess=guess,
        questionnaire=questionnaire,
        suitability=suitability,
        values=values,
        references=content.citations.listed(refs),
    )


def values_table(options: Sequence[OptionCard], matters: Sequence[Matter]) -> ValuesTable:
    """How each option stands on what matters to the visitor, in the guide's own order:
    the figures side by side, never a ranking."""
    chosen = tuple(matters) or tuple(Matter)
    rows = tuple(
        ValueRow(card.key, card.name, tuple(_cell(card, matter) for matter in chosen))
        for card in options
    )
    return ValuesTable(tuple(MATTER_WORDS[m] for m in chosen), rows, bool(matters))


def _cell(card: OptionCard, matter: Matter) -> str:
    if matter is Matter.DOWNTIME:
        return card.downtime.text
    if matter is Matter.COST:
        return card.cost.text
    if matter is Matter.VISITS:
        return card.sessions.text
    if card.dark_mark_risk is not None:
        return RISK_WORDS[card.dark_mark_risk]
    return "none from a procedure" if not card.is_procedure else "no figure published"


def _refs(items: Iterable[Cited]) -> list[int]:
    return [n for item in items for n in item.refs]


def _scar_cited(card: ScarTypeCard) -> list[Cited]:
    return [card.shape] if card.width is None else [card.shape, card.width]


def _option_cited(card: OptionCard) -> list[Cited]:
    return [
        card.sessions,
        card.interval,
        card.downtime,
        card.cost,
        card.darker_skin,
        *card.improvement,
        *card.risks,
    ]
