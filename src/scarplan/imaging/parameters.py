"""Every tunable number of the topography pipeline, in one documented place.

None of these is a clinical fact: the clinical width and depth thresholds come from the
knowledge base (`TypingThresholds`). These say how the software turns a height map into
shapes (docs/topography.md section 2 explains each and why it has its default).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from scarplan.domain.errors import FieldProblem, InputError


@dataclass(frozen=True)
class AnalysisParameters:
    # Levelling and form removal.
    level_degree: int = 1
    """Degree of the robust polynomial removed first: 1 = a plane (tilt)."""
    form_degree: int = 4
    """Highest degree of the robust polynomial that follows the face's curvature."""
    form_scale_mm: float = 12.0
    """Above degree 2, the form polynomial gets one degree per this many mm of the map's
    longer side (up to `form_degree`), so it can never bend within a scar: a degree-4
    polynomial across a 6 mm map would follow a 3 mm scar instead of the skin around it.
    Degree 2 (curvature) is always removed (analyze.form_degree_for)."""

    # Local reference surface (the skin as it would be without the scars).
    reference_grid_mm: float = 0.2
    """Block size of the grid on which the form and the reference are estimated."""
    reference_sigma_mm: float = 1.0
    """Gaussian scale of the local reference: follows waviness over a few mm, not scars."""
    reference_iterations: int = 3
    """Rounds of excluding depressions and re-estimating the reference."""
    reference_margin_mm: float = 0.4
    """Margin around an excluded depression, so its faint rim does not pull the reference."""

    # Detection.
    detection_grid_mm: float = 0.05
    """Depressions are found on block means of about this size (halves device noise at
    0.025 mm pixels); they are measured at full resolution."""
    min_depth_mm: float = 0.03
    """Lowest footprint threshold: shallower dips are skin texture."""
    seed_depth_mm: float = 0.06
    """A depression must reach at least this depth somewhere."""
    footprint_sigmas: float = 3.0
    """The footprint threshold rises to this many noise standard deviations on noisy maps."""
    seed_sigmas: float = 5.0
    """The seed threshold rises to this many noise standard deviations on noisy maps."""
    min_diameter_mm: float = 0.3
    """Footprints smaller than a disc of this diameter are ignored."""
    split_prominence_mm: float = 0.04
    """Two touching depressions are split when each is at least this much deeper than the
    saddle between them (watershed markers are h-maxima of this height)."""
    marker_grid_mm: float = 0.05
    """Watershed markers are searched on the smoothed depth sampled at this spacing."""

    # Measurement.
    fine_smoothing_px: float = 1.0
    """Light Gaussian smoothing (pixels) for slopes, markers and the apex of V-shaped scars."""
    coarse_smoothing_mm: float = 0.08
    """Heavier smoothing (mm), the second scale of the apex measurement."""
    bowl_smoothing_fraction: float = 0.1
    """The depth of a sloping bowl is taken after smoothing at this fraction of its radius:
    enough to average out skin texture at its flat centre, too little to lower a bowl."""
    rim_levels: tuple[float, float] = (0.15, 0.35)
    """Fractions of the depth at which the footprint area is measured; the opening is
    extrapolated from these two to depth zero."""
    floor_level: float = 0.8
    """Pixels at least this fraction of the depth deep form the floor."""
    wall_band: tuple[float, float] = (0.2, 0.8)
    """Fractions of the depth between which the wall slope is taken."""
    roughness_max_pixels: int = 1 << 20
    """Sa and Sq use every pixel up to this many, else every k-th row and column (an even
    sub-grid; on skin texture the difference is far below 0.1 %)."""

    # Profile shape (V-shaped, flat floor, sloping); soft thresholds, see scar_typing.py.
    sharp_apex_deg: float = 30.0
    apex_softness_deg: float = 5.0
    steep_wall_deg: float = 20.0
    wall_softness_deg: float = 4.0
    flat_floor_fraction: float = 0.5
    """Floor area over the area deeper than 20 % of the depth: a cone has 0.06, a
    paraboloid bowl 0.25, a flat-floored scar 0.8 or more."""
    flatness_softness: float = 0.08

    # Typing.
    width_softness_mm: float = 0.15
    """Widths within about this distance of a knowledge-base threshold count for both sides."""
    depth_softness_mm: float = 0.05
    evidence_floor: float = 0.05
    """Weight kept by a type that one line of evidence speaks against, so the other can
    still win and the confidence shows the conflict."""
    high_confidence: float = 0.8
    moderate_confidence: float = 0.6

    def __post_init__(self) -> None:
        problems = [
            FieldProblem(f"parameters.{item.name}", f"must be positive, got {value!r}")
            for item in fields(self)
            if isinstance(value := getattr(self, item.name), int | float)
            and not isinstance(value, bool)
            and value <= 0
        ]
        for name in ("rim_levels", "wall_band"):
            low, high = getattr(self, name)
            if not 0 < low < high < 1:
                problems.append(FieldProblem(f"parameters.{name}", "needs 0 < low < high < 1", ""))
        if problems:
            raise InputError("invalid analysis parameters", problems)
