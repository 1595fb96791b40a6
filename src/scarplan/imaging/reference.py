"""The local reference surface: the skin as it would be without the scars.

Depth is measured from this surface, not from a global plane, because skin is wavy over a
few millimetres even after the face's form is removed. It is a normalised Gaussian
convolution (a weighted local mean) of the form-removed heights on the block grid, in which
depressions are given weight zero; the depressions are found from the previous estimate, so
a few rounds converge on the surrounding skin. Deep scars therefore do not pull the reference
down, and holes (excluded scars, missing data) are bridged from their surroundings.
"""

from __future__ import annotations

import math

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
    return _ratio_or_nearest(numerator, denominator, denominator > MIN_WEIGHT)


def _ratio_or_nearest(
    numerator: FloatArray, denominator: FloatArray, known: BoolArray
) -> FloatArray:
    """numerator / denominator where `known`; elsewhere the nearest known value (zero if
    nothing is known): a hole far from any skin takes the estimate at its edge."""
    with np.errstate(invalid="ignore", divide="ignore"):
        estimate = np.where(known, numerator / denominator, np.nan)
    if known.all():
        return estimate
    if not known.any():
        return np.zeros_like(estimate)
    nearest = ndimage.distance_transform_edt(~known, return_distances=False, return_indices=True)
    return np.asarray(estimate[tuple(nearest)])


RIDGE = 0.01
"""Shrinks the local slope towards zero where the weights lie mostly on one side, in units of
the weight times sigma squared: at a straight border the slope is still mostly kept, in a
corner or at the tip of a thin strip of skin it cannot run away."""


def masked_local_plane(values: FloatArray, weights: BoolArray, sigma_px: float) -> FloatArray:
    """Gaussian-weighted local *plane* fit of `values` where `weights` is true, evaluated at each
    point (first-order normalised convolution); fills places far from any weight (nearest).

    Where the weights surround a point evenly this equals the weighted mean; where they lie on
    one side (the map's border, the rim of an excluded scar) the mean would be biased by the
    slope of the skin and the plane is not."""
    radius = max(1, math.ceil(TRUNCATE_SIGMAS * sigma_px))
    offsets = np.arange(-radius, radius + 1, dtype=np.float64)
    gauss = np.exp(-0.5 * (offsets / sigma_px) ** 2)
    kernels = (gauss, gauss * offsets, gauss * offsets**2)
    weight = weights.astype(np.float64)
    weighted = np.where(weights, values, 0.0)

    def along_rows(image: FloatArray, order: int) -> FloatArray:
        return np.asarray(ndimage.correlate1d(image, kernels[order], axis=0, mode="constant"))

    def along_cols(image: FloatArray, order: int) -> FloatArray:
        return np.asarray(ndimage.correlate1d(image, kernels[order], axis=1, mode="constant"))

    # Moments sum(kernel(d_row) * kernel(d_col) * image); a row pass is shared by the moments
    # that use it (9 + 5 one-dimensional passes instead of 18).
    w0, w1, w2 = (along_rows(weight, order) for order in range(3))
    g00, g01, g02 = (along_cols(w0, order) for order in range(3))
    g10, g11 = along_cols(w1, 0), along_cols(w1, 1)
    g20 = along_cols(w2, 0)
    v0, v1 = along_rows(weighted, 0), along_rows(weighted, 1)
    f00, f01 = along_cols(v0, 0), along_cols(v0, 1)
    f10 = along_cols(v1, 0)
    ridge = RIDGE * sigma_px**2 * g00
    g20 += ridge
    g02 += ridge
    # Cramer's rule for the intercept of the 3 x 3 normal equations
    # [[g00, g10, g01], [g10, g20, g11], [g01, g11, g02]] (a, b_row, b_col) = (f00, f10, f01).
    minor_a = g20 * g02 - g11 * g11
    determinant = g00 * minor_a - g10 * (g10 * g02 - g11 * g01) + g01 * (g10 * g11 - g20 * g01)
    numerator = f00 * minor_a - g10 * (f10 * g02 - g11 * f01) + g01 * (f10 * g11 - g20 * f01)
    return _ratio_or_nearest(numerator, determinant, g00 > MIN_WEIGHT * gauss.sum() ** 2)


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
    # The rounds above only decide what to exclude, for which the mean is good enough; the
    # surface that depths are measured from is the local plane, unbiased at borders and rims.
    return masked_local_plane(residual, valid & ~excluded, sigma_px), excluded
