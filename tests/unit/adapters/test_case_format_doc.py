"""docs/case-format.md documents every field of the case schema (docs are part of the code)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from scarplan.adapters.casefile.schema import (
    AssessmentIn,
    AvoidIn,
    BudgetIn,
    CaseFileV1,
    IsotretinoinIn,
    LesionIn,
    MacularIn,
    PatientIn,
    PreferencesIn,
)

DOC = (Path(__file__).parents[3] / "docs" / "case-format.md").read_text()


def test_every_schema_field_is_documented() -> None:
    prefixes: dict[type[BaseModel], str] = {
        CaseFileV1: "",
        PatientIn: "",
        IsotretinoinIn: "isotretinoin.",
        PreferencesIn: "",
        BudgetIn: "budget.",
        AvoidIn: "avoid[].",
        AssessmentIn: "",
        LesionIn: "",
        MacularIn: "",
    }
    missing = []
    for model, prefix in prefixes.items():
        for name, field in model.model_fields.items():
            key = field.alias or name
            if f"| `{prefix}{key}` |" not in DOC:
                missing.append(f"{model.__name__}.{key}")
    assert not missing, missing
