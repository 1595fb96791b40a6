"""Areal roughness Sa and Sq on surfaces with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from scarplan.assessment.classify import TypingThresholds
from scarplan.imaging.analyze import analyze
from scarplan.imaging.roughness import areal_roughness
from unit.imaging.shapes import as_map, grid_mm


def test_sine_surface_has_the_textbook_sa_and_sq() -> None:
    _, x = grid_mm(400, 0.01)
    amplitude_mm = 0.004
    surface = amplitude_mm * np.sin(2 * np.pi * x / 0.5) + np.zeros((400, 1))
    found = areal_roughness(surface)
    assert found.sa_um == pytest.approx(2 / np.pi * 4, rel=2e-3)
    assert found.sq_um == pytest.approx(4 / np.sqrt(2), rel=1e-3)


def test_missing_pixels_and_offsets_are_ignored() -> None:
    rng = np.random.default_rng(1)
    surface = 5.0 + rng.normal(0, 0.002, (300, 300))
    surface[::7, ::5] = np.nan
    found = areal_roughness(surface)
    assert found.sq_um == pytest.approx(2.0, rel=0.02)
    assert found.sa_um == pytest.approx(2.0 * np.sqrt(2 / np.pi), rel=0.02)


def test_analysis_reports_roughness_after_removing_tilt(thresholds: TypingThresholds) -> None:
    rng = np.random.default_rng(2)
    y, x = grid_mm(512, 0.03)
    heights = 0.1 * x + 0.05 * y + rng.normal(0, 0.003, (512, 512))
    found = analyze(as_map(heights, 0.03), thresholds).roughness
    assert found.sq_um == pytest.approx(3.0, rel=0.03)


def test_large_maps_are_sampled_evenly(thresholds: TypingThresholds) -> None:
    rng = np.random.default_rng(3)
    heights = rng.normal(0, 0.004, (1200, 1200))
    full = areal_roughness(heights)
    sampled = analyze(as_map(heights, 0.03), thresholds).roughness
    assert sampled.sq_um == pytest.approx(full.sq_um, rel=0.01)
    assert sampled.sa_um == pytest.approx(full.sa_um, rel=0.01)
