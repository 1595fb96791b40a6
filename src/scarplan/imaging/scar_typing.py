"""Type a measured depression as ice pick, boxcar or rolling, with a confidence.

Two lines of evidence, combined as a product of soft memberships and normalised:
- width against the knowledge base's thresholds (`TypingThresholds`, cited: ice pick under
  2 mm, boxcar 1.5-4 mm, rolling 4-5 mm or wider [FABB2010, JACOB2001]); widths within
  `width_softness_mm` of a threshold count for both sides, so 1.5-2 mm is left to the shape;
- the cross-section (imaging/profile.py): V-shaped for ice pick, flat floor with steep walls
  for boxcar, sloping for rolling [FABB2010, GB-QUAL];
- rolling scars are shallow: a depth beyond the knowledge base's shallow limit (0.5 mm, the
  shallow boxcar bound [FABB2010]; using it for rolling scars is scarplan's convention)
  halves the rolling score at most.
When width and shape agree the confidence is high; when they disagree it is near 0.5 and the
reasons say why.
"""

from __future__ import annotations

from dataclasses import dataclass

from scarplan.assessment.classify import TypingThresholds
from scarplan.assessment.results import Confidence
from scarplan.domain.vocabulary import ScarType
from scarplan.imaging.measure import ScarMeasurement
from scarplan.imaging.parameters import AnalysisParameters
from scarplan.imaging.profile import ProfileShape, logistic

TYPED = (ScarType.ICE_PICK, ScarType.BOXCAR, ScarType.ROLLING)
SHAPE_OF = {
    ScarType.ICE_PICK: ProfileShape.V_SHAPED,
    ScarType.BOXCAR: ProfileShape.FLAT_FLOOR,
    ScarType.ROLLING: ProfileShape.SLOPING,
}


@dataclass(frozen=True)
class TypeCall:
    type: ScarType
    confidence: float
    """Normalised score of the chosen type, 0.33-1."""
    level: Confidence
    scores: dict[ScarType, float]
    reasons: tuple[str, ...]


def width_memberships(
    width_mm: float, limits: TypingThresholds, softness_mm: float
) -> dict[ScarType, float]:
    def above(threshold: float) -> float:
        return logistic((width_mm - threshold) / softness_mm)

    return {
        ScarType.ICE_PICK: 1.0 - above(limits.ice_pick_max_width_mm),
        ScarType.BOXCAR: above(limits.boxcar_min_width_mm)
        * (1.0 - above(limits.boxcar_max_width_mm)),
        ScarType.ROLLING: above(limits.rolling_min_width_mm),
    }


def type_scar(
    scar: ScarMeasurement, limits: TypingThresholds, params: AnalysisParameters
) -> TypeCall:
    widths = width_memberships(scar.diameter_mm, limits, params.width_softness_mm)
    shallow = logistic((limits.shallow_max_depth_mm - scar.depth_mm) / params.depth_softness_mm)
    floor = params.evidence_floor
    raw = {
        scar_type: (floor + widths[scar_type]) * (floor + scar.profile_scores[SHAPE_OF[scar_type]])
        for scar_type in TYPED
    }
    raw[ScarType.ROLLING] *= 0.5 + 0.5 * shallow
    total = sum(raw.values())
    scores = {scar_type: value / total for scar_type, value in raw.items()}
    chosen = max(scores, key=lambda scar_type: scores[scar_type])
    confidence = scores[chosen]
    return TypeCall(
        chosen,
        confidence,
        _level(confidence, params),
        scores,
        _reasons(scar, chosen, widths, limits),
    )


def _level(confidence: float, params: AnalysisParameters) -> Confidence:
    if confidence >= params.high_confidence:
        return Confidence.HIGH
    if confidence >= params.moderate_confidence:
        return Confidence.MODERATE
    return Confidence.LOW


def _reasons(
    scar: ScarMeasurement,
    chosen: ScarType,
    widths: dict[ScarType, float],
    limits: TypingThresholds,
) -> tuple[str, ...]:
    width_type = max(widths, key=lambda scar_type: widths[scar_type])
    shape_type = next(t for t, shape in SHAPE_OF.items() if shape is scar.profile)
    ranges = {
        ScarType.ICE_PICK: f"under {limits.ice_pick_max_width_mm:g} mm",
        ScarType.BOXCAR: f"{limits.boxcar_min_width_mm:g}-{limits.boxcar_max_width_mm:g} mm",
        ScarType.ROLLING: f"{limits.rolling_min_width_mm:g} mm or more",
    }
    reasons = [
        f"width {scar.diameter_mm:.2f} mm: {width_type.value} range ({ranges[width_type]})",
        f"profile {scar.profile.value.replace('_', ' ')} (wall {scar.wall_slope_deg:.0f} deg, "
        f"floor flatness {scar.floor_flatness:.2f}, apex {scar.apex_slope_deg:.0f} deg)",
    ]
    if width_type is not shape_type:
        reasons.append(
            f"width suggests {width_type.value}, shape suggests {shape_type.value}: "
            f"typed {chosen.value} with reduced confidence"
        )
    if chosen is ScarType.ROLLING and scar.depth_mm > limits.shallow_max_depth_mm:
        reasons.append(
            f"depth {scar.depth_mm:.2f} mm is beyond {limits.shallow_max_depth_mm:g} mm, "
            "deep for a rolling scar: reduced confidence"
        )
    return tuple(reasons)
