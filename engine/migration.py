"""Moving running instances to another version of their process (instance migration).

SpiffWorkflow 3.2 has the diff and the basic move (`SpiffWorkflow.bpmn.util.diff`: `diff_workflow`,
`migrate_workflow`), which spiff-arena uses too. Alone it leaves three problems, solved here:
- a task whose element the new version lacks keeps the old spec, and the saved instance can no longer
  be loaded: such tasks are taken out (finished ones spliced out of the tree, unfinished ones - a
  boundary timer, a predicted branch - removed);
- every waiting timer would start again from the migration instant: a timer whose definition did
  not change keeps its due instant;
- the rows people and the scheduler read (open tasks, waiting timers) keep the old element ids: they
  are brought up to date.

An instance migrates when each of its active elements exists in the new version, or `mapping`
(old id -> new id) says where it went; otherwise it is refused with the reason and stays as it was.
Changes to elements already completed are allowed (history is not re-run); an element added before
the active one is not run for this instance. The instance's data, history and step verdicts are
kept. What an instance was before is kept with the migration (`InstanceMigration.before`), so that
it can be reverted while nothing has happened to it since.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit, calls, incidents, instances, runtime, state_store, surgery, task_rows
from engine.clock import utcnow
from engine.errors import Conflict, RepairRefused
from engine.instances import Effects, StepResult
from engine.models import InstanceMigration, ProcessInstance, ProcessVersion
from engine.serialization import registry

LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass(frozen=True)
class Plan:
    """What migrating an instance would do: its scopes (process and subprocesses with their diffs),
    the reasons it would be refused (none: it can migrate)."""

    scopes: list
    refusals: list[str]


def plan(workflow: BpmnWorkflow, spec, subprocess_specs: dict, mapping: dict | None = None) -> Plan:
    """Compare the instance with the new version's specs and list what would stop it migrating."""
    top, subs = diff_workflow(registry(), workflow, spec, subprocess_specs)
    refusals, scopes = [], [(workflow, top, spec)]
    for sub_id, sub in workflow.subprocesses.items():
        if subs[sub_id] is None:
            if not sub.completed:
                refusals.append(f"the running subprocess '{sub.spec.name}' is not in the new version")
            continue
        scopes.append((sub, subs[sub_id], subprocess_specs[sub.spec.name]))
    for scope, diff, new_spec in scopes:
        full = _with_boundaries(mapping or {}, scope.spec, new_spec)
        for task in list(diff.removed):
            target = full.get(task.task_spec.name)
            if target is None:
                continue
            if target not in new_spec.task_specs:
                refusals.append(f"the mapping names '{target}', which is not in the new version")
                continue
            diff.removed.remove(task)
            diff.alignment[task] = new_spec.task_specs[target]
        for task in diff.removed:
            if task.state & (TaskState.READY | TaskState.STARTED | TaskState.ERROR) or (
                    task.state == TaskState.WAITING and not isinstance(task.task_spec, BoundaryEvent)):
                refusals.append(f"the active element '{runtime.element_id(task)}' is not in the new version "
                                "(map it to an element of the new version)")
        for task, new in diff.alignment.items():
            if task.state == TaskState.STARTED and new is not None and type(new) is not type(task.task_spec):
                refusals.append(f"the running element '{runtime.element_id(task)}' changed its kind")
    return Plan(scopes, sorted(set(refusals)))


def apply(workflow: BpmnWorkflow, migration_plan: Plan, subprocess_specs: dict) -> None:
    """Move the workflow to the new specs of a plan without refusals (in memory)."""
    kept = {}  # waiting timers whose definition did not change keep their instant
    for _scope, diff, _spec in migration_plan.scopes:
        for task, new in diff.alignment.items():
            fingerprint = _timer(task.task_spec)
            if task.state == TaskState.WAITING and new is not None and fingerprint is not None \
                    and fingerprint == _timer(new):
                kept[task.id] = (dict(task.internal_data), task.last_state_change)
    for scope, diff, _spec in migration_plan.scopes:  # what the new version lacks leaves the tree
        for task in sorted(diff.removed, key=lambda t: t.depth, reverse=True):
            if task.id not in scope.tasks:
                continue
            if task.state & TaskState.NOT_FINISHED_MASK:
                for sub in list(task):
                    workflow.event_manager.remove_task(sub)
                scope._remove_task(task.id)
            else:
                if task.id in workflow.subprocesses:
                    workflow.delete_subprocess(task)
                _splice(scope, task)
    top, top_diff, top_spec = migration_plan.scopes[0]
    migrate_workflow(top_diff, top, top_spec, reset_mask=LIVE)
    for scope, diff, spec in migration_plan.scopes[1:]:
        migrate_workflow(diff, scope, spec, reset_mask=LIVE)
        if not scope.completed:
            workflow.get_task_from_id(scope.parent_task_id)._set_state(TaskState.STARTED)
    workflow.subprocess_specs = dict(subprocess_specs)
    for scope, _diff, _spec in migration_plan.scopes:
        for task_id, (internal, changed_at) in kept.items():
            task = scope.tasks.get(task_id)
            if task is not None and task.state == TaskState.WAITING:
                task.internal_data, task.last_state_change = internal, changed_at
    surgery.purge_stale_events(workflow)


