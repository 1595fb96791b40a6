"""JSON from outside, with a bound on its nesting and positions in its errors: the one rule
for every JSON the app accepts (request bodies, JSON typed into a form field, FHIR bundles, case
files, scheduling instances, height-map sidecars, backup manifests).

Python's parser and everything that walks a parsed document recurse once per level, so a few
kilobytes of `[[[[...]]]]` end in a RecursionError (a 500) wherever they are first walked. The
depth is measured on the text before parsing, without recursion, and a document deeper than
`MAX_JSON_DEPTH` is refused as bad input naming the field.
"""

from __future__ import annotations

import json
import re
from typing import Any

from scarplan.domain.errors import FieldProblem, InputError

MAX_JSON_DEPTH = 64
"""Far deeper than any document scarplan reads (a FHIR bundle nests about 12 levels, a case
file 5), far shallower than where recursion fails (about 1000)."""

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def nesting_depth(text: bytes) -> int:
    """How deeply arrays and objects nest in JSON text (brackets inside strings do not count);
    for text that is not JSON, a number that is at least as large as the real depth."""
    brackets = _STRING.sub(b"", text).translate(None, _NOT_BRACKETS)
    depth = deepest = 0
    for byte in brackets:
        if byte in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def too_deep(path: str) -> FieldProblem:
    return FieldProblem(
        path,
        f"is nested more than {MAX_JSON_DEPTH} levels deep",
        "send the document as scarplan describes it; none needs that many levels",
    )


def check_depth(text: bytes | str, path: str, what: str) -> None:
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if nesting_depth(raw) > MAX_JSON_DEPTH:
        raise InputError(f"the {what} is nested too deeply", [too_deep(path)])


def load_json(text: bytes | str, *, path: str, what: str, hint: str = "fix the JSON") -> Any:
    """Parse JSON from outside: the one reader for case files, scheduling instances, FHIR
    bundles, sidecars, backup manifests, request bodies and JSON typed into a form field.

    `path` names the field or file the text came from and `what` the document ("case file");
    a syntax error is an InputError naming `path` with the line and column in its message
    (`line 3, column 14: Expecting ',' delimiter`) and `hint` as the fix. Text nested too
    deeply or not UTF-8 is refused the same way, so reading JSON is never a 500."""
    check_depth(text, path, what)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"the {what} is not valid JSON",
            [FieldProblem(path, f"line {error.lineno}, column {error.colno}: {error.msg}", hint)],
        ) from None
    except UnicodeDecodeError as error:
        raise InputError(
            f"the {what} is not UTF-8 text",
            [FieldProblem(path, f"is not UTF-8 (byte {error.start})", "save it as UTF-8")],
        ) from None
    except RecursionError:  # not reached after check_depth; kept so it can never be a 500
        raise InputError(f"the {what} is nested too deeply", [too_deep(path)]) from None
