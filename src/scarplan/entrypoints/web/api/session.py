"""Signing in for API clients: the same signed cookie the pages use."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from scarplan.entrypoints.web.api.common import ERRORS, PREFIX
from scarplan.entrypoints.web.deps import USER_KEY, ActorDep, ClinicDep
from scarplan.services.clinic.context import Actor
from scarplan.services.clinic.users import authenticate

router = APIRouter(prefix=PREFIX, tags=["session"], responses=ERRORS)


class Credentials(BaseModel):
    username: str
    password: str


@router.post("/session")
async def sign_in(request: Request, clinic: ClinicDep, credentials: Credentials) -> Actor:
    actor = await run_in_threadpool(
        authenticate, clinic, credentials.username, credentials.password
    )
    request.session.clear()
    request.session[USER_KEY] = actor.user_id
    return actor


@router.get("/session")
def whoami(actor: ActorDep) -> Actor:
    return actor


@router.delete("/session", status_code=204)
def sign_out(request: Request) -> None:
    request.session.clear()
