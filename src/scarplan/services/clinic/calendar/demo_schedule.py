"""The demo clinic's scheduling set-up: three practitioners (two do punch techniques), one CO2
laser, one RF microneedling device, four rooms, all named; opening hours Monday to Friday
08:00-18:00 and Saturday morning. Invented for the demo, like its patients. The demo seeds a
day off on top (demo_clinic), dated from the day it runs."""

from __future__ import annotations

from typing import Any

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
_ALL_BUT_PUNCH = [
    "tca_cross",
    "subcision",
    "microneedling",
    "rf_microneedling",
    "fractional_co2",
    "fractional_erbium",
    "nonablative_fractional",
    "chemical_peel_medium",
    "ha_filler",
    "biostimulatory_filler",
    "prp",
]
_PUNCH = ["punch_excision", "punch_elevation", "punch_grafting"]
_DEEP = ["ablative_resurfacing", "chemical_peel_deep", "dermabrasion"]


def _hours(start: str, end: str, days: tuple[str, ...] = _WEEKDAYS) -> dict[str, Any]:
    return {day: [{"start": start, "end": end}] for day in days}


DEMO_SCHEDULE: dict[str, Any] = {
    "slot_minutes": 15,
    "resources": {
        "practitioners": [
            {
                "id": "dr-lee",
                "name": "Dr Lee",
                "procedures": [*_ALL_BUT_PUNCH, *_PUNCH, *_DEEP],
                "hours": _hours("09:00", "17:00"),
            },
            {
                "id": "dr-okafor",
                "name": "Dr Okafor",
                "procedures": [*_ALL_BUT_PUNCH, *_PUNCH],
                "hours": {
                    **_hours("08:00", "16:00", ("mon", "tue", "wed", "thu")),
                    "sat": [{"start": "09:00", "end": "13:00"}],
                },
            },
            {
                "id": "nurse-silva",
                "name": "Nurse Silva",
                "procedures": ["microneedling", "rf_microneedling", "chemical_peel_medium", "prp"],
                "hours": _hours("10:00", "18:00"),
            },
        ],
        "devices": [
            {"id": "co2-1", "name": "CO2 laser", "kind": "co2_laser"},
            {"id": "rf-1", "name": "RF microneedling device", "kind": "rf_device"},
        ],
        "rooms": [
            {"id": "room-1", "name": "Treatment room 1"},
            {"id": "room-2", "name": "Treatment room 2"},
            {"id": "room-3", "name": "Treatment room 3"},
            {
                "id": "laser-room",
                "name": "Laser room",
                "procedures": ["fractional_co2", "fractional_erbium"],
            },
        ],
    },
    "durations": {},
    "opening_hours": {
        **{day: {"start": "08:00", "end": "18:00"} for day in _WEEKDAYS},
        "sat": {"start": "09:00", "end": "13:00"},
    },
}
