"""Height-map files, no database: analyse a height map (a file or uploaded bytes), draw its
overlay, write a synthetic map with its ground truth (`scarplan topo`, the example map). The JSON
contract is in docs/topography.md section 5.

The clinic's stored analyses (uploaded for a patient, run as a job, kept, recorded as an
assessment) are `services/clinic/records/stored_topography.py`, which calls this module."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from scarplan.adapters.imaging_png import overlay_png_bytes
from scarplan.assessment.classify import TypingThresholds
from scarplan.domain.case import LesionGroup
from scarplan.domain.errors import FieldProblem, InputError
from scarplan.domain.vocabulary import Region
from scarplan.imaging.accuracy import Accuracy, compare
from scarplan.imaging.analyze import Analysis, Scar, analyze
from scarplan.imaging.file_format import DEFAULT_MAX_PIXELS, ZUnit
from scarplan.imaging.ground_truth import ground_truth_json, planted_from_json
from scarplan.imaging.heightmap import HeightMap
from scarplan.imaging.io import (
    needs_sidecar,
    parse_sidecar,
    read_height_map,
    sidecar_bytes,
    sidecar_name,
    write_height_map,
)
from scarplan.imaging.lesions import to_lesion_groups
from scarplan.imaging.overlay import TYPE_COLOURS, overlay
from scarplan.imaging.parameters import AnalysisParameters
from scarplan.imaging.scar_typing import TYPED
from scarplan.imaging.synth import SynthParameters, synthesize
from scarplan.knowledge import KnowledgeBase
from scarplan.services.assessment import NOTICE


@dataclass(frozen=True)
class TopographyReport:
    height_map: HeightMap
    analysis: Analysis
    region: Region | None = None
    lesions: tuple[LesionGroup, ...] = ()
    accuracy: Accuracy | None = None
    """Set when the sidecar carries a synthetic map's planted scars."""


