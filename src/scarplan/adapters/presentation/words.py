"""Problems in people's words: a `FieldProblem` (a field path, a message, a fix) as one sentence
a clinician or the front desk can act on.

The API keeps the paths (`assessment.lesions[0].width_mm`) in its problem details; pages show
"Scar group 1 (left cheek, rolling), width (mm): must be 50 or less (you entered 150);
correct it and save again." One table names the fields (`FIELD_LABELS`; session parameters
come from their definitions in `adapters.fhir.codes`), one list of rules rewrites the
messages (`_RULES`), and every page renders problems and assessment warnings through `said`
(docs/clinic-day.md)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from scarplan.adapters.presentation.wording import day, label
from scarplan.domain.errors import FieldProblem

_log = logging.getLogger(__name__)

FIELD_LABELS: dict[str, str] = {
    # The case file: patient
    "scarplan_case": "Case file version",
    "patient": "Patient",
    "id": "Patient code",
    "code": "Patient code",
    "full_name": "Full name",
    "email": "E-mail",
    "phone": "Phone",
    "birth_date": "Date of birth",
    "age_years": "Age (years)",
    "sex": "Sex",
    "fitzpatrick": "Skin type (Fitzpatrick)",
    "fitzpatrick_answers": "Fitzpatrick questionnaire",
    "pregnant": "Pregnant",
    "breastfeeding": "Breastfeeding",
    "keloid_history": "History of keloids",
    "herpes_labialis_history": "History of cold sores (herpes labialis)",
    "anticoagulants": "Takes anticoagulants",
    "skin_infection": "Active skin infection at the treatment site",
    "active_acne": "Active acne",
    "isotretinoin": "Isotretinoin",
    "status": "Status",
    "stopped_on": "Date stopped",
    "sensitive_skin": "Sensitive skin",
    "current_agents": "Products used now",
    "conditions": "Medical conditions",
    "allergies": "Allergies",
    "implants": "Implants and devices",
    "medications": "Medicines",
    "prior_procedures": "Earlier procedures",
    "kind": "Kind",
    "product": "Product",
    # The case file: preferences
    "preferences": "Preferences",
    "start_date": "Earliest start date",
    "budget": "Budget",
    "amount": "Amount",
    "currency": "Currency",
    "max_downtime_days": "Longest downtime acceptable (days)",
    "avoid": "Dates to keep free",
    "from": "From",
    "to": "To",
    "reason": "Reason",
    "home_care_budget": "Home-care budget",
    # The case file: assessment
    "assessment": "Assessment",
    "date": "Date",
    "lesions": "Scar groups",
    "macular": "Flat marks",
    "region": "Region",
    "type": "Scar type",
    "count": "Number of scars",
    "width_mm": "Width (mm)",
    "depth_mm": "Depth (mm)",
    "edges": "Edges",
    "distensible": "Distensible (flattens when the skin is stretched)",
    "visible_at_50cm": "Visible at 50 cm",
    "covered_by_makeup": "Covered by make-up",
    "colour": "Colour",
    "notes": "Notes",
    # Sessions and adverse events
    "performed_on": "Date of the session",
    "modality": "Procedure",
    "regions": "Regions",
    "practitioner": "Practitioner",
    "parameters": "Settings",
    "planned_session_id": "Planned session",
    "adverse_events": "Adverse events",
    "severity": "Severity",
    "onset_on": "Date it began",
    "resolved_on": "Date it resolved",
    # Plan edits and photos
    "move": "New date",
    "remove": "Session to remove",
    "based_on": "Plan version",
    "position": "Session",
    "day": "Date",
    "angle": "Angle",
    "taken_on": "Date taken",
    "consent": "Consent",
    "consent_confirmed": "Consent confirmed",
    "session_id": "Session",
    # The pre-procedure checklist
    "checklist": "Pre-procedure checklist",
    "item": "Checklist item",
    "answer": "Answer",
    "test_spot": "Test spot",
    "done_on": "Day the test spot was done",
    "read_on": "Day the test spot was read",
    "result": "Test spot reading",
    # Adding, swapping and changing procedures in a plan
    "add": "Procedure to add",
    "swap": "Procedure to swap",
    "replace": "Procedure replaced",
    "course": "New procedure",
    "change": "Regions and settings",
    "override_reason": "Reason for going ahead",
    "consent_override_reason": "Reason for going ahead without a signed consent",
    "name": "Setting",
    "value": "Value",
    "sessions": "Sessions",
    "interval_days": "Days between sessions",
    "first_day": "First session",
}
"""A person's name for each field the forms and case files have (pinned by a test that walks
the input models)."""

ROWS: dict[str, str] = {
    "lesions": "Scar group",
    "macular": "Flat marks",
    "avoid": "Dates to keep free, row",
    "prior_procedures": "Earlier procedure",
    "adverse_events": "Adverse event",
    "fitzpatrick_answers": "Fitzpatrick question",
}
"""What one row of a list is called ("Scar group 2"); other lists say "item 2"."""

QUALITATIVE_INPUTS = {
    "visible_at_50cm": "visible at 50 cm",
    "covered_by_makeup": "covered by make-up",
    "distensible": "distensible",
}
"""The Goodman & Baron qualitative grade's inputs, as the warning asks for them."""

