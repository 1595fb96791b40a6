"""The patient: demographics, planning preferences, intake answers, skin type, active acne,
medicines and the medical history (parse_history)."""

from __future__ import annotations

from typing import Any

from scarplan.adapters.fhir import codes
from scarplan.adapters.fhir.parse_history import (
    is_medication_class,
    medication_class,
    put_medication_classes,
    read_history,
)
from scarplan.adapters.fhir.preferences import read_preferences
from scarplan.adapters.fhir.reader import Entry, Found, Reader
from scarplan.adapters.fhir.record import Origins, PatientFacts

GENDERS = ("female", "male", "other", "unknown")
ISOTRETINOIN = {"active": "current", "completed": "stopped", "not-taken": "none"}
SEVERITIES = {code: name for name, (_, code, _) in codes.SEVERITY.items()}


def read_patient(reader: Reader) -> PatientFacts | None:
    """The bundle's one Patient (`parse_bundle` checked there is exactly one) and its intake."""
    entry = reader.of_kind("Patient")[0]
    reader.used.add(entry.url)
    origins: Origins = {"": entry.path, "patient": entry.path}
    intake: dict[str, Any] = {}
    code = _code(reader, entry, origins)
    gender = entry.get("gender") or "unknown"
    if gender not in GENDERS:
        reader.problem(entry.at("gender"), f"{gender!r} is not known", ", ".join(GENDERS))
    intake["sex"] = gender
    origins["patient.sex"] = entry.at("gender")
    if entry.get("birthDate"):
        intake["birth_date"] = entry.get("birthDate")
        origins["patient.birth_date"] = entry.at("birthDate")
    name = _name(entry)
    if name is not None:
        origins["full_name"] = f"{entry.at('name')}[0]"
    email = _email(entry, origins)
    preferences = read_preferences(reader, entry, origins)
    _screening(reader, intake, origins)
    skin_type = _fitzpatrick(reader, intake, origins)
    _conditions(reader, intake, origins)
    _medicines(reader, intake, origins)
    read_history(reader, intake, origins)
    if code is None:
        return None
    return PatientFacts(code, name, intake, skin_type, preferences, email, origins)


def _code(reader: Reader, entry: Entry, origins: Origins) -> str | None:
    for number, identifier in enumerate(entry.get("identifier") or []):
        if identifier.get("system") == codes.PATIENT_CODE and identifier.get("value"):
            origins["patient.id"] = f"{entry.at('identifier')}[{number}].value"
            return str(identifier["value"])
    reader.problem(
        entry.at("identifier"),
        f"has no identifier with system {codes.PATIENT_CODE}",
        "give the clinic's patient code (the case file's patient.id)",
    )
    return None


def _email(entry: Entry, origins: Origins) -> str | None:
    for number, point in enumerate(entry.get("telecom") or []):
        if point.get("system") == "email" and point.get("value"):
            origins["email"] = f"{entry.at('telecom')}[{number}].value"
            return str(point["value"])
    return None


def _name(entry: Entry) -> str | None:
    names = entry.get("name") or []
    if not names:
        return None
    first = names[0]
    text = first.get("text") or " ".join([*(first.get("given") or []), first.get("family") or ""])
    return " ".join(str(text).split()) or None


def _observations(reader: Reader, system: str) -> list[Entry]:
    url = codes.system(system)
    return [
        entry
        for entry in reader.of_kind("Observation")
        if reader.has_coding(entry.get("code"), url)
    ]


def _screening(reader: Reader, intake: dict[str, Any], origins: Origins) -> None:
    for entry in _observations(reader, "screening"):
        reader.used.add(entry.url)
        reader.subject(entry)
        found = reader.code(entry.get("code"), entry.at("code"), "screening")
        if found is None:
            continue
        name = found.value
        if name == "age_years":
            value = (entry.get("valueQuantity") or {}).get("value")
            where = entry.at("valueQuantity.value")
            if value is None or float(value) != int(value):
                reader.problem(where, "must be a whole number of years", "")
                continue
            intake[name] = int(value)
        else:
            where = entry.at("valueBoolean")
            if not isinstance(entry.get("valueBoolean"), bool):
                reader.problem(where, "is missing", "the answer as true or false")
                continue
            intake[name] = entry.get("valueBoolean")
        origins[f"patient.{name}"] = where


def _fitzpatrick(reader: Reader, intake: dict[str, Any], origins: Origins) -> str | None:
    skin_type = None
    for entry in _observations(reader, "scale"):
        found = reader.code(entry.get("code"), entry.at("code"), "scale")
        if found is None or found.value != "fitzpatrick_skin_type":
            continue
        reader.used.add(entry.url)
        reader.subject(entry)
        value = reader.code(
            entry.get("valueCodeableConcept"), entry.at("valueCodeableConcept"), "fitzpatrick-type"
        )
        method = reader.code(
            entry.get("method"), entry.at("method"), "fitzpatrick-method", required=False
        )
        if value is None:
            continue
        skin_type = value.value
        if method is None or method.value == "stated":
            intake["fitzpatrick"] = skin_type
            origins["patient.fitzpatrick"] = value.path
        answers = _answers(reader, entry)
        if answers:
            intake["fitzpatrick_answers"] = answers
            origins["patient.fitzpatrick_answers"] = entry.at("component")
    return skin_type


