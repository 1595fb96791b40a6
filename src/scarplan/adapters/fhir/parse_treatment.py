"""Performed sessions (Procedure, parameters, adverse events) and photos (Media, Consent)."""

from __future__ import annotations

from typing import Any

from scarplan.adapters.fhir import codes
from scarplan.adapters.fhir.parse_consent import is_procedure_consent
from scarplan.adapters.fhir.parse_history import is_prior_procedure
from scarplan.adapters.fhir.parse_patient import SEVERITIES
from scarplan.adapters.fhir.reader import Entry, Found, Reader
from scarplan.adapters.fhir.record import AdverseEventFacts, Origins, PhotoFacts, SessionFacts


def read_sessions(
    reader: Reader, requests: dict[str, tuple[int, int]]
) -> tuple[tuple[SessionFacts, ...], dict[str, int]]:
    """The sessions in date order, and each Procedure's fullUrl -> its index among them."""
    parameters = _parameters(reader)
    read = []
    fulfilled: dict[tuple[int, int], str] = {}
    for entry in reader.of_kind("Procedure"):
        if is_prior_procedure(reader, entry):
            continue  # the patient's history (parse_history)
        reader.used.add(entry.url)
        reader.subject(entry)
        session = _session(reader, entry, requests, parameters.get(entry.url, []))
        if session is None:
            continue
        if session.planned is not None:
            if session.planned in fulfilled:
                reader.problem(
                    entry.at("basedOn"),
                    f"fulfils the planned session {fulfilled[session.planned]} fulfils",
                    "a planned session is carried out once",
                )
            fulfilled[session.planned] = entry.path
        read.append((session.performed_on, entry.index, entry.url, session))
    read.sort(key=lambda item: (item[0], item[1]))
    for entry in reader.of_kind("Condition"):
        if entry.url not in reader.used:
            reader.used.add(entry.url)
            reader.problem(
                entry.path,
                "is no complication of a Procedure and no condition scarplan knows",
                "adverse events are a Procedure's complicationDetail",
            )
    return tuple(item[3] for item in read), {item[2]: n for n, item in enumerate(read)}


def _parameters(reader: Reader) -> dict[str, list[tuple[Entry, Found]]]:
    """Session parameter Observations by the fullUrl of the Procedure they are part of."""
    found: dict[str, list[tuple[Entry, Found]]] = {}
    system = codes.system("session-parameter")
    for entry in reader.of_kind("Observation"):
        if not reader.has_coding(entry.get("code"), system):
            continue
        reader.used.add(entry.url)
        reader.subject(entry)
        name = reader.code(entry.get("code"), entry.at("code"), "session-parameter")
        part = reader.first(entry.get("partOf"), entry.at("partOf"), "the session's Procedure")
        procedure = reader.follow(part.value, part.path, "Procedure") if part else None
        if name is not None and procedure is not None:
            found.setdefault(procedure.url, []).append((entry, name))
    return found


def _parameter_value(reader: Reader, entry: Entry, name: str) -> Found | None:
    spec = codes.SESSION_PARAMETERS[name]
    if spec.text:
        if not isinstance(entry.get("valueString"), str):
            reader.problem(entry.at("valueString"), "is missing", "the text")
            return None
        return Found(entry.get("valueString"), entry.at("valueString"))
    if spec.unit is None:
        if not isinstance(entry.get("valueInteger"), int):
            reader.problem(entry.at("valueInteger"), "is missing", "a whole number")
            return None
        return Found(entry.get("valueInteger"), entry.at("valueInteger"))
    quantity = entry.get("valueQuantity") or {}
    where = entry.at("valueQuantity")
    if quantity.get("value") is None or quantity.get("code") != spec.unit:
        reader.problem(where, f"needs a value in UCUM {spec.unit}", "")
        return None
    value = quantity["value"]
    number = int(value) if spec.integer and float(value) == int(value) else float(value)
    return Found(number, f"{where}.value")


