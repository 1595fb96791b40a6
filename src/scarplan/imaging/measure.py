"""Measurements of one depression (a watershed basin) at full resolution.

Inputs are crops around the depression: its depth below the local reference (mm, positive
down) as measured (`raw`) and smoothed lightly (`fine`) and more heavily (`coarse`), the
slope magnitude of `fine`, and the basin mask. Definitions (docs/topography.md section 3):

- depth: for a pointed (V) bottom, the deepest point of `fine` extrapolated to no smoothing
  from the two smoothing scales (smoothing blunts a tip in proportion to the scale); for a flat
  floor, the median floor depth; for a bowl, the deepest point after smoothing at a tenth of
  its radius. Texture makes the single deepest pixel of a floor or bowl too deep, smoothing
  makes a tip too shallow; this avoids both. Mixed profiles mix the estimates by membership.
- opening (equivalent diameter, area): the areas of `raw` deeper than two fractions of the
  depth, extrapolated to depth zero (see `_opening_area`): where the depression meets the
  surrounding skin. Exact for cones, paraboloids and vertical walls.
- maximum diameter: the major axis of the ellipse with the same second moments as the
  area above the first level, scaled to the opening.
- centre: depth-weighted centroid; volume: depth summed over the basin.
- wall slope: median slope where the depth is between 20 % and 80 % of the depth.
- apex slope: slope at the deepest point, from how much smoothing reduces the depth there.
- floor flatness: area at least 80 % deep over area at least 20 % deep.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from scarplan.imaging.heightmap import BoolArray, FloatArray
from scarplan.imaging.parameters import AnalysisParameters
from scarplan.imaging.profile import ProfileShape, dominant, profile_memberships

GAUSSIAN_MEAN_RADIUS = math.sqrt(math.pi / 2)
"""Mean distance from the centre under a 2-D Gaussian of unit sigma: smoothing a cone of slope
s with sigma t lowers its tip by s * t * this."""
MIN_LEVEL_GAP = 0.1
MAX_RIM_LEVEL = 0.85
MAX_RIM_GROWTH = 1.5
"""The extrapolated opening may be at most this many times the radius at the first level."""
MIN_AREA_PX = 3
MAX_AREA_EXPONENT = 4.0
"""Walls cannot be more concave than this (k = 2 is a cone); guards against noisy areas."""
MIN_WEIGHT = 1e-3
"""Cross-sections less likely than this do not contribute a depth estimate (saves work)."""


@dataclass(frozen=True)
class Footprint:
    """Where the scar is: a boolean mask of the area above the first rim level, placed at
    (row0, col0) of the full map."""

    row0: int
    col0: int
    mask: BoolArray


@dataclass(frozen=True)
class ScarMeasurement:
    x_mm: float
    y_mm: float
    diameter_mm: float
    """Equivalent diameter of the opening (a disc of the same area)."""
    max_diameter_mm: float
    depth_mm: float
    area_mm2: float
    volume_mm3: float
    wall_slope_deg: float
    apex_slope_deg: float
    floor_flatness: float
    profile: ProfileShape
    profile_scores: dict[ProfileShape, float]
    footprint: Footprint


@dataclass(frozen=True)
class CropDepths:
    """A crop of the depth map (mm below the local reference, missing pixels filled) around
    one or more depressions, as measured (`raw`) and smoothed at two scales."""

    raw: FloatArray
    fine: FloatArray
    coarse: FloatArray
    slope: FloatArray
    """Slope magnitude (rise over run) of `fine`."""
    row0: int
    col0: int
    pixel_size_mm: float
    fine_sigma_mm: float
    coarse_sigma_mm: float


def measure_basin(
    crop: CropDepths, basin: BoolArray, floor_depth_mm: float, params: AnalysisParameters
) -> ScarMeasurement | None:
    """Measure one basin; None when too little of it rises above `floor_depth_mm` to measure."""
    fine = crop.fine[basin]
    if fine.size == 0:
        return None
    fine_max, coarse_max = float(fine.max()), float(crop.coarse[basin].max())
    scale_gap = crop.coarse_sigma_mm - crop.fine_sigma_mm
    tip_loss = max(0.0, fine_max - coarse_max)
    apex_slope = math.degrees(math.atan(tip_loss / (GAUSSIAN_MEAN_RADIUS * scale_gap)))
    flatness = _fraction(fine, params.floor_level * coarse_max, params.wall_band[0] * coarse_max)
    walls = _wall_slope(crop.slope[basin], fine, coarse_max, params)
    shapes = profile_memberships(apex_slope, walls, flatness, params)
    depth = _depth(crop, basin, fine, shapes, tip_loss, params)
    if depth <= floor_depth_mm:
        return None
    low, high = _rim_levels(depth, floor_depth_mm, params)
    raw = crop.raw[basin]
    area_low = float((raw >= low * depth).sum())
    if area_low < MIN_AREA_PX:
        return None
    area = area_low
    if high - low >= MIN_LEVEL_GAP:
        area = _opening_area(area_low, float((raw >= high * depth).sum()), low, high)
    radius_low, radius = math.sqrt(area_low / math.pi), math.sqrt(area / math.pi)
    pixel = crop.pixel_size_mm
    region = basin & (crop.raw >= low * depth)
    rows, cols = np.nonzero(region)
    weights = crop.raw[rows, cols]
    centre_row = float(np.average(rows, weights=weights))
    centre_col = float(np.average(cols, weights=weights))
    major_px = _major_axis(rows.astype(np.float64), cols.astype(np.float64))
    outline = basin & (crop.fine >= low * depth)
    return ScarMeasurement(
        x_mm=(crop.col0 + centre_col) * pixel,
        y_mm=(crop.row0 + centre_row) * pixel,
        diameter_mm=2 * radius * pixel,
        max_diameter_mm=max(2 * radius, major_px * radius / radius_low) * pixel,
        depth_mm=depth,
        area_mm2=math.pi * (radius * pixel) ** 2,
        volume_mm3=float(np.clip(raw, 0.0, None).sum()) * pixel**2,
        wall_slope_deg=walls,
        apex_slope_deg=apex_slope,
        floor_flatness=flatness,
        profile=dominant(shapes),
        profile_scores=shapes,
        footprint=_footprint(outline if outline.any() else region, crop.row0, crop.col0),
    )


def _depth(
    crop: CropDepths,
    basin: BoolArray,
    fine: FloatArray,
    shapes: dict[ProfileShape, float],
    tip_loss: float,
    params: AnalysisParameters,
) -> float:
    """Depth by cross-section, weighted by how well each describes the scar."""
    fine_max = float(fine.max())
    estimates = {
        # Smoothing lowers a tip in proportion to its scale: extrapolate to no smoothing.
        ProfileShape.V_SHAPED: lambda: (
            fine_max + tip_loss * crop.fine_sigma_mm / (crop.coarse_sigma_mm - crop.fine_sigma_mm)
        ),
        ProfileShape.FLAT_FLOOR: lambda: _floor_depth(
            fine, float(crop.coarse[basin].max()), params
        ),
        ProfileShape.SLOPING: lambda: _bowl_depth(crop, basin, params),
    }
    return sum(
        weight * estimates[shape]() for shape, weight in shapes.items() if weight > MIN_WEIGHT
    ) / sum(weight for weight in shapes.values() if weight > MIN_WEIGHT)


def _floor_depth(fine: FloatArray, deepest: float, params: AnalysisParameters) -> float:
    floor = fine >= params.floor_level * deepest
    return float(np.median(fine[floor])) if floor.any() else deepest


def _bowl_depth(crop: CropDepths, basin: BoolArray, params: AnalysisParameters) -> float:
    """Deepest point after smoothing in proportion to the bowl's size (the basin's box)."""
    rows = np.flatnonzero(basin.any(axis=1))
    cols = np.flatnonzero(basin.any(axis=0))
    box = (slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1))
    radius_px = math.sqrt(float(basin.sum()) / math.pi)
    sigma_px = max(params.bowl_smoothing_fraction * radius_px, 1.0)
    smoothed = ndimage.gaussian_filter(crop.raw[box], sigma_px, mode="nearest")
    return float(smoothed[basin[box]].max())


def _opening_area(area_low: float, area_high: float, low: float, high: float) -> float:
    """Area at depth zero, from the areas at two fractions of the depth, assuming the area
    shrinks as a power of the remaining depth: A(p) = A0 (1 - p)^k. That holds exactly for a
    cone (k = 2), a paraboloid (k = 1), any bowl 1 - r^n (k = 2 / n) and, in the limit k -> 0,
    for vertical walls."""
    if area_high <= 0:
        return area_low
    exponent = math.log(area_low / area_high) / math.log((1 - low) / (1 - high))
    exponent = min(max(exponent, 0.0), MAX_AREA_EXPONENT)
    return float(min(area_low / (1 - low) ** exponent, MAX_RIM_GROWTH**2 * area_low))


def _fraction(values: FloatArray, upper: float, lower: float) -> float:
    below = int((values >= lower).sum())
    return float((values >= upper).sum()) / below if below else 0.0


def _wall_slope(
    slope: FloatArray, fine: FloatArray, depth: float, params: AnalysisParameters
) -> float:
    low, high = params.wall_band
    band = (fine >= low * depth) & (fine <= high * depth)
    if not band.any():
        return 90.0  # no pixel on the wall at all: it is a step
    return math.degrees(math.atan(float(np.median(slope[band]))))


def _rim_levels(
    depth: float, floor_depth_mm: float, params: AnalysisParameters
) -> tuple[float, float]:
    # Levels must stay clear of the noise floor, so shallow scars use higher fractions.
    low, high = params.rim_levels
    low = max(low, floor_depth_mm / depth)
    high = min(max(high, low + (high - params.rim_levels[0])), MAX_RIM_LEVEL)
    return low, high


def _major_axis(rows: FloatArray, cols: FloatArray) -> float:
    """Full major-axis length (px) of the ellipse with the same second moments."""
    if rows.size < 3:
        return 0.0
    covariance = np.cov(np.vstack([rows, cols]))
    largest = float(np.linalg.eigvalsh(covariance)[-1])
    return 4.0 * math.sqrt(max(largest, 0.0))


def _footprint(region: BoolArray, row0: int, col0: int) -> Footprint:
    rows = np.flatnonzero(region.any(axis=1))
    cols = np.flatnonzero(region.any(axis=0))
    top, left = int(rows[0]), int(cols[0])
    mask = region[top : int(rows[-1]) + 1, left : int(cols[-1]) + 1].copy()
    return Footprint(row0 + top, col0 + left, mask)
