"""How a published outcome states improvement honestly (modalities.yaml `outcomes`).

Studies report improvement in two ways, and scarplan keeps them apart:

- `improvement_pct`: the improvement the study reports for its patients as a whole, with its
  `basis`: a mean, the range its patients' improvement spanned, or the band most patients (or the
  largest group) reached. It is never a span stitched together from every band: "over 70 % in
  73 %, 30-49 % in 7 %" is not an improvement of 30-100 %.
- `responders`: the share of patients in each improvement band, as the study gives them.

A range starting at 0 % says nothing, and 100 % means the scars were gone: a range may reach
100 only where a source reports complete clearance (`complete_clearance: true`).
"""

from __future__ import annotations

import math
from enum import StrEnum
from fractions import Fraction
from typing import Self

from pydantic import Field, StrictBool, model_validator

from scarplan.knowledge.schema.common import Cited, CitedRange, Number

ALL = 100.0
SMALL_DENOMINATORS = range(2, 11)
"""'n in d' for any n with d up to 10; beyond that only '1 in d' (up to ONE_IN_MAX)."""
ONE_IN_MAX = 50
RELATIVE_TOLERANCE = 0.08
"""A share is said as 'about n in d' when n/d lies within 8 % of the share, or of the rest when
that is smaller (92 % is not 'about 6 in 7'), and at least within 0.5 points."""
MOST = 50.0
EXACT = 0.5
"""Within half a point, a fraction is said without 'about'."""
_FRACTIONS = [
    Fraction(n, d) for d in SMALL_DENOMINATORS for n in range(1, d) if math.gcd(n, d) == 1
]
_ONE_IN = [Fraction(1, d) for d in range(max(SMALL_DENOMINATORS) + 1, ONE_IN_MAX + 1)]


class ImprovementBasis(StrEnum):
    """What an improvement range stands for in the study."""

    MEAN = "mean"
    """The mean (or a single reported) improvement."""
    RANGE = "range"
    """The span the patients' (or scars') improvement covered."""
    MOST = "most"
    """The band more than half of the patients reached."""
    LARGEST_GROUP = "largest_group"
    """The band the largest group of patients reached (not a majority)."""


class ImprovementRange(CitedRange):
    """Improvement in per cent, with what the number stands for."""

    basis: ImprovementBasis = ImprovementBasis.RANGE
    mean: Number | None = None
    """The mean the study gives beside a range (e.g. 60-90 %, mean 71.7 %)."""
    complete_clearance: StrictBool = False
    """True only where a source reports complete clearance: then (and only then) the range may
    reach 100 %."""

    @model_validator(mode="after")
    def _honest(self) -> Self:
        if self.min is not None and self.min <= 0:
            raise ValueError(
                "an improvement range starting at 0 % says nothing: give the mean or the band "
                "most patients reached, and the other bands under `responders`"
            )
        if self.mean is not None and not (
            (self.min is None or self.min <= self.mean)
            and (self.max is None or self.mean <= self.max)
        ):
            raise ValueError(f"the mean ({self.mean:g}) lies outside the range")
        top = self.max if self.max is not None else self.min
        if top is not None and top > ALL:
            raise ValueError(f"improvement cannot exceed 100 % (got {top:g})")
        if top == ALL and not self.complete_clearance:
            raise ValueError(
                "an improvement range reaching 100 % claims complete clearance: set "
                "`complete_clearance: true` only where a source reports it, or give the band "
                "most patients reached and the others under `responders`"
            )
        return self

    def plain(self) -> str:
        """'most patients improved 50-75 %', 'mean improvement 71.7 %'."""
        band = band_words(self.min, self.max)
        if self.mean is not None and self.basis is not ImprovementBasis.MEAN:
            band += f" (mean {self.mean:g} %)"
        if self.basis is ImprovementBasis.MEAN:
            return f"mean improvement {band}"
        if self.basis is ImprovementBasis.MOST:
            return f"most patients improved {band}"
        if self.basis is ImprovementBasis.LARGEST_GROUP:
            return f"the largest group improved {band}"
        return f"improvement {band}"


class ResponderBand(Cited):
    """A share of a study's patients and the improvement band they reached."""

    share_pct: Number = Field(gt=0, le=ALL)
    min_pct: Number | None = Field(default=None, ge=0, le=ALL)
    max_pct: Number | None = Field(default=None, ge=0, le=ALL)
    at_least: StrictBool = False
    """With only `min_pct`: the study says 'at least', not 'more than'."""
    note: str = ""

    @model_validator(mode="after")
    def _band(self) -> Self:
        if self.min_pct is None and self.max_pct is None:
            raise ValueError("a responder band needs min_pct, max_pct or both")
        if self.min_pct is not None and self.max_pct is not None and self.min_pct > self.max_pct:
            raise ValueError(f"min_pct ({self.min_pct:g}) is greater than max_pct")
        return self

    def band(self) -> str:
        return band_words(self.min_pct, self.max_pct, at_least=self.at_least)


def band_words(low: float | None, high: float | None, *, at_least: bool = False) -> str:
    """'more than 70 %', '50-70 %', 'less than 25 %', '80 %', 'no improvement'."""
    if low is not None and high is not None:
        if low == high == 0:
            return "no improvement"
        if low == high:
            return f"{low:g} %"
        return f"{low:g}-{high:g} %"
    if low is not None:
        return f"{'at least' if at_least else 'more than'} {low:g} %"
    return f"less than {high:g} %"


def plain_share(pct: float) -> str:
    """A share of patients in words: 20 -> '1 in 5', 73.3 -> 'about 3 in 4', 6.7 -> '1 in 15',
    92 -> '92 %'. A fraction n/d with d up to 10 (smallest d first) within the tolerance, else the
    closest '1 in d' for small shares, else the rounded percentage."""
    if pct >= ALL:
        return "all"
    tolerance = max(EXACT, RELATIVE_TOLERANCE * min(pct, ALL - pct))
    found = next((f for f in _FRACTIONS if abs(float(f) * ALL - pct) <= tolerance), None)
    if found is None:
        closest = min(_ONE_IN, key=lambda f: abs(float(f) * ALL - pct))
        if abs(float(closest) * ALL - pct) <= tolerance:
            found = closest
    if found is None:
        return f"{pct:.0f} %"
    words = f"{found.numerator} in {found.denominator}"
    return words if abs(float(found) * ALL - pct) < EXACT else f"about {words}"


def in_short(improvement: ImprovementRange | None, responders: tuple[ResponderBand, ...]) -> str:
    """The outcome's improvement in plain words, or '' when it reports none in per cent:
    'most patients (about 3 in 4) improved more than 70 %; 1 in 5 50-70 %; ...'."""
    if responders:
        ranked = sorted(responders, key=lambda band: -band.share_pct)
        first, rest = ranked[0], ranked[1:]
        share = plain_share(first.share_pct)
        if first.share_pct > MOST:
            who = (
                "most patients (just over half)"
                if share.endswith(" 1 in 2")
                else f"most patients ({share})"
            )
        else:
            who = f"the largest group ({share})"
        parts = [f"{who} improved {first.band()}"]
        rest.sort(key=lambda band: -(band.min_pct if band.min_pct is not None else -1))
        parts.extend(f"{plain_share(band.share_pct)} {band.band()}" for band in rest)
        return "; ".join(parts)
    if improvement is not None:
        return improvement.plain()
    return ""
