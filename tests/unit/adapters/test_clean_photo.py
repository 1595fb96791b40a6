"""One function cleans every photo (upload or FHIR import): a JPEG that needs no new pixels
loses its metadata and trailing bytes losslessly (so scarplan's own photos come back byte for
byte), anything else is re-encoded; bombs and truncated files are refused from their header and
structure."""

from __future__ import annotations

import io
import zlib

import pytest
from PIL import Image, ImageFile

from scarplan.adapters.photos import PhotoLimits, clean_photo
from scarplan.domain.errors import InputError
from support.clinic_data import jpeg

LIMITS = PhotoLimits(max_bytes=5_000_000, max_side_px=2048, max_pixels=40_000_000)


def noisy(size: tuple[int, int] = (320, 240)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 50).convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


def pixels(data: bytes) -> bytes:
    return Image.open(io.BytesIO(data)).convert("RGB").tobytes()


def refusal(data: bytes, limits: PhotoLimits = LIMITS) -> str:
    with pytest.raises(InputError) as caught:
        clean_photo(data, limits)
    (problem,) = caught.value.problems
    assert problem.path == "file"
    return problem.message


def test_a_photo_scarplan_cleaned_is_kept_exactly() -> None:
    cleaned = clean_photo(noisy(), LIMITS)
    again = clean_photo(cleaned.data, LIMITS)
    assert again.data == cleaned.data
    assert (again.width_px, again.height_px) == (cleaned.width_px, cleaned.height_px)


def test_camera_metadata_goes_without_touching_the_pixels() -> None:
    original = jpeg((320, 240), camera_metadata=True)
    assert b"Exif" in original
    cleaned = clean_photo(original, LIMITS)
    assert b"Exif" not in cleaned.data
    assert b"TestCam" not in cleaned.data
    assert pixels(cleaned.data) == pixels(original)  # lossless: the same compressed data


def test_data_after_the_image_is_dropped() -> None:
    cleaned = clean_photo(noisy(), LIMITS)
    appended = cleaned.data + jpeg(camera_metadata=True) + b"payload"
    stored = clean_photo(appended, LIMITS)
    assert stored.data == cleaned.data
    assert b"payload" not in stored.data
    assert b"Exif" not in stored.data


def test_a_photo_over_the_side_limit_is_scaled_down() -> None:
    big = clean_photo(noisy((900, 600)), LIMITS)
    smaller = clean_photo(big.data, PhotoLimits(5_000_000, 600, 40_000_000))
    assert max(smaller.width_px, smaller.height_px) == 600


def test_no_image_at_all_is_refused() -> None:
    assert "not a readable image" in refusal(b"not an image")


def small_png_of(width: int, height: int) -> bytes:
    """A PNG of few bytes whose header declares `width` x `height` pixels (a decompression
    bomb): one grey row repeated, compressed by zlib to almost nothing."""
    row = b"\x00" + b"\x80" * width
    data = zlib.compress(row * height, 9)
    out = io.BytesIO()
    out.write(b"\x89PNG\r\n\x1a\n")
    for kind, body in (
        (b"IHDR", width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x00\x00\x00\x00"),
        (b"IDAT", data),
        (b"IEND", b""),
    ):
        out.write(len(body).to_bytes(4, "big") + kind + body)
        out.write(zlib.crc32(kind + body).to_bytes(4, "big"))
    return out.getvalue()


def test_a_pixel_bomb_is_refused_from_its_header() -> None:
    bomb = small_png_of(7000, 7000)  # 49 megapixels in a few hundred KB
    assert len(bomb) < 200_000
    message = refusal(bomb)
    assert "7000 x 7000 = 49.0 megapixels" in message
    assert "over the limit of 40.0" in message


def test_a_truncated_photo_is_refused_even_when_pillow_accepts_truncated_images() -> None:
    whole = noisy((640, 480))
    png = io.BytesIO()
    Image.open(io.BytesIO(whole)).save(png, "PNG")
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = True  # what importing WeasyPrint does to the process
    try:
        for cut in (whole[: len(whole) // 2], png.getvalue()[: len(png.getvalue()) // 2]):
            assert "incomplete" in refusal(cut)
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous
