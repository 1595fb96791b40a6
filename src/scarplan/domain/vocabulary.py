"""The shared ids of architecture.md: used in files, JSON, the database and FHIR local codes."""

from enum import StrEnum


class ScarType(StrEnum):
    ICE_PICK = "ice_pick"
    BOXCAR = "boxcar"
    ROLLING = "rolling"
    # Recognised so they can be referred on; atrophic-scar procedures do not treat them.
    HYPERTROPHIC = "hypertrophic"
    KELOID = "keloid"

    @property
    def is_atrophic(self) -> bool:
        return self in ATROPHIC_SCAR_TYPES


ATROPHIC_SCAR_TYPES = frozenset({ScarType.ICE_PICK, ScarType.BOXCAR, ScarType.ROLLING})


class Region(StrEnum):
    FOREHEAD = "forehead"
    TEMPLE_LEFT = "temple_left"
    TEMPLE_RIGHT = "temple_right"
    NOSE = "nose"
    CHEEK_LEFT = "cheek_left"
    CHEEK_RIGHT = "cheek_right"
    PERIORAL = "perioral"
    CHIN = "chin"
    JAW_LEFT = "jaw_left"
    JAW_RIGHT = "jaw_right"


class Modality(StrEnum):
    TCA_CROSS = "tca_cross"
    PUNCH_EXCISION = "punch_excision"
    PUNCH_ELEVATION = "punch_elevation"
    PUNCH_GRAFTING = "punch_grafting"
    SUBCISION = "subcision"
    MICRONEEDLING = "microneedling"
    RF_MICRONEEDLING = "rf_microneedling"
    FRACTIONAL_CO2 = "fractional_co2"
    FRACTIONAL_ERBIUM = "fractional_erbium"
    ABLATIVE_RESURFACING = "ablative_resurfacing"
    NONABLATIVE_FRACTIONAL = "nonablative_fractional"
    CHEMICAL_PEEL_MEDIUM = "chemical_peel_medium"
    CHEMICAL_PEEL_DEEP = "chemical_peel_deep"
    DERMABRASION = "dermabrasion"
    HA_FILLER = "ha_filler"
    BIOSTIMULATORY_FILLER = "biostimulatory_filler"
    PRP = "prp"


class Agent(StrEnum):
    TRETINOIN = "tretinoin"
    ADAPALENE = "adapalene"
    RETINOL = "retinol"
    GLYCOLIC_ACID = "glycolic_acid"
    LACTIC_ACID = "lactic_acid"
    SALICYLIC_ACID = "salicylic_acid"
    BENZOYL_PEROXIDE = "benzoyl_peroxide"
    AZELAIC_ACID = "azelaic_acid"
    NIACINAMIDE = "niacinamide"
    HYDROQUINONE = "hydroquinone"
    SUNSCREEN = "sunscreen"
    HYDROCOLLOID_PATCH = "hydrocolloid_patch"
    # Oral treatment a doctor prescribes; home care refers, never recommends it directly.
    ISOTRETINOIN = "isotretinoin"
    ORAL_ANTIBIOTIC = "oral_antibiotic"


class HomeCareBudget(StrEnum):
    """How many home-care products the patient wants to buy and use."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Fitzpatrick(StrEnum):
    I = "I"  # noqa: E741 - the published name of the type
    II = "II"
    III = "III"
    IV = "IV"
    V = "V"
    VI = "VI"

    @property
    def ordinal(self) -> int:
        return list(Fitzpatrick).index(self) + 1


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class AcneSeverity(StrEnum):
    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class IsotretinoinStatus(StrEnum):
    NONE = "none"
    CURRENT = "current"
    STOPPED = "stopped"


class EdgeProfile(StrEnum):
    """How a scar's wall meets the surrounding skin, as a clinician sees it under side light."""

    SHARP = "sharp"
    SLOPED = "sloped"


class MarkColour(StrEnum):
    """The colour of flat (macular) acne marks, Goodman & Baron grade 1: a colour problem, not a
    contour problem (docs/assessment.md s.4)."""

    ERYTHEMATOUS = "erythematous"
    """Red or pink."""
    HYPERPIGMENTED = "hyperpigmented"
    """Darker than the skin around."""
    HYPOPIGMENTED = "hypopigmented"
    """Lighter than the skin around."""


class MedicalCondition(StrEnum):
    """Parts of the medical history that change a scar plan (case file `patient.conditions`)."""

    VITILIGO = "vitiligo"
    PSORIASIS = "psoriasis"
    LICHEN_PLANUS = "lichen_planus"
    LUPUS = "lupus"
    SCLERODERMA = "scleroderma"
    AUTOIMMUNE_OTHER = "autoimmune_other"
    IMMUNOSUPPRESSED = "immunosuppressed"
    BLEEDING_DISORDER = "bleeding_disorder"
    DIABETES_UNCONTROLLED = "diabetes_uncontrolled"
    BODY_DYSMORPHIC_DISORDER = "body_dysmorphic_disorder"
    PIH_HISTORY = "pih_history"
    HYPERTROPHIC_SCAR_HISTORY = "hypertrophic_scar_history"
    ACTIVE_COLD_SORE = "active_cold_sore"


class Allergy(StrEnum):
    """Allergies that matter for scar procedures (case file `patient.allergies`)."""

    LIDOCAINE = "lidocaine"
    LOCAL_ANAESTHETIC_OTHER = "local_anaesthetic_other"
    BOVINE_COLLAGEN = "bovine_collagen"
    HYALURONIC_ACID = "hyaluronic_acid"
    HYALURONIDASE = "hyaluronidase"


class Implant(StrEnum):
    """Implants that matter for energy-based procedures (case file `patient.implants`)."""

    IMPLANTED_ELECTRONIC_DEVICE = "implanted_electronic_device"
    FACIAL_METAL_IMPLANT = "facial_metal_implant"


class Medication(StrEnum):
    """Medication classes that change a scar plan (case file `patient.medications`)."""

    PHOTOSENSITISING = "photosensitising"
    IMMUNOSUPPRESSANT = "immunosuppressant"


PERMANENT_FILLER = "permanent_filler"
"""A prior procedure `kind` beside the modality ids: silicone, PMMA and other permanent fillers."""
