"""An instance's workflow state in the database, written task by task.

`process_instance.state` holds the envelope (the workflow's JSON without its tasks, see
engine/serialization.py) and `instance_task` one row per task. Saving a step writes the envelope
and only the tasks that changed since the workflow was loaded: the new ones, the ready, waiting and
started ones (their data may change in place), finished or predicted ones whose state, children
or internal data changed, and the children of all of these (a task's data is stored as a change
from its parent's). The cost of
a step no longer grows with the instance's history. Everything is written in the caller's
transaction, with the rest of the step: a step is stored whole or not at all.

Loading reads the envelope and the rows in their order and restores the very JSON a whole
serialization gives. An envelope still holding its tasks (written before this store, or copied
by hand) loads as it is; its first save moves the tasks into rows.

A process keeps the workflows it saved last (`CACHE_SIZE`), so that the next step of an instance
need not restore it. A cached workflow is used only if the instance's envelope in the database is
the one it was saved with: each save writes a new random checkpoint into it, so a workflow whose
transaction rolled back, or an instance another process moved on, never matches. A workflow is
cached after its transaction commits, and taken out of the cache by the step that uses it.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, delete, event, insert, select, update
from sqlalchemy.orm import Session, object_session

from engine import calls
from engine.db import forget_at_transaction_end
from engine.models import InstanceTask, ProcessInstance
from engine.serialization import assemble, envelope_of, envelope_to_json, state_from_dict, task_to_json

ROWS_KEY = "motcua_task_rows"  # in the envelope: {"next_position": n, "checkpoint": hex}
CACHE_SIZE = 64

_TASKS = InstanceTask.__table__
_READ_TASKS = (select(_TASKS.c.id, _TASKS.c.subprocess, _TASKS.c.state)
               .where(_TASKS.c.instance_id == bindparam("instance_id")).order_by(_TASKS.c.position))
_READ_TASKS_OF = (select(_TASKS.c.instance_id, _TASKS.c.id, _TASKS.c.subprocess, _TASKS.c.state)
                  .where(_TASKS.c.instance_id.in_(bindparam("instance_ids", expanding=True)))
                  .order_by(_TASKS.c.instance_id, _TASKS.c.position))
_READ_ROWS = (select(_TASKS.c.id, _TASKS.c.subprocess, _TASKS.c.position, _TASKS.c.state)
              .where(_TASKS.c.instance_id == bindparam("instance_id")).order_by(_TASKS.c.position))
_UPDATE_TASK = (update(_TASKS)
                .where(_TASKS.c.instance_id == bindparam("b_instance_id"), _TASKS.c.id == bindparam("b_id"))
                .values(state=bindparam("b_state")))
_DELETE_TASKS = delete(_TASKS).where(_TASKS.c.instance_id == bindparam("instance_id"),
                                     _TASKS.c.id.in_(bindparam("task_ids", expanding=True)))
_PENDING = "motcua_workflows_to_cache"
_PREFETCHED = "motcua_prefetched_task_rows"


@dataclass
class _Stored:
    """What the rows hold of a workflow, as it was loaded or last saved."""

    positions: dict = field(default_factory=dict)  # task id (UUID) -> position
    marks: dict = field(default_factory=dict)  # task id -> _mark(task) of a finished task
    next_position: int = 0
    checkpoint: str | None = None


def load(instance: ProcessInstance, script_engine) -> BpmnWorkflow:
    """The instance's workflow, from the cache if it holds the stored one, else from the database."""
    envelope = json.loads(instance.state)
    rows_info = envelope.pop(ROWS_KEY, None)
    checkpoint = rows_info["checkpoint"] if rows_info else None
    specs = calls.instance_specs(instance)
    cached = _take_cached(instance.id, checkpoint)
    if cached is not None:
        return calls.supply(cached, specs)
    if rows_info is None:  # the tasks are in the envelope
        workflow = state_from_dict(envelope, specs.spec, specs.subprocess_specs, script_engine)
        workflow.motcua_stored = _Stored()
        return calls.supply(workflow, specs)
    session = object_session(instance)
    if session is None:
        raise RuntimeError(f"process instance {instance.id} is not in a session: its tasks cannot be read")
    rows = session.info.get(_PREFETCHED, {}).pop(instance.id, None)
    if rows is None:  # task rows are written with Core statements only: nothing of theirs is left to flush
        rows = session.connection().execute(_READ_TASKS, {"instance_id": instance.id}).all()
    workflow = state_from_dict(assemble(envelope, rows), specs.spec, specs.subprocess_specs, script_engine)
    stored = _Stored(next_position=rows_info["next_position"], checkpoint=checkpoint)
    for position, task in enumerate(_tasks(workflow)):
        stored.positions[task.id] = position  # only their order matters
        if not _always_written(task):
            stored.marks[task.id] = _mark(task)
    workflow.motcua_stored = stored
    return calls.supply(workflow, specs)


