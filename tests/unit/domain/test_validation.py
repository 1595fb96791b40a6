"""The one rule for validator errors as field problems: path, message, what was given, fix."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator

from scarplan.adapters.presentation.words import said
from scarplan.domain.errors import FieldProblem
from scarplan.domain.validation import clean_location, field_path, field_problems


class Lesion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: str = Field(pattern=r"^[a-z_]+$")
    count: StrictInt = Field(ge=1, le=500)
    width_mm: float | None = Field(None, gt=0, le=50)


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    patient_id: str = Field(max_length=8)
    lesions: list[Lesion] = Field(max_length=3)
    password: str = ""

    @field_validator("patient_id")
    @classmethod
    def _no_spaces(cls, value: str) -> str:
        if " " in value:
            raise ValueError("has a space; write the code without spaces")
        return value


def problems(raw: dict[str, Any], **options: Any) -> list[FieldProblem]:
    with pytest.raises(ValidationError) as caught:
        Case.model_validate(raw)
    return field_problems(caught.value, **options)


VALID_LESION = {"region": "cheek_left", "count": 3}


def test_a_missing_field_is_named_by_its_path_and_required() -> None:
    assert problems({"lesions": []}) == [
        FieldProblem("patient_id", "Field required", "this field is required")
    ]


def test_a_wrong_type_repeats_what_was_given_and_says_what_to_write() -> None:
    found = problems({"patient_id": "P1", "lesions": [{"region": "nose", "count": "many"}]})
    assert found == [
        FieldProblem(
            "lesions[0].count",
            "Input should be a valid integer (got 'many')",
            "write a whole number",
        )
    ]


def test_out_of_range_gives_the_limit_as_the_fix() -> None:
    found = problems(
        {"patient_id": "P1", "lesions": [VALID_LESION, {**VALID_LESION, "count": 900}]}
    )
    assert found == [
        FieldProblem(
            "lesions[1].count",
            "Input should be less than or equal to 500 (got 900)",
            "use 500 or less",
        )
    ]
    low = problems({"patient_id": "P1", "lesions": [{**VALID_LESION, "width_mm": 0}]})
    assert low == [
        FieldProblem(
            "lesions[0].width_mm", "Input should be greater than 0 (got 0)", "use more than 0"
        )
    ]


def test_an_extra_field_is_refused_with_the_docs_that_list_the_fields() -> None:
    found = problems(
        {"patient_id": "P1", "lesions": [], "colour": "red"}, docs="docs/case-format.md"
    )
    assert found == [
        FieldProblem(
            "colour",
            "Extra inputs are not permitted (got 'red')",
            "remove it, or check its spelling against docs/case-format.md",
        )
    ]
    assert problems({"patient_id": "P1", "lesions": [], "x": 1})[0].hint == "remove it"


def test_nested_list_positions_and_a_prefix_make_one_dotted_path() -> None:
    raw = {"patient_id": "P1", "lesions": [VALID_LESION, {"count": 2, "shade": "dark"}]}
    found = problems(raw, prefix="assessment")
    assert [p.path for p in found] == [
        "assessment.lesions[1].region",
        "assessment.lesions[1].shade",
    ]


def test_a_validator_message_loses_the_validator_prefix() -> None:
    found = problems({"patient_id": "P 1", "lesions": []})
    assert found == [
        FieldProblem("patient_id", "has a space; write the code without spaces (got 'P 1')", "")
    ]


def test_too_long_text_and_lists_name_their_limit() -> None:
    found = problems({"patient_id": "P" * 9, "lesions": [VALID_LESION] * 4})
    assert [p.hint for p in found] == ["shorten it to 8 characters", "give at most 3 items"]
    assert found[0].message == "String should have at most 8 characters (got 'PPPPPPPPP')"


def test_long_values_passwords_and_hidden_inputs_are_never_repeated() -> None:
    long_id = problems({"patient_id": "P" * 200, "lesions": []})
    assert long_id[0].message == "String should have at most 8 characters"
    secret = problems({"patient_id": "P1", "lesions": [], "password": 1234})
    assert secret == [FieldProblem("password", "Input should be a valid string", "write text")]
    hidden = problems({"patient_id": "P1", "lesions": "none"}, show_input=False)
    assert hidden == [FieldProblem("lesions", "Input should be a valid list", "give a list")]


def test_unknown_kinds_point_at_the_docs() -> None:
    odd = problems(
        {"patient_id": "P1", "lesions": [{**VALID_LESION, "region": "Nose"}]}, docs="docs/x.md"
    )
    assert odd == [
        FieldProblem(
            "lesions[0].region",
            "String should match pattern '^[a-z_]+$' (got 'Nose')",
            "see docs/x.md",
        )
    ]
    assert problems({"patient_id": "P1", "lesions": [7]})[0].hint == "give a mapping of keys"


def test_a_caller_can_write_the_location_its_own_way() -> None:
    found = problems({"lesions": []}, locate=lambda loc: f"ENV_{field_path(loc).upper()}")
    assert [p.path for p in found] == ["ENV_PATIENT_ID"]


def test_request_parts_and_validator_tags_are_not_part_of_the_path() -> None:
    assert clean_location(("body", "patient", "function-after[x]", "conditions", 1)) == (
        "patient",
        "conditions",
        1,
    )
    assert clean_location(("tagged-union[A,B]", "lesions", 0, "list[int]")) == ("lesions", 0)
    assert field_path(("lesions", 0, "region")) == "lesions[0].region"
    assert field_path((0, "region")) == "[0].region"


@pytest.mark.parametrize(
    ("raw", "sentence"),
    [
        ({"lesions": []}, "Patient id: is required."),
        (
            {"patient_id": "P1", "lesions": [{"region": "nose", "count": 900}]},
            "Scar group 1, number of scars: must be 500 or less (you entered 900); "
            "correct it and save again.",
        ),
    ],
)
def test_pages_still_put_the_problem_into_words(raw: dict[str, Any], sentence: str) -> None:
    # The words for pages read the message and its "(got ...)" as written here.
    assert said(problems(raw)[0]) == sentence
