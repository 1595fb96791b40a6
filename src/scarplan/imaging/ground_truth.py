"""A synthetic map's ground truth as JSON: the "synthetic" entry of its sidecar."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from scarplan.domain.errors import FieldProblem, InputError
from scarplan.domain.vocabulary import ScarType
from scarplan.imaging.synth import MODEL_VERSION, PlantedScar, SyntheticSurface


def ground_truth_json(surface: SyntheticSurface) -> dict[str, Any]:
    return {
        "model_version": MODEL_VERSION,
        "seed": surface.seed,
        "parameters": asdict(surface.parameters),
        "scars": [
            {
                "type": scar.type.value,
                "x_mm": round(scar.x_mm, 4),
                "y_mm": round(scar.y_mm, 4),
                "diameter_mm": round(scar.diameter_mm, 4),
                "max_diameter_mm": round(scar.max_diameter_mm, 4),
                "depth_mm": round(scar.depth_mm, 4),
                "semi_major_mm": scar.semi_major_mm,
                "semi_minor_mm": scar.semi_minor_mm,
                "angle_deg": scar.angle_deg,
                "shape_parameter": scar.shape_parameter,
                "touching": scar.touching,
            }
            for scar in surface.scars
        ],
    }


def planted_from_json(document: Any) -> tuple[PlantedScar, ...]:
    """The planted scars of a sidecar's "synthetic" entry; InputError naming the bad field."""
    try:
        return tuple(
            PlantedScar(
                type=ScarType(item["type"]),
                x_mm=float(item["x_mm"]),
                y_mm=float(item["y_mm"]),
                depth_mm=float(item["depth_mm"]),
                semi_major_mm=float(item["semi_major_mm"]),
                semi_minor_mm=float(item["semi_minor_mm"]),
                angle_deg=float(item["angle_deg"]),
                shape_parameter=float(item["shape_parameter"]),
                touching=bool(item.get("touching", False)),
            )
            for item in document["scars"]
        )
    except (KeyError, TypeError, ValueError) as error:
        raise InputError(
            "the sidecar's ground truth is invalid",
            [FieldProblem("sidecar.synthetic.scars", f"cannot be read ({error!r})", "")],
        ) from None