def prefetch(session: Session, instances: list[ProcessInstance]) -> None:
    """Read the task rows of those of `instances` that the cache cannot give, in one statement,
    for their `load` in this session (e.g. a batch of instances whose timers fire)."""
    wanted = [instance.id for instance in instances if not _cached_is_stored(instance)]
    if len(wanted) < 2:
        return
    prefetched = session.info.setdefault(_PREFETCHED, {})
    for instance_id in wanted:
        prefetched[instance_id] = []
    for row in session.connection().execute(_READ_TASKS_OF, {"instance_ids": wanted}):
        prefetched[row.instance_id].append((row.id, row.subprocess, row.state))


def _cached_is_stored(instance: ProcessInstance) -> bool:
    marker = json.loads(instance.state).get(ROWS_KEY)
    with _cache_lock:
        entry = _cache.get(instance.id)
    return marker is None or (entry is not None and entry[0] == marker["checkpoint"])


@dataclass(frozen=True)
class Checkpoint:
    """A step's writes, computed: the new envelope's JSON and the task rows to insert, update, delete."""

    instance_id: int
    state: str
    new_rows: list
    updated_rows: list
    gone: list
    workflow: BpmnWorkflow
    checkpoint: str


def prepare(instance: ProcessInstance, workflow: BpmnWorkflow) -> Checkpoint:
    """What to write for the tasks that changed since `workflow` was loaded (all, the first time).
    The caller writes `state` into `instance.state`, then calls `write`."""
    stored: _Stored = getattr(workflow, "motcua_stored", None) or _Stored()
    tasks = list(_tasks_with_holder(workflow))
    marks, changed = {}, set()
    for task, _ in tasks:
        if _always_written(task):
            changed.add(task.id)
            continue
        mark = marks[task.id] = _mark(task)
        if stored.marks.get(task.id) != mark:
            changed.add(task.id)
    changed |= {child for task, _ in tasks if task.id in changed for child in task._children}
    new_rows, updated_rows = [], []
    positions, next_position = dict(stored.positions), stored.next_position
    for task, holder in tasks:
        if task.id not in positions:
            new_rows.append({"instance_id": instance.id, "id": str(task.id), "subprocess": holder,
                             "position": next_position, "state": task_to_json(task)})
            positions[task.id] = next_position
            next_position += 1
        elif task.id in changed:
            updated_rows.append({"b_instance_id": instance.id, "b_id": str(task.id), "b_state": task_to_json(task)})
    current = {task.id for task, _ in tasks}
    gone = [task_id for task_id in positions if task_id not in current]
    for task_id in gone:
        del positions[task_id]
    checkpoint = uuid.uuid4().hex
    envelope = envelope_of(workflow)
    envelope[ROWS_KEY] = {"next_position": next_position, "checkpoint": checkpoint}
    workflow.motcua_stored = _Stored(positions=positions, marks=marks, next_position=next_position,
                                    checkpoint=checkpoint)
    return Checkpoint(instance.id, envelope_to_json(envelope), new_rows, updated_rows, [str(t) for t in gone],
                      workflow, checkpoint)


