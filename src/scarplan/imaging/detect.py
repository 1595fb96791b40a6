"""Find depressions below the local reference surface, and split touching ones.

Detection runs on a grid of block means (`detection_grid_mm`): a footprint threshold with
hysteresis (a footprint counts only if it reaches the seed depth somewhere and covers the
minimum area), labelled once for the whole map. Splitting runs at full resolution, only in
the crop around each footprint: the h-maxima of the smoothed depth are the markers of a
watershed, so two scars that touch become two basins, while texture on one scar's floor,
less deep than `split_prominence_mm`, does not split it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from skimage.morphology import h_maxima
from skimage.segmentation import watershed

from scarplan.imaging.heightmap import BoolArray, FloatArray
from scarplan.imaging.measure import CropDepths
from scarplan.imaging.parameters import AnalysisParameters
from scarplan.imaging.polynomial import robust_sigma

EIGHT_CONNECTED = np.ones((3, 3), dtype=bool)
NOISE_SAMPLE_STEP = 3
"""The noise level is estimated on every third row and column: plenty of samples, 9x less work."""


@dataclass(frozen=True)
class DetectionLevels:
    noise_sigma_mm: float
    """Robust standard deviation of the depth map (texture plus device noise)."""
    footprint_mm: float
    seed_mm: float


@dataclass(frozen=True)
class Depressions:
    labels: np.ndarray
    """Label image on the detection grid: 0 = skin, k = k-th depression."""
    slices: tuple[tuple[slice, slice], ...]
    """Bounding box of depression k + 1 on the detection grid."""


def detection_levels(depth: FloatArray, params: AnalysisParameters) -> DetectionLevels:
    sigma = robust_sigma(depth[::NOISE_SAMPLE_STEP, ::NOISE_SAMPLE_STEP])
    return DetectionLevels(
        noise_sigma_mm=sigma,
        footprint_mm=max(params.min_depth_mm, params.footprint_sigmas * sigma),
        seed_mm=max(params.seed_depth_mm, params.seed_sigmas * sigma),
    )


def find_depressions(
    depth: FloatArray, pixel_size_mm: float, levels: DetectionLevels, params: AnalysisParameters
) -> Depressions:
    """Footprints deeper than the footprint level that reach the seed level and are big
    enough; NaN pixels are never part of one."""
    with np.errstate(invalid="ignore"):
        footprint = depth > levels.footprint_mm
        seeds = depth > levels.seed_mm
    labels, count = ndimage.label(footprint)
    seeded = np.zeros(count + 1, dtype=bool)
    seeded[np.unique(labels[seeds])] = True
    seeded[0] = False
    min_area_px = math.pi * (params.min_diameter_mm / 2 / pixel_size_mm) ** 2
    areas = np.bincount(labels.ravel(), minlength=count + 1)
    keep = seeded & (areas >= min_area_px)
    lookup = np.zeros(count + 1, dtype=np.int32)
    lookup[keep] = np.arange(1, int(keep.sum()) + 1, dtype=np.int32)
    kept = lookup[labels]
    slices = tuple(s for s in ndimage.find_objects(kept) if s is not None)
    return Depressions(kept, slices)


def split_basins(
    crop: CropDepths,
    component: BoolArray,
    levels: DetectionLevels,
    params: AnalysisParameters,
) -> list[BoolArray]:
    """The basins of the scars whose deepest points lie in `component` (a full-resolution
    mask of one detected footprint within the crop)."""
    with np.errstate(invalid="ignore"):
        region = crop.fine > levels.footprint_mm / 2
    pieces, _ = ndimage.label(region)
    touched = np.unique(pieces[component & region])
    region = np.isin(pieces, touched[touched > 0])
    if not region.any():
        return []
    box = _bounding_box(region)
    region_box, component_box = region[box], component[box]
    depth = np.where(region_box, crop.fine[box], 0.0)
    markers = _markers(depth, crop.pixel_size_mm, levels, params) * region_box
    count = int(markers.max())
    if count <= 1:
        single = count == 0 or bool(markers[component_box].any())
        return [region] if single else []
    basins = watershed(-depth, markers, mask=region_box)  # type: ignore[no-untyped-call]
    own = np.unique(markers[component_box])
    return [_placed(basins == label, box, region.shape) for label in own[own > 0]]


def _bounding_box(mask: BoolArray) -> tuple[slice, slice]:
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1)


def _placed(mask: BoolArray, box: tuple[slice, slice], shape: tuple[int, ...]) -> BoolArray:
    full = np.zeros(shape, dtype=bool)
    full[box] = mask
    return full


def _markers(
    depth: FloatArray, pixel_size_mm: float, levels: DetectionLevels, params: AnalysisParameters
) -> np.ndarray:
    """Watershed markers: regional maxima at least `split_prominence_mm` above their
    surroundings. Found on a subsampled grid (for speed), labelled there (a flat top is one
    marker), and put back at the sampled positions of the full-resolution grid. The lightly
    smoothed depth is used: heavier smoothing would fill the narrow saddle between two
    steep-walled scars that touch."""
    step = max(1, round(params.marker_grid_mm / pixel_size_mm))
    sampled = depth[::step, ::step].astype(np.float32)  # halves the sorting work
    prominence = max(params.split_prominence_mm, 3 * levels.noise_sigma_mm)
    domes = h_maxima(sampled, prominence)  # type: ignore[no-untyped-call]
    labels, _ = ndimage.label(domes.astype(bool) & (sampled >= levels.seed_mm), EIGHT_CONNECTED)
    markers = np.zeros(depth.shape, dtype=np.int32)
    markers[::step, ::step] = labels
    return markers