def _session(
    reader: Reader,
    entry: Entry,
    requests: dict[str, tuple[int, int]],
    parameters: list[tuple[Entry, Found]],
) -> SessionFacts | None:
    origins: Origins = {"": entry.path}
    modality = reader.code(entry.get("code"), entry.at("code"), "modality")
    day = reader.day(entry, "performedDateTime")
    regions: list[str] = []
    for number, site in enumerate(entry.get("bodySite") or []):
        region = reader.code(site, f"{entry.at('bodySite')}[{number}]", "region")
        if region is not None:
            origins[f"regions[{len(regions)}]"] = region.path
            regions.append(region.value)
    origins["regions"] = entry.at("bodySite")
    practitioner = _practitioner(reader, entry)
    planned = None
    based_on = reader.first(entry.get("basedOn"), entry.at("basedOn"), "", required=False)
    if based_on is not None:
        request = reader.follow(based_on.value, based_on.path, "ServiceRequest")
        planned = requests.get(request.url) if request is not None else None
        origins["planned_session_id"] = based_on.path
    values: dict[str, Any] = {}
    for observation, name in parameters:
        value = _parameter_value(reader, observation, name.value)
        if value is not None:
            values[name.value] = value.value
            origins[f"parameters.{name.value}"] = value.path
    events = _events(reader, entry, origins)
    notes = reader.note(entry)
    if notes is not None:
        origins["notes"] = notes.path
    if modality is None or day is None or practitioner is None:
        return None
    origins.update(
        {"modality": modality.path, "performed_on": day.path, "practitioner": practitioner.path}
    )
    return SessionFacts(
        performed_on=day.value,
        modality=modality.value,
        regions=tuple(regions),
        practitioner=practitioner.value,
        parameters={k: values[k] for k in codes.SESSION_PARAMETERS if k in values},
        notes=notes.value if notes else "",
        adverse_events=events,
        planned=planned,
        origins=origins,
    )


def _practitioner(reader: Reader, entry: Entry) -> Found | None:
    performer = reader.first(entry.get("performer"), entry.at("performer"), "who performed it")
    if performer is None:
        return None
    person = reader.follow(performer.value.get("actor"), f"{performer.path}.actor", "Practitioner")
    if person is None:
        return None
    reader.used.add(person.url)
    names = person.get("name") or []
    text = names[0].get("text") if names else None
    if not text:
        reader.problem(person.at("name"), "is missing", "the practitioner's name as text")
        return None
    return Found(str(text), f"{person.at('name')}[0].text")


def _events(reader: Reader, entry: Entry, origins: Origins) -> tuple[AdverseEventFacts, ...]:
    events: list[AdverseEventFacts] = []
    for number, item in enumerate(entry.get("complicationDetail") or []):
        condition = reader.follow(item, f"{entry.at('complicationDetail')}[{number}]", "Condition")
        if condition is None:
            continue
        reader.used.add(condition.url)
        reader.subject(condition)
        where = f"adverse_events[{len(events)}]"
        origins[where] = condition.path
        kind = reader.code(condition.get("code"), condition.at("code"), "adverse-event")
        onset = reader.day(condition, "onsetDateTime")
        resolved = reader.day(condition, "abatementDateTime", required=False)
        severity = _severity(condition)
        notes = reader.note(condition)
        if kind is None or onset is None:
            continue
        origins.update({f"{where}.kind": kind.path, f"{where}.onset_on": onset.path})
        if resolved is not None:
            origins[f"{where}.resolved_on"] = resolved.path
        events.append(
            AdverseEventFacts(
                kind=kind.value,
                severity=severity,
                onset_on=onset.value,
                resolved_on=resolved.value if resolved else None,
                notes=notes.value if notes else "",
            )
        )
    return tuple(events)


def _severity(condition: Entry) -> str:
    for coding in (condition.get("severity") or {}).get("coding") or []:
        if coding.get("system") == codes.SNOMED and coding.get("code") in SEVERITIES:
            return SEVERITIES[coding["code"]]
    return "mild"


