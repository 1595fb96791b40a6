"""Code systems of the FHIR bundle: scarplan's local ones and the few external codes used.

Local codes are the shared vocabulary ids (architecture.md), under one base URL; their displays
are fixed here, apart from the wording of pages and reports, because a code system's display is
part of its published definition. docs/fhir.md lists every system and code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from scarplan.domain.vocabulary import (
    PERMANENT_FILLER,
    Agent,
    Allergy,
    Fitzpatrick,
    Implant,
    MedicalCondition,
    Medication,
    Modality,
    Region,
    ScarType,
)

BASE = "https://scarplan.org/fhir"
LOCAL = f"{BASE}/CodeSystem/"
EXTENSION = f"{BASE}/StructureDefinition/"

PATIENT_CODE = f"{BASE}/sid/patient-code"
"""Identifier system of the clinic's patient code (the case file's `patient.id`)."""

SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
HL7 = "http://terminology.hl7.org/CodeSystem/"
CONDITION_CLINICAL = f"{HL7}condition-clinical"
CONDITION_VERIFICATION = f"{HL7}condition-ver-status"
CONDITION_CATEGORY = f"{HL7}condition-category"
OBSERVATION_CATEGORY = f"{HL7}observation-category"
MEDIA_TYPE = f"{HL7}media-type"
CONSENT_SCOPE = f"{HL7}consentscope"
ACT_CODE = f"{HL7}v3-ActCode"
MEDICATION_STATEMENT_CATEGORY = f"{HL7}medication-statement-category"
ALLERGY_CLINICAL = f"{HL7}allergyintolerance-clinical"

DUE_TO = "http://hl7.org/fhir/StructureDefinition/condition-dueTo"
PLANNED_COST = f"{EXTENSION}planned-cost"
DOWNTIME = f"{EXTENSION}downtime"
PLAN_STATUS = f"{EXTENSION}plan-status"
PLAN_DOCUMENT = f"{EXTENSION}plan-document"
PREFERENCE_START_DATE = f"{EXTENSION}preference-start-date"
PREFERENCE_BUDGET = f"{EXTENSION}preference-budget"
PREFERENCE_MAX_DOWNTIME = f"{EXTENSION}preference-max-downtime"
PREFERENCE_AVOID = f"{EXTENSION}preference-avoid"
PREFERENCE_HOME_CARE_BUDGET = f"{EXTENSION}preference-home-care-budget"
PROCEDURE_CONSENT = f"{EXTENSION}procedure-consent"
CONSENT_SEAL = f"{BASE}/sid/consent-seal"
"""Identifier system of a signed consent's seal (the SHA-256 over everything signed)."""
EXTENSIONS = (
    PLANNED_COST,
    DOWNTIME,
    PLAN_STATUS,
    PLAN_DOCUMENT,
    PREFERENCE_START_DATE,
    PREFERENCE_BUDGET,
    PREFERENCE_MAX_DOWNTIME,
    PREFERENCE_AVOID,
    PREFERENCE_HOME_CARE_BUDGET,
    PROCEDURE_CONSENT,
)
"""Every scarplan extension (docs/fhir.md defines each)."""

# --- external codes (each checked against a published source; docs/fhir.md says which) --------
SCAR = (SNOMED, "275322007", "Scar")
ACNE = (SNOMED, "11381005", "Acne")
SCAR_ICD10 = (ICD10, "L90.5", "Scar conditions and fibrosis of skin")
ACNE_VULGARIS_ICD10 = (ICD10, "L70.0", "Acne vulgaris")
SEVERITY = {
    "mild": (SNOMED, "255604002", "Mild"),
    "moderate": (SNOMED, "6736007", "Moderate"),
    "severe": (SNOMED, "24484000", "Severe"),
}
ACTIVE = (CONDITION_CLINICAL, "active", "Active")
RESOLVED = (CONDITION_CLINICAL, "resolved", "Resolved")
CONFIRMED = (CONDITION_VERIFICATION, "confirmed", "Confirmed")
PROBLEM_LIST_ITEM = (CONDITION_CATEGORY, "problem-list-item", "Problem List Item")
EXAM = (OBSERVATION_CATEGORY, "exam", "Exam")
SURVEY = (OBSERVATION_CATEGORY, "survey", "Survey")
PROCEDURE = (OBSERVATION_CATEGORY, "procedure", "Procedure")
IMAGE = (MEDIA_TYPE, "image", "Image")
PRIVACY_CONSENT = (CONSENT_SCOPE, "patient-privacy", "Privacy Consent")
TREATMENT_CONSENT = (CONSENT_SCOPE, "treatment", "Treatment")
CONSENT_DOCUMENT = (LOINC, "59284-0", "Consent Document")
OPT_IN = (ACT_CODE, "OPTIN", "opt-in")
PATIENT_SPECIFIED = (MEDICATION_STATEMENT_CATEGORY, "patientspecified", "Patient Specified")
ALLERGY_ACTIVE = (ALLERGY_CLINICAL, "active", "Active")

