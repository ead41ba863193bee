"""The rows that make an instance's state queryable: its open human tasks and its waiting timers.

The workflow itself is the truth (engine/state_store.py); these rows mirror what people and the
scheduler need to find without loading it: the inbox (`human_task`) and the next due timer
(`waiting_timer`). A step takes a `RowSnapshot` of the workflow as it was loaded and, once it has
run, `sync` writes only the rows that changed against it, in the step's transaction.

Statements of every step are built once and run on the session's connection: a Core statement is
cheaper than an ORM flush, and the session's own execute() adds its overhead to each.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import lru_cache

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine import assignment, audit, runtime, timer_events
from engine.errors import Conflict, NotFound, TaskNotReady
from engine.models import (
    INCIDENT_UNRESOLVED,
    OPEN_TASK_STATES,
    HumanTask,
    HumanTaskCandidate,
    Incident,
    ProcessInstance,
    WaitingTimer,
)


@dataclass(frozen=True)
class RowSnapshot:
    """What the instance's task and timer rows hold: the workflow as it was loaded (or nothing, for a
    new instance). A step writes only what it changed against this, without reading the rows again."""

    ready: tuple[str, ...] = ()  # the ready human tasks: the open task rows
    timers: tuple[runtime.WaitingTimerInfo, ...] = ()  # the waiting-timer rows
    repeating: tuple = ()  # the repeating timers, to count the firings of the step (runtime.repeating_timers)

    @classmethod
    def of(cls, workflow: BpmnWorkflow) -> RowSnapshot:
        return cls(tuple(str(t.id) for t in runtime.ready_human_tasks(workflow)),
                   tuple(runtime.waiting_timers(workflow)), runtime.repeating_timers(workflow))

    def without_task(self, task_id: str) -> RowSnapshot:
        """The snapshot once `task_id`'s row has been closed by the step itself."""
        return replace(self, ready=tuple(t for t in self.ready if t != task_id))


_TASKS, _TIMERS = HumanTask.__table__, WaitingTimer.__table__
# Open: ready or claimed (OPEN_TASK_STATES), written out: an IN list is re-rendered at every execution.
_IS_OPEN = or_(*(_TASKS.c.state == state for state in OPEN_TASK_STATES))
_CLOSE_TASK = (update(_TASKS).where(_TASKS.c.id == bindparam("task_id"), _IS_OPEN)
               .values(state="completed", completed_at=bindparam("now"), completed_by=bindparam("actor"),
                       data=bindparam("task_data", type_=_TASKS.c.data.type)))
_CANCEL_TASK = (update(_TASKS).where(_TASKS.c.id == bindparam("task_id"), _IS_OPEN)
                .values(state="cancelled", completed_at=bindparam("now")))
_MOVE_TASK_DUE = update(_TASKS).where(_TASKS.c.id == bindparam("task_id")).values(due_at=bindparam("due_at"))
_MOVE_TIMER = update(_TIMERS).where(_TIMERS.c.task_id == bindparam("timer_task_id")).values(due_at=bindparam("due_at"))
_DUE_TIMERS = (select(_TIMERS.c.instance_id, _TIMERS.c.task_id, _TIMERS.c.bpmn_id, _TIMERS.c.name, _TIMERS.c.due_at)
               .where(_TIMERS.c.instance_id.in_(bindparam("instance_ids", expanding=True)),
                      _TIMERS.c.due_at <= bindparam("now"))
               .order_by(_TIMERS.c.instance_id, _TIMERS.c.id))
_DELETE_TIMERS = delete(_TIMERS).where(_TIMERS.c.task_id.in_(bindparam("task_ids", expanding=True)))


def committed(row, values: dict) -> None:
    """Tell the session that `row` now holds `values`, which a statement of ours has written."""
    for key, value in values.items():
        set_committed_value(row, key, value)


# --- human tasks ------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TaskColumns:
    """A human task's columns as lists and answers show them, read as plain values (an inbox, a claim)."""

    id: str
    bpmn_id: str
    name: str
    lane: str | None
    role: str | None
    assignee: str | None
    state: str
    created_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None


@dataclass(frozen=True, slots=True)
class TaskRow(TaskColumns):
    """The task's columns shown, its instance and that instance's hold: what a claim or a release
    needs, without the ORM objects (task, instance, its version) a completion loads."""

    instance_id: int
    suspended_at: datetime | None
    suspended_by: str | None
    suspend_reason: str | None


