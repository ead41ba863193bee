"""Where an instance stands, element by element, for drawing it on its diagram: the BPMN elements
it has completed, those it is at now (a ready or claimed task, a timer or message it waits for), and
the steps it took from one element to the next (to colour the sequence flows of the path taken).

Reads every task of the workflow and of its subprocesses directly, not through SpiffWorkflow's task
iterator, which stops silently at depth 1000 and would drop the latest steps of a long loop.
"""

from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.util.task import TaskState

from engine.instances import load_workflow
from engine.models import ProcessInstance

ACTIVE = TaskState.READY | TaskState.STARTED | TaskState.WAITING
# Not where an instance "is" while they wait: a running subprocess is where its own active elements
# are, and a boundary event waits beside the activity it is attached to.
CONTAINERS = (SubWorkflowTask, BoundaryEvent)


@dataclass(frozen=True)
class Progress:
    completed: frozenset[str]  # element ids with at least one completed run
    active: frozenset[str]     # element ids the instance is at now
    taken: frozenset[tuple[str, str]] = frozenset()  # (from, to): element ids one run went between


def progress_of(instance: ProcessInstance) -> Progress:
    workflow = load_workflow(instance)
    completed, active, taken = set(), set(), set()
    for process in (workflow, *workflow.subprocesses.values()):
        for task in process.tasks.values():
            bpmn_id = getattr(task.task_spec, "bpmn_id", None)
            if bpmn_id is None:
                continue
            if task.state == TaskState.COMPLETED:
                completed.add(bpmn_id)
            elif task.state & ACTIVE and not isinstance(task.task_spec, CONTAINERS):
                active.add(bpmn_id)
            else:
                continue
            before = _previous_element(task)
            if before is not None and before.state == TaskState.COMPLETED:
                taken.add((before.task_spec.bpmn_id, bpmn_id))
    return Progress(frozenset(completed), frozenset(active), frozenset(taken))


def _previous_element(task):
    """The run of the BPMN element the task came from: its nearest ancestor that is one (SpiffWorkflow
    puts specs of its own, without a BPMN id, between some elements)."""
    parent = task.parent
    while parent is not None and getattr(parent.task_spec, "bpmn_id", None) is None:
        parent = parent.parent
    return parent
