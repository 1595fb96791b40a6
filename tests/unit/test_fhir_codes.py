"""The local code systems hold every id of the shared vocabulary and of the clinic's inputs,
and docs/fhir.md lists every code system."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import pytest

from scarplan.adapters.fhir import codes
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
from scarplan.services.clinic.core.inputs import (
    AdverseEventKind,
    ConsentScope,
    PhotoAngle,
    SessionParameters,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "fhir.md"


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("scar-type", ScarType),
        ("region", Region),
        ("modality", Modality),
        ("agent", Agent),
        ("fitzpatrick-type", Fitzpatrick),
        ("adverse-event", AdverseEventKind),
        ("photo-angle", PhotoAngle),
        ("photo-consent", ConsentScope),
        ("condition", MedicalCondition),
        ("allergy", Allergy),
        ("implant", Implant),
        ("medication-class", Medication),
    ],
)
def test_a_code_system_has_exactly_the_vocabulary_ids(name: str, ids: type[StrEnum]) -> None:
    assert set(codes.SYSTEMS[codes.system(name)]) == {i.value for i in ids}


def test_an_earlier_procedure_is_a_procedure_or_a_permanent_filler() -> None:
    assert set(codes.SYSTEMS[codes.system("prior-procedure")]) == {PERMANENT_FILLER}
    assert PERMANENT_FILLER not in codes.SYSTEMS[codes.system("modality")]


def test_standard_codes_of_the_history_are_listed_in_the_docs() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for system, code, display in [*codes.CONDITION_SNOMED.values(), *codes.ALLERGY_SNOMED.values()]:
        assert system == codes.SNOMED
        assert f"SNOMED CT {code}" in text, code
        assert display in text, display


def test_every_recorded_session_parameter_has_a_code_and_a_ucum_unit_or_a_type() -> None:
    assert set(codes.SESSION_PARAMETERS) == set(SessionParameters.model_fields)
    for name, spec in codes.SESSION_PARAMETERS.items():
        assert spec.unit is not None or spec.text or spec.integer, name
        if name.endswith("_mm"):
            assert spec.unit == "mm"


def test_displays_are_written_out() -> None:
    for url, table in codes.SYSTEMS.items():
        assert url.startswith("https://scarplan.org/fhir/CodeSystem/")
        for code, display in table.items():
            assert display.strip(), (url, code)
            assert display != code, (url, code)


def test_docs_list_every_local_code_system_and_extension() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for url in [*codes.SYSTEMS, *codes.EXTENSIONS]:
        assert url in text, url


def test_every_scarplan_extension_is_under_the_one_base() -> None:
    assert len(set(codes.EXTENSIONS)) == len(codes.EXTENSIONS)
    for url in codes.EXTENSIONS:
        assert url.startswith("https://scarplan.org/fhir/StructureDefinition/"), url
