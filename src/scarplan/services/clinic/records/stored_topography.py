"""3D height maps in the clinic: upload a map of a face region, analyse it through the job
interface, show the overlay and measurements, and record the scars found as an assessment.
The analysis of the file itself (no database) is `services/topography_files.py`.

The file is read (and refused with the field at fault) while the request waits; the analysis
then runs as a job. The measurements and the overlay are kept, and, unless the clinic turned
`keep_height_maps` off, the uploaded file itself (compressed), so it can be downloaded and
analysed again when the pipeline improves; a re-analysis is a new analysis beside the old one.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import (
    TopographyMapRecord,
    TopographyOverlayRecord,
    TopographyRecord,
)
from scarplan.domain.errors import FieldProblem, InputError, StateError
from scarplan.domain.vocabulary import Region
from scarplan.imaging.heightmap import MIN_PIXEL_SIZE_MM, HeightMap
from scarplan.imaging.io import FORM_FIELDS, read_height_map
from scarplan.services import topography_files
from scarplan.services.clinic.core import jobs
from scarplan.services.clinic.core.access import Permission, authorize, authorize_record, not_found
from scarplan.services.clinic.core.context import Actor, Clinic
from scarplan.services.clinic.core.inputs import InputModel, validated
from scarplan.services.clinic.records import assessments
from scarplan.services.clinic.records.patients import load_patient

KIND = "topography"
COMPRESSION_LEVEL = 1
"""zlib's fastest level. Measured on a 2048 x 2048 synthetic map: a binary float file (.npy,
.gsf, 16.8 MB) keeps 91 % of its size in 0.45 s (level 6: 90 % in 0.65 s), a CSV (40.7 MB)
47 % in 0.42 s (level 6: 42 % in 3.1 s). Device noise leaves floats little to compress, so
more effort buys almost nothing and would double the job's time."""
MAX_BYTES = 200_000_000
"""Largest map accepted: a 4096 x 4096 float32 TIFF is 64 MB, a CSV of it about three times."""


class TopographyInput(InputModel):
    region: Region
    taken_on: date
    pixel_size_mm: float | None = Field(
        None,
        ge=MIN_PIXEL_SIZE_MM,
        le=10,
        allow_inf_nan=False,
        description="Omit if the file says.",
    )
    z_unit: Literal["um", "mm"] | None = Field(None, description="Omit if the file says.")


@dataclass(frozen=True)
class TopographyView:
    id: int
    patient_id: int
    region: str
    taken_on: date
    filename: str
    byte_size: int
    pixel_size_mm: float
    report: dict[str, Any]
    assessment_id: int | None
    created_at: datetime
    has_map: bool
    """The uploaded map is kept: it can be downloaded and analysed again."""

    @property
    def scars(self) -> list[dict[str, Any]]:
        scars: list[dict[str, Any]] = self.report.get("scars", [])
        return scars

    @property
    def lesions(self) -> list[dict[str, Any]]:
        lesions: list[dict[str, Any]] = self.report.get("lesions", [])
        return lesions


def _view(record: TopographyRecord, has_map: bool) -> TopographyView:
    return TopographyView(
        id=record.id,
        patient_id=record.patient_id,
        region=record.region,
        taken_on=record.taken_on,
        filename=record.filename,
        byte_size=record.byte_size,
        pixel_size_mm=record.pixel_size_mm,
        report=record.result,
        assessment_id=record.assessment_id,
        created_at=record.created_at,
        has_map=has_map,
    )


def _kept(session: Session, topography_ids: list[int]) -> set[int]:
    """Which of these analyses have their map kept (without loading any map)."""
    found = session.scalars(
        select(TopographyMapRecord.topography_id).where(
            TopographyMapRecord.topography_id.in_(topography_ids)
        )
    )
    return set(found)


def start_analysis(
    clinic: Clinic, actor: Actor, patient_id: int, raw: Any, filename: str, data: bytes
) -> int:
    """Check the upload, then analyse it as a job; returns the job id."""
    authorize(actor, Permission.WRITE_CLINICAL, patient_id)
    entered = validated(TopographyInput, raw, "height map")
    if entered.taken_on > clinic.today():
        raise InputError(
            "the height map is invalid", [FieldProblem("taken_on", "is in the future", "")]
        )
    if not data:
        raise InputError("the height map is invalid", [FieldProblem("file", "is empty", "")])
    if len(data) > MAX_BYTES:
        raise InputError(
            "the height map is too large",
            [FieldProblem("file", f"is over {MAX_BYTES // 1_000_000} MB", "crop the region")],
        )
    # Read now, so that a bad file is refused while the user waits, naming what is wrong.
    height_map = read_height_map(
        data,
        filename,
        pixel_size_mm=entered.pixel_size_mm,
        z_unit=entered.z_unit,
        names=FORM_FIELDS,
        max_pixels=clinic.settings.height_map_max_pixels,
    )
    with clinic.uow.read() as session:
        load_patient(session, patient_id)
    upload = _Upload(
        patient_id=patient_id,
        region=entered.region,
        taken_on=entered.taken_on,
        filename=filename[-200:],
        data=data,
        read_options={"pixel_size_mm": entered.pixel_size_mm, "z_unit": entered.z_unit},
    )
    return _start(clinic, actor, upload, height_map, {})


