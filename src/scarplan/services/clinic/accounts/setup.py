"""Starting the clinic app: schema up to date, a secret key, the demo clinic when asked."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from scarplan.adapters.db import current_revision, schema_mismatch, upgrade, writable_directory
from scarplan.domain.errors import FieldProblem, InputError
from scarplan.services.clinic.accounts.demo_clinic import (
    DEMO_USER,
    demo_clinic_needed,
    seed_demo_clinic,
)
from scarplan.services.clinic.core.context import Clinic
from scarplan.services.clinic.records.instruments import instrument_catalogue
from scarplan.settings import Settings

# Demo only, and so fine as files in one host's data directory: `serve --demo` makes its key and
# prints its login from them. Outside the demo the key comes from SCARPLAN_SECRET_KEY (the same
# on every host; production_problems refuses the demo key) and nothing is read from these files.
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
        writable_directory(path.parent)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(make)
    return path.read_text(encoding="utf-8").strip()


def demo_secret_key(data_dir: Path) -> str:
    return _private_file(data_dir / SECRET_FILE, secrets.token_urlsafe(48))


# Weak keys the production check refuses outright: placeholders copied from examples.
_PLACEHOLDER_WORDS = ("change", "secret", "example", "default", "password", "scarplan")


def production_problems(settings: Settings) -> list[FieldProblem]:
    """Why these settings are unsafe for real patient data (empty when they are fine).

    Outside demo mode the app must have its own random secret key (not the demo key made in the
    data directory, not a placeholder) and must send cookies only over TLS.
    """
    if settings.demo:
        return []
    problems = []
    key = settings.secret_key.get_secret_value() if settings.secret_key else ""
    fix = (
        "set SCARPLAN_SECRET_KEY to 32+ random characters, e.g. "
        "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
    )
    demo_file = settings.data_dir / SECRET_FILE
    if not key:
        problems.append(FieldProblem("SCARPLAN_SECRET_KEY", "is not set", fix))
    elif demo_file.exists() and demo_file.read_text(encoding="utf-8").strip() == key:
        problems.append(FieldProblem("SCARPLAN_SECRET_KEY", "is the demo key", fix))
    elif len(set(key)) < 12 or any(w in key.lower() for w in _PLACEHOLDER_WORDS):
        problems.append(FieldProblem("SCARPLAN_SECRET_KEY", "looks like a placeholder", fix))
    if not settings.secure_cookies:
        problems.append(
            FieldProblem(
                "SCARPLAN_SECURE_COOKIES",
                "is false: login cookies would travel without TLS",
                "serve over HTTPS (e.g. behind a TLS proxy) with SCARPLAN_SECURE_COOKIES=true, "
                "or use `scarplan serve --demo` for a local trial",
            )
        )
    if any(network.prefixlen == 0 for network in settings.trusted_proxies):
        problems.append(
            FieldProblem(
                "SCARPLAN_TRUSTED_PROXIES",
                "trusts every address, so any client could choose the address that the sign-in "
                "throttle and the audit trail see",
                "list only your own proxies, e.g. 127.0.0.1,::1 for one on the same host",
            )
        )
    return problems


def refuse_unsafe_production(settings: Settings) -> None:
    problems = production_problems(settings)
    if problems:
        raise InputError("unsafe settings for production: the app will not start", problems)


@dataclass(frozen=True)
class Migrated:
    database: str
    before: str | None
    after: str | None


def migrate_database(engine: Engine) -> Migrated:
    """Bring the schema up to this release's; safe to run from several processes or hosts at
    once (they take turns, and the later ones find nothing left to do)."""
    before = current_revision(engine)
    upgrade(engine)
    database = engine.url.render_as_string(hide_password=True)
    return Migrated(database, before, current_revision(engine))


def require_current_schema(engine: Engine) -> None:
    """Refuse to start on a schema other than this release's (the migrations are run apart)."""
    mismatch = schema_mismatch(engine)
    if mismatch is not None:
        raise InputError(
            "the database is not ready for this release",
            [
                FieldProblem(
                    "SCARPLAN_DATABASE_URL",
                    mismatch,
                    "run `scarplan migrate` once (the scarplan-migrate unit does), then start "
                    "the app again",
                )
            ],
        )


def prepare_database(
    engine: Engine, clinic: Clinic, *, demo: bool, migrate: bool = True
) -> Started:
    """Apply migrations (or, without `migrate`, check they were applied); with `demo`, load
    the demo clinic into an empty database. A licensed questionnaire file that is wrong stops
    the start here, naming the file and the field."""
    instrument_catalogue(clinic)
    if migrate:
        upgrade(engine)
    else:
        require_current_schema(engine)
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