def _answers(reader: Reader, entry: Entry) -> list[int]:
    answers: dict[int, int] = {}
    for number, component in enumerate(entry.get("component") or []):
        where = f"{entry.at('component')}[{number}]"
        question = reader.code(component.get("code"), f"{where}.code", "fitzpatrick-question")
        value = component.get("valueInteger")
        if question is None:
            continue
        if not isinstance(value, int):
            reader.problem(f"{where}.valueInteger", "is missing", "the answer, 0 to 4")
            continue
        answers[int(question.value.removeprefix("q"))] = value
    return [answers[n] for n in sorted(answers)]


def _conditions(reader: Reader, intake: dict[str, Any], origins: Origins) -> None:
    """Acne scars (read for nothing: scarplan scores the lesions) and active acne."""
    severity = None
    for entry in reader.of_kind("Condition"):
        concept = entry.get("code")
        if reader.has_coding(concept, codes.SNOMED, codes.SCAR[1]) or reader.has_coding(
            concept, codes.ICD10, codes.SCAR_ICD10[1]
        ):
            reader.used.add(entry.url)
            reader.subject(entry)
        elif reader.has_coding(concept, codes.ICD10, "L70"):
            reader.used.add(entry.url)
            reader.subject(entry)
            severity = _severity(reader, entry)
    stated = intake.pop("active_acne", None)
    where = origins.pop("patient.active_acne", "")
    if stated is False and severity is not None:
        reader.problem(where, "says no active acne, but an active acne Condition is present", "")
    elif stated is True and severity is None:
        reader.problem(
            where, "says active acne, but no Condition (ICD-10 L70.0) gives its severity", ""
        )
    elif severity is not None:
        intake["active_acne"] = severity.value
        origins["patient.active_acne"] = severity.path
    elif stated is False:
        intake["active_acne"] = "none"
        origins["patient.active_acne"] = where


def _severity(reader: Reader, entry: Entry) -> Found | None:
    concept = entry.get("severity")
    for number, coding in enumerate((concept or {}).get("coding") or []):
        if coding.get("system") == codes.SNOMED and coding.get("code") in SEVERITIES:
            return Found(SEVERITIES[coding["code"]], f"{entry.at('severity')}.coding[{number}]")
    reader.problem(
        entry.at("severity"),
        "has no SNOMED CT severity",
        "mild 255604002, moderate 6736007 or severe 24484000",
    )
    return None


def _medicines(reader: Reader, intake: dict[str, Any], origins: Origins) -> None:
    current: list[str] = []
    classes: list[tuple[Found, Entry]] = []
    for entry in reader.of_kind("MedicationStatement"):
        reader.used.add(entry.url)
        reader.subject(entry)
        if is_medication_class(reader, entry):
            found = medication_class(reader, entry)
            if found is not None:
                classes.append((found, entry))
            continue
        agent = reader.code(
            entry.get("medicationCodeableConcept"), entry.at("medicationCodeableConcept"), "agent"
        )
        if agent is None:
            continue
        if reader.has_coding(entry.get("category"), codes.MEDICATION_STATEMENT_CATEGORY):
            origins[f"patient.current_agents[{len(current)}]"] = agent.path
            current.append(agent.value)
        elif agent.value == "isotretinoin":
            _isotretinoin(reader, entry, intake, origins)
        else:
            reader.problem(
                entry.path,
                "is neither the isotretinoin history nor a home-care agent in use",
                "mark agents the patient uses with category patientspecified",
            )
    if current:
        intake["current_agents"] = current
    put_medication_classes(intake, origins, classes)


def _isotretinoin(reader: Reader, entry: Entry, intake: dict[str, Any], origins: Origins) -> None:
    status = entry.get("status")
    if status not in ISOTRETINOIN:
        reader.problem(
            entry.at("status"),
            f"{status!r} says nothing scarplan can use",
            "active (taking it), completed (stopped) or not-taken (never)",
        )
        return
    history: dict[str, Any] = {"status": ISOTRETINOIN[status]}
    origins["patient.isotretinoin"] = entry.at("status")
    end = (entry.get("effectivePeriod") or {}).get("end")
    if end is not None:
        history["stopped_on"] = str(end)[:10]
        origins["patient.isotretinoin.stopped_on"] = entry.at("effectivePeriod.end")
    intake["isotretinoin"] = history
