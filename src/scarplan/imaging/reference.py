"""The local reference surface: the skin as it would be without the scars.

Depth is measured from this surface, not from a global plane, because skin is wavy over a
few millimetres even after the face's form is removed. It is a normalised Gaussian
convolution (a weighted local mean) of the form-removed heights on the block grid, in which
depressions are given weight zero; the depressions are found from the previous estimate, so
a few rounds converge on the surrounding skin. Deep scars therefore do not pull the reference
down, and holes (excluded scars, missing data) are bridged from their surroundings.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from scarplan.imaging.heightmap import BoolArray, FloatArray
from scarplan.imaging.parameters import AnalysisParameters
from scarplan.imaging.polynomial import robust_sigma

TRUNCATE_SIGMAS = 4.0
MIN_WEIGHT = 1e-9


def masked_mean(values: FloatArray, weights: BoolArray, sigma_px: float) -> FloatArray:
    """Gaussian-weighted mean of `values` where `weights` is true; fills the rest, including
    places far from any weight (nearest estimate)."""
    filled = np.where(weights, values, 0.0)
    numerator = ndimage.gaussian_filter(filled, sigma_px, mode="constant", truncate=TRUNCATE_SIGMAS)
    denominator = ndimage.gaussian_filter(
        weights.astype(np.float64), sigma_px, mode="constant", truncate=TRUNCATE_SIGMAS
    )
    known = denominator > MIN_WEIGHT
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(known, numerator / denominator, np.nan)
    if known.all():
        return mean
    if not known.any():
        return np.zeros_like(values)
    nearest = ndimage.distance_transform_edt(~known, return_distances=False, return_indices=True)
    return np.asarray(mean[tuple(nearest)])


def local_reference(
    residual: FloatArray, block_mm: float, params: AnalysisParameters
) -> tuple[FloatArray, BoolArray]:
    """Reference surface on the block grid and the blocks excluded as depressions.

    `residual` holds form-removed block means (NaN = no data)."""
    valid = np.isfinite(residual)
    sigma_px = params.reference_sigma_mm / block_mm
    margin_px = max(1, round(params.reference_margin_mm / block_mm))
    excluded = np.zeros_like(valid)
    reference = masked_mean(residual, valid, sigma_px)
    for _ in range(params.reference_iterations):
        with np.errstate(invalid="ignore"):
            depth = reference - residual
            noise = robust_sigma(depth[valid & ~excluded])
            dips = depth > max(params.min_depth_mm / 2, params.footprint_sigmas * noise)
        excluded = ndimage.binary_dilation(dips, iterations=margin_px)
        reference = masked_mean(residual, valid & ~excluded, sigma_px)
    return reference, excluded
