"""The plan's reasoning in a FHIR bundle: the stored plan document travels as the CarePlan's
`plan-document` extension (an inline JSON Attachment) and comes back exactly; a damaged,
malformed or disagreeing document is refused at the attachment's bundle path."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from scarplan.adapters.fhir import build_bundle, parse_bundle
from scarplan.domain.errors import FieldProblem, InputError
from scarplan.knowledge import KnowledgeBase
from scarplan.services.demo_case import demo_cases_dir
from scarplan.services.fhir_case import case_bundle
from scarplan.services.homecare import plan_file_json
from scarplan.settings import Settings
from support.fhir import (
    PLAN_DOCUMENT,
    assert_valid,
    by_url,
    document_at,
    plan_document,
    put_plan_document,
    resources,
)

TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 9, tzinfo=UTC)
MIXED = demo_cases_dir() / "mixed.yaml"
Change = Callable[[dict[str, Any]], None]


@pytest.fixture(scope="module")
def exported(knowledge: KnowledgeBase) -> dict[str, Any]:
    bundle: dict[str, Any] = json.loads(
        json.dumps(case_bundle(MIXED, knowledge, Settings(), TODAY, NOW))
    )
    return bundle


@pytest.fixture
def bundle(exported: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(exported)


def care_plan_at(bundle: dict[str, Any]) -> int:
    return next(
        n for n, e in enumerate(bundle["entry"]) if e["resource"]["resourceType"] == "CarePlan"
    )


def document_extension(bundle: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The bundle path of the CarePlan's plan-document extension, and the extension."""
    n = care_plan_at(bundle)
    care_plan = bundle["entry"][n]["resource"]
    number = document_at(care_plan)
    return f"entry[{n}].resource.extension[{number}]", care_plan["extension"][number]


def rewritten(bundle: dict[str, Any], change: Change) -> str:
    """Change the carried document (keeping its size and hash right); the path of its data."""
    where, _ = document_extension(bundle)
    care_plan = bundle["entry"][care_plan_at(bundle)]["resource"]
    document = plan_document(care_plan)
    change(document)
    put_plan_document(care_plan, document)
    return f"{where}.valueAttachment.data"


def refused(bundle: dict[str, Any]) -> list[FieldProblem]:
    with pytest.raises(InputError) as error:
        parse_bundle(bundle)
    return list(error.value.problems)


def test_the_plan_document_is_an_inline_json_attachment_of_the_care_plan(
    exported: dict[str, Any], knowledge: KnowledgeBase
) -> None:
    assert_valid(exported)
    (care_plan,) = resources(exported, "CarePlan")
    assert [e["url"] for e in care_plan["extension"]] == [
        "https://scarplan.org/fhir/StructureDefinition/plan-status",
        PLAN_DOCUMENT,
    ]
    content = care_plan["extension"][1]["valueAttachment"]
    assert set(content) == {"contentType", "data", "size", "hash", "title"}
    assert content["contentType"] == "application/json"
    data = base64.b64decode(content["data"])
    assert content["size"] == len(data)
    assert base64.b64decode(content["hash"]) == hashlib.sha1(data).digest()
    # Canonical JSON in UTF-8: sorted keys, no spaces, so the same document is the same bytes.
    document = json.loads(data)
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert data == canonical.encode("utf-8")
    # The document is what `scarplan plan --json` prints for the case.
    assert document == plan_file_json(MIXED, knowledge, Settings(), TODAY)


def test_the_reasons_come_back_exactly(exported: dict[str, Any]) -> None:
    document = plan_document(resources(exported, "CarePlan")[0])
    (plan,) = parse_bundle(exported).plans
    assert plan.document == document
    recommended = document["recommended"]
    assert recommended, "the mixed case has recommendations"
    assert all(r["reasons"] and r["sources"] for r in recommended)
    assert document["excluded"]
    # Every course has a price now, so the mixed case's budget holds TCA CROSS and microneedling,
    # which no order rule joins: its lesion groups carry the rule-based reasons instead.
    assert document["lesion_groups"]
    assert document["courses"]


def test_a_bundle_without_the_document_still_imports(bundle: dict[str, Any]) -> None:
    n = care_plan_at(bundle)
    extensions = bundle["entry"][n]["resource"]["extension"]
    extensions[:] = [e for e in extensions if e["url"] != PLAN_DOCUMENT]
    (plan,) = parse_bundle(bundle).plans
    assert plan.document is None
    assert plan.sessions


def reasons_as_text(document: dict[str, Any]) -> None:
    document["recommended"][0]["reasons"] = "trust me"


def an_unknown_modality(document: dict[str, Any]) -> None:
    document["excluded"][0]["modality"] = "laser_magic"


def an_extra_element(document: dict[str, Any]) -> None:
    document["recommended"][0]["approved_by"] = "nobody"


def a_source_that_is_a_path(document: dict[str, Any]) -> None:
    document["recommended"][0]["sources"].append("../admin")


def no_notice(document: dict[str, Any]) -> None:
    del document["notice"]


