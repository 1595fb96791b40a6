"""Clinical photos: checked, turned upright and stored without metadata by one function,
`clean_photo`, whichever way a photo arrives (an upload, a FHIR import).

What is stored never carries a metadata block of the file that came in (EXIF with camera
serial numbers, GPS position and capture time; XMP; ICC profiles; comments) nor anything
appended after the image. Two ways get there:

- A JPEG that needs no change to its pixels (RGB, upright, within `max_side_px`) loses its
  metadata segments and trailing bytes losslessly: its compressed image data is kept as it is,
  so a photo does not lose quality each time it goes out in a FHIR bundle and comes back, and a
  photo scarplan stored comes back byte for byte (its hashes still match). The result is
  decoded again and must give exactly the same pixels, or the photo is re-encoded instead.
- Anything else is decoded and re-encoded as a fresh JPEG (a new image holds none of the
  original's info).

Hostile files are refused before they cost memory or are stored: the pixel count is read from
the header before decoding (a small PNG can declare 49 megapixels), and a truncated file is
detected from its own structure (JPEG end-of-image marker, PNG chunks and CRCs, the WebP
RIFF size), not by Pillow's process-wide `ImageFile.LOAD_TRUNCATED_IMAGES`, which WeasyPrint
turns on for the whole process.
"""

from __future__ import annotations

import io
import logging
import struct
import zlib
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageOps, UnidentifiedImageError

from scarplan.domain.errors import FieldProblem, InputError

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
JPEG_QUALITY = 90
ORIENTATION_TAG = 0x0112
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PhotoLimits:
    max_bytes: int
    max_side_px: int
    """Larger photos are scaled down to this on their long side."""
    max_pixels: int
    """Larger photos (width x height, from the header) are refused undecoded."""


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    content_type: str
    width_px: int
    height_px: int


def limit_decoder_pixels(max_pixels: int) -> None:
    """Pillow's own decompression-bomb guard for every image the process decodes (WeasyPrint's
    report images too): a warning above `max_pixels`, an error above twice that. The photo
    check does not rely on it; it refuses over `max_pixels` from the header itself."""
    Image.MAX_IMAGE_PIXELS = max_pixels


def _problem(message: str, hint: str) -> InputError:
    return InputError("the photo was not accepted", [FieldProblem("file", message, hint)])


def clean_photo(data: bytes, limits: PhotoLimits) -> CleanPhoto:
    """The photo as it may be stored: no metadata, upright, at most `max_side_px` on its long
    side; InputError naming `file` when it is empty, too large, not a photo, a decompression
    bomb or truncated."""
    if not data:
        raise _problem("the file is empty", "choose a JPEG, PNG or WebP photo")
    if len(data) > limits.max_bytes:
        raise _problem(
            f"{len(data)} bytes is over the limit of {limits.max_bytes}", "send a smaller file"
        )
    image = _decoded(data, limits.max_pixels)
    kept = _without_metadata(data, image, limits.max_side_px)
    if kept is not None:
        return kept
    upright = ImageOps.exif_transpose(image)
    pixels = upright.convert("RGB")
    pixels.thumbnail((limits.max_side_px, limits.max_side_px))
    # A fresh image holds the pixels and nothing of the original's info dictionary.
    clean = Image.new("RGB", pixels.size)
    clean.paste(pixels)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return CleanPhoto(out.getvalue(), "image/jpeg", clean.width, clean.height)


def _decoded(data: bytes, max_pixels: int) -> Image.Image:
    """The image, decoded only after its format, pixel count and completeness are checked."""
    unreadable = _problem("the file is not a readable image", "use JPEG, PNG or WebP")
    try:
        image = Image.open(io.BytesIO(data))  # lazy: reads the header only
    except Image.DecompressionBombError as error:
        _log.info("photo refused: %s", error)
        raise _too_many_pixels(max_pixels, "") from None
    except (UnidentifiedImageError, OSError) as error:
        _log.info("photo refused: %s", error)
        raise unreadable from None
    if image.format not in ACCEPTED_FORMATS:
        raise _problem(f"{image.format} is not accepted", "use JPEG, PNG or WebP")
    width, height = image.size
    if width * height > max_pixels:
        raise _too_many_pixels(max_pixels, f"{width} x {height} = {width * height / 1e6:.1f} ")
    if not _complete(data, image.format):
        raise _problem(
            "the image is incomplete (the file was cut short or is damaged)",
            "send the original photo again",
        )
    try:
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        _log.info("photo refused: %s", error)
        raise unreadable from None
    return image


def _too_many_pixels(max_pixels: int, size: str) -> InputError:
    return _problem(
        f"the image has {size}megapixels, over the limit of {max_pixels / 1e6:.1f}",
        "send a smaller photo (scale it down on the camera or computer first)",
    )


