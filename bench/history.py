"""Part `history`: the cost of one completion as an instance's history grows.

One instance of bench/models/loop_step.bpmn (a user task in a loop) is taken round the loop
again and again, one completion per transaction, through the engine's service functions
in-process (`engine.instances.start_instance` / `complete_task`: load the state, run, save the
state, the task rows, the timers and the audit events); then the same with raw SpiffWorkflow
(bench/raw_spiff.py). The engine stores a step's changed tasks only and keeps the workflows it
saved last in memory (engine/state_store.py); "uncached" is the same with that cache emptied
before every step, i.e. restoring the whole state from the database each time (a step that lands
on another process). At step 10, 100, 1000 the figure is the median of the five steps ending
there, with the size of the stored state at that step and the ratio to step 10.
"""

from __future__ import annotations

import statistics
import time

from sqlalchemy import func, select

import migrations
from bench import raw_spiff
from bench.common import MODELS, Progress
from engine import instances, state_store
from engine.db import make_engine, make_session_factory
from engine.models import InstanceTask, ProcessInstance
from workflows.process_models import deploy_model

WINDOW = 5


def engine_loop_steps(database_url: str, steps: int, *, cached: bool = True) -> list[tuple[float, int]]:
    """The engine's loop: (seconds, stored state bytes) for each of `steps` completions."""
    migrations.upgrade(database_url)
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    model = MODELS / "loop_step.bpmn"
    with sessions() as session, session.begin():
        deploy_model(session, model.read_bytes(), model.name, actor="bench")
        started = instances.start_instance(session, "bench_loop", actor="bench",
                                           lane_roles={"Tổ xử lý thử": "desk_officer"})
        task_id = started.ready_tasks[0].id
    measured = []
    progress = Progress("engine loop", steps, every=10)
    for _ in range(steps):
        if not cached:
            state_store.forget_cached()
        t0 = time.perf_counter()
        with sessions() as session, session.begin():
            result = instances.complete_task(session, task_id, actor="bench", data={"again": True})
            task_id = result.ready_tasks[0].id
        elapsed = time.perf_counter() - t0
        measured.append((elapsed, stored_bytes(sessions, result.instance.id)))
        progress.update(len(measured))
    engine.dispose()
    return measured


def stored_bytes(sessions, instance_id: int) -> int:
    """The size of the instance's stored state: its envelope and its task rows (engine/state_store.py)."""
    with sessions() as session:
        envelope = session.scalar(select(func.length(ProcessInstance.state)).where(ProcessInstance.id == instance_id))
        tasks = session.scalar(select(func.sum(func.length(InstanceTask.state)))
                               .where(InstanceTask.instance_id == instance_id))
    return (envelope or 0) + (tasks or 0)


def rows_at(measured: list[tuple[float, int]], checkpoints: list[int], *, database: str,
            implementation: str) -> list[dict]:
    """The figures at each checkpoint step (1-based): median of the last WINDOW steps up to it."""
    rows, base = [], None
    for step in checkpoints:
        window = measured[max(0, step - WINDOW):step]
        if not window:
            continue
        seconds = statistics.median(s for s, _ in window)
        base = base or seconds
        rows.append({"part": "history", "database": database, "implementation": implementation, "step": step,
                     "ms_per_completion": round(seconds * 1000, 2), "vs_step_10": round(seconds / base, 2),
                     "state_kib": round(window[-1][1] / 1024, 1)})
    return rows


def run(kind: str, database_url: str, checkpoints: list[int]) -> list[dict]:
    """Both loops on one (empty) database, up to the last checkpoint."""
    steps = max(checkpoints)
    rows = []
    for cached, implementation in ((True, "MotCua engine"), (False, "MotCua engine, uncached")):
        print(f"  [{kind}] {implementation}: {steps} steps of one instance", flush=True)
        rows += rows_at(engine_loop_steps(database_url, steps, cached=cached), checkpoints, database=kind,
                        implementation=implementation)
    print(f"  [{kind}] raw SpiffWorkflow: {steps} steps of one workflow", flush=True)
    rows += rows_at(raw_spiff.loop_steps(database_url, steps), checkpoints, database=kind,
                    implementation="raw SpiffWorkflow")
    return rows
