"""FHIR export of a case file (no database): the assessment, the plan and its home routine."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from scarplan.adapters.casefile import read_case_file
from scarplan.adapters.fhir import (
    AssessmentFacts,
    ClinicalRecord,
    LesionFacts,
    PatientFacts,
    PlanFacts,
    PlannedSessionFacts,
    RoutineStep,
    Scores,
    build_bundle,
)
from scarplan.assessment import AssessmentResult, assess_case
from scarplan.domain.case import SAFETY_FIELDS, Case, LesionGroup, Patient
from scarplan.knowledge import KnowledgeBase
from scarplan.services.homecare import routine_for_plan, routine_json
from scarplan.services.planning import plan_case, plan_json
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
    document = plan_json(plan, routine_json(routine_for_plan(case, plan, knowledge)))
    skin = result.fitzpatrick.type
    patient = PatientFacts(
        code=case.patient.id,
        full_name=None,
        intake=stated_intake(case.patient),
        fitzpatrick_type=skin.value if skin else None,
    )
    return ClinicalRecord(
        patient=patient,
        assessments=(_assessment(case, result),),
        plans=(plan_facts(document, "proposed", 0, set(), document["routine"]),),
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
    return intake


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


def plan_facts(
    document: dict[str, Any],
    status: str,
    assessment: int,
    done: set[int],
    routine: dict[str, Any] | None,
) -> PlanFacts:
    """A plan document (the `scarplan plan --json` contract) and its home routine as FHIR
    facts; `done` holds the positions of planned sessions a performed session fulfilled."""
    return PlanFacts(
        status=status,
        start=date.fromisoformat(document["start_date"]),
        assessment=assessment,
        sessions=tuple(
            PlannedSessionFacts(
                day=date.fromisoformat(item["date"]),
                modality=item["modality"],
                regions=tuple(item["regions"]),
                targets=tuple(item.get("targets", ())),
                downtime_days=item["downtime_days"],
                cost=Decimal(str(item["cost"]["amount"])) if item.get("cost") else None,
                currency=item["cost"]["currency"] if item.get("cost") else None,
                done=position in done,
            )
            for position, item in enumerate(document["sessions"])
        ),
        routine=routine_steps(routine),
        notes=tuple(document.get("notes", ())),
    )


def routine_steps(routine: dict[str, Any] | None) -> tuple[RoutineStep, ...]:
    """The routine's morning and evening steps as they appear in a bundle."""
    if not routine:
        return ()
    return tuple(
        RoutineStep(
            slot=slot,
            agent=step["agent"],
            text=" ".join(part for part in (step["name"], step.get("strength", "")) if part),
            dose=step.get("dose", ""),
            frequency=step["frequency"],
            order=step["order"],
        )
        for slot in ("am", "pm")
        for step in routine.get(slot, [])
    )
