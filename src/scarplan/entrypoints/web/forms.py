"""HTML forms to the services' input shapes. Numbers stay text when they do not parse, so the
validator names the field ("write a number") instead of the form silently dropping it."""

from __future__ import annotations

import re
from datetime import date
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from starlette.datastructures import FormData

from scarplan.adapters.casefile.schema import LesionIn, PatientIn
from scarplan.adapters.presentation.medical_history import HISTORY_LISTS as MEDICAL_HISTORY
from scarplan.adapters.presentation.wording import PARAMETER_LABELS, label
from scarplan.domain.case import SAFETY_FIELDS
from scarplan.domain.errors import FieldProblem, InputError
from scarplan.services.clinic.core.inputs import SessionParameters
from scarplan.services.clinic.records.patient_fields import STEP_FIELDS, IntakeStep

Kind = type[bool] | type[int] | type[float] | None
"""How a form's text is read for a model field: a yes/no, a number, or text as typed (None)."""


def field_kind(annotation: Any) -> Kind:
    """The kind of value a model field holds, seen through `Annotated[...]` and `| None`, so a
    form reads its box the way the model validates it."""
    origin = get_origin(annotation)
    if origin in (Union, UnionType):
        kinds = {field_kind(option) for option in get_args(annotation)} - {None}
        return kinds.pop() if len(kinds) == 1 else None
    base = get_args(annotation)[0] if origin is Annotated else annotation
    return base if base in (bool, int, float) else None


YES_NO = {"yes": True, "no": False}
SAFETY_FLAGS = tuple(
    name for name in SAFETY_FIELDS if field_kind(PatientIn.model_fields[name].annotation) is bool
)
"""The medical-history questions answered yes, no or not asked: the safety fields that are
yes/no in the case file (pregnant, breastfeeding, ...)."""
QUESTIONS = 10
HISTORY_LISTS = tuple(part.field for part in MEDICAL_HISTORY)
"""The medical-history lists, as the intake form shows them (conditions, allergies, ...)."""
PRIOR_ROW = re.compile(r"prior_kind_(\d{1,3})")


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def form_date(raw: str, field: str, what: str) -> date:
    """A date picker's value, or InputError naming the field (`what` says which day)."""
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InputError(
            f"{what} is not a date",
            [FieldProblem(field, f"{raw!r} is not a date", f"pick {what} on the calendar")],
        ) from None


def texts(form: FormData, name: str) -> list[str]:
    return [v.strip() if isinstance(v, str) else "" for v in form.getlist(name)]


def number(raw: str, kind: type[int] | type[float]) -> int | float | str:
    try:
        return kind(raw)
    except ValueError:
        return raw


def _put(target: dict[str, Any], key: str, raw: str, kind: Kind = None) -> None:
    if raw:
        target[key] = number(raw, kind) if kind in (int, float) else raw


def patient_intake(form: FormData) -> dict[str, Any]:
    patient: dict[str, Any] = {"id": text(form, "code")}
    _put(patient, "birth_date", text(form, "birth_date"))
    _put(patient, "age_years", text(form, "age_years"), int)
    _put(patient, "sex", text(form, "sex"))
    _put(patient, "fitzpatrick", text(form, "fitzpatrick"))
    answers = [text(form, f"q{i}") for i in range(QUESTIONS)]
    if any(answers):
        patient["fitzpatrick_answers"] = [number(a, int) if a else None for a in answers]
    for flag in SAFETY_FLAGS:
        choice = text(form, flag)
        if choice in YES_NO:
            patient[flag] = YES_NO[choice]
    _put(patient, "active_acne", text(form, "active_acne"))
    status = text(form, "isotretinoin_status")
    if status:
        patient["isotretinoin"] = {"status": status}
        _put(patient["isotretinoin"], "stopped_on", text(form, "isotretinoin_stopped_on"))
    patient["sensitive_skin"] = text(form, "sensitive_skin") == "yes"
    patient["current_agents"] = texts(form, "current_agents")
    for name in HISTORY_LISTS:
        _put_list(patient, name, texts(form, name))
    _put_list(patient, "prior_procedures", prior_procedures(form))
    preferences: dict[str, Any] = {}
    _put(preferences, "start_date", text(form, "start_date"))
    amount = text(form, "budget_amount")
    if amount:
        preferences["budget"] = {
            "amount": number(amount, float),
            "currency": text(form, "budget_currency") or "USD",
        }
    _put(preferences, "max_downtime_days", text(form, "max_downtime_days"), int)
    _put(preferences, "home_care_budget", text(form, "home_care_budget"))
    windows = zip(
        texts(form, "avoid_from"),
        texts(form, "avoid_to"),
        texts(form, "avoid_reason"),
        strict=False,
    )
    preferences["avoid"] = [
        {"from": start, "to": end, "reason": reason}
        for start, end, reason in windows
        if start or end
    ]
    entered: dict[str, Any] = {"full_name": text(form, "full_name")}
    _put(entered, "email", text(form, "email").strip())
    _put(entered, "phone", text(form, "phone").strip())
    return {**entered, "patient": patient, "preferences": preferences}


