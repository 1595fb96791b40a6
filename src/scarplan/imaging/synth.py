"""Synthetic skin height maps with planted scars whose truth is known (docs/topography.md §4).

The surface, in mm, is the sum of
- tilt: a random plane up to `max_tilt_deg`;
- form: a convex quadratic (cheek-like, partly cylindrical) whose radius of curvature is
  nowhere below `form_radius_mm` (a modelling assumption: 100 mm is a gently curved cheek,
  3.3 mm of sag at the edges of a 51 mm field, 0.2 mm at the edges of a 12.8 mm one);
- waviness: band-limited noise, wavelengths 8-40 mm, `waviness_um` RMS;
- texture: band-limited noise, wavelengths 0.1-1.5 mm, `texture_um` RMS (skin micro-relief,
  also on scar floors);
- scars, subtracted (deepest wins where two overlap):
  ice pick: cone (V), opening 0.6-1.8 mm (under 2 mm [FABB2010]), depth 0.5-1x the width;
  boxcar: flat floor with steep walls rounded over 0.05-0.15 mm, 1.5-4 mm across [FABB2010],
  0.1-0.7 mm deep (shallow 0.1-0.5, deep 0.5+ [FABB2010]);
  rolling: sloping bowl 1 - r^n (n 1.6-2.4), 4.5-8 mm across ("wider than 4-5 mm" [FABB2010]),
  0.15-0.45 mm deep (shallow; the reference gives no number: a modelling assumption);
  ice pick and boxcar openings are slightly elliptical (up to 1.15 and 1.25), rolling up to 1.4;
- device noise: white, `noise_um` RMS; dropouts: small clusters of NaN pixels.
Scars keep `min_gap_mm` from each other, except `touching_pairs` pairs whose rims touch
(overlapping by up to 3 % of the summed radii or apart by up to 2 %), to exercise the
watershed split.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from scarplan.domain.errors import FieldProblem, InputError
from scarplan.domain.vocabulary import ScarType
from scarplan.imaging.grid import sample_bilinear
from scarplan.imaging.heightmap import FloatArray, HeightMap

MODEL_VERSION = 1
MAX_PLACEMENT_ATTEMPTS = 4000
WAVINESS_BLOCK_MM = 0.4
PAIR_SPACING = (0.97, 1.02)
"""Centre distance of a touching pair over the sum of the radii: rims overlapping by up to
3 % or apart by up to 2 %. Deeper overlaps make the shallower scar a terrace of the deeper
one, a compound scar rather than two touching ones (docs/topography.md, limitations)."""
PAIR_TYPES = (
    (ScarType.BOXCAR, ScarType.BOXCAR),
    (ScarType.ICE_PICK, ScarType.BOXCAR),
    (ScarType.BOXCAR, ScarType.ROLLING),
    (ScarType.ICE_PICK, ScarType.ROLLING),
)


@dataclass(frozen=True)
class SynthParameters:
    size_px: int = 2048
    pixel_size_mm: float = 0.025
    noise_um: float = 5.0
    texture_um: float = 8.0
    waviness_um: float = 15.0
    form_radius_mm: float = 100.0
    max_tilt_deg: float = 5.0
    dropout_fraction: float = 0.001
    ice_pick: int = 8
    boxcar: int = 8
    rolling: int = 4
    touching_pairs: int = 2
    min_gap_mm: float = 1.0
    border_mm: float = 1.0

    def __post_init__(self) -> None:
        problems = []
        if self.size_px < 64:
            problems.append(FieldProblem("--size", "must be at least 64 pixels", ""))
        if not 0.005 <= self.pixel_size_mm <= 0.1:
            problems.append(
                FieldProblem("--pixel-size", "must be 0.005-0.1 mm", "e.g. --pixel-size 0.025")
            )
        for name in ("noise_um", "texture_um", "waviness_um", "max_tilt_deg"):
            if getattr(self, name) < 0:
                problems.append(FieldProblem(name, "must not be negative", ""))
        if self.form_radius_mm <= 0:
            problems.append(
                FieldProblem("form_radius_mm", "must be positive", "use math.inf for a flat form")
            )
        counts = (self.ice_pick, self.boxcar, self.rolling, self.touching_pairs)
        if min(counts) < 0:
            problems.append(FieldProblem("scar counts", "must not be negative", ""))
        if not 0 <= self.dropout_fraction < 0.5:
            problems.append(FieldProblem("dropout_fraction", "must be 0 to 0.5", ""))
        if problems:
            raise InputError("invalid synthetic surface parameters", problems)

    @property
    def field_mm(self) -> float:
        return self.size_px * self.pixel_size_mm


@dataclass(frozen=True)
class PlantedScar:
    type: ScarType
    x_mm: float
    y_mm: float
    depth_mm: float
    semi_major_mm: float
    semi_minor_mm: float
    angle_deg: float
    shape_parameter: float
    """Boxcar: wall width in mm; rolling: exponent n of 1 - r^n; ice pick: unused (1)."""
    touching: bool = False

    @property
    def diameter_mm(self) -> float:
        """Equivalent diameter: the disc with the same opening area."""
        return 2 * math.sqrt(self.semi_major_mm * self.semi_minor_mm)

    @property
    def max_diameter_mm(self) -> float:
        return 2 * self.semi_major_mm


@dataclass(frozen=True)
class SyntheticSurface:
    height_map: HeightMap
    scars: tuple[PlantedScar, ...]
    seed: int
    parameters: SynthParameters


def synthesize(seed: int, params: SynthParameters | None = None) -> SyntheticSurface:
    params = params if params is not None else SynthParameters()
    rng = np.random.default_rng(seed)
    scars = _plant(rng, params)
    size, pixel = params.size_px, params.pixel_size_mm
    coords = np.arange(size, dtype=np.float64) * pixel
    heights = _form(rng, coords, params)
    heights += _waviness(rng, params)
    heights += _band_noise(rng, size, pixel, (0.1, 1.5), params.texture_um / 1000)
    heights -= _scar_depths(scars, size, pixel)
    if params.noise_um > 0:
        heights += rng.normal(0.0, params.noise_um / 1000, heights.shape)
    _drop_out(rng, heights, params.dropout_fraction)
    source = f"synthetic seed {seed}, noise {params.noise_um:g} um RMS"
    return SyntheticSurface(HeightMap(heights, pixel, source), scars, seed, params)


# --- scars ----------------------------------------------------------------------------------


def _random_scar(rng: np.random.Generator, scar_type: ScarType, round_opening: bool) -> PlantedScar:
    if scar_type is ScarType.ICE_PICK:
        diameter = rng.uniform(0.6, 1.8)
        depth = diameter * rng.uniform(0.5, 1.0)
        aspect, shape = rng.uniform(1.0, 1.15), 1.0
    elif scar_type is ScarType.BOXCAR:
        diameter = rng.uniform(1.5, 4.0)
        depth = rng.uniform(0.1, 0.7)
        aspect, shape = rng.uniform(1.0, 1.25), rng.uniform(0.05, 0.15)
    else:
        diameter = rng.uniform(4.5, 8.0)
        depth = rng.uniform(0.15, 0.45)
        aspect, shape = rng.uniform(1.0, 1.4), rng.uniform(1.6, 2.4)
    if round_opening:
        aspect = 1.0
    radius = diameter / 2
    return PlantedScar(
        type=scar_type,
        x_mm=0.0,
        y_mm=0.0,
        depth_mm=float(depth),
        semi_major_mm=float(radius * math.sqrt(aspect)),
        semi_minor_mm=float(radius / math.sqrt(aspect)),
        angle_deg=float(rng.uniform(0.0, 180.0)),
        shape_parameter=float(shape),
    )


def _plant(rng: np.random.Generator, params: SynthParameters) -> tuple[PlantedScar, ...]:
    placed: list[PlantedScar] = []
    for pair in range(params.touching_pairs):
        first, second = PAIR_TYPES[pair % len(PAIR_TYPES)]
        _place_pair(rng, params, placed, first, second)
    singles = (
        [ScarType.ROLLING] * params.rolling
        + [ScarType.BOXCAR] * params.boxcar
        + [ScarType.ICE_PICK] * params.ice_pick
    )
    for scar_type in singles:
        scar = _random_scar(rng, scar_type, round_opening=False)
        placed.append(_place(rng, params, placed, scar))
    return tuple(placed)


def _place(
    rng: np.random.Generator, params: SynthParameters, placed: list[PlantedScar], scar: PlantedScar
) -> PlantedScar:
    reach = scar.semi_major_mm + params.border_mm
    if 2 * reach >= params.field_mm:
        raise _crowded(params)
    for _ in range(MAX_PLACEMENT_ATTEMPTS):
        x, y = rng.uniform(reach, params.field_mm - reach, size=2)
        if _clear(x, y, scar.semi_major_mm, placed, params.min_gap_mm):
            return _moved(scar, x, y)
    raise _crowded(params)


def _place_pair(
    rng: np.random.Generator,
    params: SynthParameters,
    placed: list[PlantedScar],
    first_type: ScarType,
    second_type: ScarType,
) -> None:
    first = _random_scar(rng, first_type, round_opening=True)
    second = _random_scar(rng, second_type, round_opening=True)
    for _ in range(MAX_PLACEMENT_ATTEMPTS):
        distance = (first.semi_major_mm + second.semi_major_mm) * rng.uniform(*PAIR_SPACING)
        angle = rng.uniform(0.0, 2 * math.pi)
        span = distance + first.semi_major_mm + second.semi_major_mm
        reach = span / 2 + params.border_mm
        if 2 * reach >= params.field_mm:
            raise _crowded(params)
        cx, cy = rng.uniform(reach, params.field_mm - reach, size=2)
        dx, dy = math.cos(angle) * distance / 2, math.sin(angle) * distance / 2
        a = _moved(first, cx - dx, cy - dy, touching=True)
        b = _moved(second, cx + dx, cy + dy, touching=True)
        if _clear(a.x_mm, a.y_mm, a.semi_major_mm, placed, params.min_gap_mm) and _clear(
            b.x_mm, b.y_mm, b.semi_major_mm, placed, params.min_gap_mm
        ):
            placed.extend((a, b))
            return
    raise _crowded(params)


def _moved(scar: PlantedScar, x: float, y: float, touching: bool = False) -> PlantedScar:
    return PlantedScar(**{**asdict(scar), "x_mm": float(x), "y_mm": float(y), "touching": touching})


def _clear(x: float, y: float, radius: float, placed: list[PlantedScar], gap: float) -> bool:
    return all(
        math.hypot(x - other.x_mm, y - other.y_mm) >= radius + other.semi_major_mm + gap
        for other in placed
    )


def _crowded(params: SynthParameters) -> InputError:
    return InputError(
        "the scars do not fit on the synthetic surface",
        [
            FieldProblem(
                "--size",
                f"a {params.field_mm:g} mm field cannot hold the requested scars apart",
                "use a larger --size or fewer scars",
            )
        ],
    )


def scar_profile(scar: PlantedScar, rho: FloatArray) -> FloatArray:
    """Relative depth (1 at the bottom, 0 at the rim and beyond) at normalised radius rho."""
    inside = np.clip(1.0 - rho, 0.0, 1.0)
    if scar.type is ScarType.ICE_PICK:
        return inside
    if scar.type is ScarType.BOXCAR:
        radius = math.sqrt(scar.semi_major_mm * scar.semi_minor_mm)
        t = np.clip(inside * radius / scar.shape_parameter, 0.0, 1.0)
        return t * t * (3.0 - 2.0 * t)
    return np.clip(1.0 - np.minimum(rho, 1.0) ** scar.shape_parameter, 0.0, 1.0)


def _scar_depths(scars: tuple[PlantedScar, ...], size: int, pixel: float) -> FloatArray:
    depths = np.zeros((size, size))
    for scar in scars:
        reach = scar.semi_major_mm
        r0 = max(0, math.floor((scar.y_mm - reach) / pixel))
        r1 = min(size, math.ceil((scar.y_mm + reach) / pixel) + 1)
        c0 = max(0, math.floor((scar.x_mm - reach) / pixel))
        c1 = min(size, math.ceil((scar.x_mm + reach) / pixel) + 1)
        dy = (np.arange(r0, r1) * pixel - scar.y_mm)[:, None]
        dx = (np.arange(c0, c1) * pixel - scar.x_mm)[None, :]
        angle = math.radians(scar.angle_deg)
        along = dx * math.cos(angle) + dy * math.sin(angle)
        across = -dx * math.sin(angle) + dy * math.cos(angle)
        rho = np.sqrt((along / scar.semi_major_mm) ** 2 + (across / scar.semi_minor_mm) ** 2)
        patch = scar.depth_mm * scar_profile(scar, rho)
        np.maximum(depths[r0:r1, c0:c1], patch, out=depths[r0:r1, c0:c1])
    return depths


# --- skin -----------------------------------------------------------------------------------


def _form(rng: np.random.Generator, coords: FloatArray, params: SynthParameters) -> FloatArray:
    half = params.field_mm / 2
    u = (coords - half) / half
    along_x, along_y = rng.uniform(0.3, 1.0, size=2)
    twist = rng.uniform(-0.2, 0.2)
    slope = math.tan(math.radians(params.max_tilt_deg))
    tilt_x, tilt_y = rng.uniform(-slope, slope, size=2)
    # Curvature d2h/dx2 = 2 * sag / half**2 = 1 / radius along an axis of full weight; keeping
    # the sum of the weights at 1 keeps every direction's curvature at or below 1 / radius.
    sag = half**2 / (2 * params.form_radius_mm)
    scale = sag / (along_x + along_y + abs(twist))
    rows = (-scale * along_y * u**2 + tilt_y * coords)[:, None]
    cols = (-scale * along_x * u**2 + tilt_x * coords)[None, :]
    return np.asarray(rows + cols - scale * twist * np.outer(u, u), dtype=np.float64)


def _waviness(rng: np.random.Generator, params: SynthParameters) -> FloatArray:
    factor = max(1, round(WAVINESS_BLOCK_MM / params.pixel_size_mm))
    blocks = -(-params.size_px // factor) + 1
    coarse = _band_noise(
        rng, blocks, params.pixel_size_mm * factor, (8.0, 40.0), params.waviness_um / 1000
    )
    positions = np.arange(params.size_px, dtype=np.float64)
    return sample_bilinear(coarse, factor, positions, positions)


def _band_noise(
    rng: np.random.Generator,
    size: int,
    pixel: float,
    wavelengths_mm: tuple[float, float],
    rms_mm: float,
) -> FloatArray:
    """Gaussian noise whose spectrum is a smooth band between the two wavelengths."""
    if rms_mm == 0:
        return np.zeros((size, size))
    shortest, longest = wavelengths_mm
    white = rng.standard_normal((size, size))
    spectrum = np.fft.rfft2(white)
    fy = np.fft.fftfreq(size, d=pixel)[:, None]
    fx = np.fft.rfftfreq(size, d=pixel)[None, :]
    frequency = np.sqrt(fx**2 + fy**2)
    band = np.exp(-((frequency * shortest) ** 2)) * (1.0 - np.exp(-((frequency * longest) ** 2)))
    noise = np.fft.irfft2(spectrum * band, s=(size, size))
    return np.asarray(noise * (rms_mm / max(float(noise.std()), 1e-12)))


def _drop_out(rng: np.random.Generator, heights: FloatArray, fraction: float) -> None:
    """Blank small clusters (radius 1-3 px), as a device does on glints and steep spots."""
    if fraction == 0:
        return
    size = heights.shape[0]
    clusters = int(fraction * heights.size / 12)  # a radius-2 disc holds about 12 pixels
    offsets = [(dr, dc) for dr in range(-3, 4) for dc in range(-3, 4)]
    centres = rng.integers(0, size, size=(clusters, 2))
    radii = rng.uniform(1.0, 3.0, size=clusters)
    for dr, dc in offsets:
        hit = dr * dr + dc * dc <= radii**2
        rows = np.clip(centres[hit, 0] + dr, 0, size - 1)
        cols = np.clip(centres[hit, 1] + dc, 0, size - 1)
        heights[rows, cols] = np.nan