_SKIPPED = {"assessment", "patient", "parameters"}
"""Path parts that name a section, not a field ("patient.fitzpatrick" is the skin type)."""

_TOKEN = re.compile(r"[A-Za-z_][A-Za-z_0-9]*|\[\d+\]")
_PATH = re.compile(r"^[a-z_][a-z_0-9]*(?:\[\d+\]|\.[a-z_][a-z_0-9]*)*$")
_ISO_DAY = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_GOT = re.compile(r" \(got (.+)\)$")
_ID = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")


@dataclass(frozen=True)
class Where:
    """What the page knows that turns a path into words: whose record it is, and the scar
    groups the paths `lesions[i]` point into (each with `region` and, when known, `type`)."""

    subject: str = ""
    lesions: Sequence[Mapping[str, Any]] = field(default_factory=tuple)


NOWHERE = Where()


def field_label(name: str) -> str:
    """A person's name for one field (or session parameter)."""
    return FIELD_LABELS.get(name) or label(name)


def place(path: str, where: Where = NOWHERE) -> str:
    """Where a problem is, in words: `assessment.lesions[0].width_mm` is "Scar group 1 (left
    cheek, rolling), width (mm)"; an empty path is nowhere in particular."""
    parts: list[str] = []
    last = ""
    for token in _TOKEN.findall(path):
        if token.startswith("["):
            index = int(token[1:-1])
            parts[-1:] = [_row(last, index, where)]
            continue
        last = token
        if token in _SKIPPED:
            continue
        shown = field_label(token)
        parts.append(shown if not parts else _lower(shown))
    return ", ".join(parts)


def _row(name: str, index: int, where: Where) -> str:
    if name == "lesions" and index < len(where.lesions):
        lesion = where.lesions[index]
        about = [_lower(label(v)) for v in (lesion.get("region"), lesion.get("type")) if v]
        return f"Scar group {index + 1}" + (f" ({', '.join(about)})" if about else "")
    if name == "move":
        return f"{where.subject}'s session" if where.subject else "The session"
    if name in ROWS:
        return f"{ROWS[name]} {index + 1}"
    return f"{field_label(name)}, item {index + 1}"


# --- messages ------------------------------------------------------------------------------


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _people_ids(text: str) -> str:
    """Vocabulary ids and ISO dates in a message as people write them."""
    text = _ISO_DAY.sub(lambda m: _day(m[1]), text)
    return _ID.sub(lambda m: _lower(label(m[0])), text)


def _lower(text: str) -> str:
    """ "Left cheek" inside a sentence is "left cheek"; "TCA CROSS" and "RF ..." stay."""
    return text[0].lower() + text[1:] if text[1:2].islower() else text


def _day(iso: str) -> str:
    """ "1 Nov 2026" in a sentence (the pages' tables keep "01 Nov 2026" for alignment)."""
    return day(iso).lstrip("0")


Rule = tuple[re.Pattern[str], Callable[[re.Match[str], FieldProblem, Where], str]]


def _moved_to_past(found: re.Match[str], problem: FieldProblem, where: Where) -> str:
    if ".day" in problem.path and problem.path.startswith("move"):
        whose = f"{where.subject}'s session" if where.subject else "this session"
        return f"You cannot move {whose} to {_day(found[1])}: that day has passed."
    return f"{_lead(problem, where)}{_day(found[1])} has passed; choose today or a later day."


def _qualitative(found: re.Match[str], problem: FieldProblem, where: Where) -> str:
    missing = [QUALITATIVE_INPUTS.get(n.strip(), label(n.strip())) for n in found[1].split(",")]
    return (
        f"{_lead(problem, where)}record whether it is {_and(missing)} — needed for the "
        "Goodman & Baron qualitative grade."
    )


def _depth(_found: re.Match[str], problem: FieldProblem, where: Where) -> str:
    return (
        f"{_lead(problem, where)}record its depth (mm) — until then it is scored as shallow in "
        "the Goodman & Baron quantitative scale."
    )


def _skin_type_unknown(_found: re.Match[str], _problem: FieldProblem, _where: Where) -> str:
    return (
        "Skin type (Fitzpatrick): not recorded — record it, or the Fitzpatrick questionnaire, "
        "on the intake form; until then advice that depends on skin type assumes the higher "
        "pigment risk."
    )


def _not_stated(found: re.Match[str], _problem: FieldProblem, _where: Where) -> str:
    names = [_lower(field_label(n.strip())) for n in found[1].split(",")]
    return (
        f"Medical history: not asked yet, taken as no: {_and(names)} — ask the patient and "
        "record the answers on the intake form before any procedure."
    )


