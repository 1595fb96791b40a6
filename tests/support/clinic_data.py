"""Inputs for the clinic's use cases, in the shape a form or API client sends them."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from PIL import Image
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import DeclarativeBase

# Every safety question answered: the planner has nothing left to flag as "not stated".
SCREENED: dict[str, Any] = {
    "pregnant": False,
    "breastfeeding": False,
    "keloid_history": False,
    "herpes_labialis_history": False,
    "anticoagulants": False,
    "skin_infection": False,
    "active_acne": "none",
    "isotretinoin": {"status": "none"},
}

# A typical consultation: ice pick scars on one cheek, boxcar on a temple, rolling on the other
# cheek. Enough for the planner to propose several procedures, some with repeat sessions.
LESIONS: list[dict[str, Any]] = [
    {"region": "cheek_left", "type": "ice_pick", "count": 14, "width_mm": 1.1, "depth_mm": 1.4},
    {
        "region": "temple_left",
        "type": "boxcar",
        "count": 4,
        "width_mm": 2.8,
        "depth_mm": 0.4,
        "edges": "sharp",
    },
    {
        "region": "cheek_right",
        "type": "rolling",
        "count": 6,
        "width_mm": 5.5,
        "depth_mm": 0.3,
        "distensible": True,
    },
]


def patient_input(
    code: str = "P-0001",
    full_name: str = "Ana Silva",
    *,
    preferences: dict[str, Any] | None = None,
    **patient: Any,
) -> dict[str, Any]:
    """A screened patient born in 1990; keyword arguments replace or add `patient` fields."""
    fields: dict[str, Any] = {
        "id": code,
        "birth_date": "1990-05-02",
        "sex": "female",
        "fitzpatrick": "III",
        **SCREENED,
    }
    fields.update(patient)
    document: dict[str, Any] = {"full_name": full_name, "patient": fields}
    if preferences is not None:
        document["preferences"] = preferences
    return document


def assessment_input(
    day: date, lesions: list[dict[str, Any]] | None = None, notes: str = ""
) -> dict[str, Any]:
    return {
        "date": day.isoformat(),
        "lesions": [dict(lesion) for lesion in (lesions if lesions is not None else LESIONS)],
        "notes": notes,
    }


def count_rows(engine: Engine, model: type[DeclarativeBase]) -> int:
    """Rows in a model's table, read outside any use case."""
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(model)) or 0


CAMERA_MAKE = "TestCam"
EXIF_MAKE, EXIF_MODEL, EXIF_DATETIME, EXIF_GPS = 0x010F, 0x0110, 0x0132, 0x8825


def jpeg(
    size: tuple[int, int] = (64, 48),
    colour: tuple[int, int, int] = (200, 150, 120),
    *,
    camera_metadata: bool = False,
) -> bytes:
    """A small JPEG; with `camera_metadata`, EXIF naming the camera, the time and a GPS fix."""
    image = Image.new("RGB", size, colour)
    out = io.BytesIO()
    if not camera_metadata:
        image.save(out, format="JPEG")
        return out.getvalue()
    exif = Image.Exif()
    exif[EXIF_MAKE] = CAMERA_MAKE
    exif[EXIF_MODEL] = f"{CAMERA_MAKE} Pro 7"
    exif[EXIF_DATETIME] = "2026:11:20 10:00:00"
    gps = exif.get_ifd(EXIF_GPS)
    gps.update({1: "N", 2: (51.0, 30.0, 12.0), 3: "W", 4: (0.0, 7.0, 40.0)})
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()
