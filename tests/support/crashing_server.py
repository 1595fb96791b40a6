"""The real web app, killed with SIGKILL in the middle of saving an assessment.

`python -m support.crashing_server PORT MOMENT`, MOMENT one of:
- `before-commit`: after the assessment and its lesion rows are written, before the commit;
- `after-commit`: right after the commit.
SIGKILL cannot be caught: nothing runs after it, exactly like a power cut or `kill -9`.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

import uvicorn
from sqlalchemy import event
from sqlalchemy.orm import Session

from scarplan.adapters.db.tables import LesionRecord
from scarplan.entrypoints.web.server import app_from_environment


def _die(*_args: Any) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _lesions_pending(session: Session) -> bool:
    return any(isinstance(item, LesionRecord) for item in session.new)


def arm(moment: str) -> None:
    if moment == "before-commit":

        @event.listens_for(Session, "before_flush")
        def _mark(session: Session, *_: Any) -> None:
            if _lesions_pending(session):
                session.info["lesions_written"] = True

        @event.listens_for(Session, "before_commit")
        def _kill_before(session: Session) -> None:
            if session.info.get("lesions_written"):
                _die()

    elif moment == "after-commit":

        @event.listens_for(Session, "before_flush")
        def _mark_after(session: Session, *_: Any) -> None:
            if _lesions_pending(session):
                session.info["lesions_written"] = True

        @event.listens_for(Session, "after_commit")
        def _kill_after(session: Session) -> None:
            if session.info.get("lesions_written"):
                _die()

    else:
        raise SystemExit(f"unknown moment {moment!r}")


if __name__ == "__main__":
    port, moment = int(sys.argv[1]), sys.argv[2]
    arm(moment)
    uvicorn.run(app_from_environment(), host="127.0.0.1", port=port, log_level="warning")
