"""Request dependencies: the clinic services and the signed-in actor."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from scarplan.bootstrap import Container
from scarplan.entrypoints.web.errors import LoginRequiredError
from scarplan.services.clinic.context import Actor, Clinic
from scarplan.services.clinic.users import signed_in

USER_KEY = "user_id"


# Async because it does no I/O: a plain `def` dependency would cost a thread hop per request.
async def get_clinic(request: Request) -> Clinic:
    return _clinic(request)


def _clinic(request: Request) -> Clinic:
    container: Container = request.app.state.container
    return container.clinic


def get_actor(request: Request) -> Actor:
    user_id = request.session.get(USER_KEY)
    actor = signed_in(_clinic(request), user_id) if isinstance(user_id, int) else None
    if actor is None:
        request.session.clear()
        raise LoginRequiredError
    return actor


ClinicDep = Annotated[Clinic, Depends(get_clinic)]
ActorDep = Annotated[Actor, Depends(get_actor)]
