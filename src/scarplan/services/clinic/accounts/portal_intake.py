"""The intake at home: a portal patient answers it step by step, each step saved on its own.

Each step changes only its own fields (patient_fields.STEP_FIELDS) and goes through
`update_patient`, so the intake's validation, the audit trail and the rule that a patient
never changes the clinic's fields are the same here as everywhere else.
"""

from __future__ import annotations

import copy
from typing import Any

from scarplan.domain.errors import FieldProblem, InputError, NotFoundError
from scarplan.services.clinic.core.access import Permission, authorize
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.records.patient_fields import STEP_FIELDS, IntakeStep
from scarplan.services.clinic.records.patients import PatientDetail, get_patient, update_patient


def intake_step(step: str) -> IntakeStep:
    try:
        return IntakeStep(step)
    except ValueError:
        raise NotFoundError(
            "no such step",
            [FieldProblem("step", f"{step!r} is not a step of the intake", "")],
        ) from None


def _own(actor: Actor) -> int:
    authorize(actor, Permission.FILL_PORTAL_FORMS)
    if actor.patient_id is None:
        raise NotFoundError("no such patient", [FieldProblem("patient_id", "none linked", "")])
    return actor.patient_id


def my_intake(clinic: Clinic, actor: Actor) -> PatientDetail:
    """The portal patient's own record, as the intake steps show it."""
    return get_patient(clinic, actor, _own(actor))


def save_intake_step(clinic: Clinic, actor: Actor, step: str, raw: Any) -> PatientDetail:
    """Save one step: `raw` holds that step's fields (`{"patient": {...}}` or
    `{"preferences": {...}}`); a field left out is cleared ("not stated"), a field of another
    step or of the clinic's is refused, naming it."""
    patient_id = _own(actor)
    allowed = STEP_FIELDS[intake_step(step)]
    sent = raw if isinstance(raw, dict) else {}
    problems = [
        FieldProblem(f"{section}.{key}" if key else section, "is not part of this step", "")
        for section, fields in sent.items()
        for key in (fields if isinstance(fields, dict) else {"": None})
        if key not in allowed.get(section, frozenset())
    ]
    if problems or not isinstance(raw, dict):
        raise InputError("these answers cannot be saved here", problems)
    merged = copy.deepcopy(get_patient(clinic, actor, patient_id).intake)
    for section, fields in allowed.items():
        for key in fields:
            merged[section].pop(key, None)
            if key in sent.get(section, {}):
                merged[section][key] = sent[section][key]
    return update_patient(clinic, actor, patient_id, merged)
