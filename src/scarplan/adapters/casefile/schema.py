"""The case file's pydantic schema: the one validator for YAML, JSON and (later) web forms."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    ValidationInfo,
    field_validator,
    model_validator,
)

from scarplan.domain.vocabulary import (
    PERMANENT_FILLER,
    AcneSeverity,
    Agent,
    Allergy,
    EdgeProfile,
    Fitzpatrick,
    HomeCareBudget,
    Implant,
    IsotretinoinStatus,
    MarkColour,
    MedicalCondition,
    Medication,
    Modality,
    Region,
    ScarType,
    Sex,
)


def _iso_date(value: Any) -> Any:
    """Only a calendar date or an ISO 'YYYY-MM-DD' string; never a timestamp number."""
    if isinstance(value, datetime):
        raise ValueError("expected a date like 2026-11-21, not a date and time")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"expected an ISO date like 2026-11-21, got {value!r}") from None
    raise ValueError("expected an ISO date like 2026-11-21")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
PRIOR_PROCEDURE_KINDS = (*(m.value for m in Modality), PERMANENT_FILLER)


def _prior_kind(value: Any) -> Any:
    if not isinstance(value, str) or value not in PRIOR_PROCEDURE_KINDS:
        kinds = ", ".join(PRIOR_PROCEDURE_KINDS)
        raise ValueError(f"expected a procedure id or permanent_filler, one of {kinds}")
    return value


PriorProcedureKind = Annotated[
    str,
    BeforeValidator(_prior_kind),
    Field(json_schema_extra={"enum": list(PRIOR_PROCEDURE_KINDS)}),
]
StrictFloat = Annotated[float, Strict()]
StrictInt = Annotated[int, Strict()]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class IsotretinoinIn(_Model):
    status: IsotretinoinStatus = Field(description="none | current | stopped")
    stopped_on: IsoDate | None = Field(None, description="When the course ended (status stopped).")

    @model_validator(mode="after")
    def _stopped_needs_a_date(self) -> Self:
        if self.status is IsotretinoinStatus.STOPPED and self.stopped_on is None:
            raise ValueError("status 'stopped' needs stopped_on (the date the course ended)")
        if self.status is not IsotretinoinStatus.STOPPED and self.stopped_on is not None:
            raise ValueError("stopped_on goes with status 'stopped' only")
        return self


class PriorProcedureIn(_Model):
    kind: PriorProcedureKind = Field(
        description="A procedure id (e.g. ha_filler) or permanent_filler (silicone, PMMA...)."
    )
    product: str = Field("", max_length=200, description="Product, e.g. silicone.")
    regions: list[Region] = Field(default_factory=list, max_length=len(Region))
    date: IsoDate | None = Field(None, description="When it was done, if known.")


class PatientIn(_Model):
    id: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^\S(.*\S)?$",
        description="The clinic's patient identifier (required).",
    )
    birth_date: IsoDate | None = Field(None, description="Date of birth; or give age_years.")
    age_years: StrictInt | None = Field(None, ge=0, le=130, description="Age in whole years.")
    sex: Sex = Field(Sex.UNKNOWN, description="female | male | other | unknown")
    fitzpatrick: Fitzpatrick | None = Field(None, description="Skin phototype I..VI, if known.")
    fitzpatrick_answers: (
        Annotated[
            list[Annotated[StrictInt, Field(ge=0, le=4)]], Field(min_length=10, max_length=10)
        ]
        | None
    ) = Field(None, description="The ten questionnaire answers, 0-4 each.")
    pregnant: StrictBool | None = Field(None, description="Default false; confirm before treating.")
    breastfeeding: StrictBool | None = Field(None, description="Default false.")
    keloid_history: StrictBool | None = Field(None, description="Keloid or hypertrophic tendency.")
    herpes_labialis_history: StrictBool | None = Field(None, description="Cold sores.")
    anticoagulants: StrictBool | None = Field(None, description="Anticoagulant or antiplatelet.")
    skin_infection: StrictBool | None = Field(
        None, description="Active infection at the treatment site."
    )
    active_acne: AcneSeverity | None = Field(None, description="none | mild | moderate | severe")
    isotretinoin: IsotretinoinIn | None = Field(None, description="Oral isotretinoin history.")
    sensitive_skin: StrictBool = Field(
        False, description="Skin that stings or reddens easily: gentler, slower home care."
    )
    current_agents: list[Agent] = Field(
        default_factory=list,
        max_length=20,
        description="Home-care agents the patient already uses (ids), e.g. [tretinoin].",
    )
    conditions: list[MedicalCondition] = Field(
        default_factory=list,
        max_length=len(MedicalCondition),
        description="Medical history that changes the plan (ids), e.g. [vitiligo, pih_history].",
    )
    allergies: list[Allergy] = Field(
        default_factory=list,
        max_length=len(Allergy),
        description="Allergies (ids), e.g. [lidocaine, bovine_collagen].",
    )
    implants: list[Implant] = Field(
        default_factory=list,
        max_length=len(Implant),
        description="Implants (ids): implanted_electronic_device, facial_metal_implant.",
    )
    medications: list[Medication] = Field(
        default_factory=list,
        max_length=len(Medication),
        description="Medication classes (ids): photosensitising, immunosuppressant.",
    )
    prior_procedures: list[PriorProcedureIn] = Field(
        default_factory=list,
        max_length=50,
        description="Earlier procedures: a procedure id or permanent_filler, regions, date.",
    )


class BudgetIn(_Model):
    amount: StrictFloat = Field(ge=0, le=10_000_000, description="Total budget for procedures.")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. USD.")


class AvoidIn(_Model):
    model_config = ConfigDict(populate_by_name=True)

    from_: IsoDate = Field(alias="from", description="First day to keep free (inclusive).")
    to: IsoDate = Field(description="Last day to keep free (inclusive).")
    reason: str = Field("", max_length=200, description="Shown on the plan, e.g. wedding.")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.to < self.from_:
            raise ValueError(f"'to' ({self.to}) is before 'from' ({self.from_})")
        return self


class PreferencesIn(_Model):
    start_date: IsoDate | None = Field(None, description="Earliest date for the first session.")
    budget: BudgetIn | None = Field(None, description="Budget for the whole plan.")
    max_downtime_days: StrictInt | None = Field(
        None, ge=0, le=365, description="Longest downtime acceptable for one procedure."
    )
    avoid: list[AvoidIn] = Field(
        default_factory=list, max_length=100, description="Date windows to keep free."
    )
    home_care_budget: HomeCareBudget | None = Field(
        None, description="low | medium | high: how many home-care products to suggest."
    )


class LesionIn(_Model):
    region: Region = Field(description="Face region id.")
    type: ScarType | None = Field(None, description="Scar type; inferred from width when absent.")
    count: StrictInt = Field(ge=1, le=1000, description="Number of scars in this group.")
    width_mm: StrictFloat | None = Field(None, gt=0, le=50, description="Typical opening width.")
    depth_mm: StrictFloat | None = Field(None, gt=0, le=10, description="Typical depth.")
    edges: EdgeProfile | None = Field(None, description="sharp | sloped")
    distensible: StrictBool | None = Field(None, description="Flattens when the skin is stretched.")
    visible_at_50cm: StrictBool | None = Field(
        None, description="Obvious at a social distance of 50 cm."
    )
    covered_by_makeup: StrictBool | None = Field(
        None, description="Make-up or beard shadow hides it."
    )

    @model_validator(mode="after")
    def _typed_or_measured(self) -> Self:
        if self.type is None and self.width_mm is None:
            raise ValueError("give the scar `type`, or `width_mm` so scarplan can infer it")
        return self


class MacularIn(_Model):
    region: Region = Field(description="Face region id.")
    count: StrictInt = Field(ge=1, le=1000, description="Number of flat marks in this region.")
    colour: MarkColour | None = Field(
        None, description="erythematous (red) | hyperpigmented (darker) | hypopigmented (lighter)"
    )


class AssessmentIn(_Model):
    date: IsoDate = Field(description="Date of the assessment (not in the future).")
    macular: list[MacularIn] = Field(
        default_factory=list,
        max_length=len(Region),
        description="Flat marks per region (Goodman & Baron grade 1: colour, not contour); "
        "each region at most once.",
    )
    lesions: list[LesionIn] = Field(
        default_factory=list,
        max_length=200,
        description="Lesion groups (scars with a contour change). At least one lesion group, or "
        "one `macular` entry.",
    )

    @field_validator("macular")
    @classmethod
    def _one_entry_per_region(cls, macular: list[MacularIn]) -> list[MacularIn]:
        regions = [m.region for m in macular]
        repeated = sorted({r.value for r in regions if regions.count(r) > 1})
        if repeated:
            raise ValueError(f"names a region more than once: {', '.join(repeated)}")
        return macular

    @field_validator("lesions")
    @classmethod
    def _something_to_assess(cls, lesions: list[LesionIn], info: ValidationInfo) -> list[LesionIn]:
        if not lesions and not info.data.get("macular"):
            raise ValueError(
                "give at least 1 lesion group, or record flat marks under `assessment.macular`"
            )
        return lesions


class CaseFileV1(_Model):
    """scarplan case file, version 1."""

    model_config = ConfigDict(title="scarplan case file (version 1)")

    scarplan_case: Literal[1] = Field(description="Case file format version; this is version 1.")
    patient: PatientIn
    preferences: PreferencesIn = Field(default_factory=PreferencesIn)
    assessment: AssessmentIn
