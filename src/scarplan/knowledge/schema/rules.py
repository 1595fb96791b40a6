"""conditions.yaml and sequencing.yaml: safety rules and how procedures combine."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from scarplan.domain.vocabulary import ATROPHIC_SCAR_TYPES, Modality, ScarType
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
    # Medical history (case file v1 additions; issue 20). Grouped where the rules are the same.
    KOEBNER_PRONE_DISEASE = "koebner_prone_disease"
    """Vitiligo, psoriasis or lichen planus: new lesions can form where the skin is wounded."""
    AUTOIMMUNE_CONNECTIVE_TISSUE_DISEASE = "autoimmune_connective_tissue_disease"
    """Lupus, scleroderma or another autoimmune disease."""
    IMMUNOSUPPRESSION = "immunosuppression"
    """Immunosuppressed, or taking immunosuppressive medicine."""
    BLEEDING_DISORDER = "bleeding_disorder"
    DIABETES_UNCONTROLLED = "diabetes_uncontrolled"
    BODY_DYSMORPHIC_DISORDER = "body_dysmorphic_disorder"
    PIH_HISTORY = "pih_history"
    ACTIVE_COLD_SORE = "active_cold_sore"
    LIDOCAINE_ALLERGY = "lidocaine_allergy"
    LOCAL_ANAESTHETIC_ALLERGY = "local_anaesthetic_allergy"
    """An allergy to a local anaesthetic other than lidocaine."""
    BOVINE_COLLAGEN_ALLERGY = "bovine_collagen_allergy"
    HYALURONIC_ACID_ALLERGY = "hyaluronic_acid_allergy"
    HYALURONIDASE_ALLERGY = "hyaluronidase_allergy"
    IMPLANTED_ELECTRONIC_DEVICE = "implanted_electronic_device"
    FACIAL_METAL_IMPLANT = "facial_metal_implant"
    PERMANENT_FILLER = "permanent_filler"
    """A permanent filler (silicone, PMMA...) in a region the plan treats."""
    RECENT_HA_FILLER = "recent_ha_filler"
    """A hyaluronic-acid filler in a region the plan treats, recent enough to be still there."""
    PHOTOSENSITISING_MEDICATION = "photosensitising_medication"
    MINOR = "minor"
    """Under 18 on the plan's start date."""
    UNDER_22 = "under_22"
    """Under 22 on the plan's start date: below the labelled age of microneedling devices and
    dermal fillers (adults 22 or older, "over 21")."""


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
    advice_scar_types: tuple[ScarType, ...] = ()
    """The advice applies only when one of these scar types is present (empty: always); the
    action applies regardless (e.g. "prefer microneedling" helps boxcar and rolling scars, not
    ice picks)."""
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
        if self.advice_scar_types and not self.advice:
            raise ValueError("advice_scar_types limits the advice: give the advice too")
        if set(self.advice_scar_types) - ATROPHIC_SCAR_TYPES:
            raise ValueError("advice_scar_types names atrophic scar types only")
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
