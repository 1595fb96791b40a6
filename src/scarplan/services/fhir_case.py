"""FHIR export of a case file (no database, `scarplan fhir export-case`): the patient with their
preferences, the assessment, the plan with its reasoning and its home routine.

A stored patient's bundle (and its import) is `services/clinic/exchange/fhir_export.py`
(`fhir_import.py` beside it); both build the bundle with `adapters/fhir`."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from scarplan.adapters.casefile import read_case_file
from scarplan.adapters.fhir import (
    AssessmentFacts,
    ClinicalRecord,
    LesionFacts,
    PatientFacts,
    Scores,
    build_bundle,
    plan_facts,
    stated_preferences,
)
from scarplan.assessment import AssessmentResult, assess_case
from scarplan.domain.case import (
    SAFETY_FIELDS,
    Case,
    LesionGroup,
    Patient,
    Preferences,
    PriorProcedure,
)
from scarplan.knowledge import KnowledgeBase
from scarplan.services.homecare import routine_for_plan, routine_json
from scarplan.services.planning import plan_case, plan_document
from scarplan.settings import Settings


def case_bundle(
    path: Path, knowledge: KnowledgeBase, settings: Settings, today: date, now: datetime
) -> dict[str, Any]:
    """The case file as a collection Bundle: what `scarplan assess` and `scarplan plan` show.

    A case whose plan cannot be made raises InfeasibleError, as `scarplan plan` does.
    """
    case = read_case_file(path, today)
    return build_bundle(case_record(case, knowledge, settings, today), now)


def case_record(
    case: Case, knowledge: KnowledgeBase, settings: Settings, today: date
) -> ClinicalRecord:
    result = assess_case(case, knowledge)
    plan = plan_case(case, knowledge, settings, today)
    routine = routine_json(routine_for_plan(case, plan, knowledge))
    document = plan_document(plan, routine)
    skin = result.fitzpatrick.type
    patient = PatientFacts(
        code=case.patient.id,
        full_name=None,
        intake=stated_intake(case.patient),
        fitzpatrick_type=skin.value if skin else None,
        preferences=stated_preferences(preference_values(case.preferences)),
    )
    return ClinicalRecord(
        patient=patient,
        assessments=(_assessment(case, result),),
        plans=(plan_facts(document, "proposed", 0, set(), routine),),
    )


def stated_intake(patient: Patient) -> dict[str, Any]:
    """The case's patient fields that were stated, as the clinic stores an intake."""
    intake: dict[str, Any] = {"sex": patient.sex.value}
    if patient.birth_date is not None:
        intake["birth_date"] = patient.birth_date.isoformat()
    if patient.age_years is not None:
        intake["age_years"] = patient.age_years
    if patient.fitzpatrick is not None:
        intake["fitzpatrick"] = patient.fitzpatrick.value
    if patient.fitzpatrick_answers is not None:
        intake["fitzpatrick_answers"] = list(patient.fitzpatrick_answers)
    for name in SAFETY_FIELDS:
        if name in patient.unstated:
            continue
        if name == "active_acne":
            intake[name] = patient.active_acne.value
        elif name == "isotretinoin":
            history = patient.isotretinoin
            intake[name] = {"status": history.status.value}
            if history.stopped_on is not None:
                intake[name]["stopped_on"] = history.stopped_on.isoformat()
        else:
            intake[name] = getattr(patient, name)
    if patient.sensitive_skin:
        intake["sensitive_skin"] = True
    if patient.current_agents:
        intake["current_agents"] = [a.value for a in patient.current_agents]
    for name in ("conditions", "allergies", "implants", "medications"):
        listed = getattr(patient, name)
        if listed:
            intake[name] = [item.value for item in listed]
    if patient.prior_procedures:
        intake["prior_procedures"] = [_prior(item) for item in patient.prior_procedures]
    return intake


def _prior(procedure: PriorProcedure) -> dict[str, Any]:
    """An earlier procedure as the intake keeps it: what was stated."""
    item: dict[str, Any] = {"kind": procedure.kind}
    if procedure.product:
        item["product"] = procedure.product
    if procedure.regions:
        item["regions"] = [region.value for region in procedure.regions]
    if procedure.day is not None:
        item["date"] = procedure.day.isoformat()
    return item


def preference_values(preferences: Preferences) -> dict[str, Any]:
    """The case's preferences as the clinic stores them: the case file's JSON values."""
    budget = preferences.budget
    home_care = preferences.home_care_budget
    return {
        "start_date": preferences.start_date.isoformat() if preferences.start_date else None,
        "budget": {"amount": float(budget.amount), "currency": budget.currency} if budget else None,
        "max_downtime_days": preferences.max_downtime_days,
        "avoid": [
            {"from": w.start.isoformat(), "to": w.end.isoformat(), "reason": w.reason}
            for w in preferences.avoid
        ],
        "home_care_budget": home_care.value if home_care else None,
    }


def lesion_document(lesion: LesionGroup) -> dict[str, Any]:
    values = {
        "region": lesion.region.value,
        "type": lesion.type.value if lesion.type else None,
        "count": lesion.count,
        "width_mm": lesion.width_mm,
        "depth_mm": lesion.depth_mm,
        "edges": lesion.edges.value if lesion.edges else None,
        "distensible": lesion.distensible,
        "visible_at_50cm": lesion.visible_at_50cm,
        "covered_by_makeup": lesion.covered_by_makeup,
    }
    return {key: value for key, value in values.items() if value is not None}


def _assessment(case: Case, result: AssessmentResult) -> AssessmentFacts:
    return AssessmentFacts(
        day=case.assessment.date,
        notes="",
        lesions=tuple(
            LesionFacts(lesion_document(typed.lesion), typed.type.value) for typed in result.lesions
        ),
        scores=Scores(
            goodman_baron_qualitative=result.goodman_baron_qualitative.grade,
            goodman_baron_quantitative=float(result.goodman_baron_quantitative.score),
            ecca=int(result.ecca.score),
        ),
    )
