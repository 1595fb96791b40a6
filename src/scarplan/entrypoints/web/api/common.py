"""Shared API pieces: the router prefix and body-to-service conversion."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

PREFIX = "/api/v1"
PROBLEM = {"description": "Problem details: what is wrong, where, and how to fix it."}
ERRORS: dict[int | str, dict[str, Any]] = {401: PROBLEM, 404: PROBLEM, 409: PROBLEM, 422: PROBLEM}


def body(model: BaseModel) -> dict[str, Any]:
    """What the client sent, as sent: unset fields stay unset (an unstated safety fact is not
    the same as "no")."""
    return model.model_dump(mode="json", exclude_unset=True, by_alias=True)
