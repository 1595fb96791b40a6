"""Clinical photos: decoded, checked, turned upright and re-encoded without metadata.

Re-encoding the pixels is how EXIF (camera serial numbers, GPS position, capture time) is
removed: no metadata block of the upload survives into what is stored.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from scarplan.domain.errors import FieldProblem, InputError

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
JPEG_QUALITY = 90
# Decoded size guard against decompression bombs: 50 megapixels covers clinical cameras.
MAX_PIXELS = 50_000_000


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    content_type: str
    width_px: int
    height_px: int


def _problem(message: str, hint: str) -> InputError:
    return InputError("the photo was not accepted", [FieldProblem("file", message, hint)])


def clean_photo(data: bytes, *, max_bytes: int, max_side_px: int) -> CleanPhoto:
    """A JPEG of the upload with no metadata, upright, at most `max_side_px` on its long side."""
    if not data:
        raise _problem("the file is empty", "choose a JPEG, PNG or WebP photo")
    if len(data) > max_bytes:
        raise _problem(f"{len(data)} bytes is over the limit of {max_bytes}", "send a smaller file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise _problem(f"{image.format} is not accepted", "use JPEG, PNG or WebP")
            if image.width * image.height > MAX_PIXELS:
                raise _problem("the image has too many pixels", "send it at most 50 megapixels")
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, Warning):
        raise _problem("the file is not a readable image", "use JPEG, PNG or WebP") from None
    upright = ImageOps.exif_transpose(image)
    pixels = upright.convert("RGB")
    pixels.thumbnail((max_side_px, max_side_px))
    # A fresh image holds the pixels and nothing of the original's info dictionary.
    clean = Image.new("RGB", pixels.size)
    clean.paste(pixels)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return CleanPhoto(out.getvalue(), "image/jpeg", clean.width, clean.height)


def _stored_as_is(data: bytes, max_bytes: int, max_side_px: int) -> CleanPhoto | None:
    """The photo, if it is exactly what `clean_photo` stores: an RGB JPEG within the limits
    whose only header is JFIF (no EXIF, XMP, ICC profile or comment) and nothing after its end."""
    if not data or len(data) > max_bytes or not data.endswith(b"\xff\xd9"):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            headers = [marker for marker, _ in getattr(image, "applist", [("?", b"")])]
            plain = (
                image.format == "JPEG"
                and image.mode == "RGB"
                and max(image.size) <= max_side_px
                and headers == ["APP0"]
                and "comment" not in image.info
            )
            if not plain:
                return None
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, Warning):
        return None
    return CleanPhoto(data, "image/jpeg", image.width, image.height)


def kept_photo(data: bytes, *, max_bytes: int, max_side_px: int) -> CleanPhoto:
    """A photo coming back from an export: kept byte for byte when scarplan's cleaning made it
    (so its hashes still match and nothing is lost to re-encoding), cleaned like an upload
    otherwise."""
    kept = _stored_as_is(data, max_bytes, max_side_px)
    if kept is not None:
        return kept
    return clean_photo(data, max_bytes=max_bytes, max_side_px=max_side_px)
