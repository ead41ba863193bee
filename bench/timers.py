"""Part `timers`: a server's memory and start-up time with many waiting timers, and how late timers
fire when thousands fall due in the same minute.

The timers are made fast by direct inserts rather than by starting that many instances through
the engine: one instance of bench/models/timer_wait.bpmn (start → timer catch event at `wake_at`
→ end) is started through the engine with a placeholder date, and its state (envelope and task
rows, engine/state_store.py) is copied into new `process_instance` and `instance_task` rows, each
copy with its own timer task id and due instant written into the JSON, each with its
`waiting_timer` row. Every copy is a valid instance the scheduler fires exactly as
one the engine made (load the state, fire the timer, run to the end, save, audit `timer.fired`).

Steps, on a fresh database:
1. start `motcua serve` on the empty database: start-up time (process start to the first answer of
   /healthz) and resident memory of the master and of the worker a few seconds later (3; 1 if quick);
2. insert N waiting timers due in 30 days or later; start again: the same figures;
3. insert M more, due evenly over a window of W seconds (60: "in the same minute") that begins
   just after the server will be up; start again and let the scheduler fire them. The benchmark
   polls the audit trail every 0.1 s. Lateness "recorded" is the `timer.fired` event's time minus
   the timer's due time (the moment that instance fired, in its batch's transaction); lateness
   "visible" is when the event was first seen committed minus the due time.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import func, select

from bench.common import MODELS, Progress, mib, ms, percentile, rss_bytes
from bench.server import prepare_database, running_server, server_env
from engine import instances
from engine.db import make_engine, make_session_factory
from engine.models import AuditEvent, InstanceTask, ProcessInstance, WaitingTimer
from workflows.process_models import deploy_model

PLACEHOLDER = "2099-01-01T00:00:00+00:00"
BATCH = 5000
OUT_OF_ORDER_IDS = 1000


@dataclass(frozen=True)
class Template:
    """The state of one waiting instance (its envelope and task rows), and what must differ in each copy."""

    version_id: int
    state: str
    tasks: tuple[tuple[str, str | None, int, str], ...]  # (id, subprocess, position, state) of its task rows
    task_id: str
    bpmn_id: str
    name: str | None


def make_template(database_url: str) -> Template:
    sessions = make_session_factory(make_engine(database_url))
    model = MODELS / "timer_wait.bpmn"
    with sessions() as session, session.begin():
        deploy_model(session, model.read_bytes(), model.name, actor="bench")
        result = instances.start_instance(session, "bench_timer", actor="bench", data={"wake_at": PLACEHOLDER})
        timer = session.scalars(select(WaitingTimer).where(WaitingTimer.instance_id == result.instance.id)).one()
        rows = session.execute(select(InstanceTask.id, InstanceTask.subprocess, InstanceTask.position,
                                      InstanceTask.state).where(InstanceTask.instance_id == result.instance.id)).all()
        template = Template(result.instance.process_version_id, result.instance.state, tuple(map(tuple, rows)),
                            timer.task_id, timer.bpmn_id, timer.name)
    stored = template.state + "".join(row[3] for row in template.tasks)
    if PLACEHOLDER not in stored or template.task_id not in stored:
        raise RuntimeError("the template state does not hold the timer's date and task id as expected")
    return template


def insert_timers(database_url: str, template: Template, count: int, due_of: Callable[[int], datetime],
                  label: str) -> float:
    """Insert `count` waiting instances copied from `template`, the i-th due at `due_of(i)`; rows per second."""
    engine = make_engine(database_url)
    instance_table, timer_table, task_table = ProcessInstance.__table__, WaitingTimer.__table__, InstanceTask.__table__
    with engine.connect() as connection:
        first_id = (connection.scalar(select(func.max(instance_table.c.id))) or 0) + 1
    now = datetime.now(timezone.utc)
    progress = Progress(label, count)
    started = time.perf_counter()
    for batch_start in range(0, count, BATCH):
        instance_rows, timer_rows, task_rows = [], [], []
        for i in range(batch_start, min(count, batch_start + BATCH)):
            instance_id = first_id + i
            task_id = f"00000000-0000-4000-8000-{instance_id:012x}"
            due = due_of(i)

            def copy(text: str) -> str:
                return text.replace(template.task_id, task_id).replace(PLACEHOLDER, due.isoformat())  # noqa: B023

            instance_rows.append({"id": instance_id, "process_version_id": template.version_id, "business_key": None,
                                  "status": "running", "state": copy(template.state), "lane_roles": {},
                                  "revision": 1, "started_at": now, "started_by": "bench", "updated_at": now})
            task_rows += [{"instance_id": instance_id, "id": copy(row_id), "subprocess": subprocess,
                           "position": position, "state": copy(state)}
                          for row_id, subprocess, position, state in template.tasks]
            timer_rows.append({"instance_id": instance_id, "task_id": task_id, "bpmn_id": template.bpmn_id,
                               "name": template.name, "due_at": due})
        with engine.begin() as connection:
            connection.execute(instance_table.insert(), instance_rows)
            connection.execute(task_table.insert(), task_rows)
            connection.execute(timer_table.insert(), timer_rows)
        progress.update(batch_start + len(instance_rows))
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(sa.text("SELECT setval(pg_get_serial_sequence('process_instance', 'id'), "
                                       "(SELECT max(id) FROM process_instance))"))
    rate = count / (time.perf_counter() - started)
    engine.dispose()
    return rate


def _start_and_measure(env: dict, folder: Path, workers: int, label: str, settle: float) -> dict:
    """Start the server, wait `settle` seconds, note start-up time and memory; stop it."""
    with running_server(env, workers=workers, log_path=folder / f"server-{label}.log") as server:
        time.sleep(settle)
        pids = server.pids()
        worker_rss = [rss_bytes(pid) for pid in pids if pid != server.pid]
        return {"startup_s": round(server.startup_seconds, 2), "master_rss_mib": mib(rss_bytes(server.pid)),
                "worker_rss_mib": mib(max(worker_rss, default=0))}


def _lateness(env: dict, folder: Path, workers: int, database_url: str, count: int, window: float, lead: float,
              max_wait: float) -> dict:
    """Start the server and let it fire the `count` timers due from now + `lead` over `window` seconds."""
    reader = sa.create_engine(database_url)  # plain reads: on SQLite no BEGIN IMMEDIATE, never in the server's way
    events = AuditEvent.__table__
    with reader.connect() as connection:
        floor = connection.scalar(select(func.max(events.c.id))) or 0
    seen: dict[int, float] = {}
    fired: list[dict] = []
    peak_rss = 0

    def poll() -> None:
        # On PostgreSQL ids are taken at insert and concurrent firings commit out of order: look again
        # a little below the highest id seen, and keep what is new.
        nonlocal floor
        with reader.connect() as connection:
            rows = connection.execute(select(events.c.id, events.c.occurred_at, events.c.data)
                                      .where(events.c.id > floor, events.c.action == "timer.fired")).all()
        now = time.time()
        for row in rows:
            if row.id not in seen:
                seen[row.id] = now
                fired.append({"id": row.id, "occurred_at": row.occurred_at, "due_at": row.data["due_at"]})
        if seen:
            floor = max(floor, max(seen) - OUT_OF_ORDER_IDS)

    with running_server(env, workers=workers, log_path=folder / "server-lateness.log") as server:
        ready_at = datetime.now(timezone.utc)
        deadline = time.monotonic() + lead + window + max_wait
        while len(fired) < count and time.monotonic() < deadline:
            poll()
            peak_rss = max([peak_rss, *(rss_bytes(pid) for pid in server.pids() if pid != server.pid)])
            time.sleep(0.1)
    reader.dispose()
    recorded, visible = [], []
    for event in fired:
        due = datetime.fromisoformat(event["due_at"])
        recorded.append((event["occurred_at"] - due).total_seconds())
        visible.append(seen[event["id"]] - due.timestamp())
    first_due = min((datetime.fromisoformat(e["due_at"]) for e in fired), default=None)
    last_seen = max(seen.values(), default=None)
    return {
        "fired": len(fired), "not_fired": count - len(fired),
        "fired_per_s": round(len(fired) / (last_seen - first_due.timestamp()), 1) if fired else 0.0,
        "server_ready_before_first_due_s": round((first_due - ready_at).total_seconds(), 2) if first_due else None,
        "recorded_p50_ms": ms(percentile(recorded, 0.50)), "recorded_p99_ms": ms(percentile(recorded, 0.99)),
        "recorded_max_ms": ms(max(recorded, default=0.0)),
        "visible_p50_ms": ms(percentile(visible, 0.50)), "visible_p99_ms": ms(percentile(visible, 0.99)),
        "visible_max_ms": ms(max(visible, default=0.0)),
        "visible_mean_ms": ms(statistics.fmean(visible)) if visible else 0.0,
        "worker_peak_rss_mib": mib(peak_rss),
    }


def run(kind: str, database_url: str, *, waiting: int, due: int, window: float, workers: int,
        max_wait: float, settle: float = 3.0) -> list[dict]:
    """The `timers` rows for one (empty) database."""
    with tempfile.TemporaryDirectory(prefix="motcua-bench-timers-") as name:
        folder = Path(name)
        env = server_env(database_url, folder)
        prepare_database(database_url, seed=False)
        template = make_template(database_url)
        common = {"part": "timers", "database": kind, "workers": workers}

        empty = _start_and_measure(env, folder, workers, "empty", settle)
        rows = [{**common, "scenario": "no waiting timers", "timers": 0, **empty}]
        print(f"  [{kind}] empty database: start-up {empty['startup_s']} s, worker {empty['worker_rss_mib']} MiB",
              flush=True)

        far = datetime.now(timezone.utc) + timedelta(days=30)
        rate = insert_timers(database_url, template, waiting, lambda i: far + timedelta(seconds=i),
                             f"[{kind}] waiting timers")
        full = _start_and_measure(env, folder, workers, "waiting", settle)
        rows.append({**common, "scenario": "waiting timers", "timers": waiting, **full,
                     "inserted_per_s": round(rate)})
        print(f"  [{kind}] {waiting:,} waiting: start-up {full['startup_s']} s, worker {full['worker_rss_mib']} MiB",
              flush=True)

        # The window opens once the rows are in and the server is up: allow for both, and a margin.
        lead = 2.0 + due / rate * 1.5 + full["startup_s"] * 1.5
        opens = datetime.now(timezone.utc) + timedelta(seconds=lead)
        insert_timers(database_url, template, due, lambda i: opens + timedelta(seconds=window * i / due),
                      f"[{kind}] timers due within {window:g} s")
        lead = max(0.0, (opens - datetime.now(timezone.utc)).total_seconds())
        late = _lateness(env, folder, workers, database_url, due, window, lead, max_wait)
        rows.append({**common, "scenario": f"due within {window:g} s", "timers": due, "window_s": window, **late})
        print(f"  [{kind}] {due:,} due in {window:g} s: {late['fired']:,} fired, visible lateness p50 "
              f"{late['visible_p50_ms']} ms, p99 {late['visible_p99_ms']} ms, max {late['visible_max_ms']} ms",
              flush=True)
        return rows
