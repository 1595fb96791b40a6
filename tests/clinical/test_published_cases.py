"""Structural checks of ``published_cases.yaml`` (issue 19): it loads, has enough entries,
unique ids, known sources, and only valid modality, scar type, skin type and lesion values.
No planning here, so these run even while the planner is broken."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
import yaml

from scarplan.adapters.casefile import parse_case_text
from scarplan.domain.vocabulary import (
    ATROPHIC_SCAR_TYPES,
    EdgeProfile,
    Fitzpatrick,
    Modality,
    ScarType,
)

from .published import TODAY, case_document, load_cases, middle_fitzpatrick, patient_id, source_ids

MIN_ENTRIES = 30
ENTRY_KEYS = {
    "id",
    "source",
    "study",
    "patients",
    "fitzpatrick",
    "scar_types",
    "target",
    "modality",
    "lesion",
}
LESION_KEYS = {"width_mm", "depth_mm", "edges", "distensible"}
ID_PATTERN = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")


def test_published_cases_file_is_well_formed() -> None:
    cases = load_cases()
    assert len(cases) >= MIN_ENTRIES
    ids = [entry["id"] for entry in cases]
    duplicates = [entry_id for entry_id, n in Counter(ids).items() if n > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"
    known_sources = source_ids()
    modalities = {m.value for m in Modality}
    scar_types = {s.value for s in ScarType}
    atrophic = {s.value for s in ATROPHIC_SCAR_TYPES}
    skin_types = {f.value for f in Fitzpatrick}
    for entry in cases:
        name = entry.get("id")
        assert set(entry) == ENTRY_KEYS, (name, sorted(set(entry) ^ ENTRY_KEYS))
        assert isinstance(name, str)
        assert ID_PATTERN.match(name), name
        assert len(patient_id(name)) <= 64, name
        assert entry["source"] in known_sources, (name, entry["source"])
        assert isinstance(entry["study"], str), name
        assert entry["study"].strip(), name
        patients = entry["patients"]
        assert patients is None or (type(patients) is int and patients > 0), (name, patients)
        assert isinstance(entry["fitzpatrick"], list), name
        assert set(entry["fitzpatrick"]) <= skin_types, (name, entry["fitzpatrick"])
        assert len(set(entry["fitzpatrick"])) == len(entry["fitzpatrick"]), name
        assert isinstance(entry["scar_types"], list), name
        assert set(entry["scar_types"]) <= scar_types, (name, entry["scar_types"])
        assert entry["target"] in atrophic, (name, entry["target"])
        if entry["scar_types"]:
            assert entry["target"] in entry["scar_types"], name
        assert entry["modality"] in modalities, (name, entry["modality"])
        _check_lesion(name, entry["lesion"])


def _check_lesion(name: str, lesion: Any) -> None:
    assert isinstance(lesion, dict), name
    assert lesion, name
    assert set(lesion) <= LESION_KEYS, (name, sorted(set(lesion) - LESION_KEYS))
    for key in ("width_mm", "depth_mm"):
        if key in lesion:
            value = lesion[key]
            assert isinstance(value, int | float), (name, key)
            assert not isinstance(value, bool), (name, key)
            assert value > 0, (name, key)
    if "edges" in lesion:
        assert lesion["edges"] in {e.value for e in EdgeProfile}, (name, lesion["edges"])
    if "distensible" in lesion:
        assert isinstance(lesion["distensible"], bool), name


def test_every_entry_makes_a_valid_case() -> None:
    for entry in load_cases():
        case = parse_case_text(yaml.safe_dump(case_document(entry)), TODAY)
        assert case is not None, entry["id"]


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        ([], "III"),
        (["IV", "V"], "IV"),
        (["III", "IV", "V"], "IV"),
        (["I", "II", "III", "IV"], "II"),
        (["I", "II", "III", "IV", "V"], "III"),
    ],
)
def test_middle_fitzpatrick(types: list[str], expected: str) -> None:
    assert middle_fitzpatrick(types) == expected
