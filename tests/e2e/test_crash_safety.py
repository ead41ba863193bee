"""A real server is killed with SIGKILL (process group: gunicorn master, worker, scheduler) while
client threads complete tasks through the HTTP API, and restarted on the same database while
review timers fall due. Each client keeps a ledger of what the server acknowledged and of the
requests that got no answer; the store must hold every acknowledged completion exactly once, each
unanswered one wholly or not at all, nothing half-applied, and the timers due during the outage
fired once after the restart."""

from __future__ import annotations

import signal
import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from datetime import timedelta

from sqlalchemy import select

from engine.audit import verify_chain
from engine.clock import utcnow
from engine.models import AuditEvent, HumanTask, ProcessInstance, WaitingTimer
from tests.conftest import ROOT
from tests.e2e.processes import (
    CONNECTION_ERRORS,
    OVERDUE,
    REMINDER,
    Server,
    assert_rows_match_workflow,
    complete,
    count,
    deploy_model,
    dossier,
    events,
    open_tasks,
    receive,
    review_times,
    seed_in_process,
    tasks_named,
    time_reviews_by_dossier_data,
)
from tests.e2e.test_server import call, login
from tests.servers import wait_for

LINEAR = "KIEM_THU_10_BUOC"
LINEAR_PROCEDURE = {
    "code": LINEAR, "name": "Mười bước nối tiếp (kiểm thử)", "field": "Kiểm thử",
    "processing_time_value": 10, "processing_time_unit": "working_days", "deciding_unit_code": "BP_MOT_CUA",
    "process_id": "bench_linear10", "lane_roles": {"Tổ xử lý thử": "desk_officer"},
}
LINEAR_STEPS = {f"step_{i:02d}": ("desk", {"note": f"bước {i}"}) for i in range(1, 11)}
TRANSFER = "CHUYEN_TRUONG_THPT"
# The transfer's happy path, with the dossier's status after each step.
TRANSFER_STEPS = {
    "check_dossier": ("desk", {"check_result": "complete"}),
    "review": ("specialist", {"opinion": "approve", "note": "Đủ điều kiện"}),
    "sign": ("leader", {"decision": "approve"}),
    "call_applicant": ("desk", {"called": True}),
    "return_result": ("desk", {"return_method": "in_person", "receiver_name": "Nguyễn Văn Thử"}),
}
STATUS_AFTER = {"check_dossier": 4, "review": 4, "sign": 9, "call_applicant": 9, "return_result": 10}
IN_PROGRESS, PROCESSED = 4, 9

LINEAR_CLIENTS, DOSSIERS_PER_CLIENT, TRANSFER_DOSSIERS, LATE_REVIEWS = 3, 2, 2, 3
KILL_AFTER = 25  # acknowledged completions before the crash (of 70)
TIMERS_DUE_IN = 8.0  # seconds from setting them to when they fall due, in the outage


@dataclass(frozen=True)
class Attempt:
    code: str
    task_id: str
    bpmn_id: str
    username: str
    status: int | None = None  # the dossier's status in the answer
    next_task_ids: tuple[str, ...] = ()


@dataclass
class Ledger:
    acknowledged: list[Attempt] = field(default_factory=list)  # 200, with the task's id
    unanswered: list[Attempt] = field(default_factory=list)  # no answer: the connection broke or was refused
    # retried after no answer and told 409 task_not_ready: the unanswered attempt had happened
    done_before: list[Attempt] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # any other answer