@dataclass(frozen=True)
class _Upload:
    """A height map as uploaded, and how to read it again."""

    patient_id: int
    region: Region
    taken_on: date
    filename: str
    data: bytes
    read_options: dict[str, Any]
    compressed: bytes | None = None
    """The kept form of `data`, when it is at hand already (a re-analysis of a kept map)."""


def _start(
    clinic: Clinic, actor: Actor, upload: _Upload, height_map: HeightMap, extra: dict[str, Any]
) -> int:
    """Analyse the upload as a job (`height_map` is the upload read once already, so a bad
    file was refused while the user waited). The file goes with the job, compressed, so a
    worker on any host reads it again; the result is a new analysis (with the map itself when
    the clinic keeps maps) and the job's result names it."""
    params = {
        "region": upload.region.value,
        "filename": upload.filename,
        "taken_on": str(upload.taken_on),
        "pixel_size_mm": height_map.pixel_size_mm,
        "read_options": upload.read_options,
        **extra,
    }
    compressed = upload.compressed or zlib.compress(upload.data, COMPRESSION_LEVEL)
    return jobs.start_job(
        clinic, actor, KIND, params, patient_id=upload.patient_id, payload=compressed
    )


def run_analysis_job(run: jobs.JobRun) -> None:
    """The job: read the stored upload, analyse it, keep the analysis (jobs.KINDS)."""
    clinic, params = run.clinic, run.job.params
    patient_id = run.job.patient_id
    if patient_id is None:
        raise StateError("the analysis job names no patient")
    compressed = run.payload()
    data = zlib.decompress(compressed)
    read_options: dict[str, Any] = params.get("read_options", {})
    height_map = read_height_map(
        data,
        params["filename"],
        pixel_size_mm=read_options.get("pixel_size_mm"),
        z_unit=read_options.get("z_unit"),
        names=FORM_FIELDS,
        max_pixels=clinic.settings.height_map_max_pixels,
    )
    region = Region(params["region"])
    report = topography_files.analyze_map(height_map, knowledge=clinic.knowledge, region=region)
    document, png = topography_files.report_json(report), topography_files.overlay_png(report)
    extra = {key: params[key] for key in ("reanalysis_of",) if key in params}
    with clinic.uow.write() as session:
        record = TopographyRecord(
            patient_id=patient_id,
            region=region.value,
            taken_on=date.fromisoformat(params["taken_on"]),
            filename=params["filename"],
            sha256=hashlib.sha256(data).hexdigest(),
            byte_size=len(data),
            pixel_size_mm=height_map.pixel_size_mm,
            result=document,
            created_at=clinic.now(),
            created_by=run.actor.user_id,
        )
        session.add(record)
        session.flush()
        session.add(TopographyOverlayRecord(topography_id=record.id, png=png))
        if clinic.settings.keep_height_maps:
            session.add(
                TopographyMapRecord(
                    topography_id=record.id, compressed=compressed, read_options=read_options
                )
            )
        clinic.audit.changed(
            session, run.actor, "create", "topography", record.id, patient_id, extra
        )
        run.finish(session, {"topography_id": record.id})


def start_reanalysis(clinic: Clinic, actor: Actor, topography_id: int) -> int:
    """Analyse a kept map again with today's pipeline, as a new analysis beside the old one
    (which stays as it was); returns the job id."""
    with clinic.uow.read() as session:
        record = _load(session, actor, topography_id)
        authorize(actor, Permission.WRITE_CLINICAL, record.patient_id)
        kept = session.get(TopographyMapRecord, topography_id)
        if kept is None:
            raise StateError(
                "the height map of this analysis was not kept",
                [FieldProblem("topography_id", f"{topography_id} has no map", "upload it again")],
            )
        upload = _Upload(
            patient_id=record.patient_id,
            region=Region(record.region),
            taken_on=record.taken_on,
            filename=record.filename,
            data=zlib.decompress(kept.compressed),
            read_options=dict(kept.read_options),
            compressed=kept.compressed,
        )
    height_map = read_height_map(
        upload.data,
        upload.filename,
        pixel_size_mm=upload.read_options.get("pixel_size_mm"),
        z_unit=upload.read_options.get("z_unit"),
        names=FORM_FIELDS,
        max_pixels=clinic.settings.height_map_max_pixels,
    )
    return _start(clinic, actor, upload, height_map, {"reanalysis_of": topography_id})


