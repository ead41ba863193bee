"""Operations on a loaded workflow's task tree that repairs need and SpiffWorkflow 3.2 lacks.

In memory only: the caller loads the workflow, operates, and saves it as a step
(`engine.instances.run_step`). Each operation refuses, with `RepairRefused` naming why, what would
leave the instance inconsistent.

- `move`: cancel an active element (with its boundary events) and start another element of the same
  process or subprocess in its place (process-instance modification).
- `skip`: complete a ready or failed engine task (a script, a service task, a gateway) without
  running it; a gateway is told which way to go.
- `arm_timer`: give a timer whose expression failed an instant by hand.
- `purge_stale_events`: SpiffWorkflow leaves catching events that a cancel or a reset took out of
  the tree in its event manager, where the next `refresh_timers` trips on them; every operation ends
  with it.
"""

from __future__ import annotations

from copy import deepcopy

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.specs.ExclusiveChoice import ExclusiveChoice
from SpiffWorkflow.specs.MultiChoice import MultiChoice
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine import runtime
from engine.errors import RepairRefused

LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
UNARMED = TaskState.FUTURE | TaskState.LIKELY | TaskState.MAYBE


def purge_stale_events(workflow: BpmnWorkflow) -> None:
    """Drop from the event manager the catching events that are no longer in the task tree."""
    processes = {id(workflow)} | {id(sub) for sub in workflow.subprocesses.values()}
    for task_id, task in list(workflow.event_manager.tasks.items()):
        if id(task.workflow) not in processes or task.workflow.tasks.get(task_id) is not task:
            workflow.event_manager.remove_task(task)


def active_tasks(workflow: BpmnWorkflow, bpmn_id: str) -> list[Task]:
    """The live (or failed) tasks of an element, at any depth, boundary events left out."""
    return [t for t in runtime.iter_tasks(workflow)
            if runtime.element_id(t) == bpmn_id and t.state & (LIVE | TaskState.ERROR)
            and not isinstance(t.task_spec, BoundaryEvent)]


# --- move -------------------------------------------------------------------------------------------

def _is_join(spec) -> bool:
    return isinstance(spec, (ParallelGateway, InclusiveGateway)) and len(spec.inputs) > 1


def joins_reached(spec) -> dict[str, set[str]]:
    """{join: the inputs through which `spec` reaches it} for the parallel and inclusive joins
    (more than one input) downstream of `spec`."""
    found: dict[str, set[str]] = {}
    seen, stack = set(), [(spec, None)]
    while stack:
        current, came_from = stack.pop()
        if came_from is not None and _is_join(current):
            found.setdefault(current.name, set()).add(came_from.name)
        if current.name in seen:
            continue
        seen.add(current.name)
        stack.extend((output, current) for output in current.outputs)
    return found


def move_refusal(from_spec, to_spec) -> str | None:
    """Why moving a token from `from_spec` to `to_spec` would leave the instance inconsistent, if it would."""
    name = getattr(to_spec, "bpmn_id", None)
    if not name:
        return f"'{to_spec.name}' is not an element of the diagram"
    if isinstance(to_spec, (BoundaryEvent, StartEvent)):
        return f"'{name}' is an event that something triggers; it cannot be made active"
    if _is_join(to_spec):
        return f"'{name}' joins several branches: its other branches would never arrive"
    source, target = joins_reached(from_spec), joins_reached(to_spec)
    for join, inputs in target.items():
        if not inputs <= source.get(join, set()):
            return (f"'{name}' reaches the join '{join}' by another branch than the active element: the join "
                    "would wait for ever for the branch left behind")
    for join in source:
        if join not in target:
            return (f"the active element is on a parallel branch that meets the others at '{join}'; '{name}' is "
                    "not on that branch, so the join would wait for ever")
    return None


