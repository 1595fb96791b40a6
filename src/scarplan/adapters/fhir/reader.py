"""Reading a bundle's entries with their paths, so every problem names where it is.

Problems are collected, not raised one by one: an import reports everything wrong with a
bundle at once, each as `entry[3].resource.code.coding[0].code: ...`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from scarplan.adapters.fhir import codes
from scarplan.domain.errors import FieldProblem


@dataclass(frozen=True)
class Entry:
    index: int
    url: str
    resource: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.resource["resourceType"])

    @property
    def path(self) -> str:
        return f"entry[{self.index}].resource"

    def at(self, element: str) -> str:
        return f"{self.path}.{element}"

    def get(self, element: str) -> Any:
        return self.resource.get(element)


class Found(NamedTuple):
    value: Any
    path: str


class Reader:
    def __init__(self, entries: list[Entry], targets: dict[str, str]) -> None:
        self.entries = entries
        self.by_url = {entry.url: entry for entry in entries}
        self.targets = targets
        self.problems: list[FieldProblem] = []
        self.used: set[str] = set()
        """fullUrls of the entries the import has read (the rest are reported unused)."""

    def problem(self, path: str, message: str, hint: str = "") -> None:
        self.problems.append(FieldProblem(path, message, hint))

    def of_kind(self, kind: str) -> list[Entry]:
        return [entry for entry in self.entries if entry.kind == kind]

    def follow(self, node: Any, path: str, *kinds: str, required: bool = True) -> Entry | None:
        """The entry a Reference names; a problem if it is missing or of another kind."""
        if not isinstance(node, dict) or not isinstance(node.get("reference"), str):
            if required:
                self.problem(path, "is missing", f"a reference to a {' or '.join(kinds)}")
            return None
        entry = self.by_url[self.targets[node["reference"]]]
        if kinds and entry.kind not in kinds:
            self.problem(
                f"{path}.reference",
                f"refers to a {entry.kind}",
                f"it must refer to a {' or '.join(kinds)}",
            )
            return None
        return entry

    def first(self, items: Any, path: str, what: str, *, required: bool = True) -> Found | None:
        """The first item of a list element."""
        if isinstance(items, list) and items:
            return Found(items[0], f"{path}[0]")
        if required:
            self.problem(path, "is missing", what)
        return None

    def code(self, concept: Any, path: str, name: str, *, required: bool = True) -> Found | None:
        """The code of the concept's coding from local code system `name`, checked against it."""
        url = codes.system(name)
        known = codes.SYSTEMS[url]
        codings = concept.get("coding") if isinstance(concept, dict) else None
        for number, coding in enumerate(codings or []):
            if isinstance(coding, dict) and coding.get("system") == url:
                where = f"{path}.coding[{number}].code"
                value = coding.get("code")
                if value not in known:
                    self.problem(
                        where,
                        f"{value!r} is not a code of {url}",
                        f"use one of: {', '.join(known)}",
                    )
                    return None
                return Found(value, where)
        if required:
            self.problem(
                path if concept is None else f"{path}.coding",
                f"has no coding from {url}",
                f"scarplan reads the codes of {url} here",
            )
        return None

    def has_coding(self, concept: Any, system: str, *code_prefixes: str) -> bool:
        """Whether the concept has a coding from `system` (with a code starting so, if given)."""
        codings = concept.get("coding") if isinstance(concept, dict) else None
        return any(
            isinstance(c, dict)
            and c.get("system") == system
            and (not code_prefixes or str(c.get("code", "")).startswith(code_prefixes))
            for c in codings or []
        )

    def day(self, entry: Entry, element: str, *, required: bool = True) -> Found | None:
        """A date from a date or dateTime element (its calendar day)."""
        value = entry.get(element)
        path = entry.at(element)
        if value is None:
            if required:
                self.problem(path, "is missing", "a date such as 2026-11-21")
            return None
        try:
            return Found(date.fromisoformat(str(value)[:10]), path)
        except ValueError:
            self.problem(path, f"{value!r} is not a full date", "give year, month and day")
            return None

    def note(self, entry: Entry) -> Found | None:
        notes = entry.get("note")
        if not notes:
            return None
        text = "\n".join(str(n.get("text", "")) for n in notes if isinstance(n, dict))
        return Found(text, f"{entry.at('note')}[0].text")

    def subject(self, entry: Entry, element: str = "subject") -> None:
        """The resource must be about the bundle's patient."""
        self.follow(entry.get(element), entry.at(element), "Patient")

    def extension(self, entry: Entry, url: str) -> Found | None:
        for number, item in enumerate(entry.get("extension") or []):
            if isinstance(item, dict) and item.get("url") == url:
                return Found(item, f"{entry.at('extension')}[{number}]")
        return None

    def extensions(self, entry: Entry, url: str) -> list[Found]:
        return [
            Found(item, f"{entry.at('extension')}[{number}]")
            for number, item in enumerate(entry.get("extension") or [])
            if isinstance(item, dict) and item.get("url") == url
        ]

    def single_extension(self, entry: Entry, url: str) -> Found | None:
        """The resource's one extension with this url; a problem when it is given twice."""
        found = self.extensions(entry, url)
        for extra in found[1:]:
            self.problem(extra.path, f"a second {url} (see {found[0].path})", "give it once")
        return found[0] if found else None

    def value(self, extension: Found, kind: str) -> Found | None:
        """The extension's `value<kind>`; a problem when it has another value or none."""
        item: dict[str, Any] = extension.value
        others = sorted(k for k in item if k.startswith("value") and k != f"value{kind}")
        if f"value{kind}" not in item or others or item.get("extension"):
            self.problem(extension.path, f"must hold one value{kind}", f"the url is {item['url']}")
            return None
        return Found(item[f"value{kind}"], f"{extension.path}.value{kind}")

    def money(self, found: Found) -> tuple[Decimal, str] | None:
        """An amount and its currency from a Money value."""
        money = found.value if isinstance(found.value, dict) else {}
        currency = money.get("currency")
        try:
            amount = Decimal(str(money.get("value")))
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or not isinstance(currency, str):
            self.problem(found.path, "needs a value and a currency", "")
            return None
        return amount, currency

    def whole_days(self, found: Found) -> int | None:
        """A number of days from a Duration in UCUM `d`."""
        duration = found.value if isinstance(found.value, dict) else {}
        value = duration.get("value")
        if duration.get("code") != "d" or value is None or float(value) != int(value):
            self.problem(found.path, "must be whole days", "UCUM code d")
            return None
        return int(value)

    def attachment_data(self, content: Any, where: str, what: str) -> bytes | None:
        """An inline Attachment's data, checked against its `size` and SHA-1 `hash` if given."""
        content = content if isinstance(content, dict) else {}
        text = content.get("data")
        if not isinstance(text, str):
            self.problem(f"{where}.data", "is missing", f"scarplan imports {what} inline")
            return None
        try:
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            self.problem(f"{where}.data", "is not base64", "")
            return None
        size = content.get("size")
        if size is not None and size != len(data):
            self.problem(f"{where}.size", f"says {size} bytes; the data has {len(data)}", "")
        digest = content.get("hash")
        if digest is not None and digest != base64.b64encode(hashlib.sha1(data).digest()).decode():
            self.problem(f"{where}.hash", "does not match the data (SHA-1)", f"{what} is damaged")
        return data
