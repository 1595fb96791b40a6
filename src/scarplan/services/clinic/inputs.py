"""What users send: the one validator for web forms and the REST API.

Patient and assessment inputs reuse the case file's models, so a field has the same name,
rules and error message in a YAML case file, a form and a JSON request.
"""

from __future__ import annotations

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

from scarplan.adapters.casefile import validation_problems
from scarplan.adapters.casefile.schema import (
    AssessmentIn,
    IsoDate,
    PatientIn,
    PreferencesIn,
    StrictFloat,
    StrictInt,
)
from scarplan.domain.errors import InputError
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
        raise InputError(f"the {what} is invalid", list(validation_problems(error))) from None


class PatientIntake(InputModel):
    """A patient's record: name plus the case file's `patient` and `preferences` sections."""

    full_name: str = Field(min_length=1, max_length=200, description="Name as the clinic uses it.")
    email: EmailStr | None = Field(
        default=None,
        max_length=254,
        description="Where portal invitations and reminders go (optional).",
    )
    patient: PatientIn
    preferences: PreferencesIn = Field(default_factory=PreferencesIn)


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


class PlanEdit(InputModel):
    reason: str = Field(min_length=3, max_length=1000, description="Why the plan changes.")
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
        if not self.move and not self.remove:
            raise ValueError("an edit moves or removes at least one session")
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