# The medical history's standard codes, given beside the local ones where the exact concept was
# found (docs/fhir.md says where); the other ids have the local code only.
CONDITION_SNOMED = {
    MedicalCondition.VITILIGO: (SNOMED, "56727007", "Vitiligo"),
    MedicalCondition.PSORIASIS: (SNOMED, "9014002", "Psoriasis"),
    MedicalCondition.LUPUS: (SNOMED, "200936003", "Lupus erythematosus"),
    MedicalCondition.BODY_DYSMORPHIC_DISORDER: (SNOMED, "83482000", "Body dysmorphic disorder"),
}
ALLERGY_SNOMED = {Allergy.LIDOCAINE: (SNOMED, "387480006", "Lidocaine")}

# --- local code systems -------------------------------------------------------------------------
SCAR_TYPES = {
    ScarType.ICE_PICK: "Ice pick scar",
    ScarType.BOXCAR: "Boxcar scar",
    ScarType.ROLLING: "Rolling scar",
    ScarType.HYPERTROPHIC: "Hypertrophic scar",
    ScarType.KELOID: "Keloid",
}
REGIONS = {
    Region.FOREHEAD: "Forehead",
    Region.TEMPLE_LEFT: "Left temple",
    Region.TEMPLE_RIGHT: "Right temple",
    Region.NOSE: "Nose",
    Region.CHEEK_LEFT: "Left cheek",
    Region.CHEEK_RIGHT: "Right cheek",
    Region.PERIORAL: "Perioral region",
    Region.CHIN: "Chin",
    Region.JAW_LEFT: "Left jaw",
    Region.JAW_RIGHT: "Right jaw",
}
MODALITIES = {
    Modality.TCA_CROSS: "TCA CROSS (chemical reconstruction of skin scars)",
    Modality.PUNCH_EXCISION: "Punch excision",
    Modality.PUNCH_ELEVATION: "Punch elevation",
    Modality.PUNCH_GRAFTING: "Punch grafting",
    Modality.SUBCISION: "Subcision",
    Modality.MICRONEEDLING: "Microneedling",
    Modality.RF_MICRONEEDLING: "Radiofrequency microneedling",
    Modality.FRACTIONAL_CO2: "Fractional CO2 laser resurfacing",
    Modality.FRACTIONAL_ERBIUM: "Fractional erbium laser resurfacing",
    Modality.ABLATIVE_RESURFACING: "Fully ablative resurfacing (CO2 or Er:YAG)",
    Modality.NONABLATIVE_FRACTIONAL: "Non-ablative fractional laser",
    Modality.CHEMICAL_PEEL_MEDIUM: "Medium-depth chemical peel",
    Modality.CHEMICAL_PEEL_DEEP: "Deep chemical peel",
    Modality.DERMABRASION: "Dermabrasion",
    Modality.HA_FILLER: "Hyaluronic acid filler",
    Modality.BIOSTIMULATORY_FILLER: "Biostimulatory filler",
    Modality.PRP: "Platelet-rich plasma (adjunct)",
}
AGENTS = {
    Agent.TRETINOIN: "Tretinoin (topical)",
    Agent.ADAPALENE: "Adapalene (topical)",
    Agent.RETINOL: "Retinol",
    Agent.GLYCOLIC_ACID: "Glycolic acid",
    Agent.LACTIC_ACID: "Lactic acid",
    Agent.SALICYLIC_ACID: "Salicylic acid",
    Agent.BENZOYL_PEROXIDE: "Benzoyl peroxide",
    Agent.AZELAIC_ACID: "Azelaic acid",
    Agent.NIACINAMIDE: "Niacinamide",
    Agent.HYDROQUINONE: "Hydroquinone (topical)",
    Agent.SUNSCREEN: "Broad-spectrum sunscreen",
    Agent.HYDROCOLLOID_PATCH: "Hydrocolloid patch",
    Agent.ISOTRETINOIN: "Isotretinoin (oral)",
    Agent.ORAL_ANTIBIOTIC: "Oral antibiotic for acne",
}
SCALES = {
    "goodman_baron_qualitative": "Goodman and Baron qualitative global acne scarring grade",
    "goodman_baron_quantitative": "Goodman and Baron quantitative global acne scarring score",
    "ecca": "ECCA acne scar grading scale score",
    "fitzpatrick_skin_type": "Fitzpatrick skin phototype",
}
FINDINGS = {
    "scar_assessment": "Atrophic acne scar assessment",
    "scar_count": "Number of scars in the group",
    "scar_width": "Typical scar opening width",
    "scar_depth": "Typical scar depth",
    "scar_edges": "Scar edge profile",
    "distensible": "Flattens when the skin is stretched",
    "visible_at_50cm": "Obvious at a social distance of 50 cm",
    "covered_by_makeup": "Hidden by make-up or beard shadow",
}
SCREENING = {
    "pregnant": "Pregnant",
    "breastfeeding": "Breastfeeding",
    "keloid_history": "History of keloids or hypertrophic scarring",
    "herpes_labialis_history": "History of herpes labialis (cold sores)",
    "anticoagulants": "Takes an anticoagulant or antiplatelet medicine",
    "skin_infection": "Active skin infection at the treatment site",
    "sensitive_skin": "Sensitive skin",
    "active_acne": "Active acne",
    "age_years": "Age in whole years",
}
FITZPATRICK_TYPES = {t: f"Fitzpatrick skin type {t.value}" for t in Fitzpatrick}
FITZPATRICK_METHODS = {
    "stated": "Stated by the clinician",
    "questionnaire": "Scored from the Fitzpatrick questionnaire",
}
FITZPATRICK_QUESTIONS = {f"q{n}": f"Fitzpatrick questionnaire item {n}" for n in range(1, 11)}
EDGE_PROFILES = {"sharp": "Sharp, vertical walls", "sloped": "Sloped walls"}
ADVERSE_EVENTS = {
    "pih": "Post-inflammatory hyperpigmentation (PIH)",
    "hypopigmentation": "Hypopigmentation",
    "prolonged_erythema": "Prolonged erythema",
    "infection": "Infection",
    "herpes_reactivation": "Herpes simplex reactivation",
    "acneiform_eruption": "Acneiform eruption",
    "bruising": "Bruising",
    "allergic_reaction": "Allergic reaction",
    "new_scarring": "New scarring",
    "other": "Other adverse event",
}
PHOTO_ANGLES = {
    "front": "Front",
    "left_oblique": "Left oblique",
    "right_oblique": "Right oblique",
    "left_profile": "Left profile",
    "right_profile": "Right profile",
    "close_up": "Close-up",
}
CONDITIONS = {
    MedicalCondition.VITILIGO: "Vitiligo",
    MedicalCondition.PSORIASIS: "Psoriasis",
    MedicalCondition.LICHEN_PLANUS: "Lichen planus",
    MedicalCondition.LUPUS: "Lupus erythematosus (systemic or cutaneous)",
    MedicalCondition.SCLERODERMA: "Scleroderma or morphoea",
    MedicalCondition.AUTOIMMUNE_OTHER: "Other autoimmune disease",
    MedicalCondition.IMMUNOSUPPRESSED: "Immunosuppressed",
    MedicalCondition.BLEEDING_DISORDER: "Bleeding or clotting disorder",
    MedicalCondition.DIABETES_UNCONTROLLED: "Poorly controlled diabetes",
    MedicalCondition.BODY_DYSMORPHIC_DISORDER: "Body dysmorphic disorder",
    MedicalCondition.PIH_HISTORY: "History of post-inflammatory hyperpigmentation",
    MedicalCondition.HYPERTROPHIC_SCAR_HISTORY: "History of hypertrophic scarring",
    MedicalCondition.ACTIVE_COLD_SORE: "Active cold sore (herpes labialis)",
}
ALLERGIES = {
    Allergy.LIDOCAINE: "Lidocaine",
    Allergy.LOCAL_ANAESTHETIC_OTHER: "Local anaesthetic other than lidocaine",
    Allergy.BOVINE_COLLAGEN: "Bovine collagen",
    Allergy.HYALURONIC_ACID: "Hyaluronic acid",
    Allergy.HYALURONIDASE: "Hyaluronidase",
}
MEDICINE_ALLERGIES = frozenset(
    {Allergy.LIDOCAINE, Allergy.LOCAL_ANAESTHETIC_OTHER, Allergy.HYALURONIDASE}
)
"""The allergies to medicines (AllergyIntolerance category `medication`); the others are to
filler materials, which FHIR's categories do not name."""
IMPLANTS = {
    Implant.IMPLANTED_ELECTRONIC_DEVICE: (
        "Implanted electronic device (pacemaker, defibrillator, neurostimulator, cochlear implant)"
    ),
    Implant.FACIAL_METAL_IMPLANT: "Metal implant in the face (plates, screws, wires)",
}
MEDICATION_CLASSES = {
    Medication.PHOTOSENSITISING: "Photosensitising medicine",
    Medication.IMMUNOSUPPRESSANT: "Immunosuppressant medicine",
}
PRIOR_PROCEDURES = {PERMANENT_FILLER: "Permanent dermal filler (silicone, PMMA or similar)"}
"""Earlier procedures that are not scarplan procedures; the others use the `modality` codes."""
PROCEDURE_CATEGORIES = {"prior_procedure": "Earlier procedure, from the patient's history"}
PHOTO_CONSENTS = {
    "clinical_record": "Use in the clinical record",
    "teaching": "Use in teaching",
    "publication": "Use in publications",
}


