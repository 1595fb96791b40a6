"""Type a lesion group from its measurements (docs/assessment.md section 1).

Thresholds come from the knowledge base's scar-type entries with their sources; where the
published ranges overlap, the conventions documented in docs/assessment.md decide, and the
result lists every candidate type so nothing is guessed silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from scarplan.assessment.results import Confidence, TypedLesion, TypeSource
from scarplan.domain.case import LesionGroup
from scarplan.domain.errors import FieldProblem, KnowledgeBaseError
from scarplan.domain.vocabulary import EdgeProfile, ScarType
from scarplan.knowledge import KnowledgeBase


@dataclass(frozen=True)
class TypingThresholds:
    ice_pick_max_width_mm: float
    boxcar_min_width_mm: float
    boxcar_max_width_mm: float
    rolling_min_width_mm: float
    shallow_max_depth_mm: float
    sources: tuple[str, ...]

    @classmethod
    def from_knowledge(cls, knowledge: KnowledgeBase) -> TypingThresholds:
        ice_pick = knowledge.scar_types[ScarType.ICE_PICK].width_mm
        boxcar = knowledge.scar_types[ScarType.BOXCAR].width_mm
        boxcar_depth = knowledge.scar_types[ScarType.BOXCAR].depth_mm
        rolling = knowledge.scar_types[ScarType.ROLLING].width_mm
        bounds = {
            "ice_pick.width_mm.max": ice_pick.max if ice_pick else None,
            "boxcar.width_mm.min": boxcar.min if boxcar else None,
            "boxcar.width_mm.max": boxcar.max if boxcar else None,
            "rolling.width_mm.min": rolling.min if rolling else None,
            "boxcar.depth_mm.max": boxcar_depth.max if boxcar_depth else None,
        }
        missing = [name for name, value in bounds.items() if value is None]
        if missing or not (ice_pick and boxcar and rolling):
            raise KnowledgeBaseError(
                "scar typing needs width and depth thresholds in scar_types.yaml",
                [FieldProblem(f"scar_types.yaml: {name}", "missing", "") for name in missing],
            )
        return cls(
            ice_pick_max_width_mm=_known(bounds["ice_pick.width_mm.max"]),
            boxcar_min_width_mm=_known(bounds["boxcar.width_mm.min"]),
            boxcar_max_width_mm=_known(bounds["boxcar.width_mm.max"]),
            rolling_min_width_mm=_known(bounds["rolling.width_mm.min"]),
            shallow_max_depth_mm=_known(bounds["boxcar.depth_mm.max"]),
            sources=tuple(sorted({*ice_pick.sources, *boxcar.sources, *rolling.sources})),
        )


def _known(value: float | None) -> float:
    assert value is not None  # checked just above
    return value


def classify_lesion(index: int, lesion: LesionGroup, limits: TypingThresholds) -> TypedLesion:
    if lesion.type is not None:
        return TypedLesion(index, lesion, lesion.type, TypeSource.GIVEN, None, (lesion.type,), ())
    width = lesion.width_mm
    assert width is not None, "the case schema requires width_mm when type is absent"
    sharp = lesion.edges is EdgeProfile.SHARP
    rolling_signs = lesion.edges is EdgeProfile.SLOPED or lesion.distensible is True
    if width < limits.boxcar_min_width_mm:
        return _narrow(index, lesion, width, sharp, rolling_signs, limits)
    if width < limits.ice_pick_max_width_mm:
        return _ice_pick_or_boxcar(index, lesion, width, limits)
    if width < limits.rolling_min_width_mm:
        return _boxcar_or_rolling(index, lesion, width, sharp, rolling_signs, limits)
    return _wide(index, lesion, width, sharp, limits)


def _measured(
    index: int,
    lesion: LesionGroup,
    scar_type: ScarType,
    confidence: Confidence,
    candidates: tuple[ScarType, ...],
    *reasons: str,
) -> TypedLesion:
    return TypedLesion(
        index, lesion, scar_type, TypeSource.MEASURED, confidence, candidates, tuple(reasons)
    )


def _narrow(
    index: int,
    lesion: LesionGroup,
    width: float,
    sharp: bool,
    rolling_signs: bool,
    limits: TypingThresholds,
) -> TypedLesion:
    reason = f"width {width:g} mm is under {limits.boxcar_min_width_mm:g} mm: ice pick range"
    deep = lesion.depth_mm is not None and lesion.depth_mm >= width / 2
    if rolling_signs:
        return _measured(
            index,
            lesion,
            ScarType.ICE_PICK,
            Confidence.LOW,
            (ScarType.ICE_PICK, ScarType.ROLLING),
            reason,
            "sloped edges or distensibility suggest rolling, which is usually much wider",
        )
    if sharp or deep:
        return _measured(
            index,
            lesion,
            ScarType.ICE_PICK,
            Confidence.HIGH,
            (ScarType.ICE_PICK,),
            reason,
            "sharp edges or a depth of at least half the width corroborate it",
        )
    return _measured(
        index, lesion, ScarType.ICE_PICK, Confidence.MODERATE, (ScarType.ICE_PICK,), reason
    )


def _ice_pick_or_boxcar(
    index: int, lesion: LesionGroup, width: float, limits: TypingThresholds
) -> TypedLesion:
    candidates = (ScarType.ICE_PICK, ScarType.BOXCAR)
    boundary = (
        f"width {width:g} mm is on the boundary between ice pick (under "
        f"{limits.ice_pick_max_width_mm:g} mm) and boxcar ({limits.boxcar_min_width_mm:g}-"
        f"{limits.boxcar_max_width_mm:g} mm)"
    )
    depth = lesion.depth_mm
    if depth is None:
        return _measured(
            index,
            lesion,
            ScarType.ICE_PICK,
            Confidence.LOW,
            candidates,
            boundary,
            "no depth recorded: width under 2 mm is the defining criterion of ice pick scars "
            "(convention); record depth_mm to decide",
        )
    if depth >= width / 2:
        return _measured(
            index,
            lesion,
            ScarType.ICE_PICK,
            Confidence.MODERATE,
            candidates,
            boundary,
            f"depth {depth:g} mm is at least half the width: a V-shaped tract (convention)",
        )
    return _measured(
        index,
        lesion,
        ScarType.BOXCAR,
        Confidence.MODERATE,
        candidates,
        boundary,
        f"depth {depth:g} mm is less than half the width: a U-shaped depression (convention)",
    )


def _boxcar_or_rolling(
    index: int,
    lesion: LesionGroup,
    width: float,
    sharp: bool,
    rolling_signs: bool,
    limits: TypingThresholds,
) -> TypedLesion:
    reason = (
        f"width {width:g} mm is in the boxcar range ({limits.boxcar_min_width_mm:g}-"
        f"{limits.boxcar_max_width_mm:g} mm)"
    )
    if rolling_signs and not sharp:
        return _measured(
            index,
            lesion,
            ScarType.ROLLING,
            Confidence.LOW,
            (ScarType.BOXCAR, ScarType.ROLLING),
            reason,
            "but sloped edges or distensibility point to tethering: typed rolling",
        )
    confidence = Confidence.HIGH if sharp else Confidence.MODERATE
    extra = ("sharp edges corroborate it",) if sharp else ()
    return _measured(index, lesion, ScarType.BOXCAR, confidence, (ScarType.BOXCAR,), reason, *extra)


def _wide(
    index: int, lesion: LesionGroup, width: float, sharp: bool, limits: TypingThresholds
) -> TypedLesion:
    reason = f"width {width:g} mm is {limits.rolling_min_width_mm:g} mm or more: rolling range"
    if sharp and lesion.distensible is not True:
        return _measured(
            index,
            lesion,
            ScarType.BOXCAR,
            Confidence.LOW,
            (ScarType.ROLLING, ScarType.BOXCAR),
            reason,
            "but sharp walls without distensibility describe a large boxcar scar",
        )
    corroborated = lesion.edges is EdgeProfile.SLOPED or lesion.distensible is True
    confidence = Confidence.HIGH if corroborated else Confidence.MODERATE
    extra = ("sloped edges or distensibility corroborate it",) if corroborated else ()
    return _measured(
        index, lesion, ScarType.ROLLING, confidence, (ScarType.ROLLING,), reason, *extra
    )
