"""Scar typing from measurements: each rule row of docs/assessment.md section 1."""

from __future__ import annotations

import pytest

from scarplan.assessment.classify import TypingThresholds, classify_lesion
from scarplan.assessment.results import Confidence, TypeSource
from scarplan.domain.case import LesionGroup
from scarplan.domain.vocabulary import EdgeProfile, Region, ScarType

LIMITS = TypingThresholds(
    ice_pick_max_width_mm=2.0,
    boxcar_min_width_mm=1.5,
    boxcar_max_width_mm=4.0,
    rolling_min_width_mm=4.0,
    shallow_max_depth_mm=0.5,
    sources=("FABB2010",),
)
IP, B, R = ScarType.ICE_PICK, ScarType.BOXCAR, ScarType.ROLLING


def _lesion(width: float, **facts: object) -> LesionGroup:
    return LesionGroup(region=Region.CHIN, count=1, width_mm=width, **facts)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("lesion", "scar_type", "confidence", "candidates"),
    [
        (_lesion(1.0, edges=EdgeProfile.SHARP), IP, Confidence.HIGH, {IP}),
        (_lesion(1.0, depth_mm=0.6), IP, Confidence.HIGH, {IP}),
        (_lesion(1.0), IP, Confidence.MODERATE, {IP}),
        (_lesion(1.0, edges=EdgeProfile.SLOPED), IP, Confidence.LOW, {IP, R}),
        (_lesion(1.5), IP, Confidence.LOW, {IP, B}),
        (_lesion(1.8, depth_mm=0.9), IP, Confidence.MODERATE, {IP, B}),
        (_lesion(1.8, depth_mm=0.8), B, Confidence.MODERATE, {IP, B}),
        (_lesion(2.0, edges=EdgeProfile.SHARP), B, Confidence.HIGH, {B}),
        (_lesion(3.0), B, Confidence.MODERATE, {B}),
        (_lesion(3.0, distensible=True), R, Confidence.LOW, {B, R}),
        (_lesion(3.0, distensible=True, edges=EdgeProfile.SHARP), B, Confidence.HIGH, {B}),
        (_lesion(4.0), R, Confidence.MODERATE, {R}),
        (_lesion(6.0, edges=EdgeProfile.SLOPED), R, Confidence.HIGH, {R}),
        (_lesion(6.0, edges=EdgeProfile.SHARP), B, Confidence.LOW, {B, R}),
        (_lesion(6.0, edges=EdgeProfile.SHARP, distensible=True), R, Confidence.HIGH, {R}),
    ],
)
def test_measured_typing(
    lesion: LesionGroup, scar_type: ScarType, confidence: Confidence, candidates: set[ScarType]
) -> None:
    typed = classify_lesion(0, lesion, LIMITS)
    assert typed.type is scar_type
    assert typed.type_source is TypeSource.MEASURED
    assert typed.confidence is confidence
    assert set(typed.candidates) == candidates
    assert typed.reasons


def test_given_type_is_kept_whatever_the_measurements() -> None:
    lesion = LesionGroup(region=Region.CHIN, count=3, type=ScarType.ROLLING, width_mm=1.0)
    typed = classify_lesion(2, lesion, LIMITS)
    assert (typed.type, typed.type_source, typed.index) == (R, TypeSource.GIVEN, 2)
    assert typed.confidence is None


def test_boundary_reason_names_both_types() -> None:
    typed = classify_lesion(0, _lesion(1.7), LIMITS)
    assert "boundary" in typed.reasons[0]
    assert "record depth_mm" in typed.reasons[1]
