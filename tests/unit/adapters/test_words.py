"""Problems in people's words (issue 22 item 6): the field-label registry covers every field the
forms and case files have, session parameters are named from their one definition, and each
known developer-worded message reads as a clinical sentence with its fix."""

from __future__ import annotations

import types
import typing
from typing import Any

import pytest
from pydantic import BaseModel

from scarplan.adapters.casefile.schema import CaseFileV1
from scarplan.adapters.fhir import codes
from scarplan.adapters.presentation.wording import PARAMETER_LABELS, label
from scarplan.adapters.presentation.words import (
    FIELD_LABELS,
    Where,
    place,
    said,
    said_at_field,
    said_warning,
    warning_problem,
)
from scarplan.domain.errors import FieldProblem
from scarplan.services.clinic.core.inputs import (
    PatientIntake,
    PhotoInput,
    PlanEdit,
    SessionInput,
    SessionParameters,
)

WHERE = Where("Ana Silva", ({"region": "cheek_left", "type": "rolling"},))


def _models(model: type[BaseModel]) -> set[type[BaseModel]]:
    """The model and every model nested in its fields (lists and optionals included)."""
    found = {model}

    def walk(annotation: Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation not in found:
                found.update(_models(annotation))
            return
        for arg in typing.get_args(annotation):
            walk(arg)
        if isinstance(annotation, types.UnionType):
            for arg in annotation.__args__:
                walk(arg)

    for info in model.model_fields.values():
        walk(info.annotation)
    return found


@pytest.mark.parametrize(
    "root",
    [CaseFileV1, PatientIntake, SessionInput, PhotoInput, PlanEdit],
    ids=lambda m: m.__name__,
)
def test_every_field_of_the_input_models_has_a_name_for_people(root: type[BaseModel]) -> None:
    missing = {
        f"{model.__name__}.{name}"
        for model in _models(root)
        if model is not SessionParameters
        for name, info in model.model_fields.items()
        if (info.alias or name) not in FIELD_LABELS
    }
    assert missing == set()


def test_session_parameters_are_named_from_their_one_definition() -> None:
    # The form, the session list and the report read PARAMETER_LABELS; it is made from the
    # parameters' definitions (display and unit), which cover every parameter the model has.
    assert set(PARAMETER_LABELS) == set(SessionParameters.model_fields)
    for name, spec in codes.SESSION_PARAMETERS.items():
        assert PARAMETER_LABELS[name].startswith(spec.display)
    assert label("tca_percent") == "TCA concentration (%)"
    assert label("energy_mj") == "Pulse energy (mJ)"
    assert label("needle_depth_mm") == "Needle depth (mm)"
    assert label("pih") == "Post-inflammatory hyperpigmentation (PIH)"


def test_a_path_is_named_by_its_scar_group_and_field() -> None:
    assert place("assessment.lesions[0].width_mm", WHERE) == (
        "Scar group 1 (left cheek, rolling), width (mm)"
    )
    assert place("lesions[3].count", WHERE) == "Scar group 4, number of scars"
    assert place("patient.fitzpatrick") == "Skin type (Fitzpatrick)"
    assert place("parameters.tca_percent") == "TCA concentration (%)"
    assert place("patient.conditions[1]") == "Medical conditions, item 2"
    assert place("") == ""


def test_a_move_into_the_past_names_the_patient_and_the_day() -> None:
    problem = FieldProblem("move[0].day", "2026-11-01 is in the past", "")
    assert said(problem, WHERE) == (
        "You cannot move Ana Silva's session to 1 Nov 2026: that day has passed."
    )
    assert said(problem) == "You cannot move this session to 1 Nov 2026: that day has passed."


def test_a_limit_names_the_field_the_limit_what_was_entered_and_the_fix() -> None:
    problem = FieldProblem(
        "assessment.lesions[0].width_mm",
        "Input should be less than or equal to 50 (got 150.0)",
        "see docs/case-format.md",
    )
    assert said(problem, WHERE) == (
        "Scar group 1 (left cheek, rolling), width (mm): must be 50 or less (you entered 150); "
        "correct it and save again."
    )
    assert said_at_field(problem, WHERE) == (
        "must be 50 or less (you entered 150); correct it and save again."
    )


def test_the_qualitative_warning_asks_for_what_the_form_records() -> None:
    text = (
        "assessment.lesions[0]: visible_at_50cm, covered_by_makeup, distensible not recorded; "
        "inferred for the qualitative grade (visible at 50 cm: yes, flattens on stretching: yes)"
    )
    assert warning_problem(text) == FieldProblem("assessment.lesions[0]", text.split(": ", 1)[1])
    assert said_warning(text, WHERE) == (
        "Scar group 1 (left cheek, rolling): record whether it is visible at 50 cm, covered by "
        "make-up and distensible — needed for the Goodman & Baron qualitative grade."
    )
    only = "assessment.lesions[0]: distensible not recorded; inferred for the qualitative grade"
    assert said_warning(only, WHERE).endswith(
        "record whether it is distensible — needed for the Goodman & Baron qualitative grade."
    )


def test_other_warnings_and_messages_lose_their_ids_and_documentation_pointers() -> None:
    unknown = said_warning("patient.fitzpatrick: skin type unknown; give fitzpatrick or ...")
    assert unknown.startswith("Skin type (Fitzpatrick): not recorded — record it")
    unstated = said_warning(
        "patient: not stated, assumed 'no' or 'none': anticoagulants, pregnant; confirm before "
        "any procedure"
    )
    assert unstated == (
        "Medical history: not asked yet, taken as no: takes anticoagulants and pregnant — ask "
        "the patient and record the answers on the intake form before any procedure."
    )
    extra = said(
        FieldProblem(
            "patient.colour_of_eyes",
            "Extra inputs are not permitted",
            "remove it, or check its spelling against docs/case-format.md",
        )
    )
    assert extra == "Colour of eyes: is not a field this form has."
    choice = said(
        FieldProblem("lesions[0].type", "Input should be 'ice_pick', 'boxcar' or 'rolling'", ""),
        WHERE,
    )
    assert (
        choice
        == "Scar group 1 (left cheek, rolling), scar type: choose Ice pick, Boxcar or Rolling."
    )
