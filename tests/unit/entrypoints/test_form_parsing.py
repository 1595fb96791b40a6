"""The web forms read their boxes as the models validate them: every session parameter and
lesion column comes from its model, and a filled intake form sets every patient field."""

from __future__ import annotations

from typing import Any

from annotated_types import Ge, Gt
from pydantic.fields import FieldInfo
from starlette.datastructures import FormData, UploadFile

from scarplan.adapters.casefile.schema import LesionIn, PatientIn, PreferencesIn
from scarplan.entrypoints.web.forms import (
    LESION_COLUMNS,
    PARAMETER_FIELDS,
    PARAMETERS,
    SAFETY_FLAGS,
    assessment,
    field_kind,
    patient_intake,
    treatment_session,
)
from scarplan.services.clinic.core.inputs import (
    AssessmentInput,
    PatientIntake,
    SessionInput,
    SessionParameters,
)
from scarplan.services.clinic.exchange.research.deidentify import NUMERIC_PARAMETERS


def lowest(spec: FieldInfo) -> float:
    """The smallest value a numeric field takes (its `ge`, or one above its `gt`)."""
    for limit in spec.metadata:
        if isinstance(limit, Ge):
            return float(limit.ge)  # type: ignore[arg-type]
        if isinstance(limit, Gt):
            return float(limit.gt) + 1  # type: ignore[arg-type]
    return 1.0


def typed(name: str, spec: FieldInfo) -> str:
    """What a clinician types into the box for `name`."""
    kind = field_kind(spec.annotation)
    if kind is None:
        return f"{name} text"
    value = lowest(spec)
    return str(int(value)) if kind is int else f"{value:.1f}"


def test_every_session_parameter_is_read_from_its_box_as_the_model_wants_it() -> None:
    fields = SessionParameters.model_fields
    assert list(PARAMETERS) == list(fields)
    assert [name for name, _label in PARAMETER_FIELDS] == list(fields)
    boxes = [(name, typed(name, spec)) for name, spec in fields.items()]
    session = [
        ("performed_on", "2026-11-20"),
        ("modality", "tca_cross"),
        ("regions", "cheek_left"),
        ("practitioner", "Dr A"),
    ]
    form = FormData([*boxes, *session])
    entered = treatment_session(form)
    recorded = SessionInput.model_validate(entered)
    assert recorded.parameters.model_fields_set == set(fields)
    for name, spec in fields.items():
        kind = field_kind(spec.annotation) or str
        assert type(entered["parameters"][name]) is kind, name


def test_a_number_that_does_not_parse_stays_text_for_the_validator_to_name() -> None:
    entered = treatment_session(FormData([("passes", "three"), ("tca_percent", "35")]))
    assert entered["parameters"] == {"passes": "three", "tca_percent": 35.0}


def test_the_research_allow_list_is_numeric_session_parameters_of_the_same_kind() -> None:
    for name, kind in NUMERIC_PARAMETERS.items():
        assert PARAMETERS[name] is not None, name
        assert PARAMETERS[name].__name__ == kind, name  # type: ignore[union-attr]


def test_every_lesion_column_is_read_from_its_box() -> None:
    assert tuple(LesionIn.model_fields) == LESION_COLUMNS
    row = {
        "region": "cheek_left",
        "type": "boxcar",
        "count": "4",
        "width_mm": "2.5",
        "depth_mm": "0.5",
        "edges": "sharp",
        "distensible": "no",
        "visible_at_50cm": "yes",
        "covered_by_makeup": "no",
    }
    form = FormData([("date", "2026-11-20"), *((f"lesion_{k}", v) for k, v in row.items())])
    entered = assessment(form)
    (lesion,) = AssessmentInput.model_validate(entered).lesions
    assert lesion.model_fields_set == set(LesionIn.model_fields)


def filled_intake() -> FormData:
    boxes: list[tuple[str, str | UploadFile]] = [
        ("full_name", "Ana Silva"),
        ("email", "ana@example.org"),
        ("phone", "+44 20 7946 0958"),
        ("code", "P-0001"),
        ("birth_date", "1990-05-02"),
        ("age_years", "36"),
        ("sex", "female"),
        ("fitzpatrick", "III"),
        *((f"q{i}", "2") for i in range(10)),
        *((flag, "no") for flag in SAFETY_FLAGS),
        ("active_acne", "none"),
        ("isotretinoin_status", "stopped"),
        ("isotretinoin_stopped_on", "2026-01-10"),
        ("sensitive_skin", "yes"),
        ("current_agents", "sunscreen"),
        ("conditions", "vitiligo"),
        ("allergies", "lidocaine"),
        ("implants", "facial_metal_implant"),
        ("medications", "photosensitising"),
        ("prior_kind_0", "ha_filler"),
        ("prior_regions_0", "cheek_left"),
        ("prior_date_0", "2025-03-02"),
        ("start_date", "2027-01-04"),
        ("budget_amount", "3000"),
        ("budget_currency", "EUR"),
        ("max_downtime_days", "7"),
        ("home_care_budget", "low"),
        ("avoid_from", "2027-02-10"),
        ("avoid_to", "2027-02-20"),
        ("avoid_reason", "wedding"),
    ]
    return FormData(boxes)


def test_a_filled_intake_form_sets_every_patient_and_preference_field() -> None:
    intake = PatientIntake.model_validate(patient_intake(filled_intake()))
    assert intake.model_fields_set == set(PatientIntake.model_fields)
    assert intake.patient.model_fields_set == set(PatientIn.model_fields)
    assert intake.preferences.model_fields_set == set(PreferencesIn.model_fields)


def test_the_yes_no_questions_are_the_yes_no_safety_fields() -> None:
    assert SAFETY_FLAGS == (
        "pregnant",
        "breastfeeding",
        "keloid_history",
        "herpes_labialis_history",
        "anticoagulants",
        "skin_infection",
    )


def test_field_kind_sees_through_optional_and_annotated() -> None:
    kinds: dict[str, Any] = {
        name: field_kind(spec.annotation) for name, spec in PatientIn.model_fields.items()
    }
    assert kinds["age_years"] is int
    assert kinds["pregnant"] is bool
    assert kinds["fitzpatrick_answers"] is None  # a list is not a number
    assert kinds["isotretinoin"] is None
