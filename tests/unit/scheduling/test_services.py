"""The scheduling use cases: reading instances and previous results, generating instances."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest

from scarplan.domain.errors import InputError
from scarplan.domain.vocabulary import Modality
from scarplan.knowledge import KnowledgeBase
from scarplan.services.scheduling import (
    generate_instance,
    instance_json,
    load_instance,
    load_previous,
    result_json,
    schedule_instance,
)
from scarplan.settings import Settings
from unit.scheduling.helpers import instance, patient, session

PUNCH = {Modality.PUNCH_EXCISION, Modality.PUNCH_ELEVATION, Modality.PUNCH_GRAFTING}


def test_a_syntax_error_names_line_and_column() -> None:
    with pytest.raises(InputError) as raised:
        load_instance('{\n  "version": 1,\n  "horizon": }')
    (problem,) = raised.value.problems
    assert problem.message == "line 3, column 14: Expecting value"
    assert raised.value.message == "the instance is not valid JSON"


def test_a_missing_or_unknown_version_is_named() -> None:
    for text in ("{}", '{"version": 2}', "[]"):
        with pytest.raises(InputError) as raised:
            load_instance(text)
        assert raised.value.problems[0].path in {"version", "(top level)"}


def test_previous_bookings_are_read_from_a_result_or_a_list() -> None:
    booking = {
        "session": "s1",
        "patient": "p1",
        "date": "2027-01-04",
        "start": "09:00",
        "end": "09:30",
        "practitioner": "dr-a",
        "device": None,
        "room": "r1",
    }
    assert load_previous(json.dumps({"assignments": [booking]}))
    with pytest.raises(InputError) as raised:
        load_previous('[{"session": "s1"}]')
    assert raised.value.problems[0].path.startswith("assignments[0].")


def test_the_settings_give_the_limit_unless_overridden(knowledge: KnowledgeBase) -> None:
    problem = instance([patient("p1", session("s1"))])
    result = schedule_instance(problem, knowledge, Settings(schedule_workers=1))
    assert result_json(result)["objective"]["scheduled"] == 1
    with pytest.raises(InputError):
        schedule_instance(problem, knowledge, Settings(), time_limit_s=0)


def test_generated_instances_follow_the_standard_clinic(knowledge: KnowledgeBase) -> None:
    settings = Settings()
    made = generate_instance(6, 3, knowledge, settings, date(2027, 1, 4))
    assert made == generate_instance(6, 3, knowledge, settings, date(2027, 1, 4))
    assert len(made.patients) == 6
    assert made.horizon.days == 182
    resources = made.resources
    punch = [p.id for p in resources.practitioners if set(p.procedures) >= PUNCH]
    assert (len(resources.practitioners), len(punch)) == (3, 2)
    assert any("sat" in p.hours for p in resources.practitioners)
    assert Counter(d.kind for d in resources.devices) == {"co2_laser": 1, "rf_device": 1}
    assert len(resources.rooms) == 4
    for request in made.patients:
        first, *later = request.sessions
        assert first.min_days_after_previous is None
        assert all(s.min_days_after_previous is not None for s in later)
        assert all(made.horizon.start <= s.ideal <= made.end for s in request.sessions if s.ideal)
    assert instance_json(made)["version"] == 1
    with pytest.raises(InputError):
        generate_instance(0, 1, knowledge, settings, date(2027, 1, 4))