_INSTANCES = ProcessInstance.__table__
# TaskColumns' columns, then TaskRow's, in their order (`of_task_row` joins the task's instance)
TASK_COLUMNS = (_TASKS.c.id, _TASKS.c.bpmn_id, _TASKS.c.name, _TASKS.c.lane, _TASKS.c.role, _TASKS.c.assignee,
                _TASKS.c.state, _TASKS.c.created_at, _TASKS.c.due_at, _TASKS.c.completed_at, _TASKS.c.completed_by)
TASK_ROW_COLUMNS = (*TASK_COLUMNS, _TASKS.c.instance_id, _INSTANCES.c.suspended_at, _INSTANCES.c.suspended_by,
                    _INSTANCES.c.suspend_reason)


def of_task_row(select_statement):
    """`select_statement` (of TASK_ROW_COLUMNS first) from the task joined to its instance."""
    return select_statement.select_from(_TASKS).join(_INSTANCES, _INSTANCES.c.id == _TASKS.c.instance_id)


_TASK_ROW = of_task_row(select(*TASK_ROW_COLUMNS)).where(_TASKS.c.id == bindparam("task_id"))
_TASK_NOW = select(_TASKS.c.state, _TASKS.c.assignee).where(_TASKS.c.id == bindparam("task_id"))


def task_row(session: Session, task_id: str) -> TaskRow:
    found = session.connection().execute(_TASK_ROW, {"task_id": task_id}).first()
    if found is None:
        raise NotFound(f"Task '{task_id}' does not exist.", task_id=task_id)
    return TaskRow(*found)


def get_task(session: Session, task_id: str) -> HumanTask:
    task = session.get(HumanTask, task_id)
    if task is None:
        raise NotFound(f"Task '{task_id}' does not exist.", task_id=task_id)
    return task


def check_may_complete(row: HumanTask, actor: str) -> None:
    """The one rule on who may complete an open task: anyone allowed to work it, unless someone else
    claimed it. `TaskNotReady` when it is no longer open, `Conflict` when it is someone else's."""
    if row.state not in OPEN_TASK_STATES:
        raise TaskNotReady(f"Task '{row.name}' is already {row.state}.", task_id=row.id, state=row.state)
    if row.assignee is not None and row.assignee != actor:
        raise Conflict(f"Task '{row.name}' is claimed by {row.assignee}.", task_id=row.id, assignee=row.assignee)


def close_task(session: Session, row: HumanTask, *, actor: str, data: dict, now: datetime) -> None:
    """Mark the row completed, if it is still open: the database decides a race between two completions."""
    closed = session.connection().execute(_CLOSE_TASK, {"task_id": row.id, "now": now, "actor": actor,
                                                        "task_data": data})
    if closed.rowcount != 1:
        raise TaskNotReady(f"Task '{row.name}' was completed by someone else.", task_id=row.id)
    committed(row, {"state": "completed", "completed_at": now, "completed_by": actor, "data": data})


@lru_cache(maxsize=16)
def _move_statement(expected_state: str, keys: tuple[str, ...]):
    """UPDATE a task row to new values (bound as b_<key>) if it is still in `expected_state`: built once."""
    return (update(_TASKS).where(_TASKS.c.id == bindparam("task_id"), _TASKS.c.state == expected_state)
            .values({key: bindparam(f"b_{key}", type_=_TASKS.c[key].type) for key in keys}))


def move_task(session: Session, row: TaskRow, *, actor: str, action: str, expected_state: str,
              values: dict, **audit_data) -> TaskRow:
    """Change a task row only if it is still in `expected_state`: the database decides races. The row
    as it now is."""
    moved = session.connection().execute(_move_statement(expected_state, tuple(sorted(values))),
                                         {"task_id": row.id, **{f"b_{key}": value for key, value in values.items()}})
    if moved.rowcount != 1:
        state, assignee = session.connection().execute(_TASK_NOW, {"task_id": row.id}).one()  # to say what it is now
        who = f" by {assignee}" if assignee else ""
        raise Conflict(f"Task '{row.name}' is {state}{who}, not {expected_state}.", task_id=row.id, state=state)
    row = replace(row, **values)
    audit.record_at_once(session, actor=actor, action=action, instance_id=row.instance_id, subject=row.id,
                         data={"bpmn_id": row.bpmn_id, "name": row.name, **audit_data})
    return row


