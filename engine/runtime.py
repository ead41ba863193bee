"""Driving a SpiffWorkflow workflow in memory: engine steps, ready tasks, timers (one-off, repeating,
behind event-based gateways), messages and their data, uncaught BPMN errors, completion.

SpiffWorkflow's task iterators stop silently at depth 1000 of the task tree, and a loop in a
model deepens the tree on every pass: past that depth `get_tasks()` finds nothing and
`is_completed()` says True although the end event was never reached. Everything here reads the
flat task dictionaries instead, which have no depth limit.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import ThrowingEvent
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition as SpiffMessageEventDefinition
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.errors import ExecutionFailed

MAX_STEPS_PER_CALL = 20_000


@dataclass(frozen=True)
class WaitingTimerInfo:
    task_id: str
    bpmn_id: str
    name: str | None
    due_at: datetime
    parent_task_id: str | None
    interrupting: bool  # a boundary timer that cancels its task, i.e. the task's deadline


def iter_tasks(workflow: BpmnWorkflow) -> Iterator[Task]:
    """Every task of the workflow and its subprocesses, at any depth."""
    yield from workflow.tasks.values()
    for subprocess in list(workflow.subprocesses.values()):
        yield from subprocess.tasks.values()


def element_id(task: Task) -> str:
    return getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name


def element_name(task: Task) -> str:
    return getattr(task.task_spec, "bpmn_name", None) or element_id(task)


def properties(task: Task) -> dict:
    """The `spiffworkflow:properties` of the task's BPMN element."""
    return spec_properties(task.task_spec)


def spec_properties(task_spec) -> dict:
    return dict((getattr(task_spec, "extensions", None) or {}).get("properties", {}))


def is_human(task: Task) -> bool:
    return bool(task.task_spec.manual)


def ready_human_tasks(workflow: BpmnWorkflow) -> list[Task]:
    return [t for t in iter_tasks(workflow) if t.state == TaskState.READY and is_human(t)]


def is_finished(workflow: BpmnWorkflow) -> bool:
    """True only when no task anywhere is unfinished (unlike `is_completed`, depth-safe)."""
    return not any(t.state & TaskState.NOT_FINISHED_MASK for t in iter_tasks(workflow))


def _failure(exc: Exception, task: Task | None) -> ExecutionFailed:
    failing = getattr(exc, "task", None) or task
    spec = getattr(exc, "task_spec", None) or (failing.task_spec if failing is not None else None)
    element = getattr(spec, "bpmn_id", None) or getattr(spec, "name", None)
    name = getattr(spec, "bpmn_name", None)
    detail = str(exc).rstrip(".")
    notes = getattr(exc, "__notes__", None)
    if notes:
        detail = f"{detail} ({'; '.join(notes)})"
    failed = ExecutionFailed(
        f"The process cannot continue at '{name or element}': {detail}",
        element=element, line=getattr(exc, "line_number", None) or None,
    )
    failed.element_name = name or element
    failed.task_data = dict(failing.data) if failing is not None else {}  # for an incident, never an answer
    return failed


def run_task(task: Task) -> None:
    try:
        task.run()
    except Exception as exc:  # noqa: BLE001 - an expression in the model raised; report it
        raise _failure(exc, task) from None


