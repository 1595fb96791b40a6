"""Session lengths and device needs when the instance does not give them."""

from __future__ import annotations

from dataclasses import replace

from scarplan.domain.vocabulary import Modality
from scarplan.knowledge import KnowledgeBase
from scarplan.knowledge.schema.common import CitedRange
from scarplan.scheduling.defaults import (
    CONVENTIONAL_SESSION_MINUTES,
    device_kind,
    device_procedures,
    room_accepts,
    session_minutes,
)
from scarplan.scheduling.model import Device, Room
from unit.scheduling.helpers import instance, patient, session


def test_every_procedure_has_a_conventional_length() -> None:
    assert set(CONVENTIONAL_SESSION_MINUTES) == set(Modality)


def test_length_comes_from_the_session_then_the_clinic_then_the_convention(
    knowledge: KnowledgeBase,
) -> None:
    problem = instance(
        [
            patient(
                "p1",
                session("own", "subcision", duration_minutes=90),
                session("clinic", "subcision"),
                session("convention", "tca_cross"),
            )
        ],
        durations={"subcision": 120},
    )
    own, clinic, convention = problem.patients[0].sessions
    assert session_minutes(own, problem, knowledge) == 90
    assert session_minutes(clinic, problem, knowledge) == 120
    assert session_minutes(convention, problem, knowledge) == 30


def test_a_published_length_wins_over_the_convention_and_rounds_up_to_slots(
    knowledge: KnowledgeBase,
) -> None:
    entry = knowledge.modalities[Modality.TCA_CROSS]
    published = entry.model_copy(
        update={"duration_minutes": CitedRange(min=40, max=60, sources=("KHUNGER2011",))}
    )
    modalities = {**knowledge.modalities, Modality.TCA_CROSS: published}
    changed = replace(knowledge, modalities=modalities)
    problem = instance([patient("p1", session("s1"))], slot=15)
    assert session_minutes(problem.patients[0].sessions[0], problem, changed) == 45


def test_devices_follow_the_knowledge_base(knowledge: KnowledgeBase) -> None:
    assert device_kind(Modality.FRACTIONAL_CO2, knowledge) == "co2_laser"
    assert device_kind(Modality.TCA_CROSS, knowledge) is None
    laser = Device(id="co2-1", kind="co2_laser")
    assert device_procedures(laser, knowledge) == frozenset({Modality.FRACTIONAL_CO2})
    listed = Device(id="combo", kind="co2_laser", procedures=[Modality.FRACTIONAL_ERBIUM])
    assert device_procedures(listed, knowledge) == frozenset({Modality.FRACTIONAL_ERBIUM})


def test_a_room_without_a_list_takes_any_procedure() -> None:
    assert room_accepts(Room(id="r"), Modality.SUBCISION)
    laser_room = Room(id="laser", procedures=[Modality.FRACTIONAL_CO2])
    assert room_accepts(laser_room, Modality.FRACTIONAL_CO2)
    assert not room_accepts(laser_room, Modality.SUBCISION)
