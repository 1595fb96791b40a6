"""The one JSON reader: every document from outside names its field or file, and a syntax
error its line and column; every reader of JSON in scarplan goes through it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scarplan.adapters.casefile import parse_case_text, read_case_file
from scarplan.adapters.db.backup.manifest import manifest_anchor
from scarplan.adapters.fhir import read_json
from scarplan.domain.errors import FieldProblem, InputError
from scarplan.domain.json_text import MAX_JSON_DEPTH, load_json
from scarplan.imaging.io import parse_sidecar
from scarplan.services.scheduling import load_instance

BROKEN = '{\n  "a": 1,\n  "b": }'
"""Line 3, column 8: the value of "b" is missing."""


def refusal(text: bytes | str, **names: str) -> InputError:
    with pytest.raises(InputError) as raised:
        load_json(text, **{"path": "metadata", "what": "photo's metadata", **names})
    return raised.value


def test_valid_json_is_read_from_text_and_bytes() -> None:
    assert load_json('{"a": [1, 2]}', path="x", what="y") == {"a": [1, 2]}
    assert load_json(b'{"a": "\xc3\xa9"}', path="x", what="y") == {"a": "é"}


def test_a_syntax_error_names_the_field_the_line_and_the_column() -> None:
    error = refusal(BROKEN)
    assert error.message == "the photo's metadata is not valid JSON"
    assert error.problems == (
        FieldProblem("metadata", "line 3, column 8: Expecting value", "fix the JSON"),
    )
    assert refusal(BROKEN, hint="send it again").problems[0].hint == "send it again"


def test_bytes_that_are_not_utf8_are_named_not_a_500() -> None:
    error = refusal(b'{"a": "\xff"}')
    assert error.message == "the photo's metadata is not UTF-8 text"
    assert error.problems[0].path == "metadata"
    assert error.problems[0].message.startswith("is not UTF-8")


def test_text_nested_too_deeply_is_refused_before_parsing() -> None:
    error = refusal("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1))
    assert error.message == "the photo's metadata is nested too deeply"
    assert error.problems[0].path == "metadata"


def test_a_json_case_file_names_the_file_the_line_and_the_column(tmp_path: Path) -> None:
    case = tmp_path / "case.json"
    case.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_case_file(case, date(2026, 12, 1))
    assert raised.value.problems == (
        FieldProblem(str(case), "line 3, column 8: Expecting value", "fix the syntax"),
    )


def test_a_yaml_case_file_gives_its_positions_the_same_way(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        parse_case_text("scarplan_case: 1\npatient: {id: [x\n", date(2026, 12, 1), source="c.yaml")
    (problem,) = raised.value.problems
    assert problem.path == "c.yaml"
    assert problem.message.startswith("line 3, column 1: ")


def test_a_scheduling_instance_file_is_named(tmp_path: Path) -> None:
    instance = tmp_path / "instance.json"
    instance.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_instance(instance)
    assert raised.value.problems[0] == FieldProblem(
        str(instance), "line 3, column 8: Expecting value", "fix the syntax"
    )


def test_a_fhir_bundle_and_a_sidecar_name_their_positions() -> None:
    with pytest.raises(InputError) as bundle:
        read_json(BROKEN)
    assert bundle.value.problems[0].message == "line 3, column 8: Expecting value"
    with pytest.raises(InputError) as sidecar:
        parse_sidecar(BROKEN.encode())
    assert sidecar.value.problems[0].path == "sidecar"
    assert sidecar.value.problems[0].message == "line 3, column 8: Expecting value"
    assert sidecar.value.problems[0].hint.startswith('e.g. {"scarplan_height_map"')


def test_a_backup_manifest_that_is_not_json_is_named_with_its_position(tmp_path: Path) -> None:
    manifest = tmp_path / "clinic.backup.manifest.json"
    manifest.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        manifest_anchor(manifest)
    assert raised.value.problems[0].path == str(manifest)
    assert raised.value.problems[0].message == (
        "is not a backup manifest (line 3, column 8: Expecting value)"
    )