def move(workflow: BpmnWorkflow, token: Task, target: str, data: dict | None = None) -> Task:
    """Cancel the live task `token` (with its boundary events) and start the element `target` of the
    same process or subprocess with the token's data (and `data`). Returns the new task."""
    scope = token.workflow
    to_spec = next((spec for spec in scope.spec.task_specs.values() if getattr(spec, "bpmn_id", None) == target),
                   None)
    if to_spec is None:
        raise RepairRefused(f"'{target}' is not in the same process or subprocess as '{runtime.element_id(token)}'; "
                            "move the subprocess itself to leave it, or its start to enter it.",
                            element=target)
    reason = move_refusal(token.task_spec, to_spec)
    if reason:
        raise RepairRefused(f"Moving from '{runtime.element_id(token)}' to '{target}' is refused: {reason}.",
                            element=target)
    root = token.parent if isinstance(token.parent.task_spec, BoundaryEventSplit) else token
    anchor = root.parent
    new_data = deepcopy(token.data)
    new_data.update(data or {})
    for task in (root.children if root is not token else [token]):
        if task.state & (TaskState.NOT_FINISHED_MASK | TaskState.ERROR):
            if task.state == TaskState.ERROR:
                task._set_state(TaskState.READY)  # cancel() leaves finished tasks alone, and ERROR is one
            if isinstance(task.task_spec, SubWorkflowTask) and task.id in workflow.subprocesses:
                workflow.cancel(workflow.subprocesses[task.id])
            task.cancel()
    spawn = scope.spec.task_specs.get(f"{to_spec.name}.BoundaryEventSplit") or to_spec
    new = anchor._add_child(spawn, TaskState.FUTURE)
    new.triggered = True  # not one of the anchor's outputs: nothing may prune it
    new.reset_branch(new_data)
    purge_stale_events(workflow)
    return new


# --- skip and arm -----------------------------------------------------------------------------------

def skip(task: Task, data: dict | None = None, flow_to: str | None = None) -> None:
    """Complete a ready or failed engine task without running it; a gateway goes to `flow_to`."""
    spec = task.task_spec
    if spec.manual:
        raise RepairRefused(f"'{runtime.element_id(task)}' is a person's task: it is completed, not skipped.",
                            element=runtime.element_id(task))
    if not task.state & (TaskState.READY | TaskState.ERROR):
        raise RepairRefused(f"'{runtime.element_id(task)}' is not ready or failed; only such a step can be "
                            "skipped.", element=runtime.element_id(task))
    if isinstance(spec, (ExclusiveChoice, MultiChoice)):
        ways = [getattr(o, "bpmn_id", None) or o.name for o in spec.outputs]
        chosen = next((o for o in spec.outputs if flow_to in (getattr(o, "bpmn_id", None), o.name)), None)
        if chosen is None:
            raise RepairRefused(f"Say which way the gateway '{runtime.element_id(task)}' goes (flow_to): one of "
                                f"{', '.join(ways)}.", element=runtime.element_id(task), choices=ways)
        task._sync_children([chosen], TaskState.FUTURE)
        for child in task.children:
            child.task_spec._predict(child, mask=TaskState.FUTURE | TaskState.PREDICTED_MASK)
    elif flow_to is not None:
        raise RepairRefused(f"'{runtime.element_id(task)}' is not a gateway: it has one way on.",
                            element=runtime.element_id(task))
    if task.state == TaskState.ERROR:
        task._set_state(TaskState.READY)
    task.data.update(data or {})
    task.complete()


def arm_timer(task: Task, due: str) -> None:
    """Give a timer that could not compute its instant one by hand (ISO 8601 with an offset)."""
    definition = getattr(task.task_spec, "event_definition", None)
    if not isinstance(definition, TimerEventDefinition):
        raise RepairRefused(f"'{runtime.element_id(task)}' is not a timer.", element=runtime.element_id(task))
    task._set_internal_data(event_value=due)
    task.task_spec._update(task)


def is_unarmed_timer(task: Task) -> bool:
    return bool(task.state & UNARMED) and isinstance(getattr(task.task_spec, "event_definition", None),
                                                     TimerEventDefinition)
