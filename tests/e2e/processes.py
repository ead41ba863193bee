"""Shared by the multi-process tests: a `motcua serve` process group a test can kill as a crash
would, the seed procedures with a review timer the test times, and the store-side checks that a
dossier's workflow state, task rows, timer rows and audit trail tell the same story."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import time
import urllib.error
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from uuid import UUID

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import instances, runtime
from engine.models import OPEN_TASK_STATES, AuditEvent, HumanTask, ProcessInstance, WaitingTimer
from tests.conftest import BPMN_MODELS, ROOT, with_review_timer
from tests.e2e.test_server import MOTCUA, call, cli, multipart
from tests.servers import free_port
from workflows.models import Dossier
from workflows.process_models import deploy_folder
from workflows.seed import seed_demo

# A request to a server that died or is not up yet gets no (whole) answer: a refused connection
# comes wrapped in a URLError, a dropped one is a ConnectionError (RemoteDisconnected is one), an
# answer cut short an HTTPException (IncompleteRead).
CONNECTION_ERRORS = (urllib.error.URLError, ConnectionError, TimeoutError, http.client.HTTPException)

# The review's two timers in the seed models: the overdue one (interrupting: the leader gets
# remind_review) and the reminder (non-interrupting: a notification, no task). In the variants the
# tests deploy, both are due when the dossier's data says.
OVERDUE, REMINDER = "Timer_ReviewOverdue", "Timer_ReviewReminder"
REMINDER_TIMER = '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">deadline("review_reminder")</bpmn:timeDate>'
TIMED_BY_DATA = {OVERDUE: "review_due", REMINDER: "review_reminder_due"}
SEED_MODELS = {"CHUYEN_TRUONG_THPT": "chuyen_truong_thpt.bpmn", "CAP_BAN_SAO_VAN_BANG": "cap_ban_sao_van_bang.bpmn"}
# The specialist of the unit that decides each seed procedure.
REVIEWER = {"CHUYEN_TRUONG_THPT": "specialist", "CAP_BAN_SAO_VAN_BANG": "khaothi"}


class Server:
    """A `motcua serve` process (gunicorn master and workers, the scheduler in each worker) in its
    own process group, logging to a file."""

    def __init__(self, env: dict, log_path: Path) -> None:
        self.env, self.log_path = env, log_path
        self.base = f"http://127.0.0.1:{env['PORT']}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.launch()
        self.wait_until_serving()

    def launch(self) -> None:
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen([MOTCUA, "serve"], env=self.env, cwd=ROOT, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + 30
        while not self.answers():
            assert self.process.poll() is None, f"server exited:\n{self.log()}"
            assert time.monotonic() < deadline, f"server did not answer /healthz within 30 s:\n{self.log()}"
            time.sleep(0.2)

    def answers(self) -> bool:
        try:
            return call(self.base, "GET", "/healthz")[0] == 200
        except CONNECTION_ERRORS:
            return False

    def kill(self, sig: signal.Signals = signal.SIGKILL) -> None:
        """Signal the whole process group (SIGKILL: as a crash or the OOM killer would) and reap it."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]


@contextmanager
def serving(*envs: dict, logs: Path):
    """Server processes for `envs`, started side by side, logging to `logs`/<port>.log."""
    servers = [Server(env, logs / f"{env['PORT']}.log") for env in envs]
    try:
        for server in servers:
            server.launch()
        for server in servers:
            server.wait_until_serving()
        yield servers
    finally:
        for server in servers:
            server.kill(signal.SIGTERM)


def on_new_port(env: dict) -> dict:
    """The same settings and database for another server process on its own port."""
    return {**env, "PORT": str(free_port())}


def seed_in_process(sessions) -> None:
    """What `prepare_database` does, quicker: the bundled models and the demo data, in this process."""
    with sessions() as session, session.begin():
        deploy_folder(session, BPMN_MODELS, actor="test")  # the .dmn files first
        seed_demo(session)


def prepare_database(env: dict) -> None:
    """What `make run` does before serving: migrate, deploy bpmn_models/, seed the demo data."""
    cli(env, "migrate")
    cli(env, "deploy-models", str(BPMN_MODELS))
    cli(env, "seed-demo")


