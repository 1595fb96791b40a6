"""conditions.yaml and sequencing.yaml: safety rules and how procedures combine."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from scarplan.domain.vocabulary import Modality
from scarplan.knowledge.schema.common import (
    Cited,
    CitedRange,
    PolicyId,
    PreTreatmentTest,
    Priming,
    SourceId,
    StrictModel,
    Text,
)


class ConditionId(StrEnum):
    """Patient factors the planner checks. Each id has a predicate in planning/eligibility."""

    PREGNANCY = "pregnancy"
    BREASTFEEDING = "breastfeeding"
    ISOTRETINOIN_CURRENT = "isotretinoin_current"
    ISOTRETINOIN_RECENT = "isotretinoin_recent"
    KELOID_HISTORY = "keloid_history"
    HERPES_LABIALIS_HISTORY = "herpes_labialis_history"
    ANTICOAGULANTS = "anticoagulants"
    SKIN_INFECTION = "skin_infection"
    ACTIVE_ACNE = "active_acne"
    DARKER_SKIN = "darker_skin"
    HYPERTROPHIC_OR_KELOID_SCARS = "hypertrophic_or_keloid_scars"


class Action(StrEnum):
    """What a condition does to a procedure, most restrictive first."""

    EXCLUDE = "exclude"
    DEFER = "defer"
    REFER = "refer"
    TEST_FIRST = "test_first"
    """Possible after a test (e.g. a test spot), which the planner books before it."""
    CAUTION = "caution"

    @property
    def blocks(self) -> bool:
        return self in {Action.EXCLUDE, Action.DEFER, Action.REFER}


class Effect(StrictModel):
    """One consequence of a condition for a set of procedures.

    Supported either by sources or, where no source exists, by a named clinic policy
    (a setting with a conservative default); never by nothing.
    """

    modalities: tuple[Modality, ...] = Field(min_length=1)
    action: Action
    reason: Text
    advice: str = ""
    wait_months: CitedRange | None = None
    test: PreTreatmentTest | None = None
    """With action test_first: the test to book before the first session."""
    priming: Priming | None = None
    """Agents to use at home for some weeks before the first session."""
    sources: tuple[SourceId, ...] = ()
    policy: PolicyId | None = None

    @model_validator(mode="after")
    def _supported(self) -> Self:
        if not self.sources and self.policy is None:
            raise ValueError("an effect needs sources, or a clinic policy where none exist")
        if self.action is Action.DEFER and self.wait_months is None and self.policy is None:
            raise ValueError("a deferral needs wait_months (cited) or a clinic policy")
        if (self.action is Action.TEST_FIRST) != (self.test is not None):
            raise ValueError("action test_first goes with a `test`, and a `test` with it")
        return self


class ConditionEntry(StrictModel):
    id: ConditionId
    name: Text
    description: Text
    effects: tuple[Effect, ...] = Field(min_length=1)


class ConditionsFile(StrictModel):
    conditions: tuple[ConditionEntry, ...]


class SequenceAnchor(StrEnum):
    """What `then` waits for: the whole course of `first`, or only its first session."""

    COURSE = "course"
    FIRST_SESSION = "first_session"


class SequenceRule(StrictModel):
    """`first` procedures come before `then` procedures, at least `min_gap_weeks` apart.

    With `after: first_session` only the first session of `first` must come before (subcision
    opens a plan and its repeats may interleave with resurfacing); by default the whole course.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    first: tuple[Modality, ...] = Field(min_length=1)
    then: tuple[Modality, ...] = Field(min_length=1)
    reason: Text
    min_gap_weeks: CitedRange | None = None
    after: SequenceAnchor = SequenceAnchor.COURSE
    sources: tuple[SourceId, ...] = ()
    policy: PolicyId | None = None

    @model_validator(mode="after")
    def _supported(self) -> Self:
        if not self.sources and self.policy is None:
            raise ValueError("a sequence rule needs sources, or a clinic policy where none exist")
        return self


class SameSessionRule(Cited):
    """Procedures published as given in one visit (e.g. PRP straight after fractional CO2)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    modalities: tuple[Modality, Modality]
    note: Text


class AlternationRule(Cited):
    """Two procedures given in turn, e.g. microneedling alternating with glycolic peels."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    modalities: tuple[Modality, Modality]
    gap_weeks: CitedRange
    note: Text


class SequencingFile(StrictModel):
    sequence: tuple[SequenceRule, ...]
    same_session: tuple[SameSessionRule, ...] = ()
    alternation: tuple[AlternationRule, ...] = ()
