"""An administrator's repairs of a running instance: resolve an incident (retry, skip), suspend and
resume, move the active element elsewhere, terminate it. Each is one step under the instance's revision lock,
audited with who, why and what changed; the caller passes its `effects` like for any step.
Migration to another version is engine/migration.py.
"""

from __future__ import annotations

from collections.abc import Callable

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from engine import audit, incidents, instances, runtime, surgery, timer_events
from engine.clock import utcnow
from engine.errors import Conflict, ExecutionFailed, RepairRefused
from engine.instances import Effects, StepResult
from engine.models import INCIDENT_UNRESOLVED, ProcessInstance

MAX_REPAIRS_PER_STEP = 8  # a loop may reach the failing element again: each pass repairs it once


# --- incidents ----------------------------------------------------------------------------------------

def retry_incident(session: Session, incident_id: int, *, actor: str, data: dict | None = None,
                   reason: str = "", effects: Effects | None = None) -> StepResult:
    """Run the incident's step again; if it fails again at the incident's element, `data` (corrected
    values) goes into that element's own data and it runs again."""
    def repair(task) -> None:
        task.data.update(data or {})
        if surgery.is_unarmed_timer(task):
            task.task_spec._update(task)
        else:
            task._set_state(TaskState.READY)
    return _replay(session, incident_id, actor=actor, resolution="retried", repair=repair, effects=effects,
                   audit_data={"reason": reason, "data": data or {}})


def skip_incident(session: Session, incident_id: int, *, actor: str, reason: str, data: dict | None = None,
                  flow_to: str | None = None, effects: Effects | None = None) -> StepResult:
    """Run the incident's step again, completing its failing element without running it (a gateway
    goes to `flow_to`; a timer whose instant could not be computed fires at once)."""
    def repair(task) -> None:
        if surgery.is_unarmed_timer(task):
            task.data.update(data or {})
            surgery.arm_timer(task, utcnow().isoformat())
        else:
            surgery.skip(task, data, flow_to)
    return _replay(session, incident_id, actor=actor, resolution="skipped", repair=repair, effects=effects,
                   audit_data={"reason": reason, "data": data or {}, "flow_to": flow_to})


def _replay(session: Session, incident_id: int, *, actor: str, resolution: str, repair: Callable,
            effects: Effects | None, audit_data: dict) -> StepResult:
    incident = incidents.get_incident(session, incident_id)
    if incident.state not in INCIDENT_UNRESOLVED:
        raise Conflict(f"Incident {incident_id} is already resolved ({incident.resolution}).",
                       incident_id=incident_id, state=incident.state)
    instance = instances.get_instance(session, incident.instance_id)
    instances.check_active(instance)
    incidents.take_unresolved(session, instance)
    repaired: list[str] = []

    def change(workflow: BpmnWorkflow, result: StepResult) -> None:
        def done(task) -> None:
            result.completed.append(instances.completed_element(task))

        runtime.refresh_timers(workflow)
        for attempt in range(MAX_REPAIRS_PER_STEP + 1):
            try:
                runtime.run_engine_steps(workflow, done)
                return
            except ExecutionFailed as failure:
                task = _failing_task(workflow, failure)
                if task is None or runtime.element_id(task) != incident.bpmn_id or attempt == MAX_REPAIRS_PER_STEP:
                    raise
                repair(task)
                repaired.append(runtime.element_id(task))
                if task.state == TaskState.COMPLETED:
                    done(task)

    data_before = dict(incident.task_data or {})
    result = instances.run_step(session, instance, actor=actor, change=change, effects=effects)
    incidents.resolve(session, instance, incident, resolution=resolution, actor=actor)
    audit.record(session, actor=actor, action=f"incident.{resolution}", instance_id=instance.id,
                 subject=instance.business_key,
                 data={"incident_id": incident.id, "bpmn_id": incident.bpmn_id, "data_before": data_before,
                       "repaired": repaired, **audit_data})
    return result


def _failing_task(workflow: BpmnWorkflow, failure: ExecutionFailed):
    """The task that failed: a script or gateway left in ERROR, or a timer whose instant failed."""
    element = failure.details.get("element")
    candidates = [t for t in runtime.iter_tasks(workflow) if runtime.element_id(t) == element]
    return (next((t for t in candidates if t.state == TaskState.ERROR), None)
            or next((t for t in candidates if surgery.is_unarmed_timer(t) and t.parent is not None
                     and t.parent.state == TaskState.COMPLETED), None))