def height_map_file(clinic: Clinic, actor: Actor, topography_id: int) -> tuple[str, bytes]:
    """The kept map as it was uploaded: (its file name, its bytes)."""
    with clinic.uow.read() as session:
        record = _load(session, actor, topography_id)
        kept = session.get(TopographyMapRecord, topography_id)
        if kept is None:
            raise not_found("topography_id", topography_id, "kept height map")
        name, data, patient_id = (
            record.filename,
            zlib.decompress(kept.compressed),
            record.patient_id,
        )
    clinic.audit.read(actor, "topography_map", topography_id, patient_id)
    return name, data


def analysis_job(clinic: Clinic, actor: Actor, job_id: int) -> jobs.JobView:
    """An analysis job's state, for those who may see the patient's clinical record."""
    job = jobs.read_job(clinic, job_id, KIND)
    authorize_record(
        actor, Permission.READ_CLINICAL, job.patient_id or 0, "job_id", job_id, "analysis"
    )
    return job


def _load(session: Session, actor: Actor, topography_id: int) -> TopographyRecord:
    record = session.get(TopographyRecord, topography_id)
    if record is None:
        raise not_found("topography_id", topography_id, "height-map analysis")
    authorize_record(
        actor,
        Permission.READ_CLINICAL,
        record.patient_id,
        "topography_id",
        topography_id,
        "height-map analysis",
    )
    return record


def get_analysis(clinic: Clinic, actor: Actor, topography_id: int) -> TopographyView:
    with clinic.uow.read() as session:
        record = _load(session, actor, topography_id)
        found = _view(record, bool(_kept(session, [topography_id])))
    clinic.audit.read(actor, "topography", topography_id, found.patient_id)
    return found


def overlay_png(clinic: Clinic, actor: Actor, topography_id: int) -> bytes:
    with clinic.uow.read() as session:
        record = _load(session, actor, topography_id)
        png = session.get_one(TopographyOverlayRecord, topography_id).png
        patient_id = record.patient_id
    clinic.audit.read(actor, "topography_overlay", topography_id, patient_id)
    return png


def list_analyses(clinic: Clinic, actor: Actor, patient_id: int) -> list[TopographyView]:
    authorize(actor, Permission.READ_CLINICAL, patient_id)
    clinic.audit.read(actor, "topography_list", None, patient_id)
    with clinic.uow.read() as session:
        load_patient(session, patient_id)
        records = session.scalars(
            select(TopographyRecord)
            .where(TopographyRecord.patient_id == patient_id)
            .order_by(TopographyRecord.taken_on.desc(), TopographyRecord.id.desc())
        ).all()
        kept = _kept(session, [r.id for r in records])
        return [_view(r, r.id in kept) for r in records]


def record_assessment(clinic: Clinic, actor: Actor, topography_id: int) -> int:
    """A new assessment: the latest one's lesions in other regions, and this map's lesions in
    its region (replacing what was recorded there). Returns the assessment id."""
    with clinic.uow.write() as session:
        record = _load(session, actor, topography_id)
        authorize(actor, Permission.WRITE_CLINICAL, record.patient_id)
        if record.assessment_id is not None:
            raise StateError(
                "this analysis is recorded already",
                [FieldProblem("topography_id", f"in assessment {record.assessment_id}", "")],
            )
        found = record.result.get("lesions", [])
        if not found:
            raise StateError(
                "the map shows no scar to record",
                [FieldProblem("topography_id", "no scar was detected", "")],
            )
        latest = assessments.latest_assessment(session, record.patient_id)
        kept = [
            lesion
            for lesion in (assessments.view(latest).lesions if latest is not None else [])
            if lesion["region"] != record.region
        ]
        raw = {
            "date": record.taken_on.isoformat(),
            "lesions": [*kept, *found],
            "notes": f"Measured from the 3D height map {record.filename} ({record.region}).",
        }
        patient = load_patient(session, record.patient_id)
        added = assessments.add_assessment(session, clinic, actor, patient, raw)
        record.assessment_id = added.id
        clinic.audit.changed(session, actor, "update", "topography", record.id, record.patient_id)
        return added.id
