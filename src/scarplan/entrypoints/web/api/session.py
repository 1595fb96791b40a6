"""Signing in for API clients: the browser's session cookie, or a bearer token (see tokens)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from pydantic import BaseModel

from scarplan.entrypoints.web.api.common import ERRORS, PREFIX
from scarplan.entrypoints.web.deps import ActorDep, ClinicDep, csrf_token
from scarplan.entrypoints.web.signin import close_session, open_session
from scarplan.services.clinic.core.context import Actor

router = APIRouter(prefix=PREFIX, tags=["session"], responses=ERRORS)


class Credentials(BaseModel):
    username: str
    password: str


@dataclass(frozen=True)
class SessionInfo:
    user_id: int | None
    username: str
    role: str
    patient_id: int | None
    csrf_token: str
    """Send it back as the X-CSRF-Token header on every write made with the session cookie."""


def _info(request: Request, actor: Actor) -> SessionInfo:
    return SessionInfo(
        actor.user_id, actor.username, actor.role, actor.patient_id, csrf_token(request)
    )


@router.post("/session")
async def sign_in(request: Request, clinic: ClinicDep, credentials: Credentials) -> SessionInfo:
    actor = await open_session(request, clinic, credentials.username, credentials.password)
    return _info(request, actor)


@router.get("/session")
async def whoami(request: Request, actor: ActorDep) -> SessionInfo:
    return _info(request, actor)


@router.delete("/session", status_code=204)
async def sign_out(request: Request, clinic: ClinicDep) -> None:
    await close_session(request, clinic)
