"""The reference: raw SpiffWorkflow 3.2 in-process, one table of serialized workflows, nothing else.

Each completion is what a minimal service built directly on the library would do, in one
transaction: read the row, `BpmnWorkflowSerializer.deserialize_json`, find the ready user task,
set its data, `run()`, `do_engine_steps()`, `serialize_json`, write the row, commit. The JSON is the
serializer's own (the process spec included, as the library stores it). The database connection
is made like the application's (`engine.db.make_engine`: on SQLite WAL, synchronous=NORMAL and
BEGIN IMMEDIATE), so both write to the same kind of store with the same durability.

SpiffWorkflow's task iterators stop at depth 1000 of the task tree, which a loop reaches after
about 500 passes: `do_engine_steps()` then silently runs nothing more. The loop therefore also
runs, from the flat task dictionary, any ready engine task left (a no-op before that depth), so the
library can be measured past it.
"""

from __future__ import annotations

import time
from pathlib import Path

import sqlalchemy as sa
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from bench.common import MODELS, Progress, ms, percentile
from engine.db import make_engine

SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
METADATA = sa.MetaData()
WORKFLOWS = sa.Table(
    "bench_raw_workflow", METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("state", sa.Text, nullable=False),
)


def load_spec(path: Path, process_id: str) -> tuple:
    """The parsed process and its subprocess specs, as the library's own parser gives them."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(path))
    return parser.get_spec(process_id), parser.get_subprocess_specs(process_id)


def start(engine: sa.Engine, spec: tuple) -> int:
    """A new workflow run to its first user task and stored; its row id."""
    workflow = BpmnWorkflow(*spec)
    workflow.do_engine_steps()
    with engine.begin() as connection:
        inserted = connection.execute(WORKFLOWS.insert().values(state=SERIALIZER.serialize_json(workflow)))
        return inserted.inserted_primary_key[0]


def complete_next(engine: sa.Engine, workflow_id: int, data: dict) -> tuple[bool, int]:
    """Deserialize → complete the ready user task with `data` → serialize → commit.

    Returns whether a user task was ready, and the size of the stored JSON.
    """
    with engine.begin() as connection:
        state = connection.execute(sa.select(WORKFLOWS.c.state).where(WORKFLOWS.c.id == workflow_id)).scalar_one()
        workflow = SERIALIZER.deserialize_json(state)
        task = next((t for t in workflow.tasks.values() if t.state == TaskState.READY and t.task_spec.manual), None)
        if task is None:
            return False, len(state)
        task.data.update(data)
        task.run()
        workflow.do_engine_steps()
        _run_ready_engine_tasks(workflow)
        state = SERIALIZER.serialize_json(workflow)
        connection.execute(sa.update(WORKFLOWS).where(WORKFLOWS.c.id == workflow_id).values(state=state))
    return True, len(state)


def _run_ready_engine_tasks(workflow: BpmnWorkflow) -> None:
    """What `do_engine_steps()` leaves beyond its iterators' depth limit (nothing, in a shallow tree)."""
    while True:
        ready = [t for t in workflow.tasks.values() if t.state == TaskState.READY and not t.task_spec.manual]
        if not ready:
            return
        for task in ready:
            task.run()


def linear(kind: str, database_url: str, *, completions: int) -> list[dict]:
    """The raw loop on the 10-user-task model: `completions` completions, one after another."""
    engine = make_engine(database_url)
    METADATA.create_all(engine)
    spec = load_spec(MODELS / "linear10.bpmn", "bench_linear10")
    count = max(1, -(-completions // 10))
    warm_up = start(engine, spec)  # one workflow end to end first: what the first run imports and compiles
    while complete_next(engine, warm_up, {"note": "bước"})[0]:
        pass
    ids = [start(engine, spec) for _ in range(count)]
    latencies = []
    progress = Progress(f"raw SpiffWorkflow on {kind}", len(ids) * 10, every=5)
    started, cpu_started = time.perf_counter(), time.process_time()
    for workflow_id in ids:
        while True:
            t0 = time.perf_counter()
            completed, _ = complete_next(engine, workflow_id, {"note": "bước"})
            if not completed:
                break
            latencies.append(time.perf_counter() - t0)
            progress.update(len(latencies))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    engine.dispose()
    return [{
        "part": "raw", "database": kind, "procedure": "BENCH_LINEAR10 (raw SpiffWorkflow)", "clients": 1,
        "completions": len(latencies), "seconds": round(wall, 2),
        "completions_per_s": round(len(latencies) / wall, 1),
        "p50_ms": ms(percentile(latencies, 0.50)), "p99_ms": ms(percentile(latencies, 0.99)),
        "max_ms": ms(max(latencies, default=0.0)),
        # this process's CPU time per completion (on SQLite the database's work is in it; PostgreSQL's is not,
        # as it is not in the server's CPU time of the api and steps parts)
        "cpu_ms": round(1000 * cpu / max(len(latencies), 1), 2),
    }]


def loop_steps(database_url: str, steps: int) -> list[tuple[float, int]]:
    """One workflow of the looping model taken through `steps` passes: (seconds, state bytes) per step."""
    engine = make_engine(database_url)
    METADATA.create_all(engine)
    workflow_id = start(engine, load_spec(MODELS / "loop_step.bpmn", "bench_loop"))
    measured = []
    progress = Progress("raw SpiffWorkflow loop", steps, every=10)
    for _ in range(steps):
        t0 = time.perf_counter()
        completed, size = complete_next(engine, workflow_id, {"again": True})
        if not completed:
            raise RuntimeError(f"the raw loop found no ready task at step {len(measured) + 1}")
        measured.append((time.perf_counter() - t0, size))
        progress.update(len(measured))
    engine.dispose()
    return measured
