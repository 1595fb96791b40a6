"""Migration 0011 (the front desk) keeps the appointments booked before it valid."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from scarplan.adapters.db import make_engine, upgrade
from scarplan.adapters.db.migrate import downgrade

NOW = "2026-12-01 09:00:00+00:00"


@pytest.fixture
def engine_at_0010(fresh_database_url: str) -> Iterator[Engine]:
    engine = make_engine(fresh_database_url)
    upgrade(engine, "0010")
    yield engine
    engine.dispose()


def _old_booking(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO patients (id, code, full_name, search_name, sex, intake,"
                " preferences, created_at, updated_at, reminders_enabled)"
                " VALUES (1, 'P-1', 'Ana Silva', 'ana silva', 'female', '{}', '{}', :now, :now,"
                " :yes)"
            ),
            {"now": NOW, "yes": True},
        )
        connection.execute(
            text(
                "INSERT INTO assessments (id, patient_id, assessed_on, notes, gb_qualitative,"
                " gb_quantitative, ecca, counts, result, created_at)"
                " VALUES (1, 1, '2026-11-20', '', 2, 10, 40, '{}', '{}', :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO plans (id, patient_id, assessment_id, status, current_version,"
                " created_at, updated_at) VALUES (1, 1, 1, 'accepted', 1, :now, :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO appointments (patient_id, plan_id, session_key, modality, day,"
                " start_minute, end_minute, practitioner, device, room, status, created_at,"
                " updated_at) VALUES (1, 1, 'plan1:tca_cross:1', 'tca_cross', '2026-12-08',"
                " 600, 630, 'dr-okafor', NULL, 'room-1', 'booked', :now, :now)"
            ),
            {"now": NOW},
        )


def test_an_appointment_booked_before_0011_reads_as_a_booked_procedure(
    engine_at_0010: Engine,
) -> None:
    _old_booking(engine_at_0010)

    upgrade(engine_at_0010)

    with engine_at_0010.connect() as connection:
        row = connection.execute(
            text("SELECT kind, status, checked_in_at, session_id, session_key FROM appointments")
        ).one()
        phone = connection.execute(text("SELECT phone FROM patients")).scalar_one()
    assert tuple(row) == ("procedure", "booked", None, None, "plan1:tca_cross:1")
    assert phone is None


def test_a_visit_without_a_plan_can_be_stored_after_0011_and_is_dropped_on_downgrade(
    engine_at_0010: Engine,
) -> None:
    _old_booking(engine_at_0010)
    upgrade(engine_at_0010)
    with engine_at_0010.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO appointments (patient_id, kind, day, start_minute, end_minute,"
                " practitioner, room, status, created_at, updated_at)"
                " VALUES (1, 'follow_up', '2026-12-15', 540, 555, 'dr-okafor', 'room-1',"
                " 'checked_in', :now, :now)"
            ),
            {"now": NOW},
        )

    downgrade(engine_at_0010, "0010")

    with engine_at_0010.connect() as connection:
        keys = connection.execute(text("SELECT session_key FROM appointments")).scalars().all()
    assert keys == ["plan1:tca_cross:1"]