class Client(threading.Thread):
    """Works its own dossiers to their end through the API, following `next_tasks` of each answer.
    A completion that got no answer is sent again once the server answers: 200 means the first
    attempt had not happened, 409 task_not_ready that it had."""

    def __init__(self, server: Server, tokens: dict, steps: dict, codes: list[str], ledger: Ledger,
                 deadline: float) -> None:
        super().__init__(daemon=True)
        self.server, self.tokens, self.steps, self.codes, self.ledger = server, tokens, steps, codes, ledger
        self.deadline, self.error = deadline, None

    def run(self) -> None:
        try:
            for code in self.codes:
                self.finish(code)
        except Exception:  # noqa: BLE001 - reported by the test
            self.error = traceback.format_exc()

    def finish(self, code: str) -> None:
        task, retrying = self.open_task(code), False
        while task is not None:
            assert time.monotonic() < self.deadline, f"{code} not finished in time"
            username, data = self.steps[task["bpmn_id"]]
            attempt = Attempt(code, task["id"], task["bpmn_id"], username)
            try:
                status, body = call(self.server.base, "POST", f"/api/v1/tasks/{task['id']}/complete",
                                    self.tokens[username], {"data": data})
            except CONNECTION_ERRORS:
                self.ledger.unanswered.append(attempt)
                self.wait_for_server()
                retrying = True
                continue
            if status == 200:
                following = [t for t in body["next_tasks"] if t["bpmn_id"] in self.steps]
                self.ledger.acknowledged.append(replace(attempt, status=body["dossier"]["status"],
                                                        next_task_ids=tuple(t["id"] for t in following)))
                task = following[0] if following else None
            elif retrying and status == 409 and body["code"] == "task_not_ready":
                self.ledger.done_before.append(attempt)
                task = self.open_task(code)
            else:
                self.ledger.refused.append(f"{code} {task['bpmn_id']}: {status} {body}")
                task = self.open_task(code)
            retrying = False

    def open_task(self, code: str) -> dict | None:
        """The dossier's open task among this client's steps, once the server answers."""
        while True:
            try:
                found = [t for name in {user for user, _ in self.steps.values()}
                         for t in open_tasks(self.server.base, self.tokens[name], code) if t["bpmn_id"] in self.steps]
                return found[0] if found else None
            except CONNECTION_ERRORS:
                self.wait_for_server()

    def wait_for_server(self) -> None:
        while not self.server.answers():
            assert time.monotonic() < self.deadline, "the server did not come back"
            time.sleep(0.1)


def test_a_crash_loses_no_acknowledged_completion_and_half_applies_nothing(server_env, sessions, tmp_path):
    seed_in_process(sessions)
    server = Server(server_env, tmp_path / "server.log")
    server.start()
    try:
        tokens = {name: login(server.base, name) for name in ("admin", "desk", "specialist", "leader")}
        set_up_procedures(server.base, tokens["admin"])
        later = utcnow() + timedelta(days=1)
        linear = [[receive(server.base, tokens["desk"], LINEAR, {}) for _ in range(DOSSIERS_PER_CLIENT)]
                  for _ in range(LINEAR_CLIENTS)]
        transfers = [receive(server.base, tokens["desk"], TRANSFER, review_times(later, later))
                     for _ in range(TRANSFER_DOSSIERS)]
        # Reviews whose reminder and deadline fall due while the server is down: checked, then left alone.
        due, due_monotonic = utcnow() + timedelta(seconds=TIMERS_DUE_IN), time.monotonic() + TIMERS_DUE_IN
        late = [receive(server.base, tokens["desk"], TRANSFER, review_times(due, due - timedelta(seconds=1)))
                for _ in range(LATE_REVIEWS)]
        for code in late:
            [check] = open_tasks(server.base, tokens["desk"], code)
            complete(server.base, tokens["desk"], check["id"], {"check_result": "complete"})

        ledger = Ledger()
        deadline = time.monotonic() + 60
        clients = [Client(server, tokens, LINEAR_STEPS, codes, ledger, deadline) for codes in linear]
        clients.append(Client(server, tokens, TRANSFER_STEPS, transfers, ledger, deadline))
        for client in clients:
            client.start()
        wait_for(lambda: len(ledger.acknowledged) >= KILL_AFTER, due_monotonic - 3 - time.monotonic(), 0.01)
        server.kill(signal.SIGKILL)
        killed_at, acknowledged_before = utcnow(), len(ledger.acknowledged)
        assert killed_at < due - timedelta(seconds=1), "the server should go down before the reviews fall due"
        with sessions() as session:  # nothing has fired yet; the late reviews' timers wait
            late_instances = [dossier(session, code).instance_id for code in late]
            assert count(session, AuditEvent, AuditEvent.action == "timer.fired") == 0
            assert count(session, WaitingTimer, WaitingTimer.instance_id.in_(late_instances),
                         WaitingTimer.bpmn_id.in_((OVERDUE, REMINDER))) == 2 * LATE_REVIEWS

        time.sleep(max(0.0, due_monotonic + 1 - time.monotonic()))  # the reviews fall due in the outage
        restarted_at = utcnow()
        server.start()
        for client in clients:
            client.join(timeout=max(0.0, deadline - time.monotonic()))
        assert not [c for c in clients if c.is_alive()], "clients still working at the deadline"
        assert [c.error for c in clients if c.error] == []
        assert wait_for(lambda: reminders(sessions, late) == LATE_REVIEWS, 20, 0.2), \
            "the timers due during the outage fire after the restart"
    finally:
        server.kill(signal.SIGTERM)

    assert 0 < acknowledged_before < len(ledger.acknowledged), "completions acknowledged before and after the crash"
    assert ledger.unanswered, "the crash should cut completions in flight"
    assert ledger.refused == []
    with sessions() as session:
        client_instances = [dossier(session, code).instance_id for codes in [*linear, transfers] for code in codes]
        check_ledger(session, ledger, client_instances)
        for code in [c for codes in linear for c in codes]:
            # the linear model sets no status: its dossiers end processed (a dossier always resolves)
            finished(session, code, steps=10, status=PROCESSED)
            changed = events(session, dossier(session, code).instance_id, "dossier.status_changed")
            assert [(e.data["from"], e.data["to"], e.data["reason"]) for e in changed] == [(2, 9, "process_ended")]
        for code in transfers:
            finished(session, code, steps=len(TRANSFER_STEPS), status=10)
            assert [e.data["to"] for e in events(session, dossier(session, code).instance_id,
                                                 "dossier.status_changed")] == [4, 9, 10], code
        for code in late:
            instance_id = dossier(session, code).instance_id
            fired = events(session, instance_id, "timer.fired")
            assert sorted(e.data["bpmn_id"] for e in fired) == [OVERDUE, REMINDER], code
            assert all(e.occurred_at >= restarted_at for e in fired), code
            assert [t.state for t in tasks_named(session, instance_id, "review")] == ["cancelled"], code
            assert [t.state for t in tasks_named(session, instance_id, "remind_review")] == ["ready"], code
            assert dossier(session, code).status == IN_PROGRESS
            assert_rows_match_workflow(session, instance_id)
        assert not verify_chain(session).tampered, "the audit trail's hash chain survives the crash"


