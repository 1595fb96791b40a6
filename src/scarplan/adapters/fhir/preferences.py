"""The patient's planning preferences as scarplan extensions on the Patient, and back.

One extension per stated preference (docs/fhir.md says why): the start date as `valueDate`,
the budget as `valueMoney`, the longest downtime as `valueDuration` in UCUM `d`, each date
window to avoid as a complex extension (`period`: `valuePeriod`, `reason`: `valueString`) and
the home-care budget as `valueCode`. A preference that was not stated has no extension, so it
comes back unstated: never as zero, an empty budget or a window of no days.
"""

from __future__ import annotations

from typing import Any

from scarplan.adapters.fhir import codes
from scarplan.adapters.fhir.reader import Entry, Found, Reader
from scarplan.adapters.fhir.record import Origins

AVOID_PARTS = ("period", "reason")


def stated_preferences(values: dict[str, Any] | None) -> dict[str, Any]:
    """The stated preferences among the case file's `preferences` values (as the clinic stores
    them, with nulls and an empty `avoid` for what was not stated)."""
    return {
        name: value
        for name, value in (values or {}).items()
        if value is not None and value not in ([], {})
    }


def preference_extensions(preferences: dict[str, Any]) -> list[dict[str, Any]]:
    """The Patient's extensions for the stated preferences, in the case file's order."""
    found: list[dict[str, Any]] = []
    if preferences.get("start_date") is not None:
        found.append({"url": codes.PREFERENCE_START_DATE, "valueDate": preferences["start_date"]})
    budget = preferences.get("budget")
    if budget is not None:
        money = codes.money(budget["amount"], budget["currency"])
        found.append({"url": codes.PREFERENCE_BUDGET, "valueMoney": money})
    days = preferences.get("max_downtime_days")
    if days is not None:
        duration = codes.quantity(days, "d", "days")
        found.append({"url": codes.PREFERENCE_MAX_DOWNTIME, "valueDuration": duration})
    for window in preferences.get("avoid") or []:
        parts: list[dict[str, Any]] = [
            {"url": "period", "valuePeriod": {"start": window["from"], "end": window["to"]}}
        ]
        if window.get("reason"):
            parts.append({"url": "reason", "valueString": window["reason"]})
        found.append({"url": codes.PREFERENCE_AVOID, "extension": parts})
    if preferences.get("home_care_budget") is not None:
        code = preferences["home_care_budget"]
        found.append({"url": codes.PREFERENCE_HOME_CARE_BUDGET, "valueCode": code})
    return found


def read_preferences(reader: Reader, entry: Entry, origins: Origins) -> dict[str, Any]:
    """The stated preferences in the Patient's extensions. Their values are checked here for
    shape only; the clinic's intake validation checks ranges, through `origins`."""
    preferences: dict[str, Any] = {}
    origins["preferences"] = entry.path
    start = _single(reader, entry, codes.PREFERENCE_START_DATE, "Date")
    if start is not None:
        preferences["start_date"] = start.value
        origins["preferences.start_date"] = start.path
    budget = _single(reader, entry, codes.PREFERENCE_BUDGET, "Money")
    money = reader.money(budget) if budget is not None else None
    if budget is not None and money is not None:
        amount, currency = money
        preferences["budget"] = {"amount": float(amount), "currency": currency}
        origins["preferences.budget"] = budget.path
        origins["preferences.budget.amount"] = f"{budget.path}.value"
        origins["preferences.budget.currency"] = f"{budget.path}.currency"
    downtime = _single(reader, entry, codes.PREFERENCE_MAX_DOWNTIME, "Duration")
    days = reader.whole_days(downtime) if downtime is not None else None
    if downtime is not None and days is not None:
        preferences["max_downtime_days"] = days
        origins["preferences.max_downtime_days"] = f"{downtime.path}.value"
    windows: list[dict[str, Any]] = []
    for found in reader.extensions(entry, codes.PREFERENCE_AVOID):
        window = _window(reader, found, len(windows), origins)
        if window is not None:
            windows.append(window)
    if windows:
        preferences["avoid"] = windows
    home_care = _single(reader, entry, codes.PREFERENCE_HOME_CARE_BUDGET, "Code")
    if home_care is not None:
        preferences["home_care_budget"] = home_care.value
        origins["preferences.home_care_budget"] = home_care.path
    return preferences


def _single(reader: Reader, entry: Entry, url: str, kind: str) -> Found | None:
    found = reader.single_extension(entry, url)
    return reader.value(found, kind) if found is not None else None


def _window(reader: Reader, found: Found, number: int, origins: Origins) -> dict[str, Any] | None:
    """One date window to avoid: its `period` (start and end both given) and `reason`."""
    item: dict[str, Any] = found.value
    parts = item.get("extension") or []
    if any(key.startswith("value") for key in item) or not parts:
        reader.problem(found.path, "must hold the sub-extensions period and reason", "")
        return None
    given: dict[str, Found | None] = {}
    for index, part in enumerate(parts):
        where = f"{found.path}.extension[{index}]"
        name = part.get("url") if isinstance(part, dict) else None
        if name not in AVOID_PARTS:
            reader.problem(f"{where}.url", f"{name!r} is not a part of it", "period, reason")
        elif name in given:
            reader.problem(f"{where}.url", f"a second {name}", "give it once")
        else:
            kind = "Period" if name == "period" else "String"
            given[name] = reader.value(Found(part, where), kind)
    if "period" not in given:
        reader.problem(f"{found.path}.extension", "has no period", "the first and last day")
    period, reason = given.get("period"), given.get("reason")
    if period is None:
        return None
    start, end = (period.value or {}).get("start"), (period.value or {}).get("end")
    if not isinstance(start, str) or not isinstance(end, str):
        reader.problem(
            period.path, "needs a start and an end", "the first and last day to keep free"
        )
        return None
    where = f"preferences.avoid[{number}]"
    origins[where] = found.path
    origins[f"{where}.from"] = f"{period.path}.start"
    origins[f"{where}.to"] = f"{period.path}.end"
    window = {"from": start[:10], "to": end[:10], "reason": ""}
    if reason is not None:
        window["reason"] = reason.value
        origins[f"{where}.reason"] = reason.path
    return window