def migrate_instance(session: Session, instance_id: int, to_version: ProcessVersion, *, actor: str,
                     reason: str = "", mapping: dict | None = None, data: dict | None = None,
                     effects: Effects | None = None) -> StepResult:
    """Migrate the instance to `to_version` (another version of its process), in the caller's
    transaction; `RepairRefused` saying why when it cannot."""
    instance = instances.get_instance(session, instance_id)
    from_version = instance.process_version
    if to_version.process_id != from_version.process_id:
        raise RepairRefused(f"Version {to_version.version} belongs to '{to_version.process_id}', not to this "
                            f"instance's process '{from_version.process_id}'.", process_id=to_version.process_id)
    if to_version.id == from_version.id:
        raise RepairRefused(f"The instance already runs on version {to_version.version}.", version=to_version.version)
    if instance.status != "running":
        raise RepairRefused("A finished instance is not migrated.", status=instance.status)
    before = {"version_id": from_version.id, "state": instance.state,
              "tasks": [list(row) for row in state_store.stored_rows(session, instance_id)]}
    incident = incidents.take_unresolved(session, instance)
    try:  # the new version with the processes it calls: those the instance pinned keep their version
        target = calls.compose(session, to_version, instance.called_versions or {})
    except calls.CallProblem as exc:
        raise RepairRefused(f"Version {to_version.version} cannot run this instance: {exc.message}",
                            **exc.details) from None
    spec, subprocess_specs = target.spec, target.subprocess_specs
    migrated: list[BpmnWorkflow] = []

    def change(workflow: BpmnWorkflow, result: StepResult) -> None:
        migrated.append(workflow)
        migration_plan = plan(workflow, spec, subprocess_specs, mapping)
        if migration_plan.refusals:
            raise RepairRefused("This instance cannot move to version "
                                f"{to_version.version}: {'; '.join(migration_plan.refusals)}.",
                                refusals=migration_plan.refusals)
        apply(workflow, migration_plan, subprocess_specs)
        for task in runtime.iter_tasks(workflow):
            if data and task.state & LIVE:
                task.data.update(data)
        instance.process_version = to_version
        runtime.run_engine_steps(workflow, lambda t: result.completed.append(instances.completed_element(t)))

    result = instances.run_step(session, instance, actor=actor, change=change, effects=effects)
    task_rows.refresh_open_rows(session, instance, migrated[0])
    if incident is not None:
        incidents.resolve(session, instance, incident, resolution="migrated", actor=actor)
    session.flush()
    session.add(InstanceMigration(instance_id=instance_id, from_version_id=from_version.id,
                                  to_version_id=to_version.id, mapping=mapping or {}, before=before,
                                  revision_after=instance.revision, migrated_at=utcnow(), migrated_by=actor))
    audit.record(session, actor=actor, action="instance.migrated", instance_id=instance_id,
                 subject=instance.business_key,
                 data={"from_version": from_version.version, "to_version": to_version.version,
                       "mapping": mapping or {}, "data": data or {}, "reason": reason})
    return result


def revert_latest(session: Session, instance_id: int, *, actor: str, reason: str = "") -> ProcessInstance:
    """Put the instance back as it was before its latest migration, if nothing happened to it since."""
    instance = instances.get_instance(session, instance_id)
    migration = session.scalars(select(InstanceMigration).where(InstanceMigration.instance_id == instance_id)
                                .order_by(InstanceMigration.id.desc()).limit(1)).first()
    if migration is None or migration.reverted_at is not None:
        raise Conflict("This instance has no migration to revert.", instance_id=instance_id)
    if instance.revision != migration.revision_after:
        raise Conflict("Something happened to the instance since it was migrated; the migration can no longer "
                       "be reverted (migrate it again instead).", instance_id=instance_id)
    current = instances.load_workflow(instance)
    snapshot = task_rows.RowSnapshot.of(current)
    old_version = session.get(ProcessVersion, migration.before["version_id"])
    state = state_store.restore(session, instance_id, migration.before["state"], migration.before["tasks"])
    instance.process_version = old_version
    instances.write_state(session, instance, state)
    restored = instances.load_workflow(instance)
    task_rows.sync(session, instance, restored, snapshot, utcnow())
    task_rows.refresh_open_rows(session, instance, restored)
    migration.reverted_at, migration.reverted_by = utcnow(), actor
    audit.record(session, actor=actor, action="instance.migration_reverted", instance_id=instance_id,
                 subject=instance.business_key,
                 data={"from_version": session.get(ProcessVersion, migration.to_version_id).version,
                       "to_version": old_version.version, "reason": reason})
    return instance


def _with_boundaries(mapping: dict, old_spec, new_spec) -> dict:
    """A mapped element takes its boundary events' internal split and join along."""
    full = dict(mapping)
    for old, new in list(full.items()):
        for suffix in (".BoundaryEventSplit", ".BoundaryEventJoin"):
            if old + suffix in old_spec.task_specs and new + suffix in new_spec.task_specs:
                full.setdefault(old + suffix, new + suffix)
    return full


def _timer(spec):
    definition = getattr(spec, "event_definition", None)
    return json.dumps(registry().convert(definition), sort_keys=True) \
        if isinstance(definition, TimerEventDefinition) else None


def _splice(scope: BpmnWorkflow, task) -> None:
    """Take a finished task out of the tree; its children go to its parent."""
    parent = task.parent
    at = parent._children.index(task.id)
    parent._children[at:at + 1] = task._children
    for child in task.children:
        child._parent = parent.id
    del scope.tasks[task.id]


def running_on(session: Session, version_id: int) -> list[ProcessInstance]:
    return list(session.scalars(select(ProcessInstance).where(ProcessInstance.process_version_id == version_id,
                                                              ProcessInstance.status == "running")
                                .order_by(ProcessInstance.id)))