def analyze_bytes(
    data: bytes,
    filename: str,
    *,
    knowledge: KnowledgeBase,
    pixel_size_mm: float | None = None,
    z_unit: str | None = None,
    sidecar: bytes | None = None,
    region: Region | None = None,
    params: AnalysisParameters | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> TopographyReport:
    """Analyse an uploaded or read height map; `region` also yields lesion groups. A map over
    `max_pixels` (the `height_map_max_pixels` setting) is refused from its header."""
    height_map = read_height_map(
        data,
        filename,
        pixel_size_mm=pixel_size_mm,
        z_unit=z_unit,
        sidecar=sidecar,
        max_pixels=max_pixels,
    )
    truth = parse_sidecar(sidecar).extras.get("synthetic") if sidecar is not None else None
    return analyze_map(height_map, knowledge=knowledge, region=region, params=params, truth=truth)


def analyze_map(
    height_map: HeightMap,
    *,
    knowledge: KnowledgeBase,
    region: Region | None = None,
    params: AnalysisParameters | None = None,
    truth: Any = None,
) -> TopographyReport:
    """Analyse a height map already read; `truth` is a sidecar's synthetic ground truth."""
    analysis = analyze(height_map, TypingThresholds.from_knowledge(knowledge), params)
    accuracy = compare(planted_from_json(truth), analysis.scars) if truth else None
    lesions = to_lesion_groups(analysis, region) if region is not None else ()
    return TopographyReport(height_map, analysis, region, lesions, accuracy)


def analyze_file(
    path: Path,
    *,
    knowledge: KnowledgeBase,
    pixel_size_mm: float | None = None,
    z_unit: str | None = None,
    region: Region | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> TopographyReport:
    """Analyse a file; its sidecar `FILE.json`, if present, supplies calibration."""
    data = _read(path, "FILE")
    sidecar_path = path.with_name(sidecar_name(path.name))
    sidecar = _read(sidecar_path, "sidecar") if sidecar_path.is_file() else None
    return analyze_bytes(
        data,
        path.name,
        knowledge=knowledge,
        pixel_size_mm=pixel_size_mm,
        z_unit=z_unit,
        sidecar=sidecar,
        region=region,
        max_pixels=max_pixels,
    )


def _read(path: Path, field: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError(
            f"cannot read {path}",
            [FieldProblem(field, error.strerror or str(error), "check the path")],
        ) from None


def overlay_png(report: TopographyReport) -> bytes:
    legend = {scar_type.value.replace("_", " "): TYPE_COLOURS[scar_type] for scar_type in TYPED}
    return overlay_png_bytes(overlay(report.height_map, report.analysis), legend)


def write_overlay(report: TopographyReport, path: Path) -> int:
    """Write the overlay PNG; returns its size in bytes."""
    if path.suffix.lower() != ".png":
        raise InputError(
            "unknown overlay format",
            [FieldProblem("--overlay", f"{path.name} does not end in .png", "e.g. out.png")],
        )
    encoded = overlay_png(report)
    _write(path, encoded, "--overlay")
    return len(encoded)


def _write(path: Path, data: bytes, field: str) -> None:
    try:
        path.write_bytes(data)
    except OSError as error:
        raise InputError(
            f"cannot write {path}",
            [FieldProblem(field, error.strerror or str(error), "check the folder exists")],
        ) from None


# --- JSON -----------------------------------------------------------------------------------


def report_json(report: TopographyReport) -> dict[str, Any]:
    analysis = report.analysis
    rows, cols = analysis.shape
    data: dict[str, Any] = {
        "map": {
            "source": analysis.source,
            "shape": [rows, cols],
            "pixel_size_mm": analysis.pixel_size_mm,
            "field_mm": [
                round(cols * analysis.pixel_size_mm, 3),
                round(rows * analysis.pixel_size_mm, 3),
            ],
            "noise_um": round(analysis.levels.noise_sigma_mm * 1000, 2),
            "footprint_threshold_um": round(analysis.levels.footprint_mm * 1000, 2),
            "seed_threshold_um": round(analysis.levels.seed_mm * 1000, 2),
        },
        "scars": [_scar_json(scar) for scar in analysis.scars],
        "counts_by_type": analysis.counts_by_type(),
        "roughness": {
            "sa_um": round(analysis.roughness.sa_um, 2),
            "sq_um": round(analysis.roughness.sq_um, 2),
        },
        "typing_sources": list(analysis.typing_sources),
        "parameters": {
            name: list(value) if isinstance(value, tuple) else value
            for name, value in asdict(analysis.parameters).items()
        },
        "notice": NOTICE,
    }
    if report.region is not None:
        data["region"] = report.region.value
        data["lesions"] = [_lesion_json(group) for group in report.lesions]
    if report.accuracy is not None:
        data["ground_truth"] = _accuracy_json(report.accuracy)
    return data


def _scar_json(scar: Scar) -> dict[str, Any]:
    m, call = scar.measurement, scar.call
    return {
        "index": scar.index,
        "x_mm": round(m.x_mm, 3),
        "y_mm": round(m.y_mm, 3),
        "type": call.type.value,
        "confidence": round(call.confidence, 3),
        "confidence_level": call.level.value,
        "diameter_mm": round(m.diameter_mm, 3),
        "max_diameter_mm": round(m.max_diameter_mm, 3),
        "depth_mm": round(m.depth_mm, 3),
        "area_mm2": round(m.area_mm2, 3),
        "volume_mm3": round(m.volume_mm3, 4),
        "wall_slope_deg": round(m.wall_slope_deg, 1),
        "apex_slope_deg": round(m.apex_slope_deg, 1),
        "floor_flatness": round(m.floor_flatness, 3),
        "profile": m.profile.value,
        "type_scores": {t.value: round(score, 3) for t, score in call.scores.items()},
        "reasons": list(call.reasons),
    }


def _lesion_json(group: LesionGroup) -> dict[str, Any]:
    """A lesion group with the case file's field names (docs/case-format.md)."""
    return {
        "region": group.region.value,
        "type": group.type.value if group.type else None,
        "count": group.count,
        "width_mm": group.width_mm,
        "depth_mm": group.depth_mm,
        "edges": group.edges.value if group.edges else None,
    }


def _accuracy_json(accuracy: Accuracy) -> dict[str, Any]:
    return {
        **accuracy.as_json(),
        "by_type": {t.value: accuracy.of_type(t).as_json() for t in TYPED},
        "missed": [
            {"type": p.type.value, "x_mm": round(p.x_mm, 3), "y_mm": round(p.y_mm, 3)}
            for p in accuracy.missed
        ],
        "spurious": [scar.index for scar in accuracy.spurious],
    }


# --- synthetic maps -------------------------------------------------------------------------


@dataclass(frozen=True)
class SynthesisSummary:
    map_path: Path
    sidecar_path: Path
    planted: dict[str, int]
    pixel_size_mm: float
    size_px: int


EXAMPLE_MAP = SynthParameters(size_px=640, ice_pick=2, boxcar=1, rolling=1, touching_pairs=0)
"""A handheld device's field (16 mm at 0.025 mm pixels) with one scar of each kind and a
second ice pick: something to upload when no device export is at hand."""
EXAMPLE_SEED = 3
EXAMPLE_NAME = "synthetic-cheek.gsf"


def example_map() -> tuple[str, bytes]:
    """A synthetic height map as a Gwyddion .gsf file, which carries its own pixel size, so it
    uploads with no calibration entered. Clearly synthetic: its name says so."""
    surface = synthesize(EXAMPLE_SEED, EXAMPLE_MAP)
    return EXAMPLE_NAME, write_height_map(surface.height_map, EXAMPLE_NAME, ZUnit.M)


def synthesize_to(
    path: Path, seed: int, params: SynthParameters, z_unit: ZUnit = ZUnit.UM
) -> SynthesisSummary:
    """Write a synthetic map (format by suffix) and its sidecar with the planted scars."""
    surface = synthesize(seed, params)
    if not needs_sidecar(path.name):
        z_unit = ZUnit.M  # GSF stores base SI units and says so in its header
    encoded = write_height_map(surface.height_map, path.name, z_unit)
    sidecar_path = path.with_name(sidecar_name(path.name))
    side = sidecar_bytes(params.pixel_size_mm, z_unit, {"synthetic": ground_truth_json(surface)})
    _write(path, encoded, "-o")
    _write(sidecar_path, side, "-o")
    planted = {t.value: sum(1 for s in surface.scars if s.type is t) for t in TYPED}
    return SynthesisSummary(path, sidecar_path, planted, params.pixel_size_mm, params.size_px)
