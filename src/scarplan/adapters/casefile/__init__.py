"""Case files (YAML or JSON, version 1): schema, parsing, JSON Schema."""

from scarplan.adapters.casefile.reader import (
    case_json_schema,
    parse_case_document,
    parse_case_text,
    read_case_file,
)

__all__ = [
    "case_json_schema",
    "parse_case_document",
    "parse_case_text",
    "read_case_file",
]
