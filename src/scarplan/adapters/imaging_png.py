"""PNG encoding of topography overlays (Pillow), with a legend strip naming the type colours."""

from __future__ import annotations

import io
from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

LEGEND_HEIGHT_PX = 24
SWATCH_PX = 14


def overlay_png_bytes(
    rgb: NDArray[np.uint8], legend: Mapping[str, tuple[int, int, int]] | None = None
) -> bytes:
    """Encode an (rows, cols, 3) uint8 image; `legend` maps labels to their colours."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError("expected an (rows, cols, 3) uint8 array")
    image = Image.fromarray(rgb)
    if legend:
        image = _with_legend(image, legend)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def _with_legend(image: Image.Image, legend: Mapping[str, tuple[int, int, int]]) -> Image.Image:
    framed = Image.new("RGB", (image.width, image.height + LEGEND_HEIGHT_PX), (255, 255, 255))
    framed.paste(image, (0, 0))
    draw = ImageDraw.Draw(framed)
    x = 6
    top = image.height + (LEGEND_HEIGHT_PX - SWATCH_PX) // 2
    for label, colour in legend.items():
        draw.rectangle((x, top, x + SWATCH_PX, top + SWATCH_PX), fill=colour)
        x += SWATCH_PX + 4
        draw.text((x, top), label, fill=(0, 0, 0))
        x += int(draw.textlength(label)) + 14
    return framed
