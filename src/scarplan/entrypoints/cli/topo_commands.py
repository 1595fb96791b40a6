"""`scarplan topo analyze FILE` and `scarplan topo synth -o FILE`: 3D skin topography."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from scarplan.bootstrap import bootstrap
from scarplan.domain.vocabulary import Region
from scarplan.entrypoints.cli.console import out, print_json
from scarplan.imaging.file_format import ZUnit
from scarplan.imaging.synth import SynthParameters
from scarplan.services.topography_files import (
    analyze_file,
    report_json,
    synthesize_to,
    write_overlay,
)

app = typer.Typer(
    help="3D skin topography: find, measure and type scars in a height map.",
    no_args_is_help=True,
)


@app.command("analyze")
def analyze(
    file: Path = typer.Argument(
        ..., metavar="FILE", help="Height map: .npy, .tif (32-bit float), .csv or .gsf."
    ),
    pixel_size: float | None = typer.Option(
        None, "--pixel-size", metavar="MM", help="Pixel size in mm (overrides file and sidecar)."
    ),
    z_unit: ZUnit | None = typer.Option(
        None, "--z-unit", help="Unit of the heights (default: file, sidecar, else um)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON contract."),
    overlay: Path | None = typer.Option(
        None, "--overlay", metavar="PNG", help="Also write the map with scar outlines as PNG."
    ),
    region: Region | None = typer.Option(
        None, "--region", help="Face region: adds lesion groups for a case file's assessment."
    ),
) -> None:
    """Find each depression, measure it and type it as ice pick, boxcar or rolling."""
    container = bootstrap()
    report = analyze_file(
        file,
        knowledge=container.knowledge,
        pixel_size_mm=pixel_size,
        z_unit=z_unit.value if z_unit is not None else None,
        region=region,
        max_pixels=container.settings.height_map_max_pixels,
    )
    data = report_json(report)
    if overlay is not None:
        write_overlay(report, overlay)
    if as_json:
        print_json(data)
        return
    render_analysis(data)
    if overlay is not None:
        out.print(f"Wrote the overlay to {overlay}")


def render_analysis(data: dict[str, Any]) -> None:
    info = data["map"]
    rows, cols = info["shape"]
    out.print(
        f"[bold]{info['source']}[/]: {cols} x {rows} px at {info['pixel_size_mm']:g} mm "
        f"({info['field_mm'][0]:g} x {info['field_mm'][1]:g} mm), noise {info['noise_um']:g} um"
    )
    table = Table(title="Scars", title_justify="left")
    for column in ("#", "x mm", "y mm", "type", "conf.", "diam. mm", "depth mm", "profile"):
        table.add_column(column)
    for scar in data["scars"]:
        table.add_row(
            str(scar["index"]),
            f"{scar['x_mm']:.2f}",
            f"{scar['y_mm']:.2f}",
            scar["type"],
            f"{scar['confidence']:.2f}",
            f"{scar['diameter_mm']:.2f}",
            f"{scar['depth_mm']:.3f}",
            scar["profile"],
        )
    out.print(table)
    counts = ", ".join(f"{name} {count}" for name, count in data["counts_by_type"].items())
    rough = data["roughness"]
    out.print(f"Counts: {counts}. Roughness Sa {rough['sa_um']:g} um, Sq {rough['sq_um']:g} um.")
    for lesion in data.get("lesions", []):
        out.print(
            f"Lesion group: {lesion['region']} {lesion['type']} x{lesion['count']}, "
            f"width {lesion['width_mm']} mm, depth {lesion['depth_mm']} mm, {lesion['edges']}"
        )
    truth = data.get("ground_truth")
    if truth:
        out.print(
            f"Against the planted scars: F1 {truth['f1']:.3f}, "
            f"typing {truth['typing_accuracy']:.3f}, "
            f"median diameter error {truth['median_diameter_error_mm']:.3f} mm, "
            f"median depth error {100 * truth['median_depth_error_fraction']:.1f} %"
        )


@app.command("synth")
def synth(
    output: Path = typer.Option(
        ..., "--output", "-o", help="Where to write: FILE.npy, .tif, .csv or .gsf (+ FILE.json)."
    ),
    seed: int = typer.Option(1, "--seed", help="Random seed: the same seed, the same map."),
    size: int = typer.Option(2048, "--size", help="Map side in pixels."),
    pixel_size: float = typer.Option(0.025, "--pixel-size", metavar="MM", help="Pixel size, mm."),
    noise_um: float = typer.Option(5.0, "--noise-um", help="Device noise, um RMS (white)."),
    texture_um: float = typer.Option(8.0, "--texture-um", help="Skin texture, um RMS."),
    ice_pick: int = typer.Option(8, "--ice-pick", help="Separate ice pick scars."),
    boxcar: int = typer.Option(8, "--boxcar", help="Separate boxcar scars."),
    rolling: int = typer.Option(4, "--rolling", help="Separate rolling scars."),
    touching_pairs: int = typer.Option(2, "--touching-pairs", help="Pairs of touching scars."),
    z_unit: ZUnit = typer.Option(ZUnit.UM, "--z-unit", help="Unit of the written heights."),
) -> None:
    """Write a synthetic skin height map with planted scars; FILE.json holds the truth."""
    params = SynthParameters(
        size_px=size,
        pixel_size_mm=pixel_size,
        noise_um=noise_um,
        texture_um=texture_um,
        ice_pick=ice_pick,
        boxcar=boxcar,
        rolling=rolling,
        touching_pairs=touching_pairs,
    )
    summary = synthesize_to(output, seed, params, z_unit)
    planted = ", ".join(f"{name} {count}" for name, count in summary.planted.items())
    out.print(
        f"Wrote {summary.map_path} ({summary.size_px} x {summary.size_px} px at "
        f"{summary.pixel_size_mm:g} mm; planted {planted}) and {summary.sidecar_path}"
    )
