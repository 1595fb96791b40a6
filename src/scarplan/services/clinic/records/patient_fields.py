"""Which parts of their own record a portal patient may change: the intake steps at home.

One table, used by the portal's intake steps (to know what each step saves) and by
`update_patient` (to refuse, whatever sent it, a patient's change to anything else: their name,
clinic code, date of birth, the clinician's skin type and findings stay the clinic's to edit).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from scarplan.domain.errors import FieldProblem, InputError
from scarplan.services.clinic.core.inputs import PatientIntake


class IntakeStep(StrEnum):
    ABOUT = "about"
    SKIN = "skin"
    HISTORY = "history"
    PREFERENCES = "preferences"


STEP_FIELDS: dict[IntakeStep, dict[str, frozenset[str]]] = {
    IntakeStep.ABOUT: {},
    IntakeStep.SKIN: {"patient": frozenset({"fitzpatrick_answers"})},
    IntakeStep.HISTORY: {
        "patient": frozenset(
            {
                "pregnant",
                "breastfeeding",
                "keloid_history",
                "herpes_labialis_history",
                "anticoagulants",
                "isotretinoin",
                "sensitive_skin",
                "current_agents",
                "conditions",
                "allergies",
                "implants",
                "medications",
                "prior_procedures",
            }
        )
    },
    IntakeStep.PREFERENCES: {"preferences": frozenset({"avoid", "budget", "max_downtime_days"})},
}
"""Per step, per section of the intake document, the fields a patient answers there."""

PATIENT_WRITABLE: dict[str, frozenset[str]] = {
    section: frozenset().union(*(f.get(section, frozenset()) for f in STEP_FIELDS.values()))
    for section in ("patient", "preferences")
}
ASK_THE_CLINIC = "ask the clinic to change it"
# The identity fields, in words that point to the correction request on the details page.
IDENTITY_ANSWERS = {
    "patient.id": ("is the clinic's own number for you", "ask the clinic if it is wrong"),
    "full_name": (
        "only the clinic can change your name: ask the clinic to correct it (below)",
        "",
    ),
    "patient.birth_date": (
        "only the clinic can change your date of birth: ask the clinic to correct it (below)",
        "",
    ),
    "patient.age_years": (
        "only the clinic can change your age on file: ask the clinic to correct it (below)",
        "",
    ),
}


def document(intake: PatientIntake) -> dict[str, Any]:
    """The validated intake in the stored shape (as `intake_document` reads it back)."""
    return {
        "full_name": intake.full_name.strip(),
        "patient": intake.patient.model_dump(mode="json", exclude_unset=True),
        "preferences": intake.preferences.model_dump(mode="json", by_alias=True),
    }


def refuse_clinic_fields(stored: dict[str, Any], intake: PatientIntake) -> None:
    """InputError naming each field a patient changed that only the clinic may change."""
    changed = document(intake)
    problems = []
    if changed["full_name"] != stored["full_name"]:
        problems.append(FieldProblem("full_name", *IDENTITY_ANSWERS["full_name"]))
    for section in ("patient", "preferences"):
        before, after = stored[section], changed[section]
        for key in sorted(set(before) | set(after)):
            if key not in PATIENT_WRITABLE[section] and before.get(key) != after.get(key):
                path = f"{section}.{key}"
                answer = IDENTITY_ANSWERS.get(path, ("only the clinic changes it", ASK_THE_CLINIC))
                problems.append(FieldProblem(path, *answer))
    if problems:
        raise InputError("only the clinic changes these parts of your record", problems)