def run_engine_steps(workflow: BpmnWorkflow, on_completed: Callable[[Task], None] | None = None) -> None:
    """Run every non-human READY task until only human tasks and waiting events remain.

    `on_completed` sees each BPMN element the engine ran, in order. Raises `ExecutionFailed`
    when an expression fails, and when the model runs more than MAX_STEPS_PER_CALL tasks
    without waiting for anyone (an endless loop), and when a BPMN error is thrown that no boundary
    event catches (the process must not go on along its normal path as if nothing happened).

    Ready tasks are found in the flat task dictionaries and followed through their children, so
    a loop runs in time proportional to its steps at any depth of the tree; SpiffWorkflow's own
    `do_engine_steps` then settles subprocesses and timers.
    """
    steps = 0
    known_events = len(workflow.bpmn_events)
    thrown_errors: dict = {}  # error code -> the element that threw it

    def did_complete(task: Task) -> None:
        nonlocal steps
        steps += 1
        if steps > MAX_STEPS_PER_CALL:
            raise ExecutionFailed(
                f"The process ran more than {MAX_STEPS_PER_CALL} steps without waiting for a person or "
                f"a timer; the loop at '{element_name(task)}' looks endless.", element=element_id(task))
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, ErrorEventDefinition) and isinstance(task.task_spec, ThrowingEvent):
            thrown_errors[definition.code] = task
        if on_completed is not None and getattr(task.task_spec, "bpmn_id", None):
            on_completed(task)

    while True:
        before = steps
        for task in [t for t in iter_tasks(workflow) if t.state == TaskState.WAITING]:
            task.task_spec._update(task)  # joins and events past the iterator's reach
        frontier = deque(t for t in iter_tasks(workflow) if t.state == TaskState.READY and not is_human(t))
        while frontier:
            task = frontier.popleft()
            if task.state != TaskState.READY or is_human(task):
                continue
            run_task(task)
            did_complete(task)
            frontier.extend(task.children)
        try:
            _settle(workflow, did_complete)
        except ExecutionFailed:
            raise
        except Exception as exc:  # noqa: BLE001 - an expression in the model raised; report it
            raise _failure(exc, None) from None
        if steps == before and not _abandon_idle_event_subprocesses(workflow):
            _check_errors_caught(workflow.bpmn_events[known_events:], thrown_errors)
            return


def _check_errors_caught(events: list, thrown: dict) -> None:
    """SpiffWorkflow keeps an error nobody caught among the workflow's outgoing events and lets the
    process go on; here it stops the step."""
    for event in events:
        definition = event.event_definition
        if not isinstance(definition, ErrorEventDefinition):
            continue
        code = definition.code or definition.name
        task = thrown.get(definition.code)
        where = f" thrown at '{element_name(task)}'" if task is not None else ""
        raise ExecutionFailed(
            f"The error '{code}'{where} is caught by no error boundary event; the process cannot go on "
            "along its normal path. Attach an error boundary event for it to the enclosing sub-process.",
            element=element_id(task) if task is not None else None, error_code=code)


def _settle(workflow: BpmnWorkflow, did_complete: Callable[[Task], None]) -> None:
    """SpiffWorkflow's `do_engine_steps`, which walks the whole task tree for ready tasks each time.
    With no subprocess running and no engine task ready it finds nothing and only refreshes the
    timers: then do just that, so that a step does not cost more as the history grows."""
    if workflow.get_active_subprocesses() or any(
            t.state == TaskState.READY and not is_human(t) for t in iter_tasks(workflow)):
        workflow.do_engine_steps(did_complete_task=did_complete)
    else:
        workflow.refresh_timers()


def _is_event_subprocess(task: Task) -> bool:
    return bool((getattr(task.task_spec, "extensions", None) or {}).get("event_subprocess"))


def _is_process_end(task: Task) -> bool:
    name = task.task_spec.name
    return name == "End" or name.endswith(".EndJoin")


def _abandon_idle_event_subprocesses(workflow: BpmnWorkflow) -> bool:
    """When nothing but untriggered event subprocesses is left, the process is over: cancel them.

    In BPMN an event subprocess that has not been triggered holds no token; SpiffWorkflow 3.2
    keeps it as a branch that the process's end waits for, so an instance would otherwise stay
    open until, say, a warning timer fires for a dossier long returned.
    """
    waiting = [t for t in workflow.tasks.values() if _is_event_subprocess(t) and t.state == TaskState.STARTED]
    if not waiting:
        return False
    for task in workflow.tasks.values():
        if task.state & TaskState.NOT_FINISHED_MASK and task not in waiting and not _is_process_end(task):
            return False
    for task in waiting:
        subprocess = workflow.subprocesses.get(task.id)
        if subprocess is not None:
            busy = [t for t in subprocess.tasks.values() if t.state in (TaskState.READY, TaskState.STARTED)]
            if busy:
                return False  # triggered and running: the process waits for it
    for task in waiting:
        subprocess = workflow.subprocesses.get(task.id)
        if subprocess is not None:
            for sub_task in subprocess.tasks.values():
                workflow.event_manager.remove_task(sub_task)
            workflow.cancel(subprocess)
        task.cancel()
    for task in [t for t in workflow.tasks.values() if t.state == TaskState.WAITING]:
        task.task_spec._update(task)
    return True


