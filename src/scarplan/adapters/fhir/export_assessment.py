"""One assessment: a panel Observation holding the scale scores and, per lesion group, a
BodyStructure (region and scar type) with an Observation for each of its measurements."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scarplan.adapters.fhir import codes
from scarplan.adapters.fhir.bundle import reference
from scarplan.adapters.fhir.export_patient import PatientResources
from scarplan.adapters.fhir.record import AssessmentFacts, LesionFacts

Make = Callable[..., dict[str, Any]]
COUNT_UNIT = "{scars}"
"""UCUM annotation: a count of scars (an annotation is unit 1 with a label)."""

# Lesion fields written as Observations, in this order, when they were entered.
MEASURED = ("width_mm", "depth_mm", "edges", "distensible", "visible_at_50cm", "covered_by_makeup")
FINDING_OF = {
    "width_mm": "scar_width",
    "depth_mm": "scar_depth",
    "edges": "scar_edges",
    "distensible": "distensible",
    "visible_at_50cm": "visible_at_50cm",
    "covered_by_makeup": "covered_by_makeup",
}


def assessment_resources(
    owner: PatientResources, index: int, facts: AssessmentFacts
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The panel Observation and every resource of the assessment, panel first."""
    day = facts.day.isoformat()
    key = ("assessment", index)

    def observation(
        suffix: tuple[object, ...], system: str, code: str, **value: Any
    ) -> dict[str, Any]:
        resource = owner.observation((*key, *suffix), codes.EXAM, codes.local_concept(system, code))
        resource["effectiveDateTime"] = day
        resource.update(value)
        return resource

    members = _scores(observation, facts)
    structures = []
    for number, lesion in enumerate(facts.lesions):
        structure = _body_structure(owner, (*key, "lesion", number), lesion)
        structures.append(structure)
        site = {"bodySite": codes.local_concept("region", lesion.given["region"])}
        focus = {"focus": [reference(structure)]}
        lesion_key = ("lesion", number)
        members.append(
            observation(
                (*lesion_key, "scar_count"),
                "finding",
                "scar_count",
                valueQuantity=codes.quantity(lesion.given["count"], COUNT_UNIT, "scars"),
                **site,
                **focus,
            )
        )
        for field in MEASURED:
            if lesion.given.get(field) is None:
                continue
            finding = FINDING_OF[field]
            members.append(
                observation(
                    (*lesion_key, finding),
                    "finding",
                    finding,
                    **_value(field, lesion.given[field]),
                    **site,
                    **focus,
                )
            )
    panel = observation((), "finding", "scar_assessment")
    panel["hasMember"] = [reference(member) for member in members]
    if facts.notes:
        panel["note"] = [{"text": facts.notes}]
    return panel, [panel, *members, *structures]


def _scores(observation: Make, facts: AssessmentFacts) -> list[dict[str, Any]]:
    scores = facts.scores
    if scores is None:
        return []
    quantitative = codes.quantity(scores.goodman_baron_quantitative, "{score}", "score")
    return [
        observation(
            ("goodman_baron_qualitative",),
            "scale",
            "goodman_baron_qualitative",
            valueInteger=scores.goodman_baron_qualitative,
        ),
        observation(
            ("goodman_baron_quantitative",),
            "scale",
            "goodman_baron_quantitative",
            valueQuantity=quantitative,
        ),
        observation(("ecca",), "scale", "ecca", valueInteger=scores.ecca),
    ]


def _value(field: str, value: Any) -> dict[str, Any]:
    if field in ("width_mm", "depth_mm"):
        return {"valueQuantity": codes.quantity(value, "mm")}
    if field == "edges":
        return {"valueCodeableConcept": codes.local_concept("edge-profile", value)}
    return {"valueBoolean": bool(value)}


def _body_structure(
    owner: PatientResources, key: tuple[object, ...], lesion: LesionFacts
) -> dict[str, Any]:
    given = lesion.given
    region = given["region"]
    # userSelected: the clinician named the type; otherwise it was classified from the width.
    morphology = codes.local("scar-type", lesion.typed_as, userSelected="type" in given)
    shown = codes.display("scar-type", lesion.typed_as).lower()
    where = codes.display("region", region).lower()
    return {
        "resourceType": "BodyStructure",
        "id": owner.id(*key),
        "morphology": codes.concept(morphology),
        "location": codes.local_concept("region", region),
        "description": f"{given['count']} {shown}s, {where}"
        if given["count"] > 1
        else f"1 {shown}, {where}",
        "patient": owner.subject,
    }
