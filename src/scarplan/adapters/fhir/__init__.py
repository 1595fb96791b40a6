"""FHIR R4 interoperability (fhir.resources R4B models): a clinical record to a Bundle and back.

Pure mapping: no database, no services. docs/fhir.md describes every resource and code.
"""

from scarplan.adapters.fhir.bundle import bundle_text
from scarplan.adapters.fhir.export import build_bundle
from scarplan.adapters.fhir.parse import parse_bundle, read_json
from scarplan.adapters.fhir.plan_facts import plan_facts, routine_steps
from scarplan.adapters.fhir.preferences import stated_preferences
from scarplan.adapters.fhir.record import (
    AdverseEventFacts,
    AssessmentFacts,
    ClinicalRecord,
    LesionFacts,
    Origins,
    PatientFacts,
    PhotoFacts,
    PlanFacts,
    PlannedSessionFacts,
    RoutineStep,
    Scores,
    SessionFacts,
    locate,
    located,
    relocated,
)

__all__ = [
    "AdverseEventFacts",
    "AssessmentFacts",
    "ClinicalRecord",
    "LesionFacts",
    "Origins",
    "PatientFacts",
    "PhotoFacts",
    "PlanFacts",
    "PlannedSessionFacts",
    "RoutineStep",
    "Scores",
    "SessionFacts",
    "build_bundle",
    "bundle_text",
    "locate",
    "located",
    "parse_bundle",
    "plan_facts",
    "read_json",
    "relocated",
    "routine_steps",
    "stated_preferences",
]