def write(session: Session, checkpoint: Checkpoint) -> None:
    """Write the task rows of `checkpoint` (its envelope is written with the instance's row); the
    workflow is cached when the transaction commits."""
    connection = session.connection()
    if checkpoint.gone:
        connection.execute(_DELETE_TASKS, {"instance_id": checkpoint.instance_id, "task_ids": checkpoint.gone})
    if checkpoint.new_rows:
        connection.execute(insert(_TASKS), checkpoint.new_rows)
    if checkpoint.updated_rows:
        connection.execute(_UPDATE_TASK, checkpoint.updated_rows)
    session.info.setdefault(_PENDING, {})[checkpoint.instance_id] = (checkpoint.checkpoint, checkpoint.workflow)


def stored_rows(session: Session, instance_id: int) -> list[tuple]:
    """The instance's task rows as stored: (id, subprocess, position, state), in their order."""
    return [tuple(row) for row in session.connection().execute(_READ_ROWS, {"instance_id": instance_id})]


def restore(session: Session, instance_id: int, envelope_json: str, rows: list) -> str:
    """Put back task rows taken earlier with `stored_rows` (and their envelope); returns the envelope
    to write as the instance's state, with a new checkpoint (no cached workflow can match it)."""
    connection = session.connection()
    connection.execute(delete(_TASKS).where(_TASKS.c.instance_id == instance_id))
    if rows:
        connection.execute(insert(_TASKS), [{"instance_id": instance_id, "id": task_id, "subprocess": subprocess,
                                             "position": position, "state": state}
                                            for task_id, subprocess, position, state in rows])
    envelope = json.loads(envelope_json)
    if ROWS_KEY in envelope:
        envelope[ROWS_KEY] = {**envelope[ROWS_KEY], "checkpoint": uuid.uuid4().hex}
    return envelope_to_json(envelope)


def stored_state(session: Session, instance_id: int, envelope_json: str) -> dict:
    """The whole serialized workflow that the envelope `envelope_json` and the instance's task rows
    in the database make together (what `load` restores)."""
    envelope = json.loads(envelope_json)
    envelope.pop(ROWS_KEY, None)
    return assemble(envelope, session.execute(_READ_TASKS, {"instance_id": instance_id}).all())


def _tasks(workflow: BpmnWorkflow) -> Iterator:
    for task, _ in _tasks_with_holder(workflow):
        yield task


def _tasks_with_holder(workflow: BpmnWorkflow) -> Iterator[tuple]:
    """Every task, with the id of the subprocess whose tasks hold it (None: the process)."""
    for task in workflow.tasks.values():
        yield task, None
    for task_id, subprocess in workflow.subprocesses.items():
        holder = str(task_id)
        for task in subprocess.tasks.values():
            yield task, holder


_ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def _always_written(task) -> bool:
    """Ready, waiting and started tasks, and any unfinished one holding data: their data may change in
    place. Finished tasks and tasks only predicted (no data yet) change only with what `_mark` sees."""
    return bool(task.state & _ACTIVE or (task.state & TaskState.NOT_FINISHED_MASK and task.data))


def _mark(task) -> tuple:
    """What shows that a finished task changed: its state, its links, its internal data, its element
    (a migration gives a task the spec of its element in the new version)."""
    return (task.state, task.last_state_change, task.triggered, task._parent, tuple(task._children),
            dict(task.internal_data), task.task_spec.name)


# --- the cache of workflows saved by this process -------------------------------------------------

_cache: OrderedDict[int, tuple[str, BpmnWorkflow]] = OrderedDict()
_cache_lock = threading.Lock()


def _take_cached(instance_id: int, checkpoint: str | None) -> BpmnWorkflow | None:
    """The cached workflow of the instance if it is the stored one (taken out: the step changes it)."""
    if checkpoint is None:
        return None
    with _cache_lock:
        entry = _cache.pop(instance_id, None)
    if entry is None or entry[0] != checkpoint:
        return None
    return entry[1]


def forget_cached() -> None:
    with _cache_lock:
        _cache.clear()


@event.listens_for(Session, "after_commit")
def _cache_saved(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    with _cache_lock:
        for instance_id, entry in pending.items():
            _cache[instance_id] = entry
            _cache.move_to_end(instance_id)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)


forget_at_transaction_end(_PENDING, _PREFETCHED)  # committed ones were cached just before; the rest rolled back
