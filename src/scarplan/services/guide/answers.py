"""The visitor's answers: read from the query string or form, checked, never stored.

Every page of the guide carries the answers given so far in its links (`GuideAnswers.query`),
so nothing needs a session, a cookie or a database row. A value that does not fit is dropped
and reported as a `Problem` naming the question in words and how to answer it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import TypeVar
from urllib.parse import urlencode

from scarplan.domain.vocabulary import AcneSeverity, Fitzpatrick, IsotretinoinStatus, ScarType

QUESTIONNAIRE_ITEMS = 10
T = TypeVar("T")


class Width(StrEnum):
    NARROW = "narrow"
    MEDIUM = "medium"
    WIDE = "wide"


class Edges(StrEnum):
    SHARP = "sharp"
    SLOPED = "sloped"


class Stretch(StrEnum):
    FLATTENS = "flattens"
    STAYS = "stays"
    UNSURE = "unsure"


class Matter(StrEnum):
    """What may matter most to the visitor (values clarification)."""

    DOWNTIME = "downtime"
    COST = "cost"
    VISITS = "visits"
    DARK_MARKS = "dark_marks"


class YesNo(StrEnum):
    YES = "yes"
    NO = "no"


@dataclass(frozen=True)
class Problem:
    question: str
    message: str


@dataclass(frozen=True)
class GuideAnswers:
    scars: tuple[ScarType, ...] = ()
    width: Width | None = None
    edges: Edges | None = None
    stretch: Stretch | None = None
    skin: Fitzpatrick | None = None
    skin_answers: tuple[int | None, ...] = (None,) * QUESTIONNAIRE_ITEMS
    pregnant: YesNo | None = None
    breastfeeding: YesNo | None = None
    isotretinoin: IsotretinoinStatus | None = None
    isotretinoin_months: int | None = None
    keloid: YesNo | None = None
    cold_sores: YesNo | None = None
    acne: AcneSeverity | None = None
    age: int | None = None
    budget: int | None = None
    downtime: int | None = None
    matters: tuple[Matter, ...] = ()

    @property
    def questionnaire_complete(self) -> bool:
        return all(answer is not None for answer in self.skin_answers)

    def pairs(self, skip: Iterable[str] = ()) -> list[tuple[str, str]]:
        """The answers as (name, value) pairs, leaving out the fields named in `skip` (a page
        whose form asks them again)."""
        left_out = set(skip)
        pairs: list[tuple[str, str]] = []
        for field in fields(self):
            if field.name in left_out:
                continue
            value = getattr(self, field.name)
            if field.name == "skin_answers":
                pairs.extend((f"q{i}", str(a)) for i, a in enumerate(value) if a is not None)
            elif isinstance(value, tuple):
                pairs.extend((field.name, str(item)) for item in value)
            elif value is not None:
                pairs.append((field.name, str(value)))
        return pairs

    def query(self) -> str:
        """The answers as a query string (no leading '?'), to carry to the next page."""
        return urlencode(self.pairs())


QUESTIONS = {
    "scars": "Your scar types",
    "width": "How wide are your scars",
    "edges": "What are the edges like",
    "stretch": "When you stretch the skin",
    "skin": "Your skin type",
    "pregnant": "Pregnant or trying to become pregnant",
    "breastfeeding": "Breastfeeding",
    "isotretinoin": "Isotretinoin tablets",
    "isotretinoin_months": "Months since your last isotretinoin tablet",
    "keloid": "Keloids or raised scars",
    "cold_sores": "Cold sores",
    "acne": "Active acne now",
    "age": "Your age",
    "budget": "Your budget",
    "downtime": "Downtime you can accept",
    "matters": "What matters most",
}
LIMITS = {
    "isotretinoin_months": (0, 600, "a whole number of months, 0 if you stopped this month"),
    "age": (10, 120, "your age in whole years, from 10 to 120"),
    "budget": (0, 1_000_000, "a whole number of US dollars, for example 3000"),
    "downtime": (0, 365, "a whole number of days, for example 7"),
}


def read_answers(raw: Sequence[tuple[str, str]]) -> tuple[GuideAnswers, tuple[Problem, ...]]:
    """Check each answer; the ones that do not fit are left out and reported."""
    values: dict[str, list[str]] = {}
    for key, value in raw:
        if value.strip():
            values.setdefault(key, []).append(value.strip())
    # A value that does not fit is reported back to the visitor on the page, never logged: the
    # answers are theirs and must not reach a log file.
    problems: list[Problem] = []

    def one(name: str, kind: Callable[[str], T], choices: str) -> T | None:
        given = values.get(name)
        if not given:
            return None
        try:
            return kind(given[-1])
        except ValueError:
            problems.append(Problem(QUESTIONS[name], f"choose one of the answers ({choices})"))
            return None

    def many(name: str, kind: Callable[[str], T], choices: str) -> tuple[T, ...]:
        chosen: list[T] = []
        for value in values.get(name, []):
            try:
                item = kind(value)
            except ValueError:
                problems.append(Problem(QUESTIONS[name], f"choose from the list ({choices})"))
                continue
            if item not in chosen:
                chosen.append(item)
        return tuple(chosen)

    def number(name: str) -> int | None:
        given = values.get(name)
        if not given:
            return None
        low, high, how = LIMITS[name]
        text = given[-1].replace(",", "")
        if not text.isdigit() or not low <= int(text) <= high:
            problems.append(Problem(QUESTIONS[name], f"enter {how}"))
            return None
        return int(text)

    skin_answers: list[int | None] = []
    for index in range(QUESTIONNAIRE_ITEMS):
        given = values.get(f"q{index}")
        item = given[-1] if given else ""
        if item and item not in {"0", "1", "2", "3", "4"}:
            problems.append(
                Problem(f"Skin-type question {index + 1}", "choose one of the five answers")
            )
            item = ""
        skin_answers.append(int(item) if item else None)

    answers = GuideAnswers(
        scars=many("scars", _atrophic, "ice pick, boxcar, rolling"),
        width=one("width", Width, "narrow, medium, wide"),
        edges=one("edges", Edges, "sharp or sloping"),
        stretch=one("stretch", Stretch, "flattens, stays, not sure"),
        skin=one("skin", Fitzpatrick, "I to VI"),
        skin_answers=tuple(skin_answers),
        pregnant=one("pregnant", YesNo, "yes or no"),
        breastfeeding=one("breastfeeding", YesNo, "yes or no"),
        isotretinoin=one("isotretinoin", IsotretinoinStatus, "never, taking it now, stopped"),
        isotretinoin_months=number("isotretinoin_months"),
        keloid=one("keloid", YesNo, "yes or no"),
        cold_sores=one("cold_sores", YesNo, "yes or no"),
        acne=one("acne", AcneSeverity, "none, mild, moderate, severe"),
        age=number("age"),
        budget=number("budget"),
        downtime=number("downtime"),
        matters=many("matters", Matter, "downtime, cost, number of visits, dark marks"),
    )
    return answers, tuple(problems)


def _atrophic(value: str) -> ScarType:
    scar_type = ScarType(value)
    if scar_type not in (ScarType.ICE_PICK, ScarType.BOXCAR, ScarType.ROLLING):
        raise ValueError(value)
    return scar_type