# --- suspension -----------------------------------------------------------------------------------------

def suspend(session: Session, instance_id: int, *, actor: str, reason: str) -> ProcessInstance:
    """Hold the instance: its tasks cannot be claimed or completed, its timers do not fire."""
    instance = instances.get_instance(session, instance_id)
    if instance.status != "running":
        raise Conflict("Only a running instance can be suspended.", instance_id=instance_id, status=instance.status)
    if instance.suspended_at is not None:
        raise Conflict(f"The instance is already suspended (by {instance.suspended_by}).", instance_id=instance_id)
    instance.suspended_at, instance.suspended_by, instance.suspend_reason = utcnow(), actor, reason
    audit.record(session, actor=actor, action="instance.suspended", instance_id=instance_id,
                 subject=instance.business_key, data={"reason": reason}, at=instance.suspended_at)
    timer_events.mark_changed(session)
    return instance


def resume(session: Session, instance_id: int, *, actor: str, reason: str = "") -> ProcessInstance:
    """Let the instance go on: timers that fell due while it was suspended fire at the next tick."""
    instance = instances.get_instance(session, instance_id)
    if instance.suspended_at is None:
        raise Conflict("The instance is not suspended.", instance_id=instance_id)
    audit.record(session, actor=actor, action="instance.resumed", instance_id=instance_id,
                 subject=instance.business_key,
                 data={"reason": reason, "suspended_at": instance.suspended_at.isoformat(),
                       "suspended_by": instance.suspended_by})
    instance.suspended_at = instance.suspended_by = instance.suspend_reason = None
    timer_events.mark_changed(session)
    return instance


# --- termination ------------------------------------------------------------------------------------

def terminate(session: Session, instance_id: int, *, actor: str, reason: str,
              effects: Effects | None = None) -> StepResult:
    """End the instance where it stands, from outside its model: every unfinished task is cancelled (its
    open human tasks closed, its timers disarmed) and the instance is `terminated`. The caller's
    `effects` see `result.terminated`; a suspended instance may be terminated, the suspension ends."""
    instance = instances.get_instance(session, instance_id)
    if instance.status != "running":
        raise Conflict("Only a running instance can be terminated.", instance_id=instance_id, status=instance.status)

    def cancel(workflow: BpmnWorkflow, result: StepResult) -> None:
        workflow.cancel()
        result.terminated = True

    audit.record(session, actor=actor, action="instance.terminating", instance_id=instance_id,
                 subject=instance.business_key, data={"reason": reason})
    result = instances.run_step(session, instance, actor=actor, change=cancel, effects=effects)
    if instance.suspended_at is not None:
        instance.suspended_at = instance.suspended_by = instance.suspend_reason = None
    timer_events.mark_changed(session)
    return result


# --- move ---------------------------------------------------------------------------------------------

def move(session: Session, instance_id: int, *, from_bpmn_id: str, to_bpmn_id: str, actor: str, reason: str,
         data: dict | None = None, effects: Effects | None = None) -> StepResult:
    """Cancel the active element `from_bpmn_id` and make `to_bpmn_id` active instead, with the data
    the active element had (and `data`); refused where the instance would be left inconsistent."""
    instance = instances.get_instance(session, instance_id)
    instances.check_active(instance)
    incident = incidents.take_unresolved(session, instance)

    def change(workflow: BpmnWorkflow, result: StepResult) -> None:
        tokens = surgery.active_tasks(workflow, from_bpmn_id)
        if not tokens:
            raise RepairRefused(f"'{from_bpmn_id}' is not active in this instance.", element=from_bpmn_id)
        if len(tokens) > 1:
            raise RepairRefused(f"'{from_bpmn_id}' is active {len(tokens)} times (a multi-instance or a loop); "
                                "it cannot be moved as one.", element=from_bpmn_id)
        surgery.move(workflow, tokens[0], to_bpmn_id, data)
        runtime.run_engine_steps(workflow, lambda t: result.completed.append(instances.completed_element(t)))

    result = instances.run_step(session, instance, actor=actor, change=change, effects=effects)
    if incident is not None:
        incidents.resolve(session, instance, incident, resolution="moved", actor=actor)
    audit.record(session, actor=actor, action="instance.moved", instance_id=instance_id,
                 subject=instance.business_key,
                 data={"from": from_bpmn_id, "to": to_bpmn_id, "reason": reason, "data": data or {}})
    return result
