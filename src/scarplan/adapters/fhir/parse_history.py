"""The medical history back into the intake: conditions (Condition), allergies
(AllergyIntolerance), implants (Device), medication classes (MedicationStatement) and earlier
procedures (Procedure of category prior_procedure).

Each item is read by its local code; a standard code scarplan writes beside it (SNOMED CT for
some conditions and lidocaine) is read too when the local one is absent. A local code scarplan
does not know is refused naming its path, with the codes it accepts. Only what the patient has
now is an intake item: a resolved condition, a removed device or a stopped medicine is refused
rather than read as current.
"""

from __future__ import annotations

from typing import Any

from scarplan.adapters.fhir import codes
from scarplan.adapters.fhir.reader import Entry, Found, Reader
from scarplan.adapters.fhir.record import Origins

CURRENT_CONDITION = ("active", "recurrence", "relapse")
OTHER_PERFORMED = ("performedPeriod", "performedString", "performedAge", "performedRange")


def _reverse(table: dict[Any, tuple[str, str, str]]) -> dict[tuple[str, str], str]:
    return {(system, code): str(key) for key, (system, code, _) in table.items()}


STANDARD = {
    "condition": _reverse(codes.CONDITION_SNOMED),
    "allergy": _reverse(codes.ALLERGY_SNOMED),
}


def is_prior_procedure(reader: Reader, entry: Entry) -> bool:
    """Whether a Procedure is an earlier procedure from the history (not a clinic session)."""
    return reader.has_coding(
        entry.get("category"), codes.system("procedure-category"), "prior_procedure"
    )


def is_medication_class(reader: Reader, entry: Entry) -> bool:
    concept = entry.get("medicationCodeableConcept")
    return reader.has_coding(concept, codes.system("medication-class"))


def _standard(concept: Any, path: str, name: str) -> Found | None:
    """The id for a standard coding scarplan writes beside the local code `name`."""
    table = STANDARD.get(name, {})
    for number, coding in enumerate((concept or {}).get("coding") or []):
        if isinstance(coding, dict):
            found = table.get((str(coding.get("system")), str(coding.get("code"))))
            if found is not None:
                return Found(found, f"{path}.coding[{number}].code")
    return None


def _code(reader: Reader, concept: Any, path: str, name: str) -> Found | None:
    """The local code of `name`, or the id of a known standard code; a problem when neither."""
    if not reader.has_coding(concept, codes.system(name)):
        found = _standard(concept, path, name)
        if found is not None:
            return found
    return reader.code(concept, path, name)


def _status(reader: Reader, concept: Any, path: str, system: str, allowed: tuple[str, ...]) -> bool:
    """Whether a status concept (when given) says the item is current."""
    for number, coding in enumerate((concept or {}).get("coding") or []):
        if isinstance(coding, dict) and coding.get("system") == system:
            if coding.get("code") in allowed:
                return True
            reader.problem(
                f"{path}.coding[{number}].code",
                f"{coding.get('code')!r}: scarplan records what the patient has now",
                f"give {' or '.join(allowed)}, or leave the item out",
            )
            return False
    return True


def _put(
    intake: dict[str, Any], origins: Origins, name: str, found: list[tuple[Found, Entry]]
) -> None:
    """The list `name` of the intake, each id once, with where each was read."""
    ids: list[str] = []
    for item, entry in found:
        if item.value in ids:
            continue
        where = f"patient.{name}[{len(ids)}]"
        origins[where] = item.path
        origins.setdefault(f"patient.{name}", entry.path)
        ids.append(item.value)
    if ids:
        intake[name] = ids


def read_history(reader: Reader, intake: dict[str, Any], origins: Origins) -> None:
    """Conditions, allergies, implants and earlier procedures (medication classes are read with
    the other MedicationStatements: `medication_class`)."""
    _put(intake, origins, "conditions", _conditions(reader))
    _put(intake, origins, "allergies", _allergies(reader))
    _put(intake, origins, "implants", _implants(reader))
    _prior_procedures(reader, intake, origins)


def _conditions(reader: Reader) -> list[tuple[Found, Entry]]:
    url = codes.system("condition")
    found = []
    for entry in reader.of_kind("Condition"):
        concept = entry.get("code")
        if not reader.has_coding(concept, url) and _standard(concept, "", "condition") is None:
            continue  # acne scars, active acne or an adverse event: read elsewhere
        reader.used.add(entry.url)
        reader.subject(entry)
        current = _status(
            reader,
            entry.get("clinicalStatus"),
            entry.at("clinicalStatus"),
            codes.CONDITION_CLINICAL,
            CURRENT_CONDITION,
        )
        code = _code(reader, concept, entry.at("code"), "condition")
        if code is not None and current:
            found.append((code, entry))
    return found


