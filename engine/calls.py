"""Call activities to processes deployed on their own: another file, its own line of versions.

A model's `callActivity calledElement="X"`, where X is not a process of the same file, calls the
deployed process X. Deployment requires X to be deployed already and refuses a call cycle (P calls
X calls P), checked against the latest versions.

At run time the caller's instance calls the version of X that is the latest when the call starts,
and keeps it: SpiffWorkflow restores a running subprocess from the spec it was made from, and a
changed callee (a task renamed) would no longer restore. The version ids an instance pinned are in
`process_instance.called_versions` ({process id: version id}), written in the step that started
the call. Loading an instance gives SpiffWorkflow the pinned versions' specs, and the latest
version's for the calls not started yet. A process called twice in one instance keeps the version
of its first call (SpiffWorkflow holds one spec per process name).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity
from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session, object_session

from engine import deployments  # a module: deployments checks calls when it deploys
from engine.errors import ExecutionFailed
from engine.models import ProcessInstance, ProcessVersion
from engine.task_rows import committed

_EXTERNAL = "motcua_external_calls"
_INSTANCES = ProcessInstance.__table__
_WRITE_PINS = (update(_INSTANCES).where(_INSTANCES.c.id == bindparam("b_id"))
               .values(called_versions=bindparam("b_pins", type_=_INSTANCES.c.called_versions.type)))


class CallProblem(ValueError):
    """The called processes cannot be put together (not deployed, a cycle, a name used twice)."""

    def __init__(self, message: str, **details) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


@dataclass
class Specs:
    """What SpiffWorkflow needs to run or restore an instance: the process's spec, the specs of the
    processes it starts (its embedded sub-processes, the processes it calls), and the version of
    each called process that was supplied."""

    spec: object
    subprocess_specs: dict
    supplied: dict = field(default_factory=dict)  # called process id -> version id


def external_calls(spec, subprocess_specs: dict) -> frozenset[str]:
    """The processes called by call activities of the spec (and of its embedded sub-processes) that
    are not among `subprocess_specs`: deployed processes. Remembered on the (immutable) spec."""
    cached = getattr(spec, _EXTERNAL, None)
    if cached is None:
        cached = frozenset(
            task_spec.spec
            for process_spec in (spec, *subprocess_specs.values())
            for task_spec in process_spec.task_specs.values()
            if isinstance(task_spec, CallActivity) and task_spec.spec not in subprocess_specs)
        setattr(spec, _EXTERNAL, cached)
    return cached


def compose(session: Session, version: ProcessVersion, pinned: dict | None = None) -> Specs:
    """The specs of `version` with those of the processes it calls, at any depth: the `pinned`
    version of each (process id -> version id), else its latest. `CallProblem` when a called
    process is not deployed or its sub-processes reuse a name already taken."""
    spec, own = deployments.load_spec(version)
    return _compose(session, version.process_id, spec, own, pinned or {})


def _compose(session: Session, process_id: str, spec, own: dict, pinned: dict) -> Specs:
    specs = Specs(spec, dict(own))
    origin = dict.fromkeys(own, process_id)  # each sub-process name -> the process it belongs to
    wanted = sorted(external_calls(spec, own))
    while wanted:
        name = wanted.pop(0)
        if name in specs.subprocess_specs or name == process_id:
            continue
        callee = (session.get(ProcessVersion, pinned[name]) if name in pinned
                  else deployments.find_latest_version(session, name))
        if callee is None:
            raise CallProblem(f"The called process '{name}' is not deployed; deploy it first.", process_id=name)
        callee_spec, callee_own = deployments.load_spec(callee)
        for key in (name, *callee_own):
            if key in origin:
                raise CallProblem(
                    f"The process '{name}' uses the id '{key}', which '{origin[key]}' uses too; rename one "
                    "of them (the processes of one call tree share one namespace).", process_id=name, id=key)
        specs.subprocess_specs[name] = callee_spec
        specs.subprocess_specs.update(callee_own)
        origin.update({name: name, **dict.fromkeys(callee_own, name)})
        specs.supplied[name] = callee.id
        wanted.extend(sorted(external_calls(callee_spec, callee_own)))
    return specs


def instance_specs(instance: ProcessInstance) -> Specs:
    """The specs to restore `instance` with: its version's, and its called processes' as it pinned them."""
    version = instance.process_version
    spec, own = deployments.load_spec(version)
    if not external_calls(spec, own):
        return Specs(spec, own)
    try:
        return compose(object_session(instance), version, instance.called_versions or {})
    except CallProblem as exc:
        raise ExecutionFailed(f"The process cannot continue: {exc.message}", **exc.details) from None


def supply(workflow: BpmnWorkflow, specs: Specs) -> BpmnWorkflow:
    """Give a workflow (restored, or taken from the cache) the called processes' specs of `specs`."""
    if specs.supplied or getattr(workflow, "motcua_callees", None):
        workflow.subprocess_specs.update(specs.subprocess_specs)
    workflow.motcua_callees = dict(specs.supplied)
    return workflow