def refresh_timers(workflow: BpmnWorkflow) -> None:
    try:
        workflow.refresh_timers()
    except Exception as exc:  # noqa: BLE001 - a timer expression failed
        raise _failure(exc, None) from None


def waiting_timers(workflow: BpmnWorkflow) -> list[WaitingTimerInfo]:
    """The timer events the workflow waits on, with their due instants (as `waiting_events()`): timer
    catch and boundary events, the next instant of a repeating timer, the timer behind an
    event-based gateway (the gateway's task is the one that waits)."""
    timers = []
    for task in list(workflow.event_manager.tasks.values()):
        if task.state != TaskState.WAITING:
            continue
        pending = _pending_timer(task)
        if pending is None:
            continue
        due_at, element, name = pending
        timers.append(WaitingTimerInfo(
            task_id=str(task.id),
            bpmn_id=getattr(element, "bpmn_id", None) or element.name,
            name=name or getattr(element, "bpmn_name", None) or getattr(element, "bpmn_id", None) or element.name,
            due_at=due_at,
            parent_task_id=str(task.parent.id) if task.parent is not None else None,
            interrupting=bool(getattr(task.task_spec, "cancel_activity", False)),
        ))
    return timers


_FAR = "9999-12-31T00:00:00+00:00"


@contextmanager
def holding_timers(workflow: BpmnWorkflow, task_ids: set[str]) -> Iterator[None]:
    """Keep the waiting timers `task_ids` from firing inside the block, whatever runs in it: their
    due instant is pushed out of reach and given back when the block ends."""
    held = {}
    for task in iter_tasks(workflow):
        if str(task.id) in task_ids and task.state == TaskState.WAITING and "event_value" in task.internal_data:
            value = held[task] = task.internal_data["event_value"]
            task.internal_data["event_value"] = {**value, "next": _FAR} if isinstance(value, dict) else _FAR
    try:
        yield
    finally:
        for task, value in held.items():
            if task.state == TaskState.WAITING:
                task.internal_data["event_value"] = value
def gateway_timer(gateway_spec) -> tuple | None:
    """(timer definition, the catch event it belongs to) behind an event-based gateway, if any.
    SpiffWorkflow moves each following event's definition into the gateway, in the order of its
    outputs, and keeps a single due instant per gateway: one timer per gateway (checked at deployment)."""
    definition = getattr(gateway_spec, "event_definition", None)
    if not isinstance(definition, MultipleEventDefinition):
        return None
    for index, inner in enumerate(definition.event_definitions):
        if isinstance(inner, TimerEventDefinition):
            element = gateway_spec.outputs[index] if index < len(gateway_spec.outputs) else gateway_spec
            return inner, element
    return None


def _pending_timer(task: Task) -> tuple | None:
    """(due instant, BPMN element, timer name) of a waiting timer task, or None."""
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        found = gateway_timer(task.task_spec)
        if found is None:
            return None
        definition, element = found
        value = task.internal_data.get("event_value")
    elif isinstance(definition, TimerEventDefinition):
        element = task.task_spec
        value = task.internal_data.get("event_value")
    else:
        return None
    if isinstance(value, dict):  # a repeating timer: its next instant while cycles remain
        value = value.get("next") if value.get("cycles") else None
    if not value:
        return None
    due_at = TimerEventDefinition.get_datetime(value) if isinstance(value, str) else value
    return due_at, element, definition.name


def is_cycle_timer(task: Task) -> bool:
    return isinstance(getattr(task.task_spec, "event_definition", None), CycleTimerEventDefinition)