def set_up_procedures(base: str, admin: str) -> None:
    """The 10-step linear model of the benchmark as a procedure of the desk; the seed models with
    reviews timed by the dossier's data."""
    deploy_model(base, admin, "linear10.bpmn", (ROOT / "bench" / "models" / "linear10.bpmn").read_bytes())
    status, body = call(base, "POST", "/api/v1/procedures", admin, LINEAR_PROCEDURE)
    assert status == 201, body
    time_reviews_by_dossier_data(base, admin)


def reminders(sessions, codes: list[str]) -> int:
    with sessions() as session:
        return sum(len(tasks_named(session, dossier(session, code).instance_id, "remind_review")) for code in codes)


def check_ledger(session, ledger: Ledger, instance_ids: list[int]) -> None:
    """Every acknowledged completion is stored once, with the tasks its answer named; an unanswered
    one happened wholly (the retry was told so) or not at all (the retry did it); no other task of
    the clients' dossiers was completed."""
    acknowledged = {a.task_id: a for a in ledger.acknowledged}
    assert len(acknowledged) == len(ledger.acknowledged), "a task acknowledged twice"
    for attempt in ledger.acknowledged:
        row = session.get(HumanTask, attempt.task_id)
        assert (row.state, row.completed_by) == ("completed", attempt.username), attempt
        assert len(events_about(session, attempt.task_id)) == 1, attempt
        for next_id in attempt.next_task_ids:
            assert session.get(HumanTask, next_id).instance_id == row.instance_id, attempt
        if attempt.bpmn_id in STATUS_AFTER:
            assert attempt.status == STATUS_AFTER[attempt.bpmn_id], attempt
    done_before = {a.task_id for a in ledger.done_before}
    assert not done_before & set(acknowledged)
    for attempt in ledger.done_before:
        row = session.get(HumanTask, attempt.task_id)
        assert (row.state, row.completed_by) == ("completed", attempt.username), attempt
        assert len(events_about(session, attempt.task_id)) == 1, attempt
    assert {a.task_id for a in ledger.unanswered} <= set(acknowledged) | done_before
    completed = set(session.scalars(select(HumanTask.id).where(
        HumanTask.instance_id.in_(instance_ids), HumanTask.state == "completed")))
    assert completed == set(acknowledged) | done_before, "every completed task is one a client asked for"


def events_about(session, task_id: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(
        AuditEvent.action == "task.completed", AuditEvent.subject == task_id)))


def finished(session, code: str, *, steps: int, status: int) -> None:
    row = dossier(session, code)
    assert row.status == status, code
    assert session.get(ProcessInstance, row.instance_id).status == "completed", code
    assert len(events(session, row.instance_id, "task.completed")) == steps, code
    assert_rows_match_workflow(session, row.instance_id)