def pin_started_calls(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow) -> None:
    """Record the version of each called process whose call started in this step (in its transaction)."""
    supplied = getattr(workflow, "motcua_callees", None)
    if not supplied:
        return
    pinned = dict(instance.called_versions or {})
    started = {subprocess.spec.name for subprocess in workflow.subprocesses.values()}
    new = {name: version_id for name, version_id in supplied.items() if name in started and name not in pinned}
    if not new:
        return
    pinned.update(new)
    session.connection().execute(_WRITE_PINS, {"b_id": instance.id, "b_pins": pinned})
    committed(instance, {"called_versions": pinned})


def check_calls(session: Session, process_id: str, spec, subprocess_specs: dict) -> list[str]:
    """For deployment: the deployed processes this model calls; `CallProblem` (naming the call
    activity) when one is not deployed, when the calls make a cycle back to `process_id` (checked on
    the latest versions), or when two processes of the call tree use one sub-process id."""
    called = sorted(external_calls(spec, subprocess_specs))
    for name in called:
        element = _call_activity(name, spec, subprocess_specs)
        if name == process_id:
            raise CallProblem(f"The call activity '{element}' calls its own process '{process_id}'.",
                              element=element, process_id=name)
        if deployments.find_latest_version(session, name) is None:
            raise CallProblem(f"The call activity '{element}' calls the process '{name}', which is not deployed; "
                              "deploy it first.", element=element, process_id=name)
        path = _cycle_through(session, name, process_id, [process_id, name], set())
        if path:
            raise CallProblem(f"The call activity '{element}' makes a cycle of calls: {' → '.join(path)}.",
                              element=element, process_id=name, cycle=path)
    _compose(session, process_id, spec, subprocess_specs, {})
    return called


def _call_activity(name: str, spec, subprocess_specs: dict) -> str | None:
    for process_spec in (spec, *subprocess_specs.values()):
        for task_spec in process_spec.task_specs.values():
            if isinstance(task_spec, CallActivity) and task_spec.spec == name:
                return task_spec.bpmn_id
    return None


def _cycle_through(session: Session, name: str, target: str, path: list[str], seen: set) -> list[str] | None:
    """The path of calls from `name` back to `target` through the latest versions, if there is one."""
    if name in seen:
        return None
    seen.add(name)
    version = deployments.find_latest_version(session, name)
    if version is None:
        return None
    spec, own = deployments.load_spec(version)
    for callee in sorted(external_calls(spec, own)):
        if callee == target:
            return [*path, callee]
        found = _cycle_through(session, callee, target, [*path, callee], seen)
        if found:
            return found
    return None


def called_versions(session: Session, version: ProcessVersion) -> list[ProcessVersion]:
    """The versions a new instance of `version` would call (the latest of each called process, at
    any depth), in the order they are found: what a procedure maps lanes and allots step times for."""
    try:
        supplied = compose(session, version).supplied
    except CallProblem:
        return []
    return [session.get(ProcessVersion, version_id) for version_id in supplied.values()]
