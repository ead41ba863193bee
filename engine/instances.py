"""Process instances in the database: start, complete a human task, claim, fire timers, messages.

Each function works inside the caller's transaction and flushes; the caller commits. The
workflow state, the human-task rows, the waiting-timer rows (engine/task_rows.py) and the audit
events change together, so a commit is all of it or none of it. `ProcessInstance.revision` is the
optimistic lock: a writer whose copy of the state is stale gets `ConcurrentUpdate` and writes nothing.

Every step may take `effects`, the caller's reaction to what the step did (what the completed
elements mean to the business), called once the workflow has run and before anything of it is
written. It may move the instance's due date (`StepResult.move_due_at`): the waiting timers that
count from it are recomputed in the same step, so the workflow is saved once.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from engine import audit, calendar_store, calls, deadlines, incidents, runtime, state_store, task_rows
from engine.clock import utcnow
from engine.deployments import get_latest_version
from engine.errors import ConcurrentUpdate, Conflict, ExecutionFailed, InstanceSuspended, NotFound, TaskNotReady
from engine.forms import form_schema, validate_form_data
from engine.models import HumanTask, ProcessInstance, ProcessVersion
from engine.scripting import make_script_engine
from engine.task_rows import (
    RowSnapshot,
    TaskColumns,
    TaskRow,
    get_task,
    instances_with_due_timers,
    next_timer_due_at,
    tasks_of_instance,
)

__all__ = [
    "CompletedElement", "StepResult", "check_active", "claim_task", "complete_task", "completed_element",
    "fire_due_timers", "fire_due_timers_of", "get_instance", "get_task", "instances_with_due_timers",
    "load_workflow", "next_timer_due_at", "retime_timers", "run_step", "send_message", "start_instance",
    "task_form_schema", "tasks_of_instance", "unclaim_task",
]

_script_engine = make_script_engine()


@dataclass
class CompletedElement:
    bpmn_id: str
    name: str
    properties: dict
    data: dict = field(default_factory=dict)  # the task's data as it completed (not a copy: read it at once)


@dataclass
class StepResult:
    """What one step changed: the elements that completed, in order, and the tasks now open."""

    instance: ProcessInstance
    completed: list[CompletedElement] = field(default_factory=list)
    ready_tasks: list[HumanTask | TaskColumns] = field(default_factory=list)  # new rows as TaskColumns
    finished: bool = False
    terminated: bool = False  # ended from outside (engine.repair.terminate), not by reaching its end
    new_due_at: datetime | None = None

    def move_due_at(self, due_at: datetime) -> None:
        """Give the instance a new due date in this step (from `effects`): the timers that count from it
        (`before_due()`) are recomputed before the step is saved."""
        self.new_due_at = due_at


Effects = Callable[[StepResult], None]


def completed_element(task: Task) -> CompletedElement:
    return CompletedElement(runtime.element_id(task), runtime.element_name(task), runtime.properties(task), task.data)


def _collect(result: StepResult) -> Callable[[Task], None]:
    """Record each element the engine completes in the step; a repeating timer is recorded at each
    firing instead (`_record_repeating_firings`), not when its last firing completes it."""
    def collect(task: Task) -> None:
        if not runtime.is_cycle_timer(task):
            result.completed.append(completed_element(task))
    return collect


def start_instance(
    session: Session,
    process_id: str,
    *,
    actor: str,
    data: dict | None = None,
    business_key: str | None = None,
    lane_roles: dict | None = None,
    default_role: str | None = None,
    step_allocations: dict | None = None,
    due_at: datetime | None = None,
    version: ProcessVersion | None = None,
    effects: Effects | None = None,
    on_created: Callable[[ProcessInstance], None] | None = None,
) -> StepResult:
    """Start the latest version of `process_id` (`version`, if the caller has read it) and run it
    to its first wait. `on_created(instance)` is called once the instance's row is added to the
    session, before it is written: a caller's row that refers to it (the dossier) is then inserted
    with it, in the same flush, instead of inserted and updated.

    `lane_roles` (lane or candidate group -> role) and `default_role` give each human task its role
    (engine/assignment.py). `step_allocations` (step key -> {value, unit}) is what `deadline()` reads
    in the model, `due_at` what `before_due()` counts back from.
    """
    version = version or get_latest_version(session, process_id)
    workflow = _new_workflow(session, version)
    workflow.data[deadlines.ALLOCATIONS_KEY] = dict(step_allocations or {})
    if due_at is not None:
        workflow.data[deadlines.DUE_AT_KEY] = due_at.isoformat()
    workflow.task_tree.data.update(data or {})
    for task in workflow.tasks.values():
        if task.state == TaskState.READY:
            task.data.update(data or {})
    now = utcnow()
    instance = ProcessInstance(
        process_version=version, business_key=business_key, status="running", state="{}",
        lane_roles=lane_roles or {}, default_role=default_role, started_at=now, started_by=actor, updated_at=now,
    )
    session.add(instance)
    if on_created is not None:
        on_created(instance)
    session.flush()
    result = StepResult(instance)
    with _calendar(session):
        runtime.run_engine_steps(workflow, _collect(result))
        audit.record(session, actor=actor, action="instance.started", instance_id=instance.id,
                     subject=process_id, data={"version": version.version, "business_key": business_key})
        _finish_step(session, instance, workflow, result, RowSnapshot(), effects, actor=actor, now=now)
    return result


def _new_workflow(session: Session, version: ProcessVersion) -> BpmnWorkflow:
    """A new workflow of `version` (with the processes it calls), its first steps predicted. A deployed
    model SpiffWorkflow cannot start (a version deployed before a check that now refuses it, a called
    process gone) is an `ExecutionFailed`."""
    try:
        specs = calls.compose(session, version)
    except calls.CallProblem as exc:
        raise ExecutionFailed(f"The process cannot start: {exc.message}", **exc.details) from None
    try:
        return calls.supply(BpmnWorkflow(specs.spec, specs.subprocess_specs, script_engine=_script_engine), specs)
    except Exception as exc:  # noqa: BLE001 - WorkflowException, or what a broken spec raises: report it
        raise ExecutionFailed(
            f"The process '{version.process_id}' (version {version.version}) cannot start: {exc}",
            element=getattr(getattr(exc, "task_spec", None), "name", None) or version.process_id) from None


def load_workflow(instance: ProcessInstance) -> BpmnWorkflow:
    """The instance's workflow as stored (engine/state_store.py), with the whole of its history."""
    return state_store.load(instance, _script_engine)


