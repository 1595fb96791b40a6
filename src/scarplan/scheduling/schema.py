"""The instance's JSON Schema, generated from the models (docs/scheduling.schema.json)."""

from __future__ import annotations

from typing import Any

from scarplan.scheduling.model import Instance


def instance_schema() -> dict[str, Any]:
    schema = Instance.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
