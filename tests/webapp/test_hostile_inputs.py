"""Hostile inputs (issue 24, findings 3, 6, 7 and 8): decompression bombs, huge headers, deep
JSON, hostile FHIR photos and absurd numbers, sent through the real app on the test database.

Each is refused with a 4xx that names the field at fault (problem details for the API, the
form's message on pages), carries the security headers, and stores nothing. The photo and
height-map bombs are small files that declare huge images: the point is that they are refused
from their header, before anything is decoded (so they are also quick).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import re
import struct
import time
import zlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import tifffile
from fastapi import FastAPI
from fastapi.testclient import TestClient
from markupsafe import escape
from PIL import Image, ImageFile
from sqlalchemy import func, select

from scarplan.adapters.db.tables import JobRecord, PhotoBlobRecord, TopographyRecord
from scarplan.domain.json_text import MAX_JSON_DEPTH
from scarplan.entrypoints.web.security import CSP
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.accounts.users import create_user
from scarplan.services.clinic.calendar import schedule_setup
from scarplan.services.clinic.calendar.demo_schedule import DEMO_SCHEDULE
from scarplan.services.clinic.core.context import Clinic
from scarplan.services.clinic.records import patients
from support.clinic_data import jpeg, patient_input
from support.fhir import resources
from support.height_maps import PIXEL_SIZE_MM, small_map_npy

PASSWORD = "a long test password"
PHOTO_DETAILS = {
    "region": "cheek_left",
    "taken_on": "2026-11-20",
    "consent": "clinical_record",
    "consent_confirmed": True,
}
LESIONS = [{"region": "cheek_left", "type": "ice_pick", "count": 12, "width_mm": 1.2}]


def assert_secure(response: Any) -> None:
    """The headers every answer carries, refusals and errors included."""
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"


def problem_paths(response: Any, status: int = 422) -> list[str]:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"] == "application/problem+json"
    assert_secure(response)
    return [p["path"] for p in response.json()["problems"]]


def page_refusal(response: Any, message: str, field: str | None = None) -> None:
    """A form page answered 422 with the message shown to the person (next to `field`)."""
    assert response.status_code == 422, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    assert_secure(response)
    assert str(escape(message)) in response.text
    if field is not None:
        assert str(escape(message)) in field_error(response.text, field)


def field_error(html: str, field: str) -> str:
    """The error shown in the form's label around the input named `field`."""
    for label in re.findall(r"<label>(.*?)</label>", html, re.DOTALL):
        if f'name="{field}"' in label:
            found = re.search(r'<span class="field-error" role="alert">(.*?)</span>', label)
            assert found, f"no error shown at {field}"
            return found.group(1)
    raise AssertionError(f"no field {field}")


def count(clinic: Clinic, table: Any) -> int:
    with clinic.uow.read() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


@pytest.fixture
def patient_id(clinic: Clinic, signed_in: TestClient) -> int:
    clinician = users.sign_in(clinic, "dr.test", PASSWORD)[0]
    return patients.create_patient(clinic, clinician, patient_input()).id


# --- photo bombs and broken photos -------------------------------------------------------------


def png_bomb(width: int, height: int) -> bytes:
    """A PNG of a few hundred KB whose header declares `width` x `height` grey pixels."""
    rows = zlib.compress((b"\x00" + b"\x80" * width) * height, 9)
    out = io.BytesIO(b"\x89PNG\r\n\x1a\n")
    out.seek(0, io.SEEK_END)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    for kind, body in ((b"IHDR", header), (b"IDAT", rows), (b"IEND", b"")):
        out.write(struct.pack(">I", len(body)) + kind + body)
        out.write(struct.pack(">I", zlib.crc32(kind + body)))
    return out.getvalue()


def noisy_jpeg(size: tuple[int, int] = (640, 480)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 40).convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def upload_photo(client: TestClient, patient_id: int, data: bytes, name: str) -> Any:
    return client.post(
        f"/api/v1/patients/{patient_id}/photos",
        files={"file": (name, data, "application/octet-stream")},
        data={"metadata": json.dumps(PHOTO_DETAILS)},
    )


def test_a_49_megapixel_png_of_a_few_hundred_kb_is_refused_from_its_header(
    signed_in: TestClient, clinic: Clinic, patient_id: int
) -> None:
    bomb = png_bomb(7000, 7000)
    assert len(bomb) < 300_000
    started = time.perf_counter()
    response = upload_photo(signed_in, patient_id, bomb, "bomb.png")
    elapsed = time.perf_counter() - started
    assert problem_paths(response) == ["file"]
    assert "49.0 megapixels" in response.json()["problems"][0]["message"]
    # Decoding 49 megapixels takes seconds and 150 MB; the header check takes milliseconds.
    assert elapsed < 2.0
    assert count(clinic, PhotoBlobRecord) == 0


