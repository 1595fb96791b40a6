"""Small synthetic height maps for tests that need an upload, not an accuracy study."""

from __future__ import annotations

from scarplan.imaging.io import write_height_map
from scarplan.imaging.synth import SynthParameters, synthesize

PIXEL_SIZE_MM = 0.025


def small_map_npy(seed: int = 3) -> bytes:
    """A 1024 x 1024 map (25.6 mm square) with two ice pick scars, one boxcar and one rolling,
    heights in micrometres, as the bytes of a .npy file (which carries no pixel size)."""
    params = SynthParameters(
        size_px=1024,
        pixel_size_mm=PIXEL_SIZE_MM,
        ice_pick=2,
        boxcar=1,
        rolling=1,
        touching_pairs=0,
    )
    return write_height_map(synthesize(seed, params).height_map, "map.npy")
