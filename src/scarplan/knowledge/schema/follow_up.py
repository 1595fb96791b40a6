"""follow_up.yaml: the check after a procedure (where a source advises one) and the outcome
review after a course, each with its window and sources."""

from __future__ import annotations

from typing import Self

from pydantic import model_validator

from scarplan.domain.vocabulary import Modality
from scarplan.knowledge.schema.common import Cited, CitedRange, StrictModel, Text


class Window(CitedRange):
    """A window after a day: both ends are required and not negative."""

    @model_validator(mode="after")
    def _closed(self) -> Self:
        if self.min is None or self.max is None:
            raise ValueError("a follow-up window needs both min and max")
        if self.min < 0:
            raise ValueError("a follow-up window cannot start before the procedure")
        return self

    @property
    def first(self) -> int:
        return int(self.min or 0)

    @property
    def last(self) -> int:
        return int(self.max or 0)


class ProcedureCheck(Cited):
    """The visit after each session of one procedure, `after_days` after it."""

    modality: Modality
    after_days: Window
    reason: Text
    """What the visit is for, in words a clinician and the front desk read."""


class OutcomeReview(Cited):
    """The review visit `after_months` after a course's last session."""

    after_months: Window
    reason: Text


class FollowUpFile(StrictModel):
    checks: tuple[ProcedureCheck, ...] = ()
    outcome_review: OutcomeReview

    @model_validator(mode="after")
    def _one_check_per_procedure(self) -> Self:
        seen = [c.modality for c in self.checks]
        doubled = sorted({m.value for m in seen if seen.count(m) > 1})
        if doubled:
            raise ValueError(f"more than one check for {', '.join(doubled)}")
        return self