def tasks_of_instance(session: Session, instance_id: int) -> list[HumanTask]:
    query = (select(HumanTask).where(HumanTask.instance_id == instance_id)
             .order_by(HumanTask.created_at, HumanTask.completed_at.is_(None), HumanTask.completed_at, HumanTask.id))
    return list(session.scalars(query))


# --- waiting timers ---------------------------------------------------------------------------------

# Timers fire for instances that are neither suspended nor held by an incident (engine/incidents.py),
# unless the incident is retrying and its next try is due.
def _firable(now):
    held = (select(Incident.instance_id)
            .where(Incident.state.in_(INCIDENT_UNRESOLVED),
                   or_(Incident.next_retry_at.is_(None), Incident.next_retry_at > now)))
    return (select(WaitingTimer.instance_id, WaitingTimer.due_at)
            .join(ProcessInstance, ProcessInstance.id == WaitingTimer.instance_id)
            .where(ProcessInstance.suspended_at.is_(None),
                   or_(ProcessInstance.incident_id.is_(None), WaitingTimer.instance_id.not_in(held))))


def instances_with_due_timers(session: Session, now: datetime, limit: int = 100) -> list[int]:
    due = _firable(now).where(WaitingTimer.due_at <= now).subquery()
    query = select(due.c.instance_id).group_by(due.c.instance_id).order_by(due.c.instance_id).limit(limit)
    return list(session.scalars(query))


def next_timer_due_at(session: Session, now: datetime | None = None) -> datetime | None:
    """When the scheduler must look next: the earliest due timer it may fire, or an incident's next try."""
    now = now or datetime.now(timezone.utc)
    due = _firable(now).subquery()
    earliest = session.scalars(select(due.c.due_at).order_by(due.c.due_at).limit(1)).first()
    retry = session.scalar(select(func.min(Incident.next_retry_at)).where(Incident.state == "retrying"))
    return min((t for t in (earliest, retry) if t is not None), default=None)


def may_fire(session: Session, instance: ProcessInstance, now: datetime) -> bool:
    """Whether the instance's due timers may fire now (read under its lock): not suspended, and no
    incident holds it (a retrying one whose next try is due does not)."""
    if instance.suspended_at is not None:
        return False
    if instance.incident_id is None:
        return True
    incident = session.get(Incident, instance.incident_id)
    return (incident is None or incident.state not in INCIDENT_UNRESOLVED
            or (incident.next_retry_at is not None and incident.next_retry_at <= now))


def due_timers_of(session: Session, instance_ids: list[int], now: datetime) -> dict[int, list]:
    """The due timer rows of these instances (one statement), by instance."""
    due: dict[int, list] = {}
    if instance_ids:
        for timer in session.execute(_DUE_TIMERS, {"instance_ids": instance_ids, "now": now}):
            due.setdefault(timer.instance_id, []).append(timer)
    return due


# --- after a step -----------------------------------------------------------------------------------

def sync(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow, before: RowSnapshot,
         now: datetime) -> list[HumanTask | TaskColumns]:
    """Bring the task and timer rows in line with `workflow`, writing only what changed against
    `before`; returns the rows of the tasks now open."""
    timers = tuple(runtime.waiting_timers(workflow))
    ready = _sync_human_tasks(session, instance, workflow, timers, before, now)
    _sync_timers(session, instance, timers, before.timers)
    return ready


def refresh_open_rows(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow) -> None:
    """After the instance's specs changed (a migration): the open task rows and the timer rows name
    the elements the tasks now run (id, name, lane and the role it gives)."""
    tasks = {str(t.id): t for t in runtime.iter_tasks(workflow)}
    for row in session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                       HumanTask.state.in_(OPEN_TASK_STATES))):
        task = tasks.get(row.id)
        if task is not None:
            row.bpmn_id, row.name = runtime.element_id(task), runtime.element_name(task)
            row.lane, row.role = getattr(task.task_spec, "lane", None), role_of(instance, task)
    for timer in session.scalars(select(WaitingTimer).where(WaitingTimer.instance_id == instance.id)):
        task = tasks.get(timer.task_id)
        if task is not None:
            timer.bpmn_id, timer.name = runtime.element_id(task), runtime.element_name(task)


