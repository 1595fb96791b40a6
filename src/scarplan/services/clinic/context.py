"""What every clinic use case needs: the unit of work, knowledge, settings, clock and actor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from scarplan.adapters.db import SqlUnitOfWork
from scarplan.knowledge import KnowledgeBase
from scarplan.settings import Settings


@dataclass(frozen=True)
class Actor:
    """Who is acting: recorded as `created_by` on what they save."""

    user_id: int | None
    username: str
    role: str


@dataclass(frozen=True)
class Clinic:
    uow: SqlUnitOfWork
    knowledge: KnowledgeBase
    settings: Settings
    clock: Callable[[], datetime]

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().date()