def read_photos(reader: Reader, procedures: dict[str, int]) -> tuple[PhotoFacts, ...]:
    """The photos in date order, each with the consent scope of the Consent that covers it."""
    scopes = _consents(reader)
    read = []
    for entry in reader.of_kind("Media"):
        reader.used.add(entry.url)
        reader.subject(entry)
        photo = _photo(reader, entry, procedures, scopes.get(entry.url))
        if photo is not None:
            read.append((photo.taken_on, entry.index, photo))
    read.sort(key=lambda item: (item[0], item[1]))
    return tuple(item[2] for item in read)


def _consents(reader: Reader) -> dict[str, Found]:
    """Media fullUrl -> the consent scope (and where it was read) covering it."""
    covered: dict[str, Found] = {}
    for entry in reader.of_kind("Consent"):
        if is_procedure_consent(entry):
            continue  # a procedure's consent (parse_consent.py), not a photo's
        reader.used.add(entry.url)
        reader.subject(entry, "patient")
        if entry.get("status") != "active":
            reader.problem(entry.at("status"), "is not active", "only active consent covers photos")
            continue
        provision = entry.get("provision") or {}
        where = entry.at("provision")
        purpose = reader.first(provision.get("purpose"), f"{where}.purpose", "the use agreed to")
        if purpose is None:
            continue
        found = _scope(reader, purpose)
        if found is None:
            continue
        for number, item in enumerate(provision.get("data") or []):
            target = reader.follow(item.get("reference"), f"{where}.data[{number}]", "Media")
            if target is None:
                continue
            if target.url in covered:
                reader.problem(f"{where}.data[{number}]", "this photo has a consent already", "")
            covered[target.url] = found
    return covered


def _scope(reader: Reader, purpose: Found) -> Found | None:
    coding = purpose.value if isinstance(purpose.value, dict) else {}
    url = codes.system("photo-consent")
    known = codes.SYSTEMS[url]
    if coding.get("system") != url or coding.get("code") not in known:
        reader.problem(
            f"{purpose.path}.code",
            f"{coding.get('code')!r} from {coding.get('system')!r} is no photo consent scope",
            f"a code of {url}: {', '.join(known)}",
        )
        return None
    return Found(coding["code"], f"{purpose.path}.code")


def _photo(
    reader: Reader, entry: Entry, procedures: dict[str, int], scope: Found | None
) -> PhotoFacts | None:
    origins: Origins = {"": entry.path}
    region = reader.code(entry.get("bodySite"), entry.at("bodySite"), "region")
    angle = reader.code(entry.get("view"), entry.at("view"), "photo-angle", required=False)
    taken = reader.day(entry, "createdDateTime")
    data = _image(reader, entry)
    if scope is None:
        reader.problem(entry.path, "no active Consent covers this photo", "photos need consent")
    session = None
    part = reader.first(entry.get("partOf"), entry.at("partOf"), "", required=False)
    if part is not None:
        procedure = reader.follow(part.value, part.path, "Procedure")
        session = procedures.get(procedure.url) if procedure is not None else None
        origins["session_id"] = part.path
    if region is None or taken is None or data is None or scope is None:
        return None
    origins.update(
        {
            "region": region.path,
            "taken_on": taken.path,
            "consent": scope.path,
            "file": entry.at("content.data"),
        }
    )
    if angle is not None:
        origins["angle"] = angle.path
    content = entry.get("content")
    return PhotoFacts(
        region=region.value,
        angle=angle.value if angle else "front",
        taken_on=taken.value,
        consent=scope.value,
        content_type=str(content.get("contentType", "")),
        width_px=int(entry.get("width") or 0),
        height_px=int(entry.get("height") or 0),
        data=data,
        session=session,
        origins=origins,
    )


def _image(reader: Reader, entry: Entry) -> bytes | None:
    return reader.attachment_data(entry.get("content"), entry.at("content"), "the image")
