"""A job that needs more memory than the worker may use fails with a plain message, and the
worker goes on serving pages and running jobs (issue 24, finding 3: memory per job bounded).

The limit (`worker_memory_limit_mb`, RLIMIT_AS) applies to a whole process, so the check runs
in a child process of its own: the worker's set-up as `scarplan serve` does it, then a job
that asks for gigabytes, then a real 3D analysis and a page under the same limit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from scarplan.services.clinic.core.jobs import OUT_OF_MEMORY

TESTS = Path(__file__).resolve().parents[1]
WORKER = r"""
import json, sys
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

from scarplan.adapters.db import upgrade
from scarplan.bootstrap import Container
from scarplan.entrypoints.web import create_app
from scarplan.entrypoints.web.server import limit_worker_memory
from scarplan.services.clinic.accounts import users
from scarplan.services.clinic.core import jobs
from scarplan.services.clinic.records import patients, stored_topography
from scarplan.settings import Settings
from support.clinic_data import patient_input
from support.height_maps import PIXEL_SIZE_MM, small_map_npy


def virtual_mb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) // 1024
    raise RuntimeError("no VmSize")


def greedy(run: jobs.JobRun) -> None:
    held = np.ones(400_000_000)  # 3.2 GB
    with run.clinic.uow.write() as session:
        run.finish(session, {"sum": int(held.sum())})


jobs.KINDS["greedy"] = jobs.JobKind("__main__:greedy")
data_dir = Path(sys.argv[1])
probe = Settings(data_dir=data_dir, secure_cookies=False)
container = Container(settings=probe)
upgrade(container.engine)
clinic = container.clinic
users.create_user(clinic, "dr.mem", "Dr Mem", "a long test password", "clinician")
actor = users.sign_in(clinic, "dr.mem", "a long test password")[0]
patient = patients.create_patient(clinic, actor, patient_input()).id
upload = small_map_npy()
app = create_app(container, "x" * 48)
with TestClient(app) as client:
    assert client.get("/login").status_code == 200
    # What `scarplan serve` does in each worker: the limit, set from the worker's settings,
    # here 700 MB above what this process uses once everything is loaded.
    limit_worker_memory(virtual_mb() + 700)

    greedy_job = jobs.start_job(clinic, actor, "greedy", {}, patient_id=patient)
    assert clinic.jobs.wait_idle(120)
    entered = {"region": "cheek_left", "taken_on": "2026-11-20", "pixel_size_mm": PIXEL_SIZE_MM}
    analysis_job = stored_topography.start_analysis(
        clinic, actor, patient, entered, "m.npy", upload
    )
    assert clinic.jobs.wait_idle(120)
    page = client.get("/login")
    out = {
        "greedy": [jobs.read_job(clinic, greedy_job, "greedy").status,
                   jobs.read_job(clinic, greedy_job, "greedy").error],
        "analysis": jobs.read_job(clinic, analysis_job, "topography").status,
        "page": page.status_code,
        "csp": "content-security-policy" in page.headers,
    }
    print("RESULT " + json.dumps(out))
"""


def test_a_job_over_the_memory_limit_fails_plainly_and_the_worker_carries_on(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCARPLAN_")}
    inherited = [path for path in env.get("PYTHONPATH", "").split(os.pathsep) if path]
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), *inherited])
    worker = tmp_path / "worker.py"
    worker.write_text(WORKER, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(worker), str(tmp_path / "data")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (line,) = [text for text in done.stdout.splitlines() if text.startswith("RESULT ")]
    result = json.loads(line.removeprefix("RESULT "))
    assert result["greedy"] == ["failed", OUT_OF_MEMORY]
    assert result["analysis"] == "done"
    assert result["page"] == 200
    assert result["csp"]
    assert "ran out of memory" in done.stderr
