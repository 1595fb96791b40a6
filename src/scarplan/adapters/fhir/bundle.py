"""The bundle around the resources: stable ids, references, and the checks every bundle passes.

Resource ids are UUIDs derived from the patient's code and the resource's place in the record
(the second assessment's third lesion, the plan's fifth session), so exporting the same record
twice, or after an import into another database, gives the same ids. fullUrls are `urn:uuid:`
and every reference inside the bundle points to one of them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from scarplan.domain.errors import FieldProblem, InputError
from scarplan.domain.validation import field_problems

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://scarplan.org/fhir")
URN = "urn:uuid:"


def resource_id(patient_code: str, *key: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join([patient_code, *(str(part) for part in key)])))


def reference(resource: dict[str, Any]) -> dict[str, str]:
    return {"reference": f"{URN}{resource['id']}"}


def full_url(resource: dict[str, Any]) -> str:
    return f"{URN}{resource['id']}"


def attachment(data: bytes, content_type: str, title: str) -> dict[str, Any]:
    """An inline Attachment: the data in base64 with its size and SHA-1 hash."""
    return {
        "contentType": content_type,
        "data": base64.b64encode(data).decode("ascii"),
        "size": len(data),
        # FHIR's Attachment.hash is the base64 of the data's SHA-1.
        "hash": base64.b64encode(hashlib.sha1(data).digest()).decode("ascii"),
        "title": title,
    }


def model_problems(resource: dict[str, Any], where: str) -> list[FieldProblem]:
    """What the FHIR R4B model of the resource's type refuses in it, by element path."""
    try:
        get_fhir_model_class(str(resource.get("resourceType"))).model_validate(resource)
    except ValidationError as error:
        return field_problems(error, prefix=where, docs="the FHIR R4 definition of the element")
    return []


def _walk(value: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(value, dict):
        yield path, value
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


def reference_targets(entries: list[dict[str, Any]]) -> dict[str, str]:
    """reference text -> the fullUrl of the entry it names. A reference may be the entry's
    fullUrl, or Type/id for an entry with an id (how servers write references)."""
    found: dict[str, str] = {}
    for entry in entries:
        resource = entry.get("resource") or {}
        url = entry.get("fullUrl")
        if isinstance(url, str):
            found[url] = url
            if "id" in resource and "resourceType" in resource:
                found[f"{resource['resourceType']}/{resource['id']}"] = url
    return found


def reference_problems(entries: list[dict[str, Any]]) -> list[FieldProblem]:
    """Every `reference` in the bundle's resources must name an entry of the bundle."""
    targets = reference_targets(entries)
    problems = []
    for index, entry in enumerate(entries):
        for path, node in _walk(entry.get("resource"), f"entry[{index}].resource"):
            target = node.get("reference")
            if isinstance(target, str) and target not in targets:
                problems.append(
                    FieldProblem(
                        f"{path}.reference",
                        f"{target!r} names no entry of the bundle",
                        "every referenced resource must be in the bundle with that fullUrl",
                    )
                )
    return problems


def coding_problems(entries: list[dict[str, Any]]) -> list[FieldProblem]:
    """Every Coding (and coded Quantity) must say which code system its code is from."""
    problems = []
    for index, entry in enumerate(entries):
        for path, node in _walk(entry.get("resource"), f"entry[{index}].resource"):
            if isinstance(node.get("code"), str) and not node.get("system"):
                problems.append(
                    FieldProblem(
                        f"{path}.system",
                        f"the code {node['code']!r} has no system",
                        "give the code system's URL",
                    )
                )
    return problems


def make_bundle(resources: list[dict[str, Any]], timestamp: datetime) -> dict[str, Any]:
    """A collection Bundle of the resources, validated and in canonical FHIR JSON form.

    Each resource is validated against its R4B model, the bundle is re-read from the JSON text
    it serialises to, and its references and codings are checked: an invalid export is a bug,
    reported before any file is written.
    """
    entries: list[dict[str, Any]] = [{"fullUrl": full_url(r), "resource": r} for r in resources]
    problems = [
        problem
        for index, resource in enumerate(resources)
        for problem in model_problems(resource, f"entry[{index}].resource")
    ]
    problems += reference_problems(entries) + coding_problems(entries)
    if problems:
        raise InvalidExportError(problems)
    document = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": timestamp.isoformat(),
        "entry": entries,
    }
    text = Bundle.model_validate(document).model_dump_json()
    canonical: dict[str, Any] = json.loads(text)
    Bundle.model_validate_json(text)
    return canonical


def bundle_text(bundle: dict[str, Any]) -> str:
    """The bundle as the JSON file `scarplan fhir export` writes."""
    return json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"


class InvalidExportError(RuntimeError):
    """scarplan built a bundle that is not valid FHIR: a bug, never the user's input."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("invalid FHIR bundle built: " + "; ".join(map(str, problems)))
        self.problems = problems


def invalid(problems: list[FieldProblem]) -> InputError:
    return InputError("the FHIR bundle cannot be imported", problems)