def task_form_schema(task: HumanTask) -> dict | None:
    """The form of the task's element: the human task spec of that BPMN id, in the instance's process,
    its sub-processes or the processes it calls (of a multi-instance task, the instances' spec, which
    holds the element's properties, not the wrapper's)."""
    specs = calls.instance_specs(task.instance)
    for process_spec in (specs.spec, *specs.subprocess_specs.values()):
        for task_spec in process_spec.task_specs.values():
            if getattr(task_spec, "bpmn_id", None) == task.bpmn_id and getattr(task_spec, "manual", False):
                return form_schema(runtime.spec_properties(task_spec))
    return None


def complete_task(session: Session, task_id: str, *, actor: str, data: dict | None = None,
                  effects: Effects | None = None) -> StepResult:
    """Complete a ready human task with `data` and run the instance to its next wait."""
    data = data or {}
    row = get_task(session, task_id)
    task_rows.check_may_complete(row, actor)
    instance = row.instance
    check_active(instance)
    workflow = load_workflow(instance)
    before = RowSnapshot.of(workflow)
    task = workflow.get_task_from_id(UUID(task_id))
    if task is None or task.state != TaskState.READY:
        raise TaskNotReady(f"Task '{row.name}' is not ready.", task_id=task_id)
    validate_form_data(runtime.properties(task), data, row.name)

    now = utcnow()
    result = StepResult(instance)
    task.data.update(data)
    with _calendar(session):
        with _held_timers(instance, workflow, now):
            runtime.run_task(task)
            result.completed.append(completed_element(task))
            runtime.run_engine_steps(workflow, _collect(result))
        task_rows.close_task(session, row, actor=actor, data=data, now=now)
        audit.record_at_once(session, actor=actor, action="task.completed", instance_id=instance.id,
                             subject=task_id, data={"bpmn_id": row.bpmn_id, "name": row.name, "data": data}, at=now)
        _finish_step(session, instance, workflow, result, before.without_task(task_id), effects, actor=actor,
                     now=now)
    return result


def claim_task(session: Session, task: str | TaskRow, *, actor: str) -> TaskRow:
    """Take a ready task (by id, or as the caller read it: `task_rows.task_row`) for `actor`."""
    row = task if isinstance(task, TaskRow) else task_rows.task_row(session, task)
    if row.state == "claimed" and row.assignee == actor:
        return row
    _check_not_suspended(row.instance_id, row.suspended_at, row.suspend_reason, row.suspended_by)
    return task_rows.move_task(session, row, actor=actor, action="task.claimed", expected_state="ready",
                               values={"state": "claimed", "assignee": actor})