def find_task(workflow: BpmnWorkflow, task_id: str) -> Task | None:
    """The task of that id in the workflow or its subprocesses; None (not an exception, as
    SpiffWorkflow's lookup raises) when there is none, e.g. a row left by an earlier bug."""
    uuid = UUID(task_id)
    for process in (workflow, *workflow.subprocesses.values()):
        if uuid in process.tasks:
            return process.tasks[uuid]
    return None


def refresh_due_timers(workflow: BpmnWorkflow, task_ids: list[str]) -> list[Task]:
    """Refresh the workflow's timers; the tasks among `task_ids` whose timer fired. A one-off timer
    that fired is ready (or already run); a repeating one stays waiting, its next instant moved."""
    before = {}
    for task_id in task_ids:
        task = find_task(workflow, task_id)
        if task is not None:
            before[task_id] = (task, deepcopy(task.internal_data.get("event_value")))
    refresh_timers(workflow)
    fired = []
    for task, value in before.values():
        if task.state in (TaskState.READY, TaskState.COMPLETED) or (
                is_cycle_timer(task) and task.internal_data.get("event_value") != value):
            fired.append(task)
    return fired


def repeating_timers(workflow: BpmnWorkflow) -> tuple:
    """Each waiting repeating timer as (task id, firings left, next instant, seconds between firings)."""
    timers = []
    for task in list(workflow.event_manager.tasks.values()):
        value = task.internal_data.get("event_value")
        if task.state == TaskState.WAITING and is_cycle_timer(task) and isinstance(value, dict) and value.get("cycles"):
            timers.append((str(task.id), value["cycles"], value["next"], value["duration"]))
    return tuple(timers)


def repeating_firings(workflow: BpmnWorkflow, before: tuple) -> list[tuple[Task, datetime]]:
    """The firings of repeating timers since the workflow had `before` (`repeating_timers` then), each
    (the timer's task, the instant it was due), in order. SpiffWorkflow fires one whenever it looks at
    the timer past its next instant, in whatever step: a late step may fire several."""
    firings = []
    for task_id, left, next_at, seconds in before:
        task = workflow.get_task_from_id(UUID(task_id))
        value = task.internal_data.get("event_value") if task is not None else None
        if not isinstance(value, dict):
            continue
        first = TimerEventDefinition.get_datetime(next_at)
        firings.extend((task, first + timedelta(seconds=seconds * k)) for k in range(left - value.get("cycles", 0)))
    return firings


@dataclass(frozen=True)
class MessageCatcher:
    """A task waiting for a message, and the BPMN element that catches it (behind an event-based
    gateway, the catch event the gateway leads to)."""

    task: Task
    definition: MessageEventDefinition
    element: object


def message_catchers(workflow: BpmnWorkflow, name: str) -> list[MessageCatcher]:
    """What in the workflow waits for the message `name` now."""
    event = BpmnEvent(_message_definition(name))
    catchers = []
    for task in list(workflow.event_manager.tasks.values()):
        spec = task.task_spec
        if not spec.catches(task, event):
            continue
        definition = spec.event_definition
        if isinstance(definition, MultipleEventDefinition):
            for index, inner in enumerate(definition.event_definitions):
                if isinstance(inner, MessageEventDefinition) and inner.catches(task, event):
                    element = spec.outputs[index] if index < len(spec.outputs) else spec
                    catchers.append(MessageCatcher(task, inner, element))
        elif isinstance(definition, MessageEventDefinition):
            catchers.append(MessageCatcher(task, definition, spec))
    return catchers


def deliver_message(workflow: BpmnWorkflow, name: str, payload: dict, catchers: list[MessageCatcher]) -> None:
    """Send the message `name` to the workflow (`catchers`: what waits for it). Where the catching
    event names no `spiffworkflow:messageVariable`, the payload's keys join its task data (SpiffWorkflow
    would drop them); where it names one, the payload is that variable."""
    workflow.send_event(BpmnEvent(_message_definition(name), payload=payload))
    for catcher in catchers:
        if getattr(catcher.definition, "message_var", None) is None and catcher.task.state == TaskState.READY:
            catcher.task.data.update(deepcopy(payload))


def _message_definition(name: str) -> SpiffMessageEventDefinition:
    return SpiffMessageEventDefinition(name)
