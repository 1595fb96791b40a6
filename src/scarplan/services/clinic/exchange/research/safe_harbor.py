"""How the export handles each of the 18 HIPAA Safe Harbor identifiers, and dates in each mode."""

from __future__ import annotations

from scarplan.services.clinic.exchange.research.model import Dates

NOT_STORED = "scarplan has no field for it; anything typed into free text goes with the text"
SAFE_HARBOR: list[tuple[str, str, str, str]] = [
    ("A", "Names", "removed", "patient and practitioner names are not exported"),
    ("B", "Geographic subdivisions smaller than a state", "not collected", NOT_STORED),
    ("C", "Dates (except year) related to the individual; ages over 89", "", ""),
    ("D", "Telephone numbers", "not collected", NOT_STORED),
    ("E", "Fax numbers", "not collected", NOT_STORED),
    ("F", "Email addresses", "not collected", NOT_STORED),
    ("G", "Social security numbers", "not collected", NOT_STORED),
    (
        "H",
        "Medical record numbers",
        "removed",
        "the clinic's patient code and database ids are replaced by the subject id and "
        "per-subject references (subject-A1, -P1, -S1)",
    ),
    ("I", "Health plan beneficiary numbers", "not collected", NOT_STORED),
    (
        "J",
        "Account numbers",
        "removed",
        "portal accounts, user names and tokens are not exported; no billing accounts are stored",
    ),
    ("K", "Certificate/license numbers", "not collected", NOT_STORED),
    ("L", "Vehicle identifiers and serial numbers", "not collected", NOT_STORED),
    (
        "M",
        "Device identifiers and serial numbers",
        "removed",
        "photos are stored without camera metadata and are not exported",
    ),
    ("N", "Web URLs", "not collected", NOT_STORED),
    (
        "O",
        "IP addresses",
        "removed",
        "client addresses are kept only in the audit trail, which is not exported",
    ),
    ("P", "Biometric identifiers (finger and voice prints)", "not collected", NOT_STORED),
    ("Q", "Full-face photographs and comparable images", "removed", "no photo is exported"),
    (
        "R",
        "Any other unique identifying number, characteristic or code",
        "removed",
        "record ids and codes are replaced; the subject id is a keyed hash (see caveats)",
    ),
]
DATES_HANDLING: dict[Dates, tuple[str, str]] = {
    "shifted": (
        "generalised and shifted",
        'birth date: year only, "90+" over 89; every other date moved by the subject\'s '
        "offset (not Safe Harbor: see caveats)",
    ),
    "years": (
        "generalised",
        "birth date: year only; every other date: the year of the date moved by the "
        'subject\'s offset; ages over 89: "90+"',
    ),
}
