"""What a session needs when the instance does not say: its length and its device.

Length: the session's own `duration_minutes`, else the instance's `durations`, else the knowledge
base's `duration_minutes` (its lower end), else `CONVENTIONAL_SESSION_MINUTES`. Defaults are
rounded up to whole slots; lengths the clinic writes must be whole slots already (validate.py).

Device: a session needs one exactly when its procedure's knowledge-base entry names a device
kind; any clinic device whose procedures include it will do.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from scarplan.domain.vocabulary import Modality
from scarplan.knowledge import KnowledgeBase
from scarplan.scheduling.model import Device, Instance, Room, SessionRequest

CONVENTIONAL_SESSION_MINUTES: Mapping[Modality, int] = {
    Modality.TCA_CROSS: 30,
    Modality.PUNCH_EXCISION: 45,
    Modality.PUNCH_ELEVATION: 45,
    Modality.PUNCH_GRAFTING: 60,
    Modality.SUBCISION: 45,
    Modality.MICRONEEDLING: 45,
    Modality.RF_MICRONEEDLING: 60,
    Modality.FRACTIONAL_CO2: 60,
    Modality.FRACTIONAL_ERBIUM: 60,
    Modality.ABLATIVE_RESURFACING: 90,
    Modality.NONABLATIVE_FRACTIONAL: 45,
    Modality.CHEMICAL_PEEL_MEDIUM: 45,
    Modality.CHEMICAL_PEEL_DEEP: 90,
    Modality.DERMABRASION: 90,
    Modality.HA_FILLER: 30,
    Modality.BIOSTIMULATORY_FILLER: 45,
    Modality.PRP: 30,
}
"""Scheduling convention, not a clinical fact: minutes a treatment room and practitioner are
taken per session (numbing, procedure, aftercare talk). No cited source gives session lengths;
each clinic sets its own in the instance's `durations`."""


def session_minutes(session: SessionRequest, instance: Instance, knowledge: KnowledgeBase) -> int:
    """The minutes a session takes, in whole slots."""
    if session.duration_minutes is not None:
        return session.duration_minutes
    clinic = instance.durations.get(session.procedure)
    if clinic is not None:
        return clinic
    published = knowledge.modalities[session.procedure].duration_minutes
    if published is not None and published.min is not None:
        minutes = published.min
    else:
        minutes = CONVENTIONAL_SESSION_MINUTES[session.procedure]
    slot = instance.slot_minutes
    return math.ceil(minutes / slot) * slot


def device_kind(procedure: Modality, knowledge: KnowledgeBase) -> str | None:
    """The kind of device the procedure needs, or None."""
    return knowledge.modalities[procedure].device


def device_procedures(device: Device, knowledge: KnowledgeBase) -> frozenset[Modality]:
    if device.procedures is not None:
        return frozenset(device.procedures)
    return frozenset(m for m, entry in knowledge.modalities.items() if entry.device == device.kind)


def room_accepts(room: Room, procedure: Modality) -> bool:
    return room.procedures is None or procedure in room.procedures