def _limit(words: str) -> Callable[[re.Match[str], FieldProblem, Where], str]:
    def rewrite(found: re.Match[str], problem: FieldProblem, where: Where) -> str:
        limit = _number(found[1])
        return f"{_lead(problem, where)}must be {words.format(limit)}{_entered(problem)}; {_FIX}."

    return rewrite


def _plain(words: str) -> Callable[[re.Match[str], FieldProblem, Where], str]:
    def rewrite(_found: re.Match[str], problem: FieldProblem, where: Where) -> str:
        fix = _fix(problem)
        return f"{_lead(problem, where)}{words}{_entered(problem)}{f'; {fix}' if fix else ''}."

    return rewrite


def _choices(found: re.Match[str], problem: FieldProblem, where: Where) -> str:
    options = [label(o) for o in re.findall(r"'([^']*)'", found[1])]
    shown = ", ".join(options[:-1]) + f" or {options[-1]}" if len(options) > 1 else "".join(options)
    return f"{_lead(problem, where)}choose {shown or 'one from the list'}{_entered(problem)}."


_FIX = "correct it and save again"

_RULES: tuple[Rule, ...] = (
    (re.compile(r"^(\d{4}-\d{2}-\d{2}) is in the past$"), _moved_to_past),
    (re.compile(r"^([a-z_0-9, ]+) not recorded; inferred for the qualitative grade"), _qualitative),
    (re.compile(r"^depth_mm not recorded; scored as shallow"), _depth),
    (re.compile(r"^skin type unknown"), _skin_type_unknown),
    (re.compile(r"^not stated, assumed 'no' or 'none': (.+); confirm"), _not_stated),
    (
        re.compile(r"^Input should be less than or equal to (\S+?)(?: \(got .*\))?$"),
        _limit("{} or less"),
    ),
    (re.compile(r"^Input should be less than (\S+?)(?: \(got .*\))?$"), _limit("less than {}")),
    (
        re.compile(r"^Input should be greater than or equal to (\S+?)(?: \(got .*\))?$"),
        _limit("at least {}"),
    ),
    (re.compile(r"^Input should be greater than (\S+?)(?: \(got .*\))?$"), _limit("more than {}")),
    (re.compile(r"^Field required"), _plain("is required")),
    (re.compile(r"^Input should be a valid (?:number|decimal)"), _plain("must be a number")),
    (re.compile(r"^Input should be a valid integer"), _plain("must be a whole number")),
    (re.compile(r"^Input should be a valid boolean"), _plain("must be yes or no")),
    (re.compile(r"^Input should be a valid date"), _plain("must be a date")),
    (re.compile(r"^Extra inputs are not permitted"), _plain("is not a field this form has")),
    (re.compile(r"^Input should be (('[^']*'(?:, | or )?)+)"), _choices),
)


def _number(text: str) -> str:
    try:
        value = float(text)
    except ValueError:
        return text
    return f"{value:g}"


def _entered(problem: FieldProblem) -> str:
    found = _GOT.search(problem.message)
    if found is None:
        return ""
    given = found[1].strip("'\"")
    return f" (you entered {_number(given)})" if given else ""


def _fix(problem: FieldProblem) -> str:
    """The problem's own fix, unless it points at developer documentation."""
    hint = problem.hint
    if not hint or "docs/" in hint or hint == "this field is required":
        return ""
    return _people_ids(hint)


def _lead(problem: FieldProblem, where: Where) -> str:
    shown = place(problem.path, where)
    return f"{shown}: " if shown else ""


def said(problem: FieldProblem, where: Where = NOWHERE) -> str:
    """The problem as one sentence for a page: the field in words, what is wrong, the fix."""
    message = problem.message
    for pattern, rewrite in _RULES:
        found = pattern.search(message)
        if found is not None:
            return _sentence(rewrite(found, problem, where))
    text = _people_ids(_GOT.sub("", message))
    fix = _fix(problem)
    return _sentence(f"{_lead(problem, where)}{text}{f'; {fix}' if fix else ''}.")


def said_at_field(problem: FieldProblem, where: Where = NOWHERE) -> str:
    """The sentence shown beside its field: the field is already named by its label there."""
    full = said(problem, where)
    lead = _lead(problem, where)
    if not lead or not full.startswith(lead):
        return full
    # Beside its field, as the form's other notes: "must be 50 or less (you entered 150); ...".
    return full.removeprefix(lead)


def warning_problem(text: str) -> FieldProblem:
    """An assessment warning as the problem it was written from: the scales write each one as
    `str(FieldProblem(path, message))`, and stored results keep that text."""
    head, sep, rest = text.partition(": ")
    if sep and _PATH.match(head):
        return FieldProblem(head, rest)
    return FieldProblem("", text)


def said_warning(text: str, where: Where = NOWHERE) -> str:
    return said(warning_problem(text), where)


def _sentence(text: str) -> str:
    text = text.replace("..", ".").strip()
    if not text:
        _log.warning("a problem with no words to show")
        return "Something in this form needs correcting."
    return text[0].upper() + text[1:]