def unclaim_task(session: Session, task: str | TaskRow, *, actor: str) -> TaskRow:
    """Give a claimed task back to the pool. The caller checks who may do it."""
    row = task if isinstance(task, TaskRow) else task_rows.task_row(session, task)
    return task_rows.move_task(session, row, actor=actor, action="task.unclaimed", expected_state="claimed",
                               values={"state": "ready", "assignee": None}, previous_assignee=row.assignee)


def fire_due_timers(session: Session, instance_id: int, *, now: datetime | None = None,
                    actor: str = "scheduler", effects: Effects | None = None) -> StepResult | None:
    """Fire the instance's timers due at `now`; None when another worker already did (or holds it)."""
    return fire_due_timers_of(session, [instance_id], now=now, actor=actor, effects=effects).get(instance_id)


def fire_due_timers_of(session: Session, instance_ids: list[int], *, now: datetime | None = None,
                       actor: str = "scheduler", effects: Effects | None = None) -> dict[int, StepResult]:
    """Fire the due timers (at `now`) of these instances, in the caller's transaction, in id order;
    the steps of those that moved. Instances another worker holds (or already fired) are skipped.

    The instances are locked, and their due timers read, in one statement each for all of them.
    The audit trail stamps each firing with the moment it happened, not `now`.
    """
    now = now or utcnow()
    locked = [instance for instance in session.scalars(
        select(ProcessInstance).where(ProcessInstance.id.in_(instance_ids)).order_by(ProcessInstance.id)
        .with_for_update(skip_locked=True, of=ProcessInstance)
    ).all() if task_rows.may_fire(session, instance, now)]  # suspended or blocked since they were listed
    due = task_rows.due_timers_of(session, [i.id for i in locked], now)
    state_store.prefetch(session, [instance for instance in locked if instance.id in due])
    results = {}
    for instance in locked:
        if due.get(instance.id):
            result = _fire(session, instance, due[instance.id], actor, effects)
            if result is not None:
                results[instance.id] = result
    return results


def _fire(session: Session, instance: ProcessInstance, due: list, actor: str,
          effects: Effects | None) -> StepResult | None:
    workflow = load_workflow(instance)
    before = RowSnapshot.of(workflow)
    result = StepResult(instance)
    fired_at = utcnow()
    with _calendar(session):
        fired_tasks = {str(t.id): t for t in runtime.refresh_due_timers(workflow, [t.task_id for t in due])}
        fired = [t for t in due if t.task_id in fired_tasks]
        if not fired:
            return None  # SpiffWorkflow fires strictly after the due instant; the next tick will
        for timer in fired:
            if not runtime.is_cycle_timer(fired_tasks[timer.task_id]):  # those: _record_repeating_firings
                audit.record(session, actor=actor, action="timer.fired", instance_id=instance.id,
                             subject=timer.task_id, at=fired_at,
                             data={"bpmn_id": timer.bpmn_id, "name": timer.name, "due_at": timer.due_at.isoformat()})
        runtime.run_engine_steps(workflow, _collect(result))
        _finish_step(session, instance, workflow, result, before, effects, actor=actor, now=fired_at)
    return result


def send_message(session: Session, instance_id: int, name: str, *, actor: str, payload: dict | None = None,
                 effects: Effects | None = None, authorize: Callable[[list[dict]], None] | None = None) -> StepResult:
    """Deliver the message `name` to the instance (a message event waiting for it catches it) and
    run the instance to its next wait. `Conflict` when nothing in the instance waits for it now.

    `authorize`, if given, sees the properties of the elements that wait for it before it is delivered
    (and may raise). Without a `spiffworkflow:messageVariable` on the catching event the payload's
    keys join the task data; with one, the payload is that variable."""
    instance = get_instance(session, instance_id)
    check_active(instance)
    workflow = load_workflow(instance)
    catchers = runtime.message_catchers(workflow, name)
    if not catchers:
        raise Conflict(f"The process is not waiting for the message '{name}' at this point.", message_name=name)
    if authorize is not None:
        authorize([runtime.spec_properties(catcher.element) for catcher in catchers])
    before = RowSnapshot.of(workflow)
    now = utcnow()
    result = StepResult(instance)
    with _calendar(session):
        with _held_timers(instance, workflow, now):
            try:
                runtime.deliver_message(workflow, name, dict(payload or {}), catchers)
            except WorkflowException:
                raise Conflict(f"The process is not waiting for the message '{name}' at this point.",
                               message_name=name) from None
            audit.record(session, actor=actor, action="message.received", instance_id=instance_id, at=now,
                         subject=instance.business_key, data={"message": name, "payload": payload or {}})
            runtime.run_engine_steps(workflow, _collect(result))
        _finish_step(session, instance, workflow, result, before, effects, actor=actor, now=now)
    return result


