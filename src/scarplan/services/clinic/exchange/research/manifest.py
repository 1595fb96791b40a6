"""What the export says about itself: manifest.json (rules, tables, Safe Harbor, caveats) and
the README.txt written from it."""

from __future__ import annotations

from datetime import date
from typing import Any

from scarplan.services.clinic.exchange.research.model import Dates, Table
from scarplan.services.clinic.exchange.research.pseudonyms import salt_fingerprint
from scarplan.services.clinic.exchange.research.safe_harbor import DATES_HANDLING, SAFE_HARBOR

RULES = [
    "Each patient is a subject id: HMAC-SHA256 of the internal record number under the "
    "clinic's secret research salt (first 64 bits, hex). The same salt gives the same id in "
    "every export; without the salt the id can be neither computed nor reversed.",
    "Records are referred to per subject (subject-A1, -P1, -S1), never by database id; rows "
    "are in subject order, not in the order the records were made.",
    'Birth dates become the year of birth; anyone older than 89 on the export date is "90+".',
    "Names, patient codes, contact details, practitioners, user accounts, photos and the "
    "audit trail are not exported.",
    "Every free-text field is dropped whole (assessment, session and adverse-event notes, "
    "reasons for plan edits and dates kept free, hand-typed procedure parameters such as "
    "agent and anaesthesia): free text may hold identifiers that no filter finds reliably.",
]
DATE_RULES: dict[Dates, str] = {
    "shifted": "Dates are shifted: every date of a subject moves by the same offset, drawn "
    "from the keyed hash, between -180 and +180 days and never 0. Intervals within a subject "
    "are exact; calendar dates, weekdays and seasons are not.",
    "years": "Dates are years only (dates='years'), as HIPAA Safe Harbor requires: the year "
    "of the date after the subject's offset, so one off the real year for some dates. Taken "
    "after the shift, it tells nothing that an export with shifted dates under the same salt "
    "does not.",
}
CAVEATS: dict[Dates, list[str]] = {
    "shifted": [
        "Date shifting is pseudonymisation, not HIPAA Safe Harbor: Safe Harbor allows no "
        "element of a date but the year. This export gives shifted full dates so that "
        "intervals within a subject survive; for a strict Safe Harbor release export again "
        "with dates='years' (year-only dates).",
        "Whoever knows one real date of a subject (a visit they saw) can work out that "
        "subject's offset and so all of their real dates; any shifted date shows the real one "
        "to within 180 days. Shifted dates may fall in another year or in the future.",
    ],
    "years": [
        "Intervals shorter than a year cannot be computed from year-only dates, and a year "
        "may be one off the real one (it is the year of the shifted date).",
    ],
}
COMMON_CAVEATS = [
    "Safe Harbor also needs the clinic to have no actual knowledge that what remains could "
    "identify someone: rare combinations in a small clinic (a 90+ patient with keloids) can. "
    "Review small exports before release and share them under a data use agreement.",
    "The subject id is a keyed hash of an internal record number. 45 CFR 164.514(c) allows a "
    "re-identification code that is not derived from information about the individual and "
    "whose key is not disclosed; if your privacy officer finds that a keyed hash does not "
    "qualify, export with a new random salt and destroy it: the ids then link to nothing.",
    "Keep the salt secret: with it, anyone holding the patient list can re-identify every "
    "subject and undo the date shift. A new salt unlinks later exports from earlier ones.",
]


def build_manifest(tables: list[Table], dates: Dates, salt: bytes, today: date) -> dict[str, Any]:
    handling, how = DATES_HANDLING[dates]
    return {
        "format": "scarplan-research-export",
        "version": 1,
        "exported_on": today.isoformat(),
        "dates": dates,
        "salt_fingerprint": salt_fingerprint(salt),
        "rules": [*RULES, DATE_RULES[dates]],
        "tables": {
            t.name: {
                "description": t.description,
                "rows": len(t.rows),
                "files": [f"{t.name}.csv", f"{t.name}.parquet"],
                "columns": [
                    {"name": c.name, "type": c.kind, "description": c.description}
                    for c in t.columns
                ],
            }
            for t in tables
        },
        "safe_harbor": [
            {
                "id": code,
                "identifier": what,
                "handling": handled or handling,
                "how": detail or how,
            }
            for code, what, handled, detail in SAFE_HARBOR
        ],
        "caveats": [*CAVEATS[dates], *COMMON_CAVEATS],
    }


def readme_text(manifest: dict[str, Any]) -> str:
    lines = [
        "scarplan de-identified research export",
        "",
        f"Exported on {manifest['exported_on']}; dates: {manifest['dates']}; "
        f"salt fingerprint {manifest['salt_fingerprint']} (exports with the same fingerprint "
        "share subject ids and offsets).",
        "Every table is given twice, as CSV (UTF-8, empty = no value) and as Parquet.",
        "",
        "De-identification rules",
        *(f"- {rule}" for rule in manifest["rules"]),
        "",
        "Tables",
    ]
    for name, table in manifest["tables"].items():
        lines += ["", f"{name} ({table['rows']} rows): {table['description']}"]
        lines += [f"  {c['name']} ({c['type']}): {c['description']}" for c in table["columns"]]
    lines += ["", "HIPAA Safe Harbor identifiers (45 CFR 164.514(b)(2)) and their handling", ""]
    lines += [
        f"({h['id']}) {h['identifier']}: {h['handling']} - {h['how']}"
        for h in manifest["safe_harbor"]
    ]
    lines += ["", "Caveats", *(f"- {caveat}" for caveat in manifest["caveats"])]
    return "\n".join(lines) + "\n"
