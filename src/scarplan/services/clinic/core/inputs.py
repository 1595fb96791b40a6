"""What users send: the one validator for web forms and the REST API.

Patient and assessment inputs reuse the case file's models, so a field has the same name,
rules and error message in a YAML case file, a form and a JSON request.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Any, Self, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from scarplan.adapters.casefile.schema import (
    AssessmentIn,
    IsoDate,
    PatientIn,
    PreferencesIn,
    StrictFloat,
    StrictInt,
)
from scarplan.domain.errors import InputError
from scarplan.domain.validation import field_problems
from scarplan.domain.vocabulary import Modality, Region


def has_nul(value: object) -> bool:
    """Whether text anywhere in `value` holds a NUL character: PostgreSQL cannot store one in
    a text column, and no form or clinical note needs it."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(item) for item in value)
    return False


def is_utf8_text(text: str) -> bool:
    """Whether `text` can be stored and hashed: JSON may smuggle in lone surrogates (\\ud800),
    which no database column nor password hash can encode."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class InputModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        if has_nul(value):
            raise ValueError("contains a NUL character (\\x00); remove it")
        return value


Model = TypeVar("Model", bound=BaseModel)


def validated(model: type[Model], raw: Any, what: str) -> Model:
    """Validate `raw` or raise an InputError whose problems name each field path."""
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise InputError(f"the {what} is invalid", field_problems(error)) from None


class PatientIntake(InputModel):
    """A patient's record: name plus the case file's `patient` and `preferences` sections."""

    full_name: str = Field(min_length=1, max_length=200, description="Name as the clinic uses it.")
    email: EmailStr | None = Field(
        default=None,
        max_length=254,
        description="Where portal invitations and reminders go (optional).",
    )
    phone: str | None = Field(
        default=None,
        max_length=32,
        description="The patient's phone number with its country code, e.g. +44 20 7946 0958 "
        "(optional); stored as '+' and digits.",
    )
    patient: PatientIn
    preferences: PreferencesIn = Field(default_factory=PreferencesIn)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return phone_number(value)


PHONE_SEPARATORS = re.compile(r"[\s().\-/]")
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


def phone_number(value: str | None) -> str | None:
    """A phone number as '+' and 7 to 15 digits (E.164), from what a person types: spaces,
    dashes, dots, brackets and a leading 00 are allowed; a blank is no number."""
    if value is None or not value.strip():
        return None
    compact = PHONE_SEPARATORS.sub("", value.strip())
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if not E164.fullmatch(compact):
        raise ValueError(
            "write the number with its country code, e.g. +44 20 7946 0958 "
            "(digits, spaces and dashes only)"
        )
    return compact


class AssessmentInput(AssessmentIn):
    notes: str = Field("", max_length=4000, description="Free-text findings.")


class AdverseEventKind(StrEnum):
    PIH = "pih"
    HYPOPIGMENTATION = "hypopigmentation"
    PROLONGED_ERYTHEMA = "prolonged_erythema"
    INFECTION = "infection"
    HERPES_REACTIVATION = "herpes_reactivation"
    ACNEIFORM_ERUPTION = "acneiform_eruption"
    BRUISING = "bruising"
    ALLERGIC_REACTION = "allergic_reaction"
    NEW_SCARRING = "new_scarring"
    OTHER = "other"


class Severity(StrEnum):
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class AdverseEventInput(InputModel):
    kind: AdverseEventKind = Field(description="pih, infection, prolonged_erythema, ...")
    severity: Severity = Field(Severity.MILD, description="mild | moderate | severe")
    onset_on: IsoDate = Field(description="First day it was seen.")
    resolved_on: IsoDate | None = Field(None, description="Day it resolved, if it has.")
    notes: str = Field("", max_length=2000)

    # A field validator, not a model one, so the problem is reported against `resolved_on`.
    @field_validator("resolved_on")
    @classmethod
    def _ordered(cls, resolved_on: date | None, info: ValidationInfo) -> date | None:
        onset_on = info.data.get("onset_on")
        if resolved_on is not None and onset_on is not None and resolved_on < onset_on:
            raise ValueError("resolved_on is before onset_on")
        return resolved_on


class SessionParameters(InputModel):
    """Procedure settings as recorded; every field optional, ranges catch typing slips."""

    tca_percent: StrictFloat | None = Field(None, ge=5, le=100, description="TCA strength (%).")
    punch_size_mm: StrictFloat | None = Field(None, ge=0.5, le=5, description="Punch diameter.")
    needle_depth_mm: StrictFloat | None = Field(None, ge=0.1, le=4, description="Needle depth.")
    passes: StrictInt | None = Field(None, ge=1, le=20, description="Passes over the area.")
    energy_mj: StrictFloat | None = Field(None, gt=0, le=500, description="Pulse energy (mJ).")
    fluence_j_cm2: StrictFloat | None = Field(None, gt=0, le=200, description="Fluence (J/cm2).")
    density_percent: StrictFloat | None = Field(None, gt=0, le=100, description="Coverage (%).")
    wavelength_nm: StrictInt | None = Field(None, ge=300, le=12_000, description="Wavelength.")
    spot_size_mm: StrictFloat | None = Field(None, gt=0, le=30, description="Spot size.")
    agent: str | None = Field(None, max_length=200, description="Peel agent or filler product.")
    volume_ml: StrictFloat | None = Field(None, gt=0, le=30, description="Volume injected.")
    anaesthesia: str | None = Field(None, max_length=200, description="Anaesthesia used.")

    def filled(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class ChecklistAnswer(StrEnum):
    """A checklist item is phrased so that "yes" means safe to go ahead."""

    YES = "yes"
    NO = "no"


class TestSpotResult(StrEnum):
    NO_REACTION = "no_reaction"
    PIH = "pih"
    """Post-inflammatory hyperpigmentation (dark marks) at the test spot."""
    OTHER = "other"


class TestSpotInput(InputModel):
    done_on: IsoDate = Field(description="Day the test spot was done.")
    read_on: IsoDate | None = Field(None, description="Day it was read (on or after done_on).")
    result: TestSpotResult | None = Field(None, description="What the reading showed.")
    notes: str = Field("", max_length=1000)


class ChecklistAnswerInput(InputModel):
    item: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        max_length=60,
        description="Checklist item id (GET .../checklist lists the items for a procedure).",
    )
    answer: ChecklistAnswer | None = Field(
        None, description="yes = safe to go ahead; absent: the patient's record answers it."
    )
    reason: str = Field(
        "", max_length=1000, description="Why the session goes ahead despite a red item."
    )
    test_spot: TestSpotInput | None = Field(None, description="For the test-spot item.")


class SessionInput(InputModel):
    performed_on: IsoDate = Field(description="Date of the session (not in the future).")
    modality: Modality = Field(description="Procedure id.")
    regions: list[Region] = Field(min_length=1, max_length=10, description="Regions treated.")
    practitioner: str = Field(min_length=1, max_length=200, description="Who performed it.")
    parameters: SessionParameters = Field(default_factory=SessionParameters)
    notes: str = Field("", max_length=4000)
    planned_session_id: StrictInt | None = Field(
        None, description="The planned session this fulfils; found by procedure when absent."
    )
    adverse_events: list[AdverseEventInput] = Field(default_factory=list, max_length=20)
    checklist: list[ChecklistAnswerInput] = Field(
        default_factory=list,
        max_length=40,
        description="The pre-procedure checklist answers; a red item not answered yes needs "
        "a reason.",
    )
    consent_override_reason: str = Field(
        "",
        max_length=2000,
        description="Why the session goes ahead without a valid signed consent (audited).",
    )


class PhotoAngle(StrEnum):
    FRONT = "front"
    LEFT_OBLIQUE = "left_oblique"
    RIGHT_OBLIQUE = "right_oblique"
    LEFT_PROFILE = "left_profile"
    RIGHT_PROFILE = "right_profile"
    CLOSE_UP = "close_up"


class ConsentScope(StrEnum):
    """What the patient agreed the photo may be used for."""

    CLINICAL_RECORD = "clinical_record"
    TEACHING = "teaching"
    PUBLICATION = "publication"


class PhotoInput(InputModel):
    region: Region = Field(description="Region shown.")
    angle: PhotoAngle = Field(PhotoAngle.FRONT, description="Camera angle.")
    taken_on: IsoDate = Field(description="Date the photo was taken.")
    consent: ConsentScope = Field(description="Use the patient consented to.")
    consent_confirmed: StrictBool = Field(description="The patient's consent is on file.")
    session_id: StrictInt | None = Field(None, description="Session the photo belongs to.")

    # A field validator, not a model one, so the problem is reported against `consent_confirmed`.
    @field_validator("consent_confirmed")
    @classmethod
    def _consented(cls, confirmed: bool) -> bool:
        if not confirmed:
            raise ValueError("a photo is stored only with the patient's recorded consent")
        return confirmed


class SessionMove(InputModel):
    position: StrictInt = Field(ge=0, description="Planned session's position in the plan.")
    day: date = Field(description="New date.")


class SettingInput(InputModel):
    name: str = Field(
        min_length=1,
        max_length=200,
        description="A technique setting of the procedure, named as in the knowledge base "
        "(`modalities.yaml` `parameters[].name`, e.g. 'TCA concentration').",
    )
    value: StrictFloat = Field(ge=0, le=100_000, description="In the setting's unit.")


class CourseInput(InputModel):
    """A course of one procedure to add (or to swap in)."""

    modality: Modality = Field(description="The procedure.")
    regions: list[Region] = Field(
        default_factory=list,
        max_length=len(Region),
        description="Face regions it treats (required to add; a swap keeps the replaced "
        "course's regions when none are given).",
    )
    sessions: StrictInt | None = Field(
        None, ge=1, le=100, description="Sessions (default: the KB's typical course)."
    )
    interval_days: StrictInt | None = Field(
        None, ge=1, le=3650, description="Days between sessions (default: the KB's usual)."
    )
    first_day: IsoDate | None = Field(
        None,
        description="First session (default: the earliest day the rules allow; for a swap, "
        "the replaced course's first day).",
    )
    parameters: list[SettingInput] = Field(
        default_factory=list, max_length=20, description="Technique settings within KB ranges."
    )


class CourseSwap(InputModel):
    replace: Modality = Field(description="The procedure in the plan whose course is replaced.")
    course: CourseInput = Field(description="The course that takes its place.")


class SessionsChange(InputModel):
    sessions: list[StrictInt] = Field(
        min_length=1,
        max_length=200,
        description="Planned sessions to change, each by its id in the `based_on` version.",
    )
    regions: list[Region] | None = Field(
        None, min_length=1, max_length=len(Region), description="New regions (default: kept)."
    )
    parameters: list[SettingInput] | None = Field(
        None, max_length=20, description="New technique settings (default: kept)."
    )


class PlanEdit(InputModel):
    reason: str = Field(min_length=3, max_length=1000, description="Why the plan changes.")
    add: CourseInput | None = Field(None, description="A course to add.")
    swap: CourseSwap | None = Field(None, description="A course to replace by another.")
    change: SessionsChange | None = Field(
        None, description="New regions or technique settings for planned sessions."
    )
    override_reason: str | None = Field(
        None,
        min_length=3,
        max_length=1000,
        description="The clinician's reason for going ahead where a rule is a matter of "
        "judgement (the patient's downtime limit, a procedure for none of the recorded scar "
        "types, a second course of a kind the planner books once); saved in the plan's notes. "
        "Safety rules, the gap rule and the published ranges cannot be overridden.",
    )
    move: list[SessionMove] = Field(
        default_factory=list,
        max_length=200,
        description="Sessions to move, by their position in the `based_on` version.",
    )
    remove: list[StrictInt] = Field(
        default_factory=list,
        max_length=200,
        description="Sessions to remove, each by its id (`sessions[].id` of the `based_on` "
        "version), never by position: a position names another session once the plan changed.",
    )
    based_on: StrictInt = Field(
        ge=1,
        description="Required: the plan version the edit was made from. If another edit has "
        "made a newer version since, this edit is refused (409) instead of changing sessions "
        "the editor never saw.",
    )

    @model_validator(mode="after")
    def _changes_something(self) -> Self:
        kinds = [
            bool(self.move or self.remove),
            self.add is not None,
            self.swap is not None,
            self.change is not None,
        ]
        if not any(kinds):
            raise ValueError(
                "an edit moves or removes sessions, adds or swaps a course, or changes sessions"
            )
        if sum(kinds) > 1:
            raise ValueError(
                "one kind of change per version: moves and removals, an added course, a swap, "
                "or changed sessions"
            )
        return self


class QuestionnaireAnswers(InputModel):
    """A questionnaire answered: the instrument and, per item id, the chosen option's value."""

    instrument_id: str = Field(min_length=1, max_length=60, description="e.g. pgi_i")
    answers: dict[str, StrictInt] = Field(
        max_length=60, description="Item id -> the value of the chosen answer."
    )


class ConsentSignatureInput(InputModel):
    """The patient's signature of a consent form, as sent by the signing page."""

    form_version: str = Field(
        min_length=64, max_length=64, description="The version of the form the patient read."
    )
    patient_name: str = Field(min_length=1, max_length=200, description="Full name, typed.")
    signature: str = Field(
        min_length=1,
        max_length=1_500_000,
        description="The drawn signature as a PNG data URL (data:image/png;base64,...).",
    )
    understood: StrictBool = Field(description="'I have read and understood' is ticked.")


class ConsentCountersignInput(InputModel):
    clinician_name: str = Field(min_length=1, max_length=200, description="Own name, typed.")


class ConsentWithdrawalInput(InputModel):
    reason: str = Field(min_length=1, max_length=2000, description="Why consent is withdrawn.")