TIME_HELPERS = ("deadline(", "before_due(")


def retime_timers(session: Session, instance_id: int, step_allocations: dict | None = None, *, actor: str,
                  due_at: datetime | None = None) -> int:
    """Give the instance new step allocations and/or a new due date; recompute the waiting timers
    whose expressions use them (`deadline()`, `before_due()`), each counted again from when it
    began waiting. Returns how many timers moved.
    """
    instance = get_instance(session, instance_id)
    workflow = load_workflow(instance)
    before = RowSnapshot.of(workflow)
    now = utcnow()
    with _calendar(session):
        moved = _retime(session, workflow, instance, step_allocations, due_at, actor=actor, now=now)
        _save(session, instance, workflow, StepResult(instance), before, actor=actor, now=now)
    return moved


def _retime(session: Session, workflow: BpmnWorkflow, instance: ProcessInstance, step_allocations: dict | None,
            due_at: datetime | None, *, actor: str, now: datetime) -> int:
    """Recompute, in memory, the waiting timers whose expressions read the allocations or the due date."""
    if step_allocations is not None:
        workflow.data[deadlines.ALLOCATIONS_KEY] = dict(step_allocations)
    if due_at is not None:
        workflow.data[deadlines.DUE_AT_KEY] = due_at.isoformat()
    moved = []
    for task in list(workflow.event_manager.tasks.values()):
        definition = getattr(task.task_spec, "event_definition", None)
        behind_gateway = runtime.gateway_timer(task.task_spec)
        if behind_gateway is not None:  # an event-based gateway waits for its timer
            definition = behind_gateway[0]
        if (not isinstance(definition, TimeDateEventDefinition) or task.state != TaskState.WAITING
                or not any(helper in definition.expression for helper in TIME_HELPERS)):
            continue
        old = task._get_internal_data("event_value")
        new = workflow.script_engine.evaluate(task, definition.expression)
        if new != old:
            task._set_internal_data(event_value=new)
            moved.append({"bpmn_id": runtime.element_id(task), "from": old, "to": new})
    audit.record(session, actor=actor, action="timers.retimed", instance_id=instance.id, at=now,
                 subject=instance.business_key,
                 data={"moved": moved, "step_allocations": step_allocations,
                       "due_at": due_at.isoformat() if due_at else None})
    return len(moved)


def get_instance(session: Session, instance_id: int) -> ProcessInstance:
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(f"Process instance {instance_id} does not exist.", instance_id=instance_id)
    return instance


def check_active(instance: ProcessInstance) -> None:
    """`InstanceSuspended` while an administrator holds the instance."""
    _check_not_suspended(instance.id, instance.suspended_at, instance.suspend_reason, instance.suspended_by)


def _check_not_suspended(instance_id: int, suspended_at: datetime | None, reason: str | None,
                         suspended_by: str | None) -> None:
    if suspended_at is not None:
        raise InstanceSuspended(
            f"This dossier is suspended by an administrator ({reason or 'no reason given'}); "
            "it cannot be worked until it is resumed.", instance_id=instance_id, suspended_by=suspended_by)


def run_step(session: Session, instance: ProcessInstance, *, actor: str,
             change: Callable[[BpmnWorkflow, StepResult], None], effects: Effects | None = None,
             now: datetime | None = None) -> StepResult:
    """A step of the caller's making: `change(workflow, result)` moves the loaded workflow (and
    records in `result.completed` the elements it ran), then the step finishes as every step does
    (effects, timers recomputed for a moved due date, the rows, the revision check). For repairs."""
    workflow = load_workflow(instance)
    before = RowSnapshot.of(workflow)
    result = StepResult(instance)
    now = now or utcnow()
    with _calendar(session):
        change(workflow, result)
        _finish_step(session, instance, workflow, result, before, effects, actor=actor, now=now)
    return result


