"""The research salt lives in the database: one salt for every process on every host, made once
(also when processes race for it), the old per-host file imported once and then left alone."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from scarplan.adapters.db import SqlUnitOfWork, make_engine
from scarplan.adapters.db.tables import ClinicSecretRecord
from scarplan.domain.errors import InputError
from scarplan.services.clinic.core.clinic_secrets import clinic_secret
from scarplan.services.clinic.core.context import Clinic
from scarplan.services.clinic.exchange import research
from scarplan.settings import Settings

pytestmark = pytest.mark.db
OLD_SALT = bytes(range(40, 72))
LOGGER = "scarplan.services.clinic.exchange.research.salt"


@pytest.fixture
def other_host(clinic: Clinic, tmp_path: Path) -> Iterator[Clinic]:
    """A second app process on another host: its own engine and its own (empty) data directory."""
    url = clinic.uow.engine.url.render_as_string(hide_password=False)
    engine = make_engine(url)
    settings = Settings(data_dir=tmp_path / "host-b", database_url=url)
    yield replace(clinic, uow=SqlUnitOfWork(engine), settings=settings)
    engine.dispose()


def stored(clinic: Clinic) -> list[tuple[str, str]]:
    with clinic.uow.read() as session:
        rows = session.execute(select(ClinicSecretRecord.name, ClinicSecretRecord.value)).all()
    return [(str(name), str(value)) for name, value in rows]


def test_the_salt_is_made_once_in_the_database_and_no_file_is_written(clinic: Clinic) -> None:
    salt = research.research_salt(clinic)

    assert len(salt) == research.SALT_BYTES
    assert research.research_salt(clinic) == salt
    assert stored(clinic) == [("research_salt", salt.hex())]
    assert not (clinic.settings.data_dir / research.SALT_FILE).exists()


def test_a_second_host_gets_the_same_salt_and_so_the_same_pseudonyms(
    clinic: Clinic, other_host: Clinic
) -> None:
    first = research.research_salt(clinic)

    assert research.research_salt(other_host) == first
    assert research.pseudonym(first, 7) == research.pseudonym(research.research_salt(other_host), 7)


def test_processes_racing_for_the_first_salt_all_get_the_one_stored(
    clinic: Clinic, other_host: Clinic
) -> None:
    # Both find no salt, both make one, both insert: the first insert wins, the second is
    # dropped without an error, and both read the winner.
    both_made = threading.Barrier(2, timeout=30)
    results: dict[str, str] = {}
    errors: list[BaseException] = []

    def run(name: str, host: Clinic) -> None:
        def make() -> str:
            both_made.wait()
            return name * 64

        try:
            secret = clinic_secret(host, "race", make)
            assert secret.offered == name * 64
            results[name] = secret.value
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)

    threads = [
        threading.Thread(target=run, args=("a", clinic)),
        threading.Thread(target=run, args=("b", other_host)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert results["a"] == results["b"] in ("a" * 64, "b" * 64)
    with clinic.uow.read() as session:
        count = session.scalar(select(func.count()).select_from(ClinicSecretRecord))
    assert count == 1


def test_the_old_salt_file_is_imported_once_kept_and_never_read_again(
    clinic: Clinic, other_host: Clinic, caplog: pytest.LogCaptureFixture
) -> None:
    old_file = clinic.settings.data_dir / research.SALT_FILE
    old_file.parent.mkdir(parents=True)
    old_file.write_text(OLD_SALT.hex() + "\n", encoding="utf-8")

    with caplog.at_level(logging.INFO, logger=LOGGER):
        salt = research.research_salt(clinic)

    # Exports keep linking up with the ones made under the file's salt, and the log says so.
    assert salt == OLD_SALT
    assert any(
        "imported" in record.getMessage() and str(old_file) in record.getMessage()
        for record in caplog.records
    )
    assert old_file.read_text(encoding="utf-8") == OLD_SALT.hex() + "\n"  # left in place
    assert research.research_salt(other_host) == OLD_SALT

    old_file.write_text(bytes(range(32)).hex(), encoding="utf-8")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=LOGGER):
        assert research.research_salt(clinic) == OLD_SALT
    assert caplog.records == []  # imported once only
    old_file.unlink()
    assert research.research_salt(clinic) == OLD_SALT


def test_a_damaged_old_salt_file_is_refused_naming_it_and_nothing_is_stored(
    clinic: Clinic,
) -> None:
    old_file = clinic.settings.data_dir / research.SALT_FILE
    old_file.parent.mkdir(parents=True)
    old_file.write_text("not hex at all", encoding="utf-8")

    with pytest.raises(InputError) as refused:
        research.research_salt(clinic)

    (problem,) = refused.value.problems
    assert problem.path == str(old_file)
    assert "restore the file from a backup" in problem.hint
    assert stored(clinic) == []
    assert old_file.read_text(encoding="utf-8") == "not hex at all"
