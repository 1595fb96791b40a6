"""Areal roughness of a surface (ISO 25178 Sa and Sq), in micrometres.

Computed on the form-removed surface (the F-operator is levelling plus the form polynomial;
no further L-filter), over every measured pixel including the scars: it describes the whole
map as measured, the way a device's own software would report it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scarplan.imaging.heightmap import FloatArray

UM_PER_MM = 1000.0


@dataclass(frozen=True)
class Roughness:
    sa_um: float
    """Arithmetic mean height: mean absolute deviation from the mean plane."""
    sq_um: float
    """Root mean square height."""


def areal_roughness(surface_mm: FloatArray) -> Roughness:
    """Sa and Sq of heights in mm (NaN ignored); the mean is removed first."""
    values = surface_mm[np.isfinite(surface_mm)]
    if values.size == 0:
        return Roughness(0.0, 0.0)
    deviations = values - values.mean()
    sa = float(np.abs(deviations).mean())
    sq = float(np.sqrt(np.dot(deviations, deviations) / deviations.size))
    return Roughness(sa * UM_PER_MM, sq * UM_PER_MM)