def _sync_human_tasks(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow,
                      timers: tuple[runtime.WaitingTimerInfo, ...], before: RowSnapshot,
                      now: datetime) -> list[HumanTask | TaskColumns]:
    """Open rows for the tasks that became ready, cancelled ones for those that are no longer ready
    (interrupted by a boundary event, or cancelled), each task's deadline from its interrupting timer.
    New rows are inserted on the connection and given back as `TaskColumns`; rows already open, as read.
    The task rows that stay open are read only if there are any (parallel branches)."""
    ready = {str(t.id): t for t in runtime.ready_human_tasks(workflow)}
    gone = [task_id for task_id in before.ready if task_id not in ready]
    kept = [task_id for task_id in before.ready if task_id in ready]
    open_rows = {row.id: row for row in session.scalars(select(HumanTask).where(
        HumanTask.id.in_(gone + kept), HumanTask.state.in_(OPEN_TASK_STATES)))} if gone or kept else {}
    for task_id in gone:
        row = open_rows.pop(task_id, None)
        if row is None:  # the task this step completed
            continue
        session.connection().execute(_CANCEL_TASK, {"task_id": task_id, "now": now})
        committed(row, {"state": "cancelled", "completed_at": now})
        audit.record(session, actor="system", action="task.cancelled", instance_id=instance.id,
                     subject=task_id, data={"bpmn_id": row.bpmn_id, "name": row.name}, at=now)
    due_by_parent: dict[str, datetime] = {}
    for timer in timers:
        if timer.parent_task_id is not None and timer.interrupting:
            current = due_by_parent.get(timer.parent_task_id)
            due_by_parent[timer.parent_task_id] = min(current, timer.due_at) if current else timer.due_at
    rows, opened, offered = [], [], []
    for task_id, task in ready.items():
        row = open_rows.get(task_id)
        due_at = due_by_parent.get(str(task.parent.id)) if task.parent is not None else None
        if row is not None and row.due_at != due_at:
            session.connection().execute(_MOVE_TASK_DUE, {"task_id": task_id, "due_at": due_at})
            committed(row, {"due_at": due_at})
        if row is None:
            row = TaskColumns(task_id, runtime.element_id(task), runtime.element_name(task),
                              getattr(task.task_spec, "lane", None), role_of(instance, task), None, "ready", now,
                              due_at, None, None)
            opened.append({**_columns(row), "instance_id": instance.id, "data": None})
            offered.extend({"task_id": task_id, "username": user}
                           for user in assignment.candidate_users(runtime.properties(task)))
        rows.append(row)
    if opened:  # on the connection, not through the unit of work: a new row costs a third of its flush
        session.connection().execute(_OPEN_TASK, opened)
    if offered:
        session.connection().execute(_OFFER_TASK, offered)
    return rows


_OPEN_TASK = insert(_TASKS)
_OFFER_TASK = insert(HumanTaskCandidate.__table__)


def _columns(row: TaskColumns) -> dict:
    return {column.name: getattr(row, column.name) for column in TASK_COLUMNS}


def role_of(instance: ProcessInstance, task) -> str | None:
    """The role that works a human task of `instance` (engine/assignment.py's rule): its first
    candidate group the instance's `lane_roles` maps, else its lane's role, else the default role."""
    groups = assignment.candidate_groups(runtime.properties(task))
    return assignment.task_role(groups, getattr(task.task_spec, "lane", None), instance.lane_roles or {},
                                instance.default_role)


def _sync_timers(session: Session, instance: ProcessInstance, timers: tuple[runtime.WaitingTimerInfo, ...],
                 before: tuple[runtime.WaitingTimerInfo, ...]) -> None:
    if timers == before:
        return
    wanted = {t.task_id: t for t in timers}
    existing = {t.task_id: t for t in before}
    gone = [task_id for task_id in existing if task_id not in wanted]
    if gone:
        session.connection().execute(_DELETE_TIMERS, {"task_ids": gone})
    for task_id, timer in wanted.items():
        old = existing.get(task_id)
        if old is None:
            session.add(WaitingTimer(instance_id=instance.id, task_id=task_id, bpmn_id=timer.bpmn_id,
                                     name=timer.name, due_at=timer.due_at))
        elif old.due_at != timer.due_at:
            session.connection().execute(_MOVE_TIMER, {"timer_task_id": task_id, "due_at": timer.due_at})
    timer_events.mark_changed(session)
