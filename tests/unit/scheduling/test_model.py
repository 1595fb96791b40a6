"""The instance format: what the models and `validate` refuse, each naming the JSON path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from scarplan.domain.errors import InputError
from scarplan.knowledge import KnowledgeBase
from scarplan.scheduling.model import Instance, TimeRange
from scarplan.scheduling.schema import instance_schema
from scarplan.scheduling.validate import instance_problems, require_valid
from unit.scheduling.helpers import instance, patient, practitioner, session

DOCS = Path(__file__).resolve().parents[3] / "docs"


def _paths(problem: Instance, knowledge: KnowledgeBase) -> dict[str, str]:
    return {p.path: f"{p.message} ({p.hint})" for p in instance_problems(problem, knowledge)}


def test_a_valid_instance_has_no_problems(knowledge: KnowledgeBase) -> None:
    problem = instance([patient("p1", session("s1"), session("s2", min_days_after_previous=7))])
    assert instance_problems(problem, knowledge) == []


def test_the_first_session_has_no_interval_from_a_previous_one(knowledge: KnowledgeBase) -> None:
    problem = instance(
        [patient("p1", session("s1")), patient("p2", session("s2", min_days_after_previous=3))]
    )
    paths = _paths(problem, knowledge)
    assert "patients[1].sessions[0].min_days_after_previous" in paths
    assert "use `earliest`" in paths["patients[1].sessions[0].min_days_after_previous"]
    with pytest.raises(InputError) as raised:
        require_valid(problem, knowledge)
    assert "patients[1].sessions[0].min_days_after_previous" in str(raised.value)


def test_maximum_below_minimum_is_refused(knowledge: KnowledgeBase) -> None:
    later = session("s2", min_days_after_previous=14, max_days_after_previous=7)
    paths = _paths(instance([patient("p1", session("s1"), later)]), knowledge)
    assert (
        "less than min_days_after_previous"
        in paths["patients[0].sessions[1].max_days_after_previous"]
    )


def test_duplicate_ids_are_refused_where_they_repeat(knowledge: KnowledgeBase) -> None:
    problem = instance(
        [patient("p1", session("s1")), patient("p1", session("s1"))],
        practitioners=[practitioner("dr", ["tca_cross"]), practitioner("dr", ["tca_cross"])],
        rooms=[{"id": "r"}, {"id": "r"}],
    )
    paths = _paths(problem, knowledge)
    assert {
        "patients[1].id",
        "patients[1].sessions[0].id",
        "resources.practitioners[1].id",
        "resources.rooms[1].id",
    } <= set(paths)
    assert "already used at patients[0].sessions[0].id" in paths["patients[1].sessions[0].id"]


def test_lengths_must_be_whole_slots(knowledge: KnowledgeBase) -> None:
    problem = instance(
        [patient("p1", session("s1", duration_minutes=45))], durations={"subcision": 50}
    )
    paths = _paths(problem, knowledge)
    assert "use a multiple of 30" in paths["patients[0].sessions[0].duration_minutes"]
    assert "durations.subcision" in paths


def test_hours_must_be_on_the_slot_grid_and_apart(knowledge: KnowledgeBase) -> None:
    hours = {"mon": [{"start": "09:15", "end": "12:00"}, {"start": "12:00", "end": "13:00"}]}
    problem = instance(
        [patient("p1", session("s1"))],
        practitioners=[practitioner("dr", ["tca_cross"], hours=hours)],
    )
    paths = _paths(problem, knowledge)
    assert "slot grid" in paths["resources.practitioners[0].hours.mon[0].start"]
    assert "merge the two ranges" in paths["resources.practitioners[0].hours.mon[1]"]


def test_a_device_kind_must_be_known_or_its_procedures_listed(knowledge: KnowledgeBase) -> None:
    devices: list[dict[str, Any]] = [
        {"id": "d1", "kind": "time_machine"},
        {"id": "d2", "kind": "co2_laser", "procedures": ["fractional_co2", "tca_cross"]},
    ]
    paths = _paths(instance([patient("p1", session("s1"))], devices=devices), knowledge)
    assert "co2_laser" in paths["resources.devices[0].kind"]
    assert "needs no device" in paths["resources.devices[1].procedures[1]"]


def test_the_slot_must_divide_the_day(knowledge: KnowledgeBase) -> None:
    paths = _paths(instance([patient("p1", session("s1"))], slot=7), knowledge)
    assert set(paths) == {"slot_minutes"}


@pytest.mark.parametrize(
    ("change", "location"),
    [
        ({"version": 2}, ("version",)),
        ({"horizon": {"start": "2027-01-04", "days": 0}}, ("horizon", "days")),
        ({"unknown": 1}, ("unknown",)),
        (
            {"patients": [{"id": "p", "sessions": [{"id": "s", "procedure": "tca"}]}]},
            ("patients", 0, "sessions", 0, "procedure"),
        ),
        ({"slot_minutes": "15"}, ("slot_minutes",)),
    ],
)
def test_the_models_refuse_malformed_fields(change: dict[str, Any], location: tuple[Any]) -> None:
    document = instance([patient("p1", session("s1"))]).model_dump(mode="json") | change
    with pytest.raises(ValidationError) as raised:
        Instance.model_validate(document)
    assert location in [error["loc"][: len(location)] for error in raised.value.errors()]


def test_a_time_range_runs_forwards() -> None:
    with pytest.raises(ValidationError, match="not after start"):
        TimeRange(start="12:00", end="09:00")
    with pytest.raises(ValidationError):
        TimeRange(start="9:00", end="10:00")
    assert TimeRange(start="18:00", end="24:00").minutes == (1080, 1440)


def test_the_committed_schema_is_the_generated_one() -> None:
    committed = json.loads((DOCS / "scheduling.schema.json").read_text(encoding="utf-8"))
    assert committed == instance_schema()
