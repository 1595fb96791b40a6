"""Two-dimensional polynomial surfaces in mm coordinates, fitted robustly by least squares.

Used for levelling (degree 1, a plane) and for the large-scale form of the face (degree 2-4).
Coordinates are scaled to about [-1, 1] before fitting so high degrees stay well conditioned.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scarplan.imaging.heightmap import BoolArray, FloatArray

TINY_RESIDUAL = 1e-12
"""Residuals this small are exact fits: never clipped, even when the spread is zero."""
MAD_TO_SIGMA = 1.4826
"""Median absolute deviation times this estimates the standard deviation of Gaussian noise."""


def robust_sigma(values: FloatArray) -> float:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0
    return float(MAD_TO_SIGMA * np.median(np.abs(finite - np.median(finite))))


@dataclass(frozen=True)
class Polynomial2D:
    """z = sum c[i, j] * v**i * u**j over i + j <= degree, with u = (x - x0) / s and
    v = (y - y0) / s (x, y in mm)."""

    degree: int
    coefficients: tuple[tuple[float, ...], ...]
    """coefficients[i][j] multiplies v**i * u**j; zero where i + j > degree."""
    x0_mm: float
    y0_mm: float
    scale_mm: float

    def evaluate_grid(self, y_mm: FloatArray, x_mm: FloatArray) -> FloatArray:
        """Values on the grid y_mm (rows) x x_mm (columns), one outer product per power of v."""
        u = (x_mm - self.x0_mm) / self.scale_mm
        v = (y_mm - self.y0_mm) / self.scale_mm
        u_powers = np.vander(u, self.degree + 1, increasing=True)
        table = np.asarray(self.coefficients)
        rows_by_power = table @ u_powers.T  # (degree+1, len(x)): polynomial in u for each v**i
        result = np.zeros((len(v), len(u)))
        v_power = np.ones_like(v)
        for i in range(self.degree + 1):
            result += np.outer(v_power, rows_by_power[i])
            v_power = v_power * v
        return result

    def evaluate_points(self, y_mm: FloatArray, x_mm: FloatArray) -> FloatArray:
        design = _design(
            (y_mm - self.y0_mm) / self.scale_mm, (x_mm - self.x0_mm) / self.scale_mm, self.degree
        )
        return design @ _flatten(self.coefficients, self.degree)


def _terms(degree: int) -> list[tuple[int, int]]:
    return [(i, j) for i in range(degree + 1) for j in range(degree + 1 - i)]


def _design(v: FloatArray, u: FloatArray, degree: int) -> FloatArray:
    return np.stack([v**i * u**j for i, j in _terms(degree)], axis=1)


def _flatten(table: tuple[tuple[float, ...], ...], degree: int) -> FloatArray:
    return np.array([table[i][j] for i, j in _terms(degree)])


def fit_polynomial(
    y_mm: FloatArray,
    x_mm: FloatArray,
    z: FloatArray,
    degree: int,
    *,
    iterations: int = 0,
    clip_sigma: float = 2.5,
) -> Polynomial2D:
    """Least-squares polynomial through points (y, x, z) with NaN z ignored.

    With `iterations` > 0 the fit is repeated without the points more than `clip_sigma` robust
    standard deviations below it, so scars do not pull the surface down. Only points below are
    dropped: where a scar has dragged the fit under the skin around it, that skin lies above
    the fit and must stay in.
    """
    if degree < 0:
        raise ValueError("degree must be 0 or more")
    keep = np.isfinite(z)
    y, x, values = y_mm[keep], x_mm[keep], z[keep]
    x0, y0 = float(np.mean(x)), float(np.mean(y))
    scale = max(float(np.ptp(x)), float(np.ptp(y)), 1e-9) / 2
    design = _design((y - y0) / scale, (x - x0) / scale, degree)
    inliers: BoolArray = np.ones(len(values), dtype=bool)
    solution = _solve(design, values, inliers)
    for _ in range(iterations):
        residual = values - design @ solution
        kept = residual[inliers]
        # Outliers shift the first fit, so distances are taken from the inliers' median.
        centre = float(np.median(kept))
        sigma = robust_sigma(kept)
        updated = residual - centre >= -max(clip_sigma * sigma, TINY_RESIDUAL)
        if updated.sum() <= len(_terms(degree)) or np.array_equal(updated, inliers):
            break
        inliers = updated
        solution = _solve(design, values, inliers)
    table = np.zeros((degree + 1, degree + 1))
    for (i, j), value in zip(_terms(degree), solution, strict=True):
        table[i, j] = value
    return Polynomial2D(degree, tuple(tuple(float(c) for c in row) for row in table), x0, y0, scale)


def _solve(design: FloatArray, values: FloatArray, rows: BoolArray) -> FloatArray:
    solution, *_ = np.linalg.lstsq(design[rows], values[rows], rcond=None)
    return np.asarray(solution, dtype=np.float64)
