"""Two real `motcua serve` processes on one PostgreSQL database, each with its scheduler inside (one
of them with two gunicorn workers, so three schedulers race). The demo users work eight dossiers at
once through the HTTP API, each received on one server and every step done on the other server than
the step before; review timers fall due while both run. Then the database shows each timer fired
once and each dossier ended where its path leads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import pytest

from engine.clock import utcnow
from engine.models import AuditEvent, HumanTask, ProcessInstance, WaitingTimer
from tests.e2e.processes import (
    OVERDUE,
    REMINDER,
    REVIEWER,
    assert_rows_match_workflow,
    complete,
    count,
    dossier,
    events,
    on_new_port,
    open_tasks,
    prepare_database,
    receive,
    review_times,
    serving,
    tasks_named,
    time_reviews_by_dossier_data,
)
from tests.e2e.test_server import login
from tests.servers import wait_for

TRANSFER, COPY = "CHUYEN_TRUONG_THPT", "CAP_BAN_SAO_VAN_BANG"
RETURNED, REFUSED = 10, 3


@dataclass(frozen=True)
class Plan:
    procedure: str
    late: bool  # the review stays open until its timer fires; the leader then urges it on
    outcome: str  # "returned", "refused" (by the leader) or "not_received" (refused at the desk)


PLANS = [
    Plan(TRANSFER, True, "returned"), Plan(COPY, True, "returned"), Plan(TRANSFER, True, "refused"),
    Plan(COPY, True, "returned"), Plan(TRANSFER, False, "returned"), Plan(COPY, False, "refused"),
    Plan(TRANSFER, False, "not_received"), Plan(COPY, False, "returned"),
]
FINAL_STATUS = {"returned": RETURNED, "refused": REFUSED, "not_received": REFUSED}


def step(plan: Plan, bpmn_id: str, later: dict) -> tuple[str, dict]:
    """Who completes the task `bpmn_id` of a dossier following `plan`, with what data."""
    approve = plan.outcome == "returned"
    steps = {
        "check_dossier": ("desk", {"check_result": "refuse", "reason": "Không thuộc thẩm quyền"}
                          if plan.outcome == "not_received" else {"check_result": "complete"}),
        "review": (REVIEWER[plan.procedure], {"opinion": "approve", "note": "Đã thẩm định"} if approve
                   else {"opinion": "refuse", "note": "Đã thẩm định", "reason": "Không đủ điều kiện"}),
        # The leader urges the review on and gives it new times (the task's data is the model's).
        "remind_review": ("leader", {"instruction": "Đề nghị xử lý ngay", **later}),
        "sign": ("leader", {"decision": "approve"} if approve
                 else {"decision": "refuse", "reason": "Không đủ điều kiện"}),
        "call_applicant": ("desk", {"called": True}),
        "return_result": ("desk", {"return_method": "in_person", "receiver_name": "Nguyễn Văn Thử"}),
        "notify_refusal": ("desk", {"note": "Đã trả văn bản"}),
    }
    return steps[bpmn_id]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_servers_on_one_postgresql_share_the_dossiers_and_fire_each_timer_once(server_env, sessions, tmp_path):
    prepare_database(server_env)
    env_a = {**server_env, "MOTCUA_WORKERS": "2"}
    env_b = on_new_port(server_env)
    with serving(env_a, env_b, logs=tmp_path) as (a, b):
        servers = [a.base, b.base]
        # Tokens from one server work on the other: nothing is kept in a process.
        tokens = {name: login(a.base, name) for name in ("admin", "desk", "specialist", "khaothi", "leader")}
        time_reviews_by_dossier_data(b.base, tokens["admin"])
        # The late reviews' reminders, then their deadlines, fall due together while both serve.
        due = utcnow() + timedelta(seconds=6)
        late_times = review_times(due, due - timedelta(seconds=2))
        later = review_times(due + timedelta(days=1), due + timedelta(days=1))

        def work(code: str, plan: Plan, task: dict, turn: int) -> None:
            """Follow the dossier from `task`, each step on the other server than the one before."""
            while task is not None:
                username, data = step(plan, task["bpmn_id"], later)
                done = complete(servers[turn % 2], tokens[username], task["id"], data)
                turn += 1
                if task["bpmn_id"] == "check_dossier" and plan.late and plan.outcome != "not_received":
                    return  # the review waits for its timer
                task = next(iter(done["next_tasks"]), None)

        def start(i: int, plan: Plan) -> str:
            """Receive the dossier on one server, work it from the other."""
            code = receive(servers[i % 2], tokens["desk"], plan.procedure, late_times if plan.late else later)
            [first] = open_tasks(servers[(i + 1) % 2], tokens["desk"], code)
            work(code, plan, first, i + 1)
            return code

        with ThreadPoolExecutor(max_workers=len(PLANS)) as pool:  # all dossiers at once, on both servers
            codes = list(pool.map(start, range(len(PLANS)), PLANS))
        late = [(code, plan) for code, plan in zip(codes, PLANS, strict=True) if plan.late]

        def leader_reminders() -> list[dict]:
            found = [t for code, _ in late for t in open_tasks(servers[1], tokens["leader"], code)]
            return found if len(found) == len(late) else []

        reminders = wait_for(leader_reminders, 30, interval=0.3)
        assert reminders, "every late review's timer should give the leader a reminder"
        assert {t["bpmn_id"] for t in reminders} == {"remind_review"}
        reminder_of = {t["dossier_code"]: t for t in reminders}

        def deadlines_passed() -> bool:
            """Both timers of every late review fired: the leader's reminder gives the review new times,
            so answering it before the review's deadline fires would move that deadline a day on."""
            with sessions() as session:
                return count(session, AuditEvent, AuditEvent.action == "timer.fired") >= 2 * len(late)

        assert wait_for(deadlines_passed, 30, interval=0.3), "every late review's deadline should fire"
        with ThreadPoolExecutor(max_workers=len(late)) as pool:
            list(pool.map(lambda i, code, plan: work(code, plan, reminder_of[code], i),
                          range(len(late)), *zip(*late, strict=True)))

    with sessions() as session:
        assert count(session, AuditEvent, AuditEvent.action == "timer.fired") == 2 * len(late), \
            "each late review's two timers fire once, and no other timer fires"
        for code, plan in zip(codes, PLANS, strict=True):
            row = dossier(session, code)
            assert row.status == FINAL_STATUS[plan.outcome], (code, plan)
            assert session.get(ProcessInstance, row.instance_id).status == "completed", code
            timer_events = events(session, row.instance_id, "timer.fired")
            assert sorted(e.data["bpmn_id"] for e in timer_events) == ([OVERDUE, REMINDER] if plan.late else []), code
            assert [(t.state, t.completed_by) for t in tasks_named(session, row.instance_id, "remind_review")] \
                == ([("completed", "leader")] if plan.late else []), code
            if plan.late:  # the first review was taken back by the timer, the second one done
                assert [t.state for t in tasks_named(session, row.instance_id, "review")] == ["cancelled", "completed"]
            assert_rows_match_workflow(session, row.instance_id)
        assert count(session, WaitingTimer) == 0
        assert count(session, HumanTask, HumanTask.state.in_(("ready", "claimed"))) == 0
