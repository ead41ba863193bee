"""Where an instance stands, element by element, for drawing it on its diagram: the BPMN elements
it has completed and those it is at now (a ready or claimed task, a timer or message it waits for).

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


def progress_of(instance: ProcessInstance) -> Progress:
    workflow = load_workflow(instance)
    completed, active = set(), set()
    for process in (workflow, *workflow.subprocesses.values()):
        for task in process.tasks.values():
            bpmn_id = getattr(task.task_spec, "bpmn_id", None)
            if bpmn_id is None:
                continue
            if task.state == TaskState.COMPLETED:
                completed.add(bpmn_id)
            elif task.state & ACTIVE and not isinstance(task.task_spec, CONTAINERS):
                active.add(bpmn_id)
    return Progress(frozenset(completed), frozenset(active))
