"""`scarplan patient invite` and `scarplan mail send|remind|status` through the real entry point,
on an SQLite file and a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scarplan.bootstrap import bootstrap
from scarplan.entrypoints.cli.app import main
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.records import patients
from support.clinic_data import patient_input
from support.smtp import free_port, smtp_server, text_of

EMAIL = "lena@example.org"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "data"
    monkeypatch.setenv("SCARPLAN_DATA_DIR", str(directory))
    monkeypatch.delenv("SCARPLAN_DATABASE_URL", raising=False)
    monkeypatch.delenv("SCARPLAN_SMTP_HOST", raising=False)
    monkeypatch.setenv("SCARPLAN_SECRET_KEY", "s" * 48)
    monkeypatch.setenv("SCARPLAN_PUBLIC_BASE_URL", "https://portal.clinic.example")
    assert main(["mail", "status"]) == 0  # migrates the empty database
    clinic = bootstrap().clinic
    clinician = users.create_user(clinic, "dr.lee", "Dr Lee", "a long password 1", "clinician")
    document = {**patient_input("P-2001", "Lena Park"), "email": EMAIL}
    patients.create_patient(clinic, clinician, document)
    clinic.audit.close()
    return directory


def test_invite_by_the_shown_id_queues_until_a_mail_server_is_configured(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    capsys.readouterr()
    assert main(["patient", "invite", "P-2001"]) == 0
    assert f"Invitation queued for Lena Park (P-2001) to {EMAIL}" in capsys.readouterr().out
    assert main(["patient", "invite", "P-9999"]) == 2
    assert "'P-9999' names no patient" in capsys.readouterr().err

    assert main(["mail", "send"]) == 2
    assert "SCARPLAN_SMTP_HOST" in capsys.readouterr().err
    assert main(["mail", "status"]) == 0
    out = capsys.readouterr().out
    assert "No mail server is configured" in out
    assert "queued 1" in out

    port = free_port()
    monkeypatch.setenv("SCARPLAN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SCARPLAN_SMTP_PORT", str(port))
    monkeypatch.setenv("SCARPLAN_SMTP_SECURITY", "none")
    with smtp_server(port) as inbox:
        assert main(["mail", "send"]) == 0
    assert "Sent 1; failed 0" in capsys.readouterr().out
    (message,) = inbox.to(EMAIL)
    assert "https://portal.clinic.example/welcome/" in text_of(message)
    assert main(["mail", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert (status["queued"], status["sent"], status["failed"]) == (0, 1, 0)
    assert main(["mail", "remind"]) == 0
    assert "Queued 0 reminder(s)." in capsys.readouterr().out
