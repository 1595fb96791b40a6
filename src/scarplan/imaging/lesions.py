"""Turn an analysis into lesion groups of one face region, as a case file's assessment holds.

One group per scar type found: its count, the median opening width and depth (mm, two
decimals), and the edges: `sharp` when most of its scars have steep walls (V-shaped or flat
floor), `sloped` when most slope; a tie goes by the median wall slope.
"""

from __future__ import annotations

import statistics

from scarplan.domain.case import LesionGroup
from scarplan.domain.vocabulary import EdgeProfile, Region
from scarplan.imaging.analyze import Analysis, Scar
from scarplan.imaging.profile import ProfileShape
from scarplan.imaging.scar_typing import TYPED


def to_lesion_groups(analysis: Analysis, region: Region) -> tuple[LesionGroup, ...]:
    groups = []
    for scar_type in TYPED:
        scars = [scar for scar in analysis.scars if scar.call.type is scar_type]
        if not scars:
            continue
        groups.append(
            LesionGroup(
                region=region,
                count=len(scars),
                type=scar_type,
                width_mm=round(statistics.median(s.measurement.diameter_mm for s in scars), 2),
                depth_mm=round(statistics.median(s.measurement.depth_mm for s in scars), 2),
                edges=_edges(scars, analysis.parameters.steep_wall_deg),
            )
        )
    return tuple(groups)


def _edges(scars: list[Scar], steep_wall_deg: float) -> EdgeProfile:
    sloping = sum(1 for scar in scars if scar.measurement.profile is ProfileShape.SLOPING)
    steep = len(scars) - sloping
    if steep != sloping:
        return EdgeProfile.SHARP if steep > sloping else EdgeProfile.SLOPED
    walls = statistics.median(scar.measurement.wall_slope_deg for scar in scars)
    return EdgeProfile.SHARP if walls >= steep_wall_deg else EdgeProfile.SLOPED
