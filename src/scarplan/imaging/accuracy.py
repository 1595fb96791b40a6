"""Compare detected scars with planted ones (synthetic ground truth).

Matching: one-to-one by centre distance (Hungarian assignment), a pair counting only when the
detected centre lies within the planted scar's radius (at least `MIN_MATCH_RADIUS_MM`).
Detection: precision, recall, F1. Of the matched: typing accuracy, median absolute diameter
error (equivalent diameters, mm) and median relative depth error.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from scarplan.domain.vocabulary import ScarType
from scarplan.imaging.analyze import Scar
from scarplan.imaging.synth import PlantedScar

MIN_MATCH_RADIUS_MM = 0.3
UNMATCHABLE = 1e9


@dataclass(frozen=True)
class Match:
    planted: PlantedScar
    detected: Scar

    @property
    def diameter_error_mm(self) -> float:
        return abs(self.detected.measurement.diameter_mm - self.planted.diameter_mm)

    @property
    def depth_error_fraction(self) -> float:
        return abs(self.detected.measurement.depth_mm - self.planted.depth_mm) / (
            self.planted.depth_mm
        )

    @property
    def typed_correctly(self) -> bool:
        return self.detected.call.type is self.planted.type


@dataclass(frozen=True)
class Accuracy:
    planted: int
    detected: int
    matches: tuple[Match, ...]
    missed: tuple[PlantedScar, ...]
    spurious: tuple[Scar, ...]

    @property
    def precision(self) -> float:
        return len(self.matches) / self.detected if self.detected else 1.0

    @property
    def recall(self) -> float:
        return len(self.matches) / self.planted if self.planted else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    @property
    def typing_accuracy(self) -> float:
        return _mean([1.0 if m.typed_correctly else 0.0 for m in self.matches])

    @property
    def median_diameter_error_mm(self) -> float:
        return _median([m.diameter_error_mm for m in self.matches])

    @property
    def median_depth_error_fraction(self) -> float:
        return _median([m.depth_error_fraction for m in self.matches])

    def of_type(self, scar_type: ScarType) -> Accuracy:
        """The same figures restricted to scars planted (or, if spurious, typed) as one type."""
        return Accuracy(
            planted=sum(1 for m in self.matches if m.planted.type is scar_type)
            + sum(1 for p in self.missed if p.type is scar_type),
            detected=sum(1 for m in self.matches if m.planted.type is scar_type)
            + sum(1 for s in self.spurious if s.call.type is scar_type),
            matches=tuple(m for m in self.matches if m.planted.type is scar_type),
            missed=tuple(p for p in self.missed if p.type is scar_type),
            spurious=tuple(s for s in self.spurious if s.call.type is scar_type),
        )

    def as_json(self) -> dict[str, float | int]:
        return {
            "planted": self.planted,
            "detected": self.detected,
            "matched": len(self.matches),
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "typing_accuracy": round(self.typing_accuracy, 4),
            "median_diameter_error_mm": round(self.median_diameter_error_mm, 4),
            "median_depth_error_fraction": round(self.median_depth_error_fraction, 4),
        }


def compare(planted: Sequence[PlantedScar], detected: Sequence[Scar]) -> Accuracy:
    if not planted or not detected:
        return Accuracy(len(planted), len(detected), (), tuple(planted), tuple(detected))
    cost = np.full((len(planted), len(detected)), UNMATCHABLE)
    for i, truth in enumerate(planted):
        reach = max(truth.diameter_mm / 2, MIN_MATCH_RADIUS_MM)
        for j, scar in enumerate(detected):
            distance = math.hypot(
                scar.measurement.x_mm - truth.x_mm, scar.measurement.y_mm - truth.y_mm
            )
            if distance <= reach:
                cost[i, j] = distance
    rows, cols = linear_sum_assignment(cost)
    pairs = [(i, j) for i, j in zip(rows, cols, strict=True) if cost[i, j] < UNMATCHABLE]
    matched_planted = {i for i, _ in pairs}
    matched_detected = {j for _, j in pairs}
    return Accuracy(
        planted=len(planted),
        detected=len(detected),
        matches=tuple(Match(planted[i], detected[j]) for i, j in pairs),
        missed=tuple(p for i, p in enumerate(planted) if i not in matched_planted),
        spurious=tuple(s for j, s in enumerate(detected) if j not in matched_detected),
    )


def _median(values: list[float]) -> float:
    return float(np.median(values)) if values else math.nan


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else math.nan