def _allergies(reader: Reader) -> list[tuple[Found, Entry]]:
    found = []
    for entry in reader.of_kind("AllergyIntolerance"):
        reader.used.add(entry.url)
        reader.subject(entry, "patient")
        current = _status(
            reader,
            entry.get("clinicalStatus"),
            entry.at("clinicalStatus"),
            codes.ALLERGY_CLINICAL,
            ("active",),
        )
        code = _code(reader, entry.get("code"), entry.at("code"), "allergy")
        if code is not None and current:
            found.append((code, entry))
    return found


def _implants(reader: Reader) -> list[tuple[Found, Entry]]:
    found = []
    for entry in reader.of_kind("Device"):
        reader.used.add(entry.url)
        reader.subject(entry, "patient")
        status = entry.get("status")
        if status not in (None, "active"):
            reader.problem(
                entry.at("status"),
                f"{status!r}: scarplan records the implants the patient has now",
                "give active, or leave the Device out",
            )
            continue
        code = reader.code(entry.get("type"), entry.at("type"), "implant")
        if code is not None:
            found.append((code, entry))
    return found


def medication_class(reader: Reader, entry: Entry) -> Found | None:
    """The medication class of a MedicationStatement `is_medication_class` picked out."""
    if entry.get("status") != "active":
        reader.problem(
            entry.at("status"),
            f"{entry.get('status')!r}: scarplan records the medicines the patient takes now",
            "give active, or leave the MedicationStatement out",
        )
        return None
    concept = entry.get("medicationCodeableConcept")
    return reader.code(concept, entry.at("medicationCodeableConcept"), "medication-class")


def put_medication_classes(
    intake: dict[str, Any], origins: Origins, found: list[tuple[Found, Entry]]
) -> None:
    _put(intake, origins, "medications", found)


def _prior_procedures(reader: Reader, intake: dict[str, Any], origins: Origins) -> None:
    done: list[dict[str, Any]] = []
    for entry in reader.of_kind("Procedure"):
        if not is_prior_procedure(reader, entry):
            continue
        reader.used.add(entry.url)
        reader.subject(entry)
        item = _prior(reader, entry, f"patient.prior_procedures[{len(done)}]", origins)
        if item is not None:
            done.append(item)
    if done:
        intake["prior_procedures"] = done
        origins.setdefault("patient.prior_procedures", reader.of_kind("Patient")[0].path)


def _prior(reader: Reader, entry: Entry, where: str, origins: Origins) -> dict[str, Any] | None:
    if entry.get("status") != "completed":
        reader.problem(
            entry.at("status"),
            f"{entry.get('status')!r}: an earlier procedure is one that was done",
            "give completed",
        )
    kind = _kind(reader, entry)
    regions: list[str] = []
    for number, site in enumerate(entry.get("bodySite") or []):
        region = reader.code(site, f"{entry.at('bodySite')}[{number}]", "region")
        if region is not None:
            origins[f"{where}.regions[{len(regions)}]"] = region.path
            regions.append(region.value)
    for other in OTHER_PERFORMED:
        if entry.get(other) is not None:
            reader.problem(entry.at(other), "is not read", "give the day as performedDateTime")
    day = reader.day(entry, "performedDateTime", required=False)
    product = [
        str(used["text"])
        for used in entry.get("usedCode") or []
        if isinstance(used, dict) and used.get("text")
    ]
    if kind is None:
        return None
    item: dict[str, Any] = {"kind": kind.value}
    origins.update({where: entry.path, f"{where}.kind": kind.path})
    if product:
        item["product"] = ", ".join(product)
        origins[f"{where}.product"] = f"{entry.at('usedCode')}[0].text"
    if regions:
        item["regions"] = regions
        origins[f"{where}.regions"] = entry.at("bodySite")
    if day is not None:
        item["date"] = day.value.isoformat()
        origins[f"{where}.date"] = day.path
    return item


def _kind(reader: Reader, entry: Entry) -> Found | None:
    concept = entry.get("code")
    if reader.has_coding(concept, codes.system("modality")):
        return reader.code(concept, entry.at("code"), "modality")
    if reader.has_coding(concept, codes.system("prior-procedure")):
        return reader.code(concept, entry.at("code"), "prior-procedure")
    reader.problem(
        entry.at("code"),
        "has no procedure scarplan knows",
        f"a code of {codes.system('modality')} or {codes.system('prior-procedure')}",
    )
    return None
