"""Coarser grids made of square blocks of pixels, and sampling them back at full resolution.

Estimating smooth surfaces (form, local reference) on a block grid and interpolating them is
what keeps a 2048 x 2048 analysis fast: the surfaces vary over millimetres, blocks are a
fraction of that. Coordinates are full-resolution pixel indices; block b covers pixels
b*factor .. (b+1)*factor - 1, so its centre is at b*factor + (factor - 1) / 2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scarplan.imaging.heightmap import BoolArray, FloatArray


@dataclass(frozen=True)
class BlockMeans:
    """Mean of the valid (non-NaN) pixels of each block; NaN where a block has none."""

    values: FloatArray
    counts: FloatArray
    factor: int

    @property
    def valid(self) -> BoolArray:
        return self.counts > 0


def block_means(values: FloatArray, factor: int) -> BlockMeans:
    """NaN-aware block averages; partial blocks at the far edges average what they hold."""
    valid = np.isfinite(values)
    complete = bool(valid.all())
    if factor == 1:
        means = values.copy() if complete else np.where(valid, values, np.nan)
        return BlockMeans(means, valid.astype(np.float64), 1)
    filled = values if complete else np.where(valid, values, 0.0)
    sums = block_sums(filled, factor)
    if complete and all(side % factor == 0 for side in values.shape):
        counts = np.full(sums.shape, float(factor * factor))
    else:
        counts = block_sums(valid.astype(np.float32), factor).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / counts, np.nan)
    return BlockMeans(means, counts, factor)


def block_sums(values: np.ndarray, factor: int) -> np.ndarray:
    """Sum over factor x factor blocks. Adding `factor` strided views per axis keeps numpy's
    inner loops long, several times faster than reshaping and summing the short block axes."""
    rows, cols = values.shape
    out_rows, out_cols = -(-rows // factor), -(-cols // factor)
    if (out_rows * factor, out_cols * factor) != (rows, cols):
        pad = ((0, out_rows * factor - rows), (0, out_cols * factor - cols))
        values = np.pad(values, pad)
    by_rows = values[0::factor].copy()
    for offset in range(1, factor):
        by_rows += values[offset::factor]
    result = by_rows[:, 0::factor].copy()
    for offset in range(1, factor):
        result += by_rows[:, offset::factor]
    return result


def block_any(mask: BoolArray, factor: int) -> BoolArray:
    rows, cols = mask.shape
    out_rows, out_cols = -(-rows // factor), -(-cols // factor)
    pad = ((0, out_rows * factor - rows), (0, out_cols * factor - cols))
    padded = np.pad(mask, pad) if any(p for _, p in pad) else mask
    return np.asarray(padded.reshape(out_rows, factor, out_cols, factor).any(axis=(1, 3)))


def block_centres(count: int, factor: int) -> FloatArray:
    """Full-resolution pixel coordinates of the centres of `count` blocks along one axis."""
    return np.arange(count, dtype=np.float64) * factor + (factor - 1) / 2


def sample_bilinear(
    coarse: FloatArray, factor: int, rows: FloatArray, cols: FloatArray
) -> FloatArray:
    """Bilinear interpolation of a block grid at full-resolution coordinates `rows` x `cols`.

    Separable: first along columns for every coarse row, then along rows. Between the outer
    block centres and the map's edge (half a block) the edge interval is extended linearly:
    holding the edge value there would put a steeply curved form up to half a block's rise
    above the skin along the border, which reads as a row of shallow depressions.
    """
    row0, row_weight = _interval(rows, coarse.shape[0], factor)
    col0, col_weight = _interval(cols, coarse.shape[1], factor)
    if coarse.shape[1] > 1:
        along = coarse[:, col0] * (1.0 - col_weight) + coarse[:, col0 + 1] * col_weight
    else:
        along = np.repeat(coarse, len(cols), axis=1)
    if coarse.shape[0] == 1:
        return np.repeat(along, len(rows), axis=0)
    top = along[row0]
    top *= (1.0 - row_weight)[:, None]
    bottom = along[row0 + 1]
    bottom *= row_weight[:, None]
    top += bottom
    return np.asarray(top, dtype=np.float64)


def _interval(positions: FloatArray, count: int, factor: int) -> tuple[np.ndarray, FloatArray]:
    t = (positions - (factor - 1) / 2) / factor
    if count == 1:
        return np.zeros(len(positions), dtype=np.intp), np.zeros(len(positions))
    lower = np.clip(np.floor(t).astype(np.intp), 0, count - 2)
    return lower, t - lower


def pixel_range(start: int, stop: int) -> FloatArray:
    return np.arange(start, stop, dtype=np.float64)
