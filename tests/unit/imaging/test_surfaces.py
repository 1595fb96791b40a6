"""Levelling, form removal and the local reference surface on exact shapes."""

from __future__ import annotations

import numpy as np
import pytest

from scarplan.imaging.analyze import form_degree_for
from scarplan.imaging.form import remove_form
from scarplan.imaging.grid import block_means, sample_bilinear
from scarplan.imaging.level import level
from scarplan.imaging.parameters import AnalysisParameters
from scarplan.imaging.polynomial import fit_polynomial
from scarplan.imaging.reference import local_reference, masked_local_plane, masked_mean
from unit.imaging.shapes import as_map, cone, grid_mm


def test_a_tilted_plane_is_levelled_to_zero() -> None:
    y, x = grid_mm(300, 0.05)
    tilted = 0.08 * x - 0.03 * y + 1.7 + 0 * (x + y)
    levelled = level(as_map(tilted, 0.05))
    assert np.abs(levelled.heights_mm).max() < 1e-9


def test_levelling_ignores_a_deep_pit() -> None:
    y, x = grid_mm(300, 0.05)
    pit = cone(300, 0.05, 1.5, 1.0)
    levelled = level(as_map(0.05 * x + pit + 0 * y, 0.05))
    # The plane is removed exactly, pit or no pit.
    np.testing.assert_allclose(levelled.heights_mm, pit, atol=1e-9)


def test_form_removal_takes_out_a_cheek_curvature() -> None:
    y, x = grid_mm(400, 0.05)
    form = -3.0 * ((x - 10) / 10) ** 2 - 1.5 * ((y - 10) / 10) ** 2 + 0.2 * (x - 10) / 10 * (y - 10)
    removed = remove_form(as_map(form + 0 * x, 0.05), degree=2)
    assert np.abs(removed.heights_mm).max() < 1e-6


def test_polynomial_fit_is_robust_to_outliers() -> None:
    rng = np.random.default_rng(0)
    y, x = rng.uniform(0, 10, 500), rng.uniform(0, 10, 500)
    z = 0.5 + 0.1 * x - 0.2 * y
    z[:40] -= 1.0  # forty scar pixels
    fitted = fit_polynomial(y, x, z, 1, iterations=3)
    np.testing.assert_allclose(fitted.evaluate_points(y[40:], x[40:]), z[40:], atol=1e-9)


def test_levelling_never_changes_its_input() -> None:
    y, x = grid_mm(100, 0.05)
    heights = 0.02 * x + 0 * y
    original = heights.copy()
    height_map = as_map(heights, 0.05)
    level(height_map)
    remove_form(height_map)
    np.testing.assert_array_equal(heights, original)
    np.testing.assert_array_equal(height_map.heights_mm, original)


def test_block_means_ignore_missing_pixels() -> None:
    values = np.arange(36, dtype=np.float64).reshape(6, 6)
    values[0, 0] = np.nan
    blocks = block_means(values, 3)
    assert blocks.values[0, 0] == pytest.approx(np.mean([1, 2, 6, 7, 8, 12, 13, 14]))
    assert blocks.counts[0, 0] == 8
    uneven = block_means(np.ones((7, 5)), 2)
    assert uneven.values.shape == (4, 3)
    np.testing.assert_allclose(uneven.values, 1.0)


def test_bilinear_sampling_reproduces_a_plane_inside_the_grid() -> None:
    coarse = np.add.outer(np.arange(8.0), 2 * np.arange(8.0))
    rows = np.linspace(2, 29, 9)
    cols = np.linspace(2, 29, 7)
    sampled = sample_bilinear(coarse, 4, rows, cols)
    expected = np.add.outer((rows - 1.5) / 4, 2 * (cols - 1.5) / 4)
    np.testing.assert_allclose(sampled, expected)


def test_bilinear_sampling_extends_a_plane_to_the_edges() -> None:
    # Between the outer block centres and the map's edge the surface goes on, not flat: a held
    # edge value on a steep form reads as a row of shallow depressions along the border.
    coarse = np.add.outer(np.arange(8.0), 2 * np.arange(8.0))
    edges = np.array([0.0, 0.5, 30.5, 31.0])
    sampled = sample_bilinear(coarse, 4, edges, edges)
    expected = np.add.outer((edges - 1.5) / 4, 2 * (edges - 1.5) / 4)
    np.testing.assert_allclose(sampled, expected)


def test_form_degree_is_at_least_two_and_grows_with_the_field() -> None:
    params = AnalysisParameters()
    assert form_degree_for(6.0, params) == 2
    assert form_degree_for(12.8, params) == 2
    assert form_degree_for(36.0, params) == 3
    assert form_degree_for(51.2, params) == 4
    assert form_degree_for(200.0, params) == params.form_degree


def test_masked_mean_bridges_excluded_blocks() -> None:
    values = np.full((40, 40), 2.0)
    excluded = np.zeros((40, 40), dtype=bool)
    excluded[10:30, 10:30] = True
    values[excluded] = -5.0
    mean = masked_mean(values, ~excluded, 3.0)
    np.testing.assert_allclose(mean, 2.0)


def test_the_local_plane_follows_a_slope_to_the_border_and_across_a_hole() -> None:
    # A weighted mean is one-sided at the border and at a hole's rim, so on sloping skin it
    # sits above or below it there; the local plane does not (up to its small ridge).
    rows, cols = np.mgrid[0:40, 0:50].astype(np.float64)
    slope = 0.01 * cols - 0.004 * rows
    weights = np.ones(slope.shape, dtype=bool)
    weights[12:28, 15:35] = False  # an excluded scar
    plane_error = np.abs(masked_local_plane(slope, weights, 5.0) - slope).max()
    mean_error = np.abs(masked_mean(slope, weights, 5.0) - slope).max()
    assert plane_error < 0.002
    assert mean_error > 10 * plane_error


def test_the_local_plane_is_the_weighted_mean_where_weights_surround_evenly() -> None:
    rng = np.random.default_rng(4)
    values = rng.normal(size=(60, 60))
    weights = np.ones(values.shape, dtype=bool)
    inner = (slice(25, 35), slice(25, 35))  # far from the border: symmetric weights
    np.testing.assert_allclose(
        masked_local_plane(values, weights, 3.0)[inner], masked_mean(values, weights, 3.0)[inner]
    )


def test_local_reference_stays_on_the_skin_around_a_deep_pit() -> None:
    residual = cone(120, 0.2, 3.0, 0.4)
    reference, excluded = local_reference(residual, 0.2, AnalysisParameters())
    assert excluded[60, 60]
    assert np.abs(reference).max() < 0.005  # the pit does not pull the reference down
