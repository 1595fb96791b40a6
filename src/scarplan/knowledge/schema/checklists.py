"""checklists.yaml: what a clinician checks before each procedure.

An item tied to knowledge-base rules (`conditions`) takes its procedures and its severity from
those rules (conditions.yaml), so a fact such as the isotretinoin wait lives in one place only:
the item applies to the procedures the rules name, and is red where a rule keeps the procedure
off the plan (exclude, defer, refer) and amber where it only cautions. An item not tied to a rule
names its procedures (none: every procedure) and its severity, and cites its sources unless it
is record-keeping (`practice: true`: photos, consent), which states no clinical fact.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import Field, StrictBool, model_validator

from scarplan.domain.vocabulary import Modality
from scarplan.knowledge.schema.common import SourceId, StrictModel, Text
from scarplan.knowledge.schema.rules import ConditionId


class ChecklistSeverity(StrEnum):
    RED = "red"
    """Blocks recording the session unless the clinician gives a reason."""
    AMBER = "amber"
    """Warns; the session can be recorded."""


class ChecklistItem(StrictModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    text: Text
    """What the clinician confirms, phrased so that "yes" means safe to go ahead."""
    help: str = ""
    """One line on what to ask or look for."""
    conditions: tuple[ConditionId, ...] = ()
    """The conditions.yaml rules this item checks."""
    modalities: tuple[Modality, ...] = ()
    """For an item without rules: the procedures it applies to (empty: every procedure)."""
    severity: ChecklistSeverity | None = None
    """Required without rules; with rules it replaces the severity the rules give."""
    test_spot: StrictBool = False
    """The item is the test spot the rules ask for (their `test_first` effects) and records
    the test spot and its reading."""
    practice: StrictBool = False
    """Record-keeping (photos, consent): no clinical fact, so no source."""
    sources: tuple[SourceId, ...] = ()

    @model_validator(mode="after")
    def _supported(self) -> Self:
        if self.conditions and self.modalities:
            raise ValueError("an item takes its procedures from its rules or names them, not both")
        if not self.conditions and self.severity is None:
            raise ValueError("an item without rules needs a severity (red or amber)")
        if not self.conditions and not self.sources and not self.practice:
            raise ValueError(
                "an item without rules cites its sources, or is record-keeping (practice: true)"
            )
        if self.test_spot and not self.conditions:
            raise ValueError("a test-spot item names the rules that ask for the test spot")
        return self


class ChecklistsFile(StrictModel):
    items: tuple[ChecklistItem, ...] = Field(min_length=1)