def test_a_truncated_jpeg_is_refused_after_weasyprint_loosened_pillow(
    signed_in: TestClient, clinic: Clinic, patient_id: int
) -> None:
    import weasyprint  # noqa: F401, PLC0415  (importing it changes Pillow for the process)

    assert ImageFile.LOAD_TRUNCATED_IMAGES, "WeasyPrint no longer sets the flag: rethink the test"
    whole = noisy_jpeg()
    response = upload_photo(signed_in, patient_id, whole[: len(whole) * 2 // 3], "cut.jpg")
    assert problem_paths(response) == ["file"]
    assert "incomplete" in response.json()["problems"][0]["message"]
    assert count(clinic, PhotoBlobRecord) == 0
    # The same photo whole is stored, so it was the truncation that was refused.
    assert upload_photo(signed_in, patient_id, whole, "whole.jpg").status_code == 201


# --- hostile photos in a FHIR bundle -----------------------------------------------------------


def gps_jpeg_with_payload() -> bytes:
    """What passed the old byte-for-byte path: a photo whose only header is JFIF (APP0), with a
    trailer and a second photo carrying EXIF GPS appended after its end-of-image marker, so the
    file still ends like a JPEG."""
    plain = noisy_jpeg((320, 240))
    headers = getattr(Image.open(io.BytesIO(plain)), "applist", [])
    assert [marker for marker, _ in headers] == ["APP0"]
    return plain + b"SECRET-TRAILER" + jpeg(camera_metadata=True)


def bundle_with_photo(client: TestClient, patient_id: int, photo: bytes) -> tuple[str, int]:
    """The patient's exported bundle under another code, its one photo replaced by `photo`."""
    assert upload_photo(client, patient_id, noisy_jpeg(), "face.jpg").status_code == 201
    bundle = client.get(f"/fhir/Patient/{patient_id}/$everything").json()
    (media,) = resources(bundle, "Media")
    content = media["content"]
    content["data"] = base64.b64encode(photo).decode()
    content["size"] = len(photo)
    content["hash"] = base64.b64encode(hashlib.sha1(photo).digest()).decode()
    (code,) = {i["value"] for i in resources(bundle, "Patient")[0]["identifier"]}
    text = json.dumps(bundle).replace(f'"value": "{code}"', '"value": "P-IMPORTED"')
    index = next(n for n, e in enumerate(bundle["entry"]) if e["resource"] is media)
    return text, index


def import_bundle(client: TestClient, text: str) -> Any:
    return client.post(
        "/api/v1/fhir/import", content=text, headers={"content-type": "application/fhir+json"}
    )


def test_a_fhir_photo_loses_its_gps_and_whatever_was_appended(
    signed_in: TestClient, clinic: Clinic, patient_id: int
) -> None:
    hostile = gps_jpeg_with_payload()
    assert b"TestCam" in hostile
    text, _ = bundle_with_photo(signed_in, patient_id, hostile)
    imported = import_bundle(signed_in, text)
    assert imported.status_code == 201, imported.text
    assert_secure(imported)
    (photo,) = signed_in.get(f"/api/v1/patients/{imported.json()['patient_id']}/photos").json()
    stored = signed_in.get(f"/api/v1/photos/{photo['id']}/image").content
    for secret in (b"Exif", b"TestCam", b"SECRET-TRAILER"):
        assert secret not in stored
    assert stored.endswith(b"\xff\xd9")
    assert stored.count(b"\xff\xd8") == 1  # one image, nothing appended
    assert not Image.open(io.BytesIO(stored)).getexif()


@pytest.mark.parametrize(
    ("photo", "message"),
    [
        (noisy_jpeg()[:20_000], "incomplete"),
        (png_bomb(7000, 7000), "megapixels"),
    ],
    ids=["truncated-jpeg", "pixel-bomb"],
)
def test_a_hostile_fhir_photo_refuses_the_whole_import(
    signed_in: TestClient, clinic: Clinic, patient_id: int, photo: bytes, message: str
) -> None:
    text, index = bundle_with_photo(signed_in, patient_id, photo)
    before = (count(clinic, PhotoBlobRecord), signed_in.get("/api/v1/patients").json()["total"])
    response = import_bundle(signed_in, text)
    assert problem_paths(response) == [f"entry[{index}].resource.content.data"]
    assert message in response.json()["problems"][0]["message"]
    after = (count(clinic, PhotoBlobRecord), signed_in.get("/api/v1/patients").json()["total"])
    assert after == before


# --- height-map bombs and absurd numbers -------------------------------------------------------


def npy_declaring(shape: tuple[int, ...], dtype: str = "<f8", padding: int = 0) -> bytes:
    """A .npy file whose header declares `shape` but that holds only a few bytes of data."""
    header = repr({"descr": dtype, "fortran_order": False, "shape": shape})
    header += " " * padding
    header = header.ljust((len(header) + 11) // 64 * 64 + 53) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + b"\0" * 64


def npy_v2_declaring(shape: tuple[int, ...], padding: int) -> bytes:
    header = repr({"descr": "<f8", "fortran_order": False, "shape": shape}) + " " * padding + "\n"
    return b"\x93NUMPY\x02\x00" + struct.pack("<I", len(header)) + header.encode()


def tiff_bomb(side: int = 10_000) -> bytes:
    """A zlib-compressed float TIFF of `side` x `side` zeros, written tile by tile: a few
    hundred KB on disk, 400 MB once decoded."""
    tile = np.zeros((512, 512), dtype=np.float32)
    count_tiles = ((side + 511) // 512) ** 2
    out = io.BytesIO()
    tifffile.imwrite(
        out,
        (tile for _ in range(count_tiles)),
        shape=(side, side),
        dtype=np.float32,
        tile=(512, 512),
        compression="zlib",
    )
    return out.getvalue()


def upload_map(
    client: TestClient, patient_id: int, data: bytes, name: str, pixel: Any = PIXEL_SIZE_MM
) -> Any:
    return client.post(
        f"/patients/{patient_id}/topography",
        data={"region": "cheek_left", "taken_on": "2026-11-20", "pixel_size_mm": pixel},
        files={"file": (name, data, "application/octet-stream")},
        follow_redirects=False,
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bomb.npy", npy_declaring((100_000, 100_000)), "100000 x 100000"),
        ("wide.npy", npy_declaring((1, 16, 1_000_000)), "no skin scan has a side over"),
        ("cube.npy", npy_declaring((64, 64, 64)), "not one 2-D grid"),
        ("text.npy", npy_declaring((64, 64), dtype="<U8"), "not floating-point heights"),
        (
            "huge-header.npy",
            npy_v2_declaring((64, 64), padding=200_000),
            "has a header of 200060 bytes",
        ),
        ("bomb.tif", tiff_bomb(), "10000 x 10000"),
        ("bomb.csv", b"1," * 5000 + b"1\n" + b"\n".join([b"1"] * 5000), "5001 x 5001"),
    ],
    ids=["npy-bomb", "npy-side", "npy-3d", "npy-text", "npy-header", "tiff-bomb", "csv-bomb"],
)
def test_a_height_map_bomb_is_refused_from_its_header(
    signed_in: TestClient, clinic: Clinic, patient_id: int, name: str, data: bytes, message: str
) -> None:
    assert len(data) < 1_000_000
    started = time.perf_counter()
    response = upload_map(signed_in, patient_id, data, name)
    assert time.perf_counter() - started < 5.0
    page_refusal(response, message, field="file")
    assert count(clinic, JobRecord) == count(clinic, TopographyRecord) == 0


@pytest.mark.parametrize("pixel", ["1e-300", "1e300", "nan", "inf", "0.0001"])
def test_an_absurd_pixel_size_is_refused_at_input(
    signed_in: TestClient, clinic: Clinic, patient_id: int, pixel: str
) -> None:
    response = upload_map(signed_in, patient_id, small_map_npy(), "cheek.npy", pixel)
    assert response.status_code == 422
    assert_secure(response)
    assert field_error(response.text, "pixel_size_mm")
    assert count(clinic, JobRecord) == 0


def gsf(pixel_size_m: float, side: int = 32) -> bytes:
    header = (
        f"Gwyddion Simple Field 1.0\nXRes = {side}\nYRes = {side}\n"
        f"XReal = {pixel_size_m * side!r}\nYReal = {pixel_size_m * side!r}\nZUnits = m\n"
    ).encode()
    header += b"\0" * (4 - len(header) % 4)
    return header + np.zeros((side, side), dtype="<f4").tobytes()


def test_an_absurd_pixel_size_in_the_files_own_header_is_refused_too(
    signed_in: TestClient, clinic: Clinic, patient_id: int
) -> None:
    response = upload_map(signed_in, patient_id, gsf(1e-300), "tiny.gsf", pixel="")
    page_refusal(response, "finer than any skin scanner")
    assert count(clinic, JobRecord) == 0


# --- deep JSON, on every family of endpoint that takes JSON ------------------------------------


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH + 1, 900, 100_000])
def test_deep_json_is_refused_on_every_json_endpoint(
    signed_in: TestClient, clinic: Clinic, patient_id: int, levels: int
) -> None:
    value = deep(levels)
    plan = signed_in.post(f"/api/v1/patients/{patient_id}/plans")
    for path, body in [
        ("/api/v1/patients", f'{{"full_name": {value}}}'),
        (
            f"/api/v1/patients/{patient_id}/assessments",
            f'{{"date": "2026-11-20", "lesions": {value}}}',
        ),
        (
            f"/api/v1/plans/{plan.json().get('id', 1)}/versions",
            f'{{"reason": "x", "move": {value}}}',
        ),
        ("/api/v1/fhir/import", f'{{"resourceType": "Bundle", "entry": {value}}}'),
    ]:
        response = signed_in.post(path, content=body, headers={"content-type": "application/json"})
        assert problem_paths(response) == ["(body)"], path
        assert "nested more than" in response.json()["problems"][0]["message"]
    photo = signed_in.post(
        f"/api/v1/patients/{patient_id}/photos",
        files={"file": ("face.jpg", jpeg(), "image/jpeg")},
        data={"metadata": f'{{"region": {value}}}'},
    )
    assert problem_paths(photo) == ["metadata"]
    assert signed_in.get("/api/v1/patients").json()["total"] == 1
    assert count(clinic, PhotoBlobRecord) == 0


def test_an_absurd_name_in_the_set_up_form_is_refused(client: TestClient, clinic: Clinic) -> None:
    clinician = create_user(clinic, "dr.hostile", "Dr H", PASSWORD, "clinician")
    schedule_setup.save_setup(clinic, clinician, DEMO_SCHEDULE, "opening set-up")
    create_user(clinic, "desk.test", "Front Desk", PASSWORD, "staff")
    signed = client.post("/api/v1/session", json={"username": "desk.test", "password": PASSWORD})
    client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
    before = client.get("/calendar/setup").text
    for name in ("x" * 10_000, "Room\x00 5"):
        response = client.post("/calendar/setup/resources/room", data={"name": name})
        assert response.status_code == 422
        assert "The name is too long" in response.text or "Give the room a name" in response.text
    assert client.get("/calendar/setup").text == before


# --- absurd numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize("number", [0, -1, 10**12, 1e308])
def test_an_absurd_scar_count_is_refused(
    signed_in: TestClient, patient_id: int, number: float
) -> None:
    lesions = [{**LESIONS[0], "count": number}]
    response = signed_in.post(
        f"/api/v1/patients/{patient_id}/assessments",
        json={"date": "2026-11-20", "lesions": lesions},
    )
    assert problem_paths(response) == ["lesions[0].count"]
    assert signed_in.get(f"/api/v1/patients/{patient_id}/assessments").json() == []


# --- an error nobody handled -------------------------------------------------------------------


@pytest.fixture
def failing(client: TestClient) -> Iterator[TestClient]:
    """The app with two routes that fail as a bug would (in this test only)."""
    app = client.app
    assert isinstance(app, FastAPI)

    def broken() -> None:
        raise RuntimeError("a bug the handlers do not know")

    app.add_api_route("/api/v1/broken-for-test", broken)
    app.add_api_route("/broken-for-test", broken)
    yield client
    app.router.routes[:] = [r for r in app.router.routes if "broken-for-test" not in str(r)]


def test_an_unhandled_error_is_a_500_with_the_headers_and_is_logged(
    failing: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        api = failing.get("/api/v1/broken-for-test")
        page = failing.get("/broken-for-test")
    assert problem_paths(api, 500) == []
    assert api.json()["title"] == "something went wrong on our side"
    assert "a bug" not in api.text
    assert page.status_code == 500
    assert page.headers["content-type"].startswith("text/html")
    assert_secure(page)
    assert "Something went wrong on our side" in page.text
    logged = [r for r in caplog.records if r.exc_info and "broken-for-test" in r.getMessage()]
    assert len(logged) == 2
    exc_info = logged[0].exc_info
    assert exc_info is not None
    assert "a bug the handlers do not know" in str(exc_info[1])