@dataclass(frozen=True)
class Parameter:
    """A recorded session parameter: its display and how its value is written.

    With a `unit` the value is a UCUM Quantity; without one an integer (`valueInteger`), or
    text when `text` is set. `integer` keeps whole-number quantities whole on the way back.
    """

    display: str
    unit: str | None = None
    integer: bool = False
    text: bool = False


SESSION_PARAMETERS = {
    "tca_percent": Parameter("TCA concentration", "%"),
    "punch_size_mm": Parameter("Punch diameter", "mm"),
    "needle_depth_mm": Parameter("Needle depth", "mm"),
    "passes": Parameter("Passes over the area", integer=True),
    "energy_mj": Parameter("Pulse energy", "mJ"),
    "fluence_j_cm2": Parameter("Fluence", "J/cm2"),
    "density_percent": Parameter("Treatment density", "%"),
    "wavelength_nm": Parameter("Wavelength", "nm", integer=True),
    "spot_size_mm": Parameter("Spot size", "mm"),
    "agent": Parameter("Peel agent or filler product", text=True),
    "volume_ml": Parameter("Volume injected", "mL"),
    "anaesthesia": Parameter("Anaesthesia", text=True),
}


def _named(table: Mapping[Any, str]) -> dict[str, str]:
    return {str(key): display for key, display in table.items()}


