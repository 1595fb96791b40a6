"""One plan as an aggregate: its status rules, its edits under the one gap rule, and the
sessions carried out against it. Services load a plan into this, call one method, and save
what it says; no status rule or gap check lives anywhere else.

Statuses: proposed -> accepted -> in_progress -> completed; proposed or accepted plans are
superseded when another is accepted (the service decides which, across plans); any open plan
can be cancelled.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from scarplan.domain.errors import FieldProblem, InputError, StateError
from scarplan.domain.vocabulary import Modality
from scarplan.planning.document import PlanDocument, Session, Total
from scarplan.planning.gaps import GapRules


class PlanStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    SUPERSEDED = "superseded"
    CANCELLED = "cancelled"


OPEN = (PlanStatus.PROPOSED, PlanStatus.ACCEPTED, PlanStatus.IN_PROGRESS)
ACTIVE = (PlanStatus.ACCEPTED, PlanStatus.IN_PROGRESS)
FOLLOWED = (PlanStatus.ACCEPTED, PlanStatus.IN_PROGRESS, PlanStatus.COMPLETED)
"""Plans whose courses are being, or were, carried out."""
SUPERSEDABLE = (PlanStatus.PROPOSED, PlanStatus.ACCEPTED)


@dataclass(frozen=True)
class AvoidWindow:
    start: date
    end: date
    reason: str = ""


@dataclass(frozen=True)
class Edited:
    """An edit's result: the new version's document and each session's old position."""

    document: PlanDocument
    kept: tuple[int, ...]


@dataclass
class Plan:
    """A stored plan: its id, status, current document and the positions carried out."""

    id: int
    status: PlanStatus
    document: PlanDocument
    done: frozenset[int] = field(default_factory=frozenset)

    def _require(self, allowed: Sequence[PlanStatus], action: str) -> None:
        if self.status not in allowed:
            wanted = " or ".join(s.value for s in allowed)
            raise StateError(
                f"cannot {action} a plan that is {self.status.value}",
                [
                    FieldProblem(
                        "status", f"plan {self.id} is {self.status.value}", f"it must be {wanted}"
                    )
                ],
            )

    def require_open(self, action: str) -> None:
        """Refuse `action` on a plan that is no longer open (completed, superseded, cancelled)."""
        self._require(OPEN, action)

    def accept(self) -> None:
        """A plan is accepted only with something to carry out: a plan without sessions (safety
        rules left nothing to plan, or every session was removed) says what to do first."""
        self._require((PlanStatus.PROPOSED,), "accept")
        if not self.document.sessions:
            raise StateError(
                "a plan without sessions cannot be accepted",
                [
                    FieldProblem(
                        "sessions",
                        "the plan has no sessions",
                        "add a procedure to the plan, or propose a new plan once the notes' "
                        "advice has been followed",
                    )
                ],
            )
        self.status = PlanStatus.ACCEPTED

    @property
    def acceptable(self) -> bool:
        """Whether `accept` would succeed (the page offers the button only then)."""
        return self.status is PlanStatus.PROPOSED and bool(self.document.sessions)

    def supersede(self) -> None:
        self._require(SUPERSEDABLE, "supersede")
        self.status = PlanStatus.SUPERSEDED

    def complete(self) -> None:
        self._require(ACTIVE, "complete")
        self.status = PlanStatus.COMPLETED

    def cancel(self) -> None:
        self._require(OPEN, "cancel")
        self.status = PlanStatus.CANCELLED

    def fulfilment(self, modality: Modality, position: int | None) -> int | None:
        """The planned position a session of `modality` carries out: the one named, or the
        next open one of its kind; None when the plan has none."""
        open_positions = [p for p, s in enumerate(self.document.sessions) if p not in self.done]
        if position is not None:
            named = self.document.sessions[position] if position in open_positions else None
            if named is None or named.modality != modality:
                raise InputError(
                    "the session is invalid",
                    [
                        FieldProblem(
                            "planned_session_id",
                            f"it is not an open {modality.value} session of the patient's "
                            "current plan",
                            "leave it empty to match by procedure",
                        )
                    ],
                )
            return position
        return next(
            (p for p in open_positions if self.document.sessions[p].modality == modality), None
        )

    def record_session(self, position: int) -> None:
        """A planned session was carried out: the plan starts, and ends with its last one."""
        self._require(ACTIVE, "record a session against")
        self.done = self.done | {position}
        self.status = PlanStatus.IN_PROGRESS
        if len(self.done) == len(self.document.sessions):
            self.status = PlanStatus.COMPLETED

    def edit(
        self,
        moves: Mapping[int, date],
        removes: Sequence[int],
        reason: str,
        today: date,
        avoid: Sequence[AvoidWindow],
        default_gap_days: int,
        earliest: Mapping[Modality, tuple[date, str]] | None = None,
    ) -> Edited:
        """Move or remove planned sessions; the result must keep the plan's own gap rule (the
        planner's, `planning.gaps`), the patient's dates to avoid and, where given, each
        procedure's earliest day with why (`edits.earliest_days`: the first-session rule)."""
        self._require(OPEN, "edit")
        problems = self._request_problems(moves, removes, today)
        for i, (position, day) in enumerate(moves.items()):
            if position not in range(len(self.document.sessions)):
                continue
            floor = (earliest or {}).get(self.document.sessions[position].modality)
            if floor is not None and today <= day < floor[0]:  # the past is said above
                problems.append(
                    FieldProblem(
                        f"move[{i}].day",
                        f"{day:%d %b %Y} is before {floor[0]:%d %b %Y}: {floor[1]}",
                        f"choose {floor[0]:%d %b %Y} or later",
                    )
                )
        if problems:
            raise InputError("the plan edit is invalid", problems)
        rows: list[tuple[Session, int]] = []
        for position, planned in enumerate(self.document.sessions):
            if position not in removes:
                rows.append((_moved(planned, moves.get(position)), position))
        rows.sort(key=lambda row: (row[0].date, row[1]))
        sessions = [item for item, _ in rows]
        moved = {(day, self.document.sessions[p].modality) for p, day in moves.items()}
        broken = rule_problems(sessions, moved, self.document.gap_rules(default_gap_days), avoid)
        if broken:
            raise InputError(
                "the edited plan breaks its rules",
                [FieldProblem("move", text, "choose another date") for text in broken],
            )
        sessions = renumbered(sessions)
        document = self.document.model_copy(
            update={
                "sessions": sessions,
                "total_cost": plan_total(self.document, sessions),
                "end_date": max(s.date for s in sessions) if sessions else None,
                "notes": [*self.document.notes, f"Edited by the clinician: {reason}"],
            }
        )
        return Edited(document, tuple(position for _, position in rows))

    def _request_problems(
        self, moves: Mapping[int, date], removes: Sequence[int], today: date
    ) -> list[FieldProblem]:
        positions = range(len(self.document.sessions))
        problems = []
        for i, position in enumerate(removes):
            if position not in positions:
                problems.append(FieldProblem(f"remove[{i}]", f"no planned session {position}", ""))
            elif position in self.done:
                problems.append(
                    FieldProblem(f"remove[{i}]", f"session {position} was carried out", "keep it")
                )
        for i, (position, day) in enumerate(moves.items()):
            where = f"move[{i}]"
            if position not in positions:
                problems.append(FieldProblem(f"{where}.position", f"no session {position}", ""))
            elif position in self.done:
                problems.append(
                    FieldProblem(
                        f"{where}.position", "this session was carried out", "keep its date"
                    )
                )
            elif position in removes:
                problems.append(
                    FieldProblem(where, "the session is also removed", "do one or other")
                )
            if day < today:
                problems.append(FieldProblem(f"{where}.day", f"{day} is in the past", ""))
        return problems