def deploy_model(base: str, admin: str, filename: str, content: bytes) -> None:
    body, content_type = multipart(filename, content)
    status, version = call(base, "POST", "/api/v1/process-models", admin, body, content_type)
    assert status == 201, version


def time_reviews_by_dossier_data(base: str, admin: str) -> None:
    """Deploy the seed models with the review's timers due when the dossier's data says
    (`review_times`), and give both procedures 10 working days, so that no other timer falls due
    during a test."""
    for procedure, filename in SEED_MODELS.items():
        model = with_review_timer(filename, _time_date(TIMED_BY_DATA[OVERDUE])).decode()
        assert REMINDER_TIMER in model
        model = model.replace(REMINDER_TIMER, _time_date(TIMED_BY_DATA[REMINDER]))
        deploy_model(base, admin, filename, model.encode())
        status, body = call(base, "PUT", f"/api/v1/procedures/{procedure}", admin,
                            {"processing_time_value": 10, "processing_time_unit": "working_days"})
        assert status == 200, body


def review_times(overdue: datetime, reminder: datetime) -> dict:
    """Dossier (or task) data that times the review's timers of the deployed variants."""
    return {TIMED_BY_DATA[OVERDUE]: overdue.isoformat(), TIMED_BY_DATA[REMINDER]: reminder.isoformat()}


def _time_date(expression: str) -> str:
    return f'<bpmn:timeDate xsi:type="bpmn:tFormalExpression">{expression}</bpmn:timeDate>'


def receive(base: str, desk: str, procedure: str, data: dict) -> str:
    status, dossier = call(base, "POST", "/api/v1/dossiers", desk, {
        "procedure_code": procedure, "channel": "in_person", "data": data,
        "applicant": {"full_name": "Nguyễn Văn Thử", "id_number": "079204001234", "phone": "0912345678"}})
    assert status == 201, dossier
    return dossier["code"]


def open_tasks(base: str, token: str, code: str) -> list[dict]:
    status, tasks = call(base, "GET", f"/api/v1/tasks?dossier_code={code}", token)
    assert status == 200, tasks
    return tasks


def complete(base: str, token: str, task_id: str, data: dict) -> dict:
    status, body = call(base, "POST", f"/api/v1/tasks/{task_id}/complete", token, {"data": data})
    assert status == 200, body
    return body


# --- the store's side -------------------------------------------------------------------------

def dossier(session: Session, code: str) -> Dossier:
    return session.scalars(select(Dossier).where(Dossier.code == code)).one()


def events(session: Session, instance_id: int, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(
        AuditEvent.instance_id == instance_id, AuditEvent.action == action).order_by(AuditEvent.id)))


def tasks_named(session: Session, instance_id: int, bpmn_id: str) -> list[HumanTask]:
    return list(session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance_id, HumanTask.bpmn_id == bpmn_id).order_by(HumanTask.created_at)))


def count(session: Session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def assert_rows_match_workflow(session: Session, instance_id: int) -> None:
    """Nothing half-applied: the stored workflow state, the task rows, the timer rows and the audit
    trail of one instance agree (each commit writes all of them or none)."""
    instance = session.get(ProcessInstance, instance_id)
    workflow = instances.load_workflow(instance)
    rows = list(session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)))
    open_rows = {row.id for row in rows if row.state in OPEN_TASK_STATES}
    assert open_rows == {str(t.id) for t in runtime.ready_human_tasks(workflow)}, instance.business_key
    for row in rows:
        if row.state == "completed":
            task = workflow.get_task_from_id(UUID(row.id))
            assert task is None or task.state == TaskState.COMPLETED, (instance.business_key, row.bpmn_id)
    completed = sorted(row.id for row in rows if row.state == "completed")
    assert sorted(e.subject for e in events(session, instance_id, "task.completed")) == completed, \
        f"{instance.business_key}: one task.completed event per completed task"
    timer_rows = set(session.scalars(select(WaitingTimer.task_id).where(WaitingTimer.instance_id == instance_id)))
    assert timer_rows == {t.task_id for t in runtime.waiting_timers(workflow)}, instance.business_key
    assert (instance.status == "completed") == runtime.is_finished(workflow), instance.business_key
