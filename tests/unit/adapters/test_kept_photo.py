"""A photo coming back from a FHIR bundle: kept byte for byte when scarplan cleaned it, cleaned
like an upload otherwise."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from scarplan.adapters.photos import clean_photo, kept_photo
from scarplan.domain.errors import InputError
from support.clinic_data import jpeg

LIMITS = {"max_bytes": 5_000_000, "max_side_px": 2048}


def noisy(size: tuple[int, int] = (320, 240)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 50).convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


def test_a_photo_scarplan_cleaned_is_kept_exactly() -> None:
    cleaned = clean_photo(noisy(), **LIMITS)
    kept = kept_photo(cleaned.data, **LIMITS)
    assert kept.data == cleaned.data
    assert (kept.width_px, kept.height_px) == (cleaned.width_px, cleaned.height_px)


def test_a_photo_with_camera_metadata_is_cleaned() -> None:
    original = jpeg(camera_metadata=True)
    kept = kept_photo(original, **LIMITS)
    assert kept.data != original
    assert b"Exif" not in kept.data
    assert b"TestCam" not in kept.data


def test_a_photo_over_the_size_limits_is_scaled_down() -> None:
    big = clean_photo(noisy((900, 600)), max_bytes=5_000_000, max_side_px=4096)
    kept = kept_photo(big.data, max_bytes=5_000_000, max_side_px=600)
    assert max(kept.width_px, kept.height_px) == 600


def test_data_after_the_image_or_no_image_at_all() -> None:
    cleaned = clean_photo(noisy(), **LIMITS)
    assert kept_photo(cleaned.data + b"payload", **LIMITS).data != cleaned.data + b"payload"
    with pytest.raises(InputError):
        kept_photo(b"not an image", **LIMITS)