def _complete(data: bytes, image_format: str) -> bool:
    """Whether the file holds its whole image, judged from the format's own structure."""
    if image_format == "JPEG":
        return _jpeg_segments(data) is not None
    if image_format == "PNG":
        return _png_complete(data)
    # WebP: a RIFF container whose header states its size.
    (size,) = struct.unpack_from("<I", data, 4)
    return len(data) >= int(size) + 8


def _png_complete(data: bytes) -> bool:
    """Every chunk whole with a good CRC, up to IEND."""
    at = 8  # the signature
    while at + 12 <= len(data):
        (length,) = struct.unpack_from(">I", data, at)
        end = at + 12 + length
        if end > len(data):
            return False
        kind = data[at + 4 : at + 8]
        (crc,) = struct.unpack_from(">I", data, end - 4)
        if zlib.crc32(data[at + 4 : end - 4]) != crc:
            return False
        if kind == b"IEND":
            return True
        at = end
    return False


# JPEG markers (ITU T.81 table B.1).
SOS, EOI, APP0, APP15, COMMENT = 0xDA, 0xD9, 0xE0, 0xEF, 0xFE
IMAGE_SEGMENTS = frozenset({0xC4, 0xCC, 0xDB, 0xDD, SOS} | set(range(0xC0, 0xD0)) - {0xC8})
"""Frames (SOFn), Huffman and arithmetic tables, quantisation tables, restart interval, scans:
what the pixels are made of. Everything else (APPn, COM, ...) is metadata."""


def _jpeg_segments(data: bytes) -> list[tuple[int, bytes]] | None:
    """The JPEG as (marker, bytes) segments from SOI to EOI, each scan with its entropy-coded
    data; None if it does not reach its end-of-image marker (truncated) or is malformed."""
    if not data.startswith(b"\xff\xd8"):
        return None
    segments: list[tuple[int, bytes]] = []
    at, size = 2, len(data)
    while at < size:
        if data[at] != 0xFF:
            return None
        while at < size and data[at] == 0xFF:  # fill bytes may precede a marker
            at += 1
        if at >= size:
            return None
        marker = data[at]
        at += 1
        if marker == EOI:
            return segments
        if at + 2 > size:
            return None
        (length,) = struct.unpack_from(">H", data, at)
        if length < 2 or at + length > size:
            return None
        end = at + length
        if marker == SOS:
            end = _scan_end(data, end)
            if end is None:
                return None
        segments.append((marker, data[at:end]))
        at = end
    return None


def _scan_end(data: bytes, at: int) -> int | None:
    """Where a scan's entropy-coded data ends: the next marker that is not a stuffed zero, a
    restart marker or a fill byte."""
    while True:
        at = data.find(b"\xff", at)
        if at < 0 or at + 1 >= len(data):
            return None
        following = data[at + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            at += 2
        elif following == 0xFF:
            at += 1
        else:
            return at


def _plain_jfif(body: bytes) -> bool:
    """A JFIF APP0 header and nothing else: no thumbnail, no extension data."""
    return len(body) == 16 and body[2:7] == b"JFIF\x00" and body[14:16] == b"\x00\x00"


def _without_metadata(data: bytes, image: Image.Image, max_side_px: int) -> CleanPhoto | None:
    """A JPEG kept losslessly without its metadata, when its pixels need no change; None when
    it must be re-encoded."""
    upright = image.getexif().get(ORIENTATION_TAG, 1) == 1
    if image.format != "JPEG" or image.mode != "RGB" or max(image.size) > max_side_px:
        return None
    if not upright:
        return None
    segments = _jpeg_segments(data)
    if segments is None:
        return None
    kept = bytearray(b"\xff\xd8")
    for marker, body in segments:
        if marker in IMAGE_SEGMENTS or (marker == APP0 and _plain_jfif(body)):
            kept += bytes((0xFF, marker)) + body
        elif not (APP0 <= marker <= APP15 or marker == COMMENT):
            return None  # a segment we do not know: re-encode rather than guess
    kept += b"\xff\xd9"
    stripped = bytes(kept)
    try:
        again = Image.open(io.BytesIO(stripped))
        again.load()
        same = again.size == image.size and again.mode == image.mode
        same = same and ImageChops.difference(again, image).getbbox() is None
    except (OSError, ValueError) as error:
        _log.warning("a photo stripped of its metadata did not decode (%s); re-encoding", error)
        return None
    if not same:
        _log.info("a photo stripped of its metadata changed its pixels; re-encoding")
        return None
    return CleanPhoto(stripped, "image/jpeg", image.width, image.height)