SYSTEMS: dict[str, dict[str, str]] = {
    f"{LOCAL}scar-type": _named(SCAR_TYPES),
    f"{LOCAL}region": _named(REGIONS),
    f"{LOCAL}modality": _named(MODALITIES),
    f"{LOCAL}agent": _named(AGENTS),
    f"{LOCAL}scale": SCALES,
    f"{LOCAL}finding": FINDINGS,
    f"{LOCAL}screening": SCREENING,
    f"{LOCAL}fitzpatrick-type": _named(FITZPATRICK_TYPES),
    f"{LOCAL}fitzpatrick-method": FITZPATRICK_METHODS,
    f"{LOCAL}fitzpatrick-question": FITZPATRICK_QUESTIONS,
    f"{LOCAL}edge-profile": EDGE_PROFILES,
    f"{LOCAL}session-parameter": {k: p.display for k, p in SESSION_PARAMETERS.items()},
    f"{LOCAL}adverse-event": ADVERSE_EVENTS,
    f"{LOCAL}photo-angle": PHOTO_ANGLES,
    f"{LOCAL}photo-consent": PHOTO_CONSENTS,
    f"{LOCAL}condition": _named(CONDITIONS),
    f"{LOCAL}allergy": _named(ALLERGIES),
    f"{LOCAL}implant": _named(IMPLANTS),
    f"{LOCAL}medication-class": _named(MEDICATION_CLASSES),
    f"{LOCAL}prior-procedure": PRIOR_PROCEDURES,
    f"{LOCAL}procedure-category": PROCEDURE_CATEGORIES,
}
"""Every local code system: its URL -> {code: display}."""


def system(name: str) -> str:
    """The URL of a local code system by its short name, e.g. `region`."""
    url = f"{LOCAL}{name}"
    if url not in SYSTEMS:
        raise KeyError(f"no local code system {name!r}")
    return url


def coding(triple: tuple[str, str, str]) -> dict[str, Any]:
    url, code, display = triple
    return {"system": url, "code": code, "display": display}


def local(name: str, code: str, **extra: Any) -> dict[str, Any]:
    """A Coding from a local code system; an unknown code is a programming error here."""
    url = system(name)
    return {"system": url, "code": code, "display": SYSTEMS[url][code], **extra}


def concept(*codings: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    value: dict[str, Any] = {"coding": list(codings)}
    if text:
        value["text"] = text
    return value


def local_concept(name: str, code: str, text: str | None = None) -> dict[str, Any]:
    return concept(local(name, code), text=text)


def display(name: str, code: str) -> str:
    """The display of a code of a local code system."""
    return SYSTEMS[system(name)][code]


def quantity(value: float, unit: str, shown: str | None = None) -> dict[str, Any]:
    """A UCUM quantity; `shown` is the human-readable unit when it differs from the code."""
    number = int(value) if isinstance(value, int) else float(value)
    return {"value": number, "unit": shown or unit, "system": UCUM, "code": unit}


def money(amount: Decimal | float, currency: str | None) -> dict[str, Any]:
    """A Money value: the amount as a JSON number and its ISO 4217 currency."""
    return {"value": float(amount), "currency": currency}
