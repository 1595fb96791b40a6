"""Reading FHIR bundles in tests: resources by type, codes by system, and what a round trip
compares."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from collections import Counter
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

LOCAL = "https://scarplan.org/fhir/CodeSystem/"
PLAN_DOCUMENT = "https://scarplan.org/fhir/StructureDefinition/plan-document"


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def counts(bundle: dict[str, Any]) -> Counter[str]:
    return Counter(e["resource"]["resourceType"] for e in bundle["entry"])


def codes(concept: dict[str, Any] | None, system: str) -> list[str]:
    return [c["code"] for c in (concept or {}).get("coding", []) if c.get("system") == system]


def local(concept: dict[str, Any] | None, name: str) -> str | None:
    found = codes(concept, f"{LOCAL}{name}")
    return found[0] if found else None


def by_url(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["fullUrl"]: e["resource"] for e in bundle["entry"]}


def observations(bundle: dict[str, Any], system: str, code: str) -> list[dict[str, Any]]:
    return [r for r in resources(bundle, "Observation") if local(r["code"], system) == code]


def document_at(care_plan: dict[str, Any]) -> int:
    """The position of the CarePlan's plan-document extension."""
    urls = [extension["url"] for extension in care_plan.get("extension", [])]
    return urls.index(PLAN_DOCUMENT)


def plan_document(care_plan: dict[str, Any]) -> dict[str, Any]:
    """The plan document a CarePlan carries, decoded."""
    content = care_plan["extension"][document_at(care_plan)]["valueAttachment"]
    document: dict[str, Any] = json.loads(base64.b64decode(content["data"]))
    return document


def put_plan_document(care_plan: dict[str, Any], document: dict[str, Any]) -> None:
    """Replace the CarePlan's plan document with a matching size and hash, as someone editing
    it on purpose would (so only its content can be refused)."""
    data = json.dumps(document).encode()
    content = care_plan["extension"][document_at(care_plan)]["valueAttachment"]
    content["data"] = base64.b64encode(data).decode()
    content["size"] = len(data)
    content["hash"] = base64.b64encode(hashlib.sha1(data).digest()).decode()


def clinical_content(bundle: dict[str, Any]) -> dict[str, Any]:
    """The bundle without what a server assigns at export time: the Bundle's timestamp (and
    id, meta, link if any). Resource ids are derived from the patient's code and each
    resource's place in the record, so they are compared, and with them every reference."""
    content = copy.deepcopy(bundle)
    for volatile in ("timestamp", "id", "meta", "link"):
        content.pop(volatile, None)
    return content


def assert_valid(bundle: dict[str, Any]) -> None:
    """Valid against the R4B models as a whole and resource by resource; every reference
    resolves to an entry; every coding has a system."""
    Bundle.model_validate(bundle)
    urls = {e["fullUrl"] for e in bundle["entry"]}
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        for node in _nodes(resource):
            if isinstance(node.get("reference"), str):
                assert node["reference"] in urls, node
            if isinstance(node.get("code"), str):
                assert node.get("system"), node


def _nodes(value: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found
