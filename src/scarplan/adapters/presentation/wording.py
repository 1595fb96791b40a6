"""People's words for vocabulary ids, and the money and date formats every page and report
uses."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from scarplan.adapters.fhir.codes import ADVERSE_EVENTS, SESSION_PARAMETERS
from scarplan.domain.vocabulary import Modality, Region

REGION_LABELS = {
    Region.FOREHEAD: "Forehead",
    Region.TEMPLE_LEFT: "Left temple",
    Region.TEMPLE_RIGHT: "Right temple",
    Region.NOSE: "Nose",
    Region.CHEEK_LEFT: "Left cheek",
    Region.CHEEK_RIGHT: "Right cheek",
    Region.PERIORAL: "Around the mouth",
    Region.CHIN: "Chin",
    Region.JAW_LEFT: "Left jaw",
    Region.JAW_RIGHT: "Right jaw",
}

MODALITY_LABELS = {
    Modality.TCA_CROSS: "TCA CROSS",
    Modality.PUNCH_EXCISION: "Punch excision",
    Modality.PUNCH_ELEVATION: "Punch elevation",
    Modality.PUNCH_GRAFTING: "Punch grafting",
    Modality.SUBCISION: "Subcision",
    Modality.MICRONEEDLING: "Microneedling",
    Modality.RF_MICRONEEDLING: "RF microneedling",
    Modality.FRACTIONAL_CO2: "Fractional CO2 laser",
    Modality.FRACTIONAL_ERBIUM: "Fractional erbium laser",
    Modality.ABLATIVE_RESURFACING: "Fully ablative resurfacing",
    Modality.NONABLATIVE_FRACTIONAL: "Non-ablative fractional laser",
    Modality.CHEMICAL_PEEL_MEDIUM: "Medium-depth peel",
    Modality.CHEMICAL_PEEL_DEEP: "Deep peel",
    Modality.DERMABRASION: "Dermabrasion",
    Modality.HA_FILLER: "Hyaluronic acid filler",
    Modality.BIOSTIMULATORY_FILLER: "Biostimulatory filler",
    Modality.PRP: "Platelet-rich plasma",
}


PARAMETER_LABELS = {
    name: f"{spec.display} ({spec.unit})" if spec.unit else spec.display
    for name, spec in SESSION_PARAMETERS.items()
}
"""Session parameters as the session form and list name them, from their one definition (the
FHIR code table: display and unit): "TCA concentration (%)", "Pulse energy (mJ)"."""

ADVERSE_EVENT_LABELS = dict(ADVERSE_EVENTS)
"""Adverse event kinds: "Post-inflammatory hyperpigmentation (PIH)"."""

# By id string: pages call `label` thousands of times, so one dictionary look-up each.
_LABELS: dict[str, str] = {
    **{key.value: shown for key, shown in REGION_LABELS.items()},
    **{key.value: shown for key, shown in MODALITY_LABELS.items()},
    **PARAMETER_LABELS,
    **ADVERSE_EVENT_LABELS,
}


def label(value: object) -> str:
    """A person's word for a vocabulary id (region, procedure, scar type or other id)."""
    text = str(value)
    shown = _LABELS.get(text)
    return shown if shown is not None else text.replace("_", " ").capitalize()


def money(amount: Decimal | float | None, currency: str = "") -> str:
    if amount is None:
        return "not priced"
    return f"{currency} {Decimal(str(amount)):,.0f}".strip()


def day(value: date | datetime | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.strftime("%d %b %Y")


_SETTINGS_HINT = re.compile(r";?\s*set the clinic's prices \(SCARPLAN_PRICES\)\.?", re.IGNORECASE)


def plan_note(note: str) -> str:
    """A plan's note for the clinic's screens. Plans made before the clinic price list told the
    reader to set an environment variable; the page says where prices are set instead."""
    shown = _SETTINGS_HINT.sub("", note).rstrip()
    return shown if shown.endswith(".") or not shown else shown + "."
