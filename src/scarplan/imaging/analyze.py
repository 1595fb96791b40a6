"""The topography pipeline: height map in, scars and roughness out (docs/topography.md).

1. Block means on the detection grid (about 0.05 mm) and the reference grid (about 0.2 mm).
2. Levelling (robust plane) and form removal (robust polynomial) fitted on the reference grid.
3. Local reference surface on the reference grid, excluding depressions (imaging/reference.py).
4. Depth below the reference on the detection grid; thresholds from the noise level;
   footprints with hysteresis (imaging/detect.py).
5. For each footprint, a full-resolution crop: watershed split, then measurements
   (imaging/measure.py) and typing (imaging/scar_typing.py).
6. Areal roughness of the form-removed map.

Only steps 1, 4 (threshold and labelling on the detection grid) and 6 touch every pixel;
everything else works on small grids or crops. The input is never modified.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from scarplan.assessment.classify import TypingThresholds
from scarplan.imaging.detect import (
    Depressions,
    DetectionLevels,
    detection_levels,
    find_depressions,
    split_basins,
)
from scarplan.imaging.grid import (
    BlockMeans,
    block_centres,
    block_means,
    pixel_range,
    sample_bilinear,
)
from scarplan.imaging.heightmap import FloatArray, HeightMap
from scarplan.imaging.level import fit_surface_on_blocks
from scarplan.imaging.measure import CropDepths, ScarMeasurement, measure_basin
from scarplan.imaging.parameters import AnalysisParameters
from scarplan.imaging.reference import local_reference
from scarplan.imaging.roughness import Roughness, areal_roughness
from scarplan.imaging.scar_typing import TypeCall, type_scar

CROP_MARGIN_FRACTION = 0.25
CROP_MARGIN_MM = 0.3
"""Crops extend past a footprint by this much (and by a quarter of its size) so its rim is
inside."""
FILL_SIGMA_PX = 2.0
FIT_BLOCKS_PER_SIDE = 64


@dataclass(frozen=True)
class Scar:
    index: int
    measurement: ScarMeasurement
    call: TypeCall


@dataclass(frozen=True)
class Surfaces:
    """The fitted surfaces on the reference grid (block `factor` pixels a side), in mm."""

    factor: int
    form: FloatArray
    """Levelling plane plus form polynomial."""
    reference: FloatArray
    """Form plus local reference: the skin without scars; depth = reference - height."""


@dataclass(frozen=True)
class Analysis:
    shape: tuple[int, int]
    pixel_size_mm: float
    source: str
    scars: tuple[Scar, ...]
    roughness: Roughness
    levels: DetectionLevels
    surfaces: Surfaces
    parameters: AnalysisParameters
    typing_sources: tuple[str, ...]

    def counts_by_type(self) -> dict[str, int]:
        counts = {"ice_pick": 0, "boxcar": 0, "rolling": 0}
        for scar in self.scars:
            counts[scar.call.type.value] += 1
        return counts


def analyze(
    height_map: HeightMap,
    thresholds: TypingThresholds,
    params: AnalysisParameters | None = None,
) -> Analysis:
    """Find, measure and type every depression of `height_map`."""
    params = params if params is not None else AnalysisParameters()
    pixel = height_map.pixel_size_mm
    detection_factor = max(1, round(params.detection_grid_mm / pixel))
    reference_factor = max(1, round(params.reference_grid_mm / (pixel * detection_factor)))
    detection = block_means(height_map.heights_mm, detection_factor)
    surfaces = _surfaces(detection, reference_factor, pixel, params)
    depth = _depth_on_blocks(detection, surfaces)
    levels = detection_levels(depth, params)
    depressions = find_depressions(depth, pixel * detection_factor, levels, params)
    measurements = _measure_all(height_map, surfaces, depressions, detection_factor, levels, params)
    ordered = sorted(measurements, key=lambda m: (round(m.y_mm, 3), round(m.x_mm, 3)))
    scars = tuple(
        Scar(index, measurement, type_scar(measurement, thresholds, params))
        for index, measurement in enumerate(ordered, start=1)
    )
    return Analysis(
        shape=height_map.shape,
        pixel_size_mm=pixel,
        source=height_map.source,
        scars=scars,
        roughness=_roughness(height_map, surfaces, params.roughness_max_pixels),
        levels=levels,
        surfaces=surfaces,
        parameters=params,
        typing_sources=thresholds.sources,
    )


def _surfaces(
    detection: BlockMeans, reference_factor: int, pixel: float, params: AnalysisParameters
) -> Surfaces:
    coarse = block_means(detection.values, reference_factor)
    factor = detection.factor * reference_factor
    rows, cols = coarse.values.shape
    y_mm = block_centres(rows, factor) * pixel
    x_mm = block_centres(cols, factor) * pixel
    # A few thousand points determine a handful of coefficients; more only cost time.
    fit_factor = max(1, max(rows, cols) // FIT_BLOCKS_PER_SIDE)
    points = block_means(coarse.values, fit_factor).values
    points_factor = factor * fit_factor
    plane = fit_surface_on_blocks(points, points_factor, pixel, params.level_degree)
    points_y = block_centres(points.shape[0], points_factor) * pixel
    points_x = block_centres(points.shape[1], points_factor) * pixel
    levelled = points - plane.evaluate_grid(points_y, points_x)
    degree = form_degree_for(max(rows, cols) * factor * pixel, params)
    form_fit = fit_surface_on_blocks(levelled, points_factor, pixel, degree)
    form = plane.evaluate_grid(y_mm, x_mm) + form_fit.evaluate_grid(y_mm, x_mm)
    local, _ = local_reference(coarse.values - form, factor * pixel, params)
    return Surfaces(factor, form, form + local)


def form_degree_for(field_mm: float, params: AnalysisParameters) -> int:
    """Degree of the form polynomial for a map whose longer side is `field_mm`.

    Always at least 2: curvature is the form itself, and a plane cannot take it out. On a
    12.8 mm field over a cheek curved at 40 mm radius the edges sag 0.5 mm below the centre,
    deeper than most scars, and with a plane the local reference misread the sagging edges
    as depressions and the scars beside them as skin. Higher degrees only on larger fields
    (one per `form_scale_mm`), so the polynomial cannot bend into a scar."""
    return min(params.form_degree, max(2, int(field_mm // params.form_scale_mm)))


def _depth_on_blocks(detection: BlockMeans, surfaces: Surfaces) -> FloatArray:
    rows, cols = detection.values.shape
    relative = surfaces.factor // detection.factor
    reference = sample_bilinear(
        surfaces.reference,
        relative,
        np.arange(rows, dtype=np.float64),
        np.arange(cols, dtype=np.float64),
    )
    reference -= detection.values
    return reference


def _roughness(height_map: HeightMap, surfaces: Surfaces, max_pixels: int) -> Roughness:
    """Sa and Sq of the form-removed map, on every k-th row and column when the map has more
    than `max_pixels` (k as small as that allows)."""
    rows, cols = height_map.shape
    step = max(1, math.ceil(math.sqrt(rows * cols / max_pixels)))
    form = sample_bilinear(
        surfaces.form, surfaces.factor, pixel_range(0, rows)[::step], pixel_range(0, cols)[::step]
    )
    np.subtract(height_map.heights_mm[::step, ::step], form, out=form)
    return areal_roughness(form)


def form_removed(height_map: HeightMap, surfaces: Surfaces) -> FloatArray:
    """Heights minus the levelling plane and form, at full resolution (a new array)."""
    return _minus_surface(height_map, surfaces.form, surfaces.factor)


def relative_to_reference(height_map: HeightMap, surfaces: Surfaces) -> FloatArray:
    """Heights minus the local reference (negative inside scars), at full resolution."""
    return _minus_surface(height_map, surfaces.reference, surfaces.factor)


def _minus_surface(height_map: HeightMap, surface: FloatArray, factor: int) -> FloatArray:
    rows, cols = height_map.shape
    result = sample_bilinear(surface, factor, pixel_range(0, rows), pixel_range(0, cols))
    np.subtract(height_map.heights_mm, result, out=result)
    return result


def _measure_all(
    height_map: HeightMap,
    surfaces: Surfaces,
    depressions: Depressions,
    detection_factor: int,
    levels: DetectionLevels,
    params: AnalysisParameters,
) -> list[ScarMeasurement]:
    measurements: list[ScarMeasurement] = []
    for label, (row_slice, col_slice) in enumerate(depressions.slices, start=1):
        crop, component = _crop(
            height_map,
            surfaces,
            depressions,
            label,
            row_slice,
            col_slice,
            detection_factor,
            params,
        )
        if crop is None:
            continue
        for basin in split_basins(crop, component, levels, params):
            measured = measure_basin(crop, basin, levels.footprint_mm, params)
            if measured is not None:
                measurements.append(measured)
    return measurements


def _filled(depth: FloatArray, missing: np.ndarray) -> FloatArray:
    """Missing pixels take the Gaussian-weighted mean of their measured neighbours; dropouts
    are a few pixels across, so a small scale bridges them without blurring the rest."""
    known = ~missing
    values = np.where(known, depth, 0.0)
    numerator = ndimage.gaussian_filter(values, FILL_SIGMA_PX, mode="constant")
    denominator = ndimage.gaussian_filter(known.astype(np.float64), FILL_SIGMA_PX, mode="constant")
    with np.errstate(invalid="ignore", divide="ignore"):
        estimate = np.where(denominator > 1e-6, numerator / denominator, 0.0)
    return np.where(known, depth, estimate)


def _crop(
    height_map: HeightMap,
    surfaces: Surfaces,
    depressions: Depressions,
    label: int,
    row_slice: slice,
    col_slice: slice,
    factor: int,
    params: AnalysisParameters,
) -> tuple[CropDepths | None, np.ndarray]:
    pixel = height_map.pixel_size_mm
    rows, cols = height_map.shape
    top, bottom = row_slice.start * factor, min(rows, row_slice.stop * factor)
    left, right = col_slice.start * factor, min(cols, col_slice.stop * factor)
    margin = round(
        max(CROP_MARGIN_MM / pixel, CROP_MARGIN_FRACTION * max(bottom - top, right - left))
    )
    r0, r1 = max(0, top - margin), min(rows, bottom + margin)
    c0, c1 = max(0, left - margin), min(cols, right + margin)
    heights = height_map.heights_mm[r0:r1, c0:c1]
    reference = sample_bilinear(
        surfaces.reference, surfaces.factor, pixel_range(r0, r1), pixel_range(c0, c1)
    )
    depth = reference - heights
    missing = ~np.isfinite(depth)
    if missing.all():
        return None, np.zeros(0, dtype=bool)
    if missing.any():
        depth = _filled(depth, missing)
    fine_sigma_px = params.fine_smoothing_px
    coarse_sigma_px = max(params.coarse_smoothing_mm / pixel, 2 * fine_sigma_px)
    fine = ndimage.gaussian_filter(depth, fine_sigma_px, mode="nearest")
    coarse = ndimage.gaussian_filter(depth, coarse_sigma_px, mode="nearest")
    slope_rows, slope_cols = np.gradient(fine, pixel)
    slope = np.hypot(slope_rows, slope_cols)
    component_blocks = (
        depressions.labels[r0 // factor : -(-r1 // factor), c0 // factor : -(-c1 // factor)]
        == label
    )
    component = np.repeat(np.repeat(component_blocks, factor, axis=0), factor, axis=1)
    offset_r, offset_c = r0 - (r0 // factor) * factor, c0 - (c0 // factor) * factor
    component = component[offset_r : offset_r + (r1 - r0), offset_c : offset_c + (c1 - c0)]
    crop = CropDepths(
        raw=depth,
        fine=fine,
        coarse=coarse,
        slope=slope,
        row0=r0,
        col0=c0,
        pixel_size_mm=pixel,
        fine_sigma_mm=fine_sigma_px * pixel,
        coarse_sigma_mm=coarse_sigma_px * pixel,
    )
    return crop, component
