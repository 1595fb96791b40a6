"""One patient's clinical record as the FHIR mapping sees it: what is exported, and what an
import reads back. Plain values in the shapes the clinic's inputs use (the case file's patient
and lesion fields, the session and photo inputs), so export and import meet in one model.

`origins` (never compared) maps an input field path, as the clinic's validators report it, to
the bundle path it was read from: an import's validation error names the resource and element
to fix. The empty path maps to the resource itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ParamSpec, TypeVar

from scarplan.domain.errors import FieldProblem, InputError

Origins = dict[str, str]
Result = TypeVar("Result")
Arguments = ParamSpec("Arguments")


def _origins() -> Origins:
    return {}


@dataclass(frozen=True)
class PatientFacts:
    code: str
    full_name: str | None
    intake: dict[str, Any]
    """The case file's `patient` fields that were stated, as JSON values, without `id`."""
    fitzpatrick_type: str | None
    """The skin type in use: stated, or scored from the questionnaire answers."""
    preferences: dict[str, Any] = field(default_factory=dict)
    """The case file's `preferences` that were stated, as JSON values (`stated_preferences`):
    an unstated preference is absent, never null, zero or an empty list."""
    email: str | None = None
    """Where the clinic's e-mails go (Patient.telecom, system email)."""
    origins: Origins = field(default_factory=_origins, compare=False)


@dataclass(frozen=True)
class LesionFacts:
    given: dict[str, Any]
    """The lesion group as entered (the case file's lesion fields); `type` only when given."""
    typed_as: str
    """The scar type the scales used: the given one, or the one classified from measurements."""


@dataclass(frozen=True)
class Scores:
    goodman_baron_qualitative: int
    goodman_baron_quantitative: float
    ecca: int


@dataclass(frozen=True)
class AssessmentFacts:
    day: date
    notes: str
    lesions: tuple[LesionFacts, ...]
    scores: Scores | None
    """The scale scores (scarplan recomputes them from the lesions on import)."""
    origins: Origins = field(default_factory=_origins, compare=False)


@dataclass(frozen=True)
class PlannedSessionFacts:
    day: date
    modality: str
    regions: tuple[str, ...]
    targets: tuple[str, ...]
    downtime_days: int
    cost: Decimal | None
    currency: str | None
    done: bool
    """A performed session fulfils it."""


@dataclass(frozen=True)
class RoutineStep:
    slot: str
    """am | pm"""
    agent: str
    text: str
    """The product as the patient reads it: name and strength."""
    dose: str
    frequency: str
    order: int


@dataclass(frozen=True)
class PlanFacts:
    status: str
    """scarplan's plan status: proposed, accepted, in_progress, completed, ..."""
    start: date
    assessment: int
    """Index of the assessment the plan was made from."""
    sessions: tuple[PlannedSessionFacts, ...]
    routine: tuple[RoutineStep, ...]
    notes: tuple[str, ...]
    document: dict[str, Any] | None = None
    """The planner's explained plan as stored with the plan (the `scarplan plan --json`
    contract: recommendations with reasons and sources, exclusions, courses, sequencing, and
    the sessions, routine and notes above); None when a bundle does not carry it."""
    origins: Origins = field(default_factory=_origins, compare=False)


@dataclass(frozen=True)
class AdverseEventFacts:
    kind: str
    severity: str
    onset_on: date
    resolved_on: date | None
    notes: str


@dataclass(frozen=True)
class SessionFacts:
    performed_on: date
    modality: str
    regions: tuple[str, ...]
    practitioner: str
    parameters: dict[str, Any]
    notes: str
    adverse_events: tuple[AdverseEventFacts, ...]
    planned: tuple[int, int] | None
    """(plan index, position of the planned session) this session fulfilled."""
    origins: Origins = field(default_factory=_origins, compare=False)


@dataclass(frozen=True)
class PhotoFacts:
    region: str
    angle: str
    taken_on: date
    consent: str
    content_type: str
    width_px: int
    height_px: int
    data: bytes
    session: int | None
    """Index of the session the photo belongs to."""
    origins: Origins = field(default_factory=_origins, compare=False)


@dataclass(frozen=True)
class ProcedureConsentFacts:
    """A signed procedure consent: `signed` is its whole content as JSON values (the form as
    shown, typed names, times, versions, seal, countersignature, withdrawal; see
    services/clinic/plans/consents.py `transfer_document`), `signature_png` the drawn signature."""

    modality: str
    status: str
    """'signed', 'awaiting countersignature' or 'withdrawn'."""
    signed_at: datetime
    form_title: str
    form_text: str
    content_hash: str
    signed: dict[str, Any]
    signature_png: bytes
    origins: Origins = field(default_factory=_origins, compare=False)


@dataclass(frozen=True)
class ClinicalRecord:
    patient: PatientFacts
    assessments: tuple[AssessmentFacts, ...]
    plans: tuple[PlanFacts, ...] = ()
    sessions: tuple[SessionFacts, ...] = ()
    photos: tuple[PhotoFacts, ...] = ()
    consents: tuple[ProcedureConsentFacts, ...] = ()


def locate(origins: Origins, path: str) -> str:
    """The bundle path for an input field path: the deepest mapped prefix of it."""
    probe = path
    while probe:
        if probe in origins:
            return origins[probe]
        cut = max(probe.rfind("."), probe.rfind("["))
        probe = probe[:cut] if cut > 0 else ""
    whole = origins.get("", "")
    return f"{whole} ({path})" if whole and path else whole or path


def relocated(error: InputError, origins: Origins) -> InputError:
    """The error with each field path replaced by the bundle path it was read from."""
    problems = [FieldProblem(locate(origins, p.path), p.message, p.hint) for p in error.problems]
    return InputError(f"{error.message} (in the FHIR bundle)", problems)


def located(
    origins: Origins, action: Callable[Arguments, Result], *args: Any, **kwargs: Any
) -> Result:
    """`action(*args, **kwargs)`, its input errors named by bundle paths."""
    try:
        return action(*args, **kwargs)
    except InputError as error:
        raise relocated(error, origins) from None