def _put_list(target: dict[str, Any], key: str, items: list[Any]) -> None:
    if items:
        target[key] = items


def prior_procedures(form: FormData) -> list[dict[str, Any]]:
    """The "Earlier procedures" rows (`prior_*_<row>`) in row order; untouched blank rows and
    rows ticked for removal are left out."""
    rows = sorted({int(m[1]) for key in form if (m := PRIOR_ROW.fullmatch(key))})
    found = []
    for row in rows:
        if text(form, f"prior_remove_{row}") == "yes":
            continue
        item: dict[str, Any] = {"kind": text(form, f"prior_kind_{row}")}
        _put(item, "product", text(form, f"prior_product_{row}"))
        _put_list(item, "regions", texts(form, f"prior_regions_{row}"))
        _put(item, "date", text(form, f"prior_date_{row}"))
        if item["kind"] or len(item) > 1:
            found.append(item)
    return found


LESION_FIELDS: dict[str, Kind] = {
    name: field_kind(spec.annotation) for name, spec in LesionIn.model_fields.items()
}
"""A scar group's columns (`lesion_<field>`), one per field of the case file's lesion."""
LESION_COLUMNS = tuple(LESION_FIELDS)
LESION_YES_NO = tuple(name for name, kind in LESION_FIELDS.items() if kind is bool)
"""The Goodman & Baron qualitative grade's inputs: each yes, no or not examined (blank)."""


def assessment(form: FormData) -> dict[str, Any]:
    columns = {name: texts(form, f"lesion_{name}") for name in LESION_COLUMNS}
    lesions = []
    for i in range(len(columns["region"])):
        row = {name: values[i] if i < len(values) else "" for name, values in columns.items()}
        if not any(row[name] for name in ("type", "count", "width_mm", "depth_mm")):
            continue  # an untouched blank row
        lesion: dict[str, Any] = {}
        for name, kind in LESION_FIELDS.items():
            if kind is not bool:
                _put(lesion, name, row[name], kind)
            elif row[name] in YES_NO:
                lesion[name] = YES_NO[row[name]]
        lesions.append(lesion)
    return {"date": text(form, "date"), "lesions": lesions, "notes": text(form, "notes")}


PARAMETERS: dict[str, Kind] = {
    name: field_kind(spec.annotation) for name, spec in SessionParameters.model_fields.items()
}
"""Every session parameter, from its one definition (`SessionParameters`): the session form
offers a box for each (named as the field) and reads numbers as the model wants them."""

PARAMETER_FIELDS = [(name, PARAMETER_LABELS.get(name) or label(name)) for name in PARAMETERS]
"""The session form's parameter boxes: (field name, label)."""


def treatment_session(form: FormData) -> dict[str, Any]:
    parameters: dict[str, Any] = {}
    for name, kind in PARAMETERS.items():
        _put(parameters, name, text(form, name), kind)
    entered: dict[str, Any] = {
        "performed_on": text(form, "performed_on"),
        "modality": text(form, "modality"),
        "regions": texts(form, "regions"),
        "practitioner": text(form, "practitioner"),
        "notes": text(form, "notes"),
        "parameters": parameters,
        "adverse_events": [],
    }
    _put(entered, "consent_override_reason", text(form, "consent_override_reason"))
    _put(entered, "planned_session_id", text(form, "planned_session_id"), int)
    if text(form, "ae_kind"):
        entered["adverse_events"].append(adverse_event(form, prefix="ae_"))
    entered["checklist"] = checklist_answers(form)
    return entered


CHECKLIST_PREFIX = "checklist."


def checklist_answers(form: FormData) -> list[dict[str, Any]]:
    """The checklist as ticked: `checklist.<item>` yes/no, `checklist.<item>.reason`, and for
    the test spot `checklist.<item>.spot_done_on`, `.spot_read_on`, `.spot_result`, `.spot_notes`.
    An item left unticked is left out (the patient's record answers it, or nothing does)."""
    items = dict.fromkeys(
        key.removeprefix(CHECKLIST_PREFIX).split(".")[0]
        for key in form
        if key.startswith(CHECKLIST_PREFIX)
    )
    answers = []
    for item in items:
        name = f"{CHECKLIST_PREFIX}{item}"
        answer: dict[str, Any] = {"item": item, "reason": text(form, f"{name}.reason")}
        _put(answer, "answer", text(form, name))
        done_on = text(form, f"{name}.spot_done_on")
        if done_on:
            spot: dict[str, Any] = {"done_on": done_on, "notes": text(form, f"{name}.spot_notes")}
            _put(spot, "read_on", text(form, f"{name}.spot_read_on"))
            _put(spot, "result", text(form, f"{name}.spot_result"))
            answer["test_spot"] = spot
        answers.append(answer)
    return answers


