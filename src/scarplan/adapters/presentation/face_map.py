"""The face-map drawing: one closed SVG path per treatment region (front view, viewBox
0 0 300 380, face centred on x = 150), shared by the interactive map on the assessment page and
the shaded map in the printed report.

The viewer's left is the patient's right (clinical front view), so "*_right" shapes sit on the
left half. Neighbouring shapes share their boundary curves exactly, so the regions tile the
face; the eye area is left uncovered because it is not a treatment region.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RegionShape:
    d: str
    """The SVG path."""
    bx: int
    by: int
    """Where the region's count badge sits."""


VIEW_BOX = "0 0 300 380"

FACE_SHAPES: dict[str, RegionShape] = {
    "forehead": RegionShape(
        "M52,112 C52.8,102 55.1,92.6 58.7,84.1 C72,72 104,62 150,62 C196,62 228,72 241.3,84.1 "
        "C244.9,92.6 247.2,102 248,112 C236,108 223,108 210,110 C190,112 170,114 160,120 L140,120 "
        "C130,114 110,112 90,110 C77,108 64,108 52,112 Z",
        150,
        90,
    ),
    "temple_right": RegionShape(
        "M52,112 C64,108 77,108 90,110 C93,130 94,152 92,172 C78,178 63,184 50,192 C48,165 49,140 "
        "52,112 Z",
        71,
        150,
    ),
    "temple_left": RegionShape(
        "M248,112 C236,108 223,108 210,110 C207,130 206,152 208,172 C222,178 237,184 250,192 "
        "C252,165 251,140 248,112 Z",
        229,
        150,
    ),
    "cheek_right": RegionShape(
        "M92,172 C104,178 122,178 134,172 C131,186 126,200 122,212 C110,228 102,252 106,280 "
        "C88,268 68,252 56,230 C53,218 51,205 50,192 C63,184 78,178 92,172 Z",
        88,
        218,
    ),
    "nose": RegionShape(
        "M140,120 L160,120 C161,140 163,158 166,172 C169,186 174,200 178,212 C182,224 166,230 "
        "150,230 C134,230 118,224 122,212 C126,200 131,186 134,172 C137,158 139,140 140,120 Z",
        150,
        190,
    ),
    "cheek_left": RegionShape(
        "M208,172 C196,178 178,178 166,172 C169,186 174,200 178,212 C190,228 198,252 194,280 "
        "C212,268 232,252 244,230 C247,218 249,205 250,192 C237,184 222,178 208,172 Z",
        212,
        218,
    ),
    "jaw_right": RegionShape(
        "M56,230 C68,252 88,268 106,280 C108,300 112,322 118,338 C88,318 62,272 56,230 Z",
        93,
        292,
    ),
    "perioral": RegionShape(
        "M122,212 C118,224 134,230 150,230 C166,230 182,224 178,212 C190,228 198,252 194,280 "
        "C176,300 124,300 106,280 C102,252 110,228 122,212 Z",
        150,
        284,
    ),
    "chin": RegionShape(
        "M106,280 C124,300 176,300 194,280 C192,300 188,322 182,338 C172,346 162,350 150,350 "
        "C138,350 128,346 118,338 C112,322 108,300 106,280 Z",
        150,
        325,
    ),
    "jaw_left": RegionShape(
        "M244,230 C232,252 212,268 194,280 C192,300 188,322 182,338 C212,318 238,272 244,230 Z",
        207,
        292,
    ),
}

# Document order = Tab order on the interactive map: top to bottom, viewer's left to right.
FACE_ORDER: tuple[str, ...] = (
    "forehead",
    "temple_right",
    "temple_left",
    "cheek_right",
    "nose",
    "cheek_left",
    "jaw_right",
    "perioral",
    "chin",
    "jaw_left",
)

HEAD_OUTLINE = (
    "M150,28 C202,28 244,62 248,112 C251,140 252,165 250,192 C249,205 247,218 244,230 C238,272 "
    "212,318 182,338 C172,346 162,350 150,350 C138,350 128,346 118,338 C88,318 62,272 56,230 "
    "C53,218 51,205 50,192 C48,165 49,140 52,112 C56,62 98,28 150,28 Z"
)

EYES = (
    "M100,150 C108,141 126,141 134,150 C126,158 108,158 100,150 Z "
    "M200,150 C192,141 174,141 166,150 C174,158 192,158 200,150 Z"
)


def count_band(count: int) -> int:
    """The map's shading step for a region's scar count: 0 none, 1 for 1-4, 2 for 5-14, 3 for 15
    or more (the legend's bands)."""
    if count <= 0:
        return 0
    if count < 5:
        return 1
    return 2 if count < 15 else 3


# Fill of a region by its Goodman & Baron qualitative grade (0: no scar recorded): one hue,
# light to dark, so the order reads without colour vision and in greyscale print.
GRADE_COLOURS = ("#f8e9dc", "#fde0c5", "#f9a66c", "#e4572e", "#8c1c13")
