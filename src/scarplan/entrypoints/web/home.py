"""Where each signed-in role starts: the logo's link, and the way back from any refused page."""

from __future__ import annotations

from scarplan.services.clinic.core.access import Role
from scarplan.services.clinic.core.context import Actor

PORTAL = "/portal"


def home_of(actor: Actor) -> str:
    """A portal patient starts on their portal, a researcher (who has no patient pages) on the
    research export, the front desk on the day's appointments, everyone else on the patient
    list."""
    if actor.role == Role.PATIENT:
        return PORTAL
    if actor.role == Role.STAFF:
        return "/desk"
    return "/research" if actor.role == Role.RESEARCHER else "/patients"


def is_patient(actor: Actor | None) -> bool:
    return actor is not None and actor.role == Role.PATIENT