def _moved(planned: Session, day: date | None) -> Session:
    if day is None:
        return planned
    recovered = day + timedelta(days=planned.downtime_days)
    return planned.model_copy(update={"date": day, "recovered_by": recovered})


def rule_problems(
    sessions: list[Session],
    moved: set[tuple[date, Modality]],
    rules: GapRules,
    avoid: Sequence[AvoidWindow],
) -> list[str]:
    """The gap rule for every pair of sessions a moved session belongs to, and the dates to
    avoid. A session moved later than a published maximum interval is allowed: the maxima are
    the trials' spacing, not a healing limit, and a patient's delay is the clinician's call."""
    problems = [
        f"{breach.text}{_cited(breach.gap.sources)}"
        for breach in rules.breaches([(s.date, s.modality) for s in sessions])
        if (breach.earlier in moved or breach.later in moved) and not breach.too_far
    ]
    for window in avoid:
        for item in sessions:
            recovered = item.date + timedelta(days=item.downtime_days)
            if item.date <= window.end and window.start <= recovered:
                why = f" ({window.reason})" if window.reason else ""
                problems.append(
                    f"{item.modality.value} on {item.date} heals until {recovered}, inside the "
                    f"dates to avoid {window.start} to {window.end}{why}"
                )
    return problems


def _cited(sources: Sequence[str]) -> str:
    return f" (sources: {', '.join(sources)})" if sources else ""


def renumbered(sessions: list[Session]) -> list[Session]:
    totals = Counter(item.modality for item in sessions)
    seen: Counter[Modality] = Counter()
    renumbered = []
    for item in sessions:
        seen[item.modality] += 1
        renumbered.append(
            item.model_copy(update={"number": seen[item.modality], "of": totals[item.modality]})
        )
    return renumbered


def plan_total(document: PlanDocument, sessions: list[Session]) -> Total:
    priced = [s.cost for s in sessions if s.cost is not None]
    unpriced = sorted({s.modality for s in sessions if s.cost is None}, key=lambda m: m.value)
    update: dict[str, object] = {"unpriced": unpriced, "complete": not unpriced}
    if document.total_cost.currency is not None:
        update["amount"] = float(sum((Decimal(str(c.amount)) for c in priced), Decimal(0)))
        ranged = any(c.min is not None for c in priced)
        low = sum((Decimal(str(c.amount if c.min is None else c.min)) for c in priced), Decimal(0))
        high = sum((Decimal(str(c.amount if c.max is None else c.max)) for c in priced), Decimal(0))
        update["min"] = float(low) if ranged else None
        update["max"] = float(high) if ranged else None
    return document.total_cost.model_copy(update=update)
