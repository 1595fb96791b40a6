"""A validator's errors as field problems: the one rule for every model scarplan validates
(case files, request bodies and forms, the knowledge base, scheduling instances, FHIR resources,
settings).

Each error becomes a `FieldProblem` with a dotted path (`assessment.lesions[0].width_mm`), the
validator's message followed by what was given (`(got 150)`), and a fix for the common kinds of
error. The API and the CLI show the path as it is; pages turn path and message into people's
words (`adapters.presentation.words`), which reads the message and the `(got ...)` written here.

The validator is pydantic at the edges, but this module takes only its error records (plain
mappings with `type`, `loc`, `msg`, `input`, `ctx`), so the domain stays standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from scarplan.domain.errors import FieldProblem

Location = tuple[int | str, ...]


class ValidationFailure(Protocol):
    """What a validator raises: pydantic's `ValidationError` and FastAPI's
    `RequestValidationError` both list their errors this way."""

    def errors(self) -> Sequence[Any]: ...


REQUEST_PARTS = frozenset({"body", "query", "path", "header", "cookie"})
"""Where FastAPI says a request field came from; the first part of its locations."""

SHOWN_INPUT_CHARS = 60
"""A given value is repeated in the message only when its repr is shorter than this."""

_SECRET = re.compile(r"password|secret|token|(?:^|_)key$", re.IGNORECASE)
_PREFIXES = ("Value error, ", "Assertion failed, ")


def field_path(location: Iterable[int | str]) -> str:
    """`('patient', 'conditions', 1)` as `patient.conditions[1]`."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def clean_location(location: Iterable[int | str]) -> Location:
    """The location without what the validator adds for itself: the request part (`body`), a
    validator function's name (`function-after[...]`) and a union member's tag or type."""
    parts = list(location)
    if parts and parts[0] in REQUEST_PARTS:
        parts = parts[1:]
    return tuple(part for part in parts if not _is_validator_part(part))


def _is_validator_part(part: int | str) -> bool:
    return isinstance(part, str) and (part.startswith(("function-", "tagged-")) or "[" in part)


def _hint(item: Mapping[str, Any], docs: str) -> str:
    kind = str(item.get("type", ""))
    limits = item.get("ctx") or {}
    fixed = _HINTS.get(kind)
    if fixed is not None:
        return fixed
    if kind == "extra_forbidden":
        return f"remove it, or check its spelling against {docs}" if docs else "remove it"
    if kind in _LIMITS and _LIMITS[kind][0] in limits:
        key, words = _LIMITS[kind]
        return words.format(_number(limits[key]))
    return f"see {docs}" if docs else ""


def _number(limit: object) -> str:
    """A limit as people write it: 50, not 50.0."""
    if isinstance(limit, float) and limit.is_integer():
        return str(int(limit))
    return str(limit)


_HINTS = {
    "missing": "this field is required",
    "enum": "use one of the values listed",
    "literal_error": "use one of the values listed",
    "float_type": "write a number such as 1.5",
    "float_parsing": "write a number such as 1.5",
    "int_type": "write a whole number",
    "int_parsing": "write a whole number",
    "int_from_float": "write a whole number",
    "bool_type": "write true or false",
    "bool_parsing": "write true or false",
    "date_type": "write a date as YYYY-MM-DD",
    "date_parsing": "write a date as YYYY-MM-DD",
    "date_from_datetime_parsing": "write a date as YYYY-MM-DD",
    "list_type": "give a list",
    "dict_type": "give a mapping of keys",
    "model_type": "give a mapping of keys",
    "string_type": "write text",
}

_LIMITS = {
    "less_than_equal": ("le", "use {} or less"),
    "less_than": ("lt", "use less than {}"),
    "greater_than_equal": ("ge", "use {} or more"),
    "greater_than": ("gt", "use more than {}"),
    "string_too_long": ("max_length", "shorten it to {} characters"),
    "string_too_short": ("min_length", "write at least {} characters"),
    "too_long": ("max_length", "give at most {} items"),
    "too_short": ("min_length", "give at least {} items"),
}


def _given(item: Mapping[str, Any], location: Location) -> str:
    got = item.get("input")
    if item.get("type") == "missing" or any(
        isinstance(part, str) and _SECRET.search(part) for part in location
    ):
        return ""
    if (got is None or isinstance(got, str | int | float)) and len(repr(got)) < SHOWN_INPUT_CHARS:
        return f" (got {got!r})"
    return ""


def _message(item: Mapping[str, Any]) -> str:
    message = str(item.get("msg", ""))
    for prefix in _PREFIXES:
        message = message.removeprefix(prefix)
    return message


def field_problems(
    error: ValidationFailure,
    *,
    prefix: str = "",
    docs: str = "",
    locate: Callable[[Location], str] | None = None,
    show_input: bool = True,
) -> list[FieldProblem]:
    """One `FieldProblem` per error of `error`.

    `prefix` goes before every path (`patient`, `entry[3].resource`); `docs` is the page that
    describes the document (`docs/case-format.md`), named in fixes that have no better words;
    `locate` writes a location its own way instead of a dotted path (a knowledge-base file and
    entry, an environment variable); `show_input=False` never repeats what was given (settings
    hold secrets). A value given for a password, secret, token or key is never repeated.
    """
    problems = []
    for item in error.errors():
        location = clean_location(item.get("loc", ()))
        if locate is not None:
            where = locate(location)
        else:
            path = field_path(location)
            joint = "" if not prefix or not path or path.startswith("[") else "."
            where = f"{prefix}{joint}{path}"
        given = _given(item, location) if show_input else ""
        problems.append(FieldProblem(where, f"{_message(item)}{given}", _hint(item, docs)))
    return problems
