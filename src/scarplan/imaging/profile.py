"""The cross-section of a depression, named the way the reference describes scars.

- V-shaped: a pointed bottom and no floor (ice pick: "V-shaped", FABB2010 / GB-QUAL);
- flat floor: a floor with steep walls (boxcar: "sharp vertical walls ... U-shaped", FABB2010);
- sloping: walls that slope gently, no pointed bottom (rolling: "undulating", soft edges).

Each is a soft membership in [0, 1] built from three measurements, so borderline scars get
borderline scores instead of a coin flip at a hard cut-off.
"""

from __future__ import annotations

import math
from enum import StrEnum

from scarplan.imaging.parameters import AnalysisParameters


class ProfileShape(StrEnum):
    V_SHAPED = "v_shaped"
    FLAT_FLOOR = "flat_floor"
    SLOPING = "sloping"


def logistic(value: float) -> float:
    if value < -60:
        return 0.0
    return 1.0 / (1.0 + math.exp(-value))


def profile_memberships(
    apex_slope_deg: float,
    wall_slope_deg: float,
    floor_flatness: float,
    params: AnalysisParameters,
) -> dict[ProfileShape, float]:
    """How well each named cross-section describes the measurements; the three sum to 1."""
    sharp = logistic((apex_slope_deg - params.sharp_apex_deg) / params.apex_softness_deg)
    steep = logistic((wall_slope_deg - params.steep_wall_deg) / params.wall_softness_deg)
    flat = logistic((floor_flatness - params.flat_floor_fraction) / params.flatness_softness)
    raw = {
        ProfileShape.V_SHAPED: sharp * (1.0 - flat),
        ProfileShape.FLAT_FLOOR: steep * flat * (1.0 - sharp),
        ProfileShape.SLOPING: (1.0 - steep) * (1.0 - sharp),
    }
    total = sum(raw.values())
    if total <= 0.0:
        return {shape: 1.0 / len(raw) for shape in raw}
    return {shape: value / total for shape, value in raw.items()}


def dominant(memberships: dict[ProfileShape, float]) -> ProfileShape:
    return max(memberships, key=lambda shape: memberships[shape])
