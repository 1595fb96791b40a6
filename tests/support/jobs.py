"""Job rows for tests that need one in a given state."""

from __future__ import annotations

from scarplan.adapters.db.tables import JobPayloadRecord, JobRecord
from scarplan.services.clinic.core.context import Actor, Clinic


def waiting_upload(clinic: Clinic, actor: Actor, patient_id: int) -> int:
    """A 3D analysis accepted, its upload stored, not yet taken by a worker: its job id."""
    with clinic.uow.write() as session:
        waiting = JobRecord(
            kind="topography",
            status="queued",
            patient_id=patient_id,
            params={"region": "cheek_left"},
            result=None,
            error="",
            created_at=clinic.now(),
            created_by=actor.user_id,
            attempts=0,
        )
        session.add(waiting)
        session.flush()
        session.add(JobPayloadRecord(job_id=waiting.id, data=b"an upload waiting for a worker"))
        return waiting.id
