"""Starting the clinic app: schema up to date, a secret key, the demo clinic when asked."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from scarplan.adapters.db import upgrade
from scarplan.services.clinic.context import Clinic
from scarplan.services.clinic.demo_clinic import DEMO_USER, demo_clinic_needed, seed_demo_clinic

SECRET_FILE = "secret_key"
DEMO_LOGIN_FILE = "demo-login.txt"


@dataclass(frozen=True)
class Started:
    database: str
    seeded: bool
    demo_login: tuple[str, str] | None


def _private_file(path: Path, make: str) -> str:
    """Read a file only the owner can read, creating it with `make` the first time."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(make)
    return path.read_text(encoding="utf-8").strip()


def demo_secret_key(data_dir: Path) -> str:
    return _private_file(data_dir / SECRET_FILE, secrets.token_urlsafe(48))


def prepare_database(engine: Engine, clinic: Clinic, *, demo: bool) -> Started:
    """Apply migrations; with `demo`, load the demo clinic into an empty database."""
    upgrade(engine)
    seeded = False
    login_file = clinic.settings.data_dir / DEMO_LOGIN_FILE
    if demo and demo_clinic_needed(clinic):
        password = seed_demo_clinic(clinic)
        login_file.unlink(missing_ok=True)
        _private_file(login_file, password)
        seeded = True
    login = (
        (DEMO_USER, login_file.read_text(encoding="utf-8").strip())
        if demo and login_file.exists()
        else None
    )
    database = engine.url.render_as_string(hide_password=True)
    return Started(database, seeded, login)
