"""Follow-up visits: which are due for a patient, from the sessions done and the courses ended.

Pure: the sessions, the courses' last days, the visits already booked or recorded and the
knowledge base come in as arguments (follow_up.yaml gives the windows and their sources).

- A **follow-up check** is due after each session of a procedure for which a source advises
  one (the punch techniques: stitches out at about a week), `after_days` after the session.
- An **outcome review** is due after a course: `after_months` after its last session.
- A visit stops being due once a visit of its kind is booked or recorded on a day from its
  window's first day on (`is_covered`): a check done late is still the check.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from scarplan.domain.vocabulary import Modality
from scarplan.knowledge import KnowledgeBase
from scarplan.planning.eligibility import add_months


class VisitKind(StrEnum):
    FOLLOW_UP = "follow_up"
    OUTCOME_REVIEW = "outcome_review"


@dataclass(frozen=True)
class DoneSession:
    day: date
    modality: Modality


@dataclass(frozen=True)
class EndedCourse:
    """A plan whose planned sessions are all done (or which was completed): its last day."""

    plan_id: int
    last_day: date
    modalities: tuple[Modality, ...]


@dataclass(frozen=True)
class DueVisit:
    kind: VisitKind
    earliest: date
    latest: date
    reason: str
    sources: tuple[str, ...]
    after: date
    """The session day or the course's last day the window counts from."""
    modality: Modality | None = None
    """The procedure a check follows (None for an outcome review)."""
    plan_id: int | None = None
    """The plan whose course an outcome review follows."""


@dataclass(frozen=True)
class BookedVisit:
    """A visit of a kind on a day: an appointment booked, or a visit recorded."""

    kind: VisitKind
    day: date


def due_visits(
    sessions: Iterable[DoneSession],
    courses: Iterable[EndedCourse],
    knowledge: KnowledgeBase,
) -> list[DueVisit]:
    """Every follow-up visit the sources advise, by its first day (booked ones included)."""
    checks = {c.modality: c for c in knowledge.follow_up.checks}
    found = []
    for done in sessions:
        check = checks.get(done.modality)
        if check is None:
            continue
        window = check.after_days
        found.append(
            DueVisit(
                VisitKind.FOLLOW_UP,
                done.day + timedelta(days=window.first),
                done.day + timedelta(days=window.last),
                check.reason,
                tuple(dict.fromkeys((*check.sources, *window.sources))),
                done.day,
                modality=done.modality,
            )
        )
    review = knowledge.follow_up.outcome_review
    months = review.after_months
    for course in courses:
        found.append(
            DueVisit(
                VisitKind.OUTCOME_REVIEW,
                add_months(course.last_day, months.first),
                add_months(course.last_day, months.last),
                review.reason,
                tuple(dict.fromkeys((*review.sources, *months.sources))),
                course.last_day,
                plan_id=course.plan_id,
            )
        )
    return sorted(found, key=lambda v: (v.earliest, v.kind.value))


def is_covered(visit: DueVisit, booked: Iterable[BookedVisit]) -> bool:
    """True once a visit of the same kind is booked or recorded from the window's first day."""
    return any(b.kind is visit.kind and b.day >= visit.earliest for b in booked)


def still_due(visits: Sequence[DueVisit], booked: Sequence[BookedVisit]) -> list[DueVisit]:
    """The visits nothing booked or recorded covers yet (overdue ones included)."""
    return [v for v in visits if not is_covered(v, booked)]