def _held_timers(instance: ProcessInstance, workflow: BpmnWorkflow, now: datetime):
    """While the instance has an unresolved incident, a person's step does not fire the timers that
    are due (the incident's failing step would fail theirs too): they wait for the incident."""
    if instance.incident_id is None:
        return nullcontext()
    return runtime.holding_timers(workflow, {t.task_id for t in runtime.waiting_timers(workflow) if t.due_at <= now})


def _calendar(session: Session):
    return deadlines.calendar_from(lambda: calendar_store.load_calendar(session))


_INSTANCES = ProcessInstance.__table__
_WRITE_INSTANCE = (update(_INSTANCES)
                   .where(_INSTANCES.c.id == bindparam("b_id"), _INSTANCES.c.revision == bindparam("b_revision"))
                   .values(state=bindparam("b_state"), updated_at=bindparam("b_updated_at"),
                           revision=bindparam("b_next_revision")))
_FINISH_INSTANCE = _WRITE_INSTANCE.values(status=bindparam("b_status"), ended_at=bindparam("b_ended_at"))


def _finish_step(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow, result: StepResult,
                 before: RowSnapshot, effects: Effects | None, *, actor: str, now: datetime) -> None:
    """The caller's `effects`, a due date they moved applied to the timers, then the step saved.
    Runs inside the step's calendar (the timers are evaluated on it). The effects know whether the
    instance has finished (`result.finished`)."""
    _record_repeating_firings(session, instance, workflow, result, before, actor=actor, now=now)
    result.finished = runtime.is_finished(workflow)
    if effects is not None:
        effects(result)
    if result.new_due_at is not None:
        _retime(session, workflow, instance, None, result.new_due_at, actor=actor, now=now)
    _save(session, instance, workflow, result, before, actor=actor, now=now)
    if instance.incident_id is not None:
        incidents.after_step(session, instance, actor=actor, now=now)


def _record_repeating_firings(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow,
                              result: StepResult, before: RowSnapshot, *, actor: str, now: datetime) -> None:
    """Each firing of a repeating timer in the step is audited and its element counted as completed
    (its properties apply at each firing), ahead of what the firing started."""
    firings = runtime.repeating_firings(workflow, before.repeating)
    for task, due_at in firings:
        audit.record(session, actor=actor, action="timer.fired", instance_id=instance.id, subject=str(task.id),
                     at=now, data={"bpmn_id": runtime.element_id(task), "name": runtime.element_name(task),
                                   "due_at": due_at.isoformat()})
    result.completed[:0] = [completed_element(task) for task, _ in firings]


def _save(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow, result: StepResult,
          before: RowSnapshot, *, actor: str, now: datetime) -> None:
    """Write the step: the instance's row (if nobody wrote it since it was read), the workflow's
    tasks that changed (engine/state_store.py), then the task and timer rows that changed against
    `before`. Audit events and new rows go with the commit's flush."""
    checkpoint = state_store.prepare(instance, workflow)
    values = {"state": checkpoint.state, "updated_at": now}
    result.finished = runtime.is_finished(workflow)
    if result.finished and instance.status == "running":
        ending = "terminated" if result.terminated else "completed"
        values.update(status=ending, ended_at=now)
        audit.record(session, actor=actor, action=f"instance.{ending}", instance_id=instance.id,
                     subject=instance.process_version.process_id, at=now)
    _write_instance(session, instance, values)  # first: a writer that lost the race writes nothing more
    calls.pin_started_calls(session, instance, workflow)
    state_store.write(session, checkpoint)
    result.ready_tasks = task_rows.sync(session, instance, workflow, before, now)


def write_state(session: Session, instance: ProcessInstance, state: str) -> None:
    """Write a state prepared outside a step (a migration's revert), under the revision check."""
    _write_instance(session, instance, {"state": state, "updated_at": utcnow()})


def _write_instance(session: Session, instance: ProcessInstance, values: dict) -> None:
    """UPDATE the instance's row where its revision is still the one read: the optimistic lock."""
    revision = instance.revision
    statement = _FINISH_INSTANCE if "status" in values else _WRITE_INSTANCE
    written = session.connection().execute(statement, {"b_id": instance.id, "b_revision": revision,
                                                       "b_next_revision": revision + 1,
                                                       **{f"b_{key}": value for key, value in values.items()}})
    if written.rowcount != 1:
        raise ConcurrentUpdate("Someone else changed this dossier at the same moment; reload and try again.",
                               instance_id=instance.id)
    task_rows.committed(instance, {**values, "revision": revision + 1})