def adverse_event(form: FormData, prefix: str = "") -> dict[str, Any]:
    event: dict[str, Any] = {
        "kind": text(form, f"{prefix}kind"),
        "severity": text(form, f"{prefix}severity") or "mild",
        "onset_on": text(form, f"{prefix}onset_on"),
        "notes": text(form, f"{prefix}notes"),
    }
    _put(event, "resolved_on", text(form, f"{prefix}resolved_on"))
    return event


def identity_change(form: FormData) -> dict[str, Any]:
    """A portal patient's request to correct their name or date of birth."""
    entered: dict[str, Any] = {"reason": text(form, "reason")}
    _put(entered, "full_name", text(form, "full_name"))
    _put(entered, "birth_date", text(form, "birth_date"))
    return entered


def plan_edit(form: FormData, current: dict[int, tuple[int, date]]) -> dict[str, Any]:
    """One of the plan page's edit forms, by its `kind`: `add` or `swap` a course, `change`
    the regions and settings of a course's open sessions, or (the sessions table) moves and
    removals. Moves are the date fields changed from `current` (position: (session id, day));
    removals the ticked boxes, each carrying its session's id (never its position, which
    names another session once a colleague has changed the plan)."""
    kind = text(form, "kind")
    if kind in ("add", "swap", "change"):
        return _plan_change(form, kind)
    move = []
    ticked = [value for value in form.getlist("remove_session") if isinstance(value, str)]
    remove: list[Any] = [int(v) if v.isdigit() and len(v) < 19 else v for v in ticked]
    for position, (session_id, day) in current.items():
        if session_id in remove:
            continue
        chosen = text(form, f"day_{position}")
        if chosen and chosen != day.isoformat():
            move.append({"position": position, "day": chosen})
    entered: dict[str, Any] = {"reason": text(form, "reason"), "move": move, "remove": remove}
    _put(entered, "based_on", text(form, "based_on"), int)
    return entered


def _plan_change(form: FormData, kind: str) -> dict[str, Any]:
    entered: dict[str, Any] = {"reason": text(form, "reason")}
    _put(entered, "based_on", text(form, "based_on"), int)
    _put(entered, "override_reason", text(form, "override_reason"))
    settings = [
        {"name": name, "value": number(value, float)}
        for name, value in zip(
            texts(form, "setting_name"), texts(form, "setting_value"), strict=False
        )
        if value
    ]
    regions = [r for r in texts(form, "regions") if r]
    if kind == "change":
        ids = [number(v, int) for v in texts(form, "sessions") if v]
        change: dict[str, Any] = {"sessions": ids}
        _put_list(change, "regions", regions)
        _put_list(change, "parameters", settings)
        entered["change"] = change
        return entered
    course: dict[str, Any] = {"modality": text(form, "modality"), "regions": regions}
    _put(course, "sessions", text(form, "sessions_count"), int)
    _put(course, "interval_days", text(form, "interval_days"), int)
    _put(course, "first_day", text(form, "first_day"))
    _put_list(course, "parameters", settings)
    if kind == "add":
        entered["add"] = course
    else:
        entered["swap"] = {"replace": text(form, "replace"), "course": course}
    return entered


def photo(form: FormData) -> dict[str, Any]:
    entered: dict[str, Any] = {
        "region": text(form, "region"),
        "angle": text(form, "angle") or "front",
        "taken_on": text(form, "taken_on"),
        "consent": text(form, "consent"),
        "consent_confirmed": text(form, "consent_confirmed") == "yes",
    }
    _put(entered, "session_id", text(form, "session_id"), int)
    return entered


def intake_step(form: FormData, step: IntakeStep) -> dict[str, Any]:
    """One intake step's fields from its form, read by the same parser as the full intake."""
    entered = patient_intake(form)
    fields = STEP_FIELDS[step]
    return {
        section: {key: entered[section][key] for key in keys if key in entered[section]}
        for section, keys in fields.items()
    }


def questionnaire_answers(form: FormData, instrument_id: str) -> dict[str, Any]:
    """`answer_<item id>` radio buttons to the answers; an unparsable value stays text."""
    answers = {
        key.removeprefix("answer_"): number(text(form, key), int)
        for key in form
        if key.startswith("answer_") and text(form, key)
    }
    return {"instrument_id": instrument_id, "answers": answers}
