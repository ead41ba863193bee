"""Two real scheduler processes on one database: every timer fires exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import timedelta

from sqlalchemy import func, select

from engine import deployments, instances
from engine.clock import utcnow
from engine.models import AuditEvent, HumanTask, WaitingTimer
from tests.conftest import ROOT, read_model
from tests.e2e.test_server import MOTCUA

DOSSIERS = 25


def test_two_scheduler_processes_fire_each_timer_once(database_url, sessions, tmp_path):
    due = utcnow() + timedelta(seconds=3)  # about when both processes are up: they race for it
    with sessions() as session, session.begin():
        deployments.deploy(session, read_model("wait_until.bpmn"), "wait_until.bpmn", actor="t")
        for _ in range(DOSSIERS):
            instances.start_instance(session, "wait_until", actor="t", data={"when": due.isoformat()})

    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(MOTCUA_DATABASE_URL=database_url, MOTCUA_DATA_DIR=str(tmp_path), MOTCUA_TIMER_POLL_SECONDS="1")
    processes = [subprocess.Popen([MOTCUA, "scheduler"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True) for _ in range(2)]
    try:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            with sessions() as session:
                if session.scalar(select(func.count()).select_from(WaitingTimer)) == 0:
                    break
            assert all(p.poll() is None for p in processes), "a scheduler process died"
            time.sleep(0.3)
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)

    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(WaitingTimer)) == 0
        fired = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "timer.fired"))
        follow_ups = session.scalar(select(func.count()).select_from(HumanTask).where(
            HumanTask.bpmn_id == "follow_up"))
    assert (fired, follow_ups) == (DOSSIERS, DOSSIERS)
