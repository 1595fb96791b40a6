"""What happens before a procedure's first session: tests (a bovine collagen skin test, a test
spot in darker skin) and priming (agents used at home for some weeks), each from the knowledge
base with its sources.

`lead_days` tells the schedule how long after the plan's start a procedure's first session can
come at the earliest; `preparations` dates each test and priming period once the sessions are
placed, against the first session it prepares.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from scarplan.domain.vocabulary import Modality
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.common import CitedRange, PreTreatmentTest, Priming
from scarplan.planning.conventions import DAYS_PER_WEEK
from scarplan.planning.eligibility import Eligibility


@dataclass(frozen=True)
class Preparation:
    kind: str
    """`test` or `priming`."""
    what: str
    day: date
    """The day the test is placed, or priming starts."""
    until: date
    """The day the test is read, or the first session priming leads to."""
    before: tuple[Modality, ...]
    agents: tuple[str, ...]
    reason: str
    sources: tuple[str, ...]


def _days(value: CitedRange) -> int:
    return math.ceil(value.min if value.min is not None else value.max or 0)


def _tests(
    modality: Modality, eligibility: Mapping[Modality, Eligibility], knowledge: KnowledgeBase
) -> list[tuple[PreTreatmentTest, str]]:
    found = [(t, "") for t in knowledge.modalities[modality].tests]
    for finding in eligibility[modality].findings:
        if finding.test is not None:
            found.append((finding.test, finding.why_active))
    return found


def _primings(
    modality: Modality, eligibility: Mapping[Modality, Eligibility]
) -> list[tuple[Priming, str]]:
    return [
        (f.priming, f.why_active) for f in eligibility[modality].findings if f.priming is not None
    ]


def lead_days(
    modality: Modality, eligibility: Mapping[Modality, Eligibility], knowledge: KnowledgeBase
) -> int:
    """Days from the plan's start before the first session may come: the longest test or
    priming period it needs."""
    leads = [_days(t.lead_days) for t, _ in _tests(modality, eligibility, knowledge)]
    leads += [_days(p.weeks) * DAYS_PER_WEEK for p, _ in _primings(modality, eligibility)]
    return max(leads, default=0)


def first_session_floor(start: date, proposed_on: date, lead: int) -> date:
    """The earliest day a procedure's first session may take place: its preparation (`lead`
    days, `lead_days`) counted from the plan's start or, when that is already past, from the
    day the plan is proposed (nothing was prepared before the plan existed); and never the
    proposal day itself (the patient has yet to accept the plan and be booked). The one rule
    for the planner's schedule and a clinician's plan edits."""
    counted_from = max(start, proposed_on)
    return max(counted_from + timedelta(days=lead), proposed_on + timedelta(days=1))


def preparations(
    first_sessions: Mapping[Modality, date],
    eligibility: Mapping[Modality, Eligibility],
    knowledge: KnowledgeBase,
) -> tuple[Preparation, ...]:
    """One test or priming period per kind, before the earliest first session it prepares."""
    tests: dict[str, tuple[PreTreatmentTest, str, list[Modality]]] = {}
    primes: dict[tuple[str, ...], tuple[Priming, str, list[Modality]]] = {}
    for modality in sorted(first_sessions, key=lambda m: first_sessions[m]):
        for test, why in _tests(modality, eligibility, knowledge):
            tests.setdefault(test.what, (test, why, []))[2].append(modality)
        for priming, why in _primings(modality, eligibility):
            primes.setdefault(priming.agents, (priming, why, []))[2].append(modality)
    found = []
    for test, why, before in tests.values():
        first = min(first_sessions[m] for m in before)
        placed = first - timedelta(days=_days(test.lead_days))
        read = placed + timedelta(days=_days(test.read_after_days or test.lead_days))
        found.append(
            Preparation(
                "test",
                test.what,
                placed,
                read,
                tuple(before),
                (),
                why or "needed before the first session",
                _cited(test, test.lead_days, test.read_after_days),
            )
        )
    for priming, why, before in primes.values():
        first = min(first_sessions[m] for m in before)
        weeks = _days(priming.weeks)
        found.append(
            Preparation(
                "priming",
                f"use {' and '.join(a.replace('_', ' ') for a in priming.agents)} for "
                f"{weeks} weeks before the first session",
                first - timedelta(days=weeks * DAYS_PER_WEEK),
                first,
                tuple(before),
                priming.agents,
                why,
                _cited(priming, priming.weeks),
            )
        )
    return tuple(sorted(found, key=lambda p: (p.day, p.kind)))


def _cited(*parts: object) -> tuple[str, ...]:
    ids: set[str] = set()
    for part in parts:
        ids.update(getattr(part, "sources", ()) or ())
    return tuple(sorted(ids))
