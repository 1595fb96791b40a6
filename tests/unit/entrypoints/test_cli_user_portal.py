"""`scarplan user add`: a patient's portal account only with the operator's explicit flag."""

from __future__ import annotations

from pathlib import Path

import pytest

from scarplan.entrypoints.cli.app import main

PASSWORD = "a long test password"


@pytest.fixture
def data_dir(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shared migrated data directory; `user add` reads the new password from the env."""
    monkeypatch.setenv("SCARPLAN_NEW_PASSWORD", PASSWORD)
    return data_dir


def _add_patient(directory: Path) -> int:
    from scarplan.bootstrap import bootstrap  # noqa: PLC0415
    from scarplan.services.clinic.accounts import users  # noqa: PLC0415
    from scarplan.services.clinic.records import patients  # noqa: PLC0415
    from support.clinic_data import patient_input  # noqa: PLC0415

    clinic = bootstrap().clinic
    clinician = users.create_user(clinic, "dr.cli", "Dr Cli", PASSWORD, "clinician")
    return patients.create_patient(clinic, clinician, patient_input()).id


def test_a_portal_account_needs_the_operators_explicit_flag(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    patient_id = _add_patient(data_dir)
    add = ["user", "add", "ana.p", "--name", "Ana", "--role", "patient"]
    add += ["--patient-id", str(patient_id)]

    assert main(add) == 2
    assert "invite the patient from their page" in capsys.readouterr().err
    assert main(["user", "list"]) == 0
    assert "ana.p" not in capsys.readouterr().out
    assert main([*add, "--without-invitation"]) == 0
    assert "Added ana.p (patient)" in capsys.readouterr().out
    staff = ["user", "add", "desk", "--name", "Desk", "--role", "staff", "--without-invitation"]
    assert main(staff) == 2
    assert "--without-invitation" in capsys.readouterr().err