@pytest.mark.parametrize(
    ("change", "inside"),
    [
        (reasons_as_text, "recommended[0].reasons"),
        (an_unknown_modality, "excluded[0].modality"),
        (an_extra_element, "recommended[0].approved_by"),
        (a_source_that_is_a_path, "recommended[0].sources["),
        (no_notice, "notice"),
    ],
)
def test_a_malformed_document_is_refused_naming_the_attachment(
    bundle: dict[str, Any], change: Change, inside: str
) -> None:
    where = rewritten(bundle, change)
    (problem,) = refused(bundle)
    assert problem.path == where
    assert problem.message.startswith(f"the plan document's {inside}")


def a_session_moved(document: dict[str, Any]) -> None:
    document["sessions"][1]["date"] = "2027-01-26"
    document["sessions"][1]["recovered_by"] = "2027-02-02"


def a_cheaper_total(document: dict[str, Any]) -> None:
    document["total_cost"]["amount"] = 10.0


def a_note_dropped(document: dict[str, Any]) -> None:
    document["notes"].pop()


def a_session_added(document: dict[str, Any]) -> None:
    document["sessions"].append(copy.deepcopy(document["sessions"][-1]))


def another_start(document: dict[str, Any]) -> None:
    document["start_date"] = "2027-01-04"


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (a_session_moved, "sessions[1].date is 2027-01-26; entry["),
        (a_cheaper_total, "total_cost.amount is 10.0; the sessions add up to "),
        (a_note_dropped, "notes differ"),
        (a_session_added, "sessions has "),
        (another_start, "start_date is 2027-01-04; period.start is 2027-01-11"),
    ],
)
def test_a_document_that_disagrees_with_the_care_plan_is_refused(
    bundle: dict[str, Any], change: Change, said: str
) -> None:
    where = rewritten(bundle, change)
    problems = refused(bundle)
    assert {p.path for p in problems} == {where}
    assert any(p.message.startswith(f"the plan document's {said}") for p in problems), problems


def test_a_disagreeing_cost_and_regions_read_as_values(bundle: dict[str, Any]) -> None:
    def changed(document: dict[str, Any]) -> None:
        priced = next(s for s in document["sessions"] if s["cost"])
        priced["cost"]["amount"] -= 100.0
        document["total_cost"]["amount"] -= 100.0
        document["sessions"][0]["regions"] = ["nose"]

    cost = plan_document(resources(bundle, "CarePlan")[0])["sessions"][0]["cost"]["amount"]
    rewritten(bundle, changed)
    messages = [p.message for p in refused(bundle)]
    changed_to, says = f"].cost is {cost - 100.0} USD; entry[", f"says {cost} USD"
    assert any(changed_to in m and says in m for m in messages), messages
    assert any("sessions[0].regions is nose; entry[" in m for m in messages), messages


def test_a_service_request_changed_without_the_document_is_refused(
    bundle: dict[str, Any],
) -> None:
    targets = by_url(bundle)
    (care_plan,) = resources(bundle, "CarePlan")
    first = targets[care_plan["activity"][0]["reference"]["reference"]]
    assert first["resourceType"] == "ServiceRequest"
    first["occurrenceDateTime"] = "2027-01-12"
    where, _ = document_extension(bundle)
    (problem,) = refused(bundle)
    assert problem.path == f"{where}.valueAttachment.data"
    assert "sessions[0].date is 2027-01-11" in problem.message
    assert "says 2027-01-12" in problem.message


def test_damaged_data_is_refused_at_its_hash(bundle: dict[str, Any]) -> None:
    where, extension = document_extension(bundle)
    content = extension["valueAttachment"]
    data = base64.b64decode(content["data"]).replace(b"tca_cross", b"tca_crass", 1)
    content["data"] = base64.b64encode(data).decode()
    paths = [p.path for p in refused(bundle)]
    assert f"{where}.valueAttachment.hash" in paths


def test_data_that_is_not_json_or_not_json_typed_is_refused(bundle: dict[str, Any]) -> None:
    where, extension = document_extension(bundle)
    content = extension["valueAttachment"]
    content["data"] = base64.b64encode(b"{not json").decode()
    del content["size"], content["hash"]
    (problem,) = refused(bundle)
    assert problem.path == f"{where}.valueAttachment.data"
    content["data"] = base64.b64encode(b"{}").decode()
    content["contentType"] = "text/plain"
    (problem,) = refused(bundle)
    assert problem.path == f"{where}.valueAttachment.contentType"


def test_the_document_given_twice_or_as_another_type_is_refused(bundle: dict[str, Any]) -> None:
    where, extension = document_extension(bundle)
    n = care_plan_at(bundle)
    extensions = bundle["entry"][n]["resource"]["extension"]
    extensions.append(copy.deepcopy(extension))
    assert [p.path for p in refused(bundle)] == [f"entry[{n}].resource.extension[2]"]
    extensions.pop()
    extension["valueString"] = extension.pop("valueAttachment")["data"]
    assert [p.path for p in refused(bundle)] == [where]


def test_an_exported_record_with_its_document_validates(exported: dict[str, Any]) -> None:
    again = json.loads(json.dumps(build_bundle(parse_bundle(exported), NOW)))
    assert_valid(again)
    assert again == exported
