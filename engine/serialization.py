"""Workflow state <-> JSON. The process spec is stored once per version, never in an instance.

An instance's JSON holds its tasks and data only; on load the spec objects of its version are
taken from a small in-process cache (specs are immutable once deployed).

The state is also split in two, for storing it task by task (engine/state_store.py): the
*envelope*, the workflow's JSON without the tasks of the process and of its subprocesses, and one
JSON text per task. `assemble` puts them back together into exactly the JSON `state_to_json`
gives, which is then restored as usual.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, time
from decimal import Decimal

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.dmn.tasks import DecisionTableTask, DecisionTableTaskConverter


class _SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Leaves the spec out; on restore, expects the caller to put spec objects in the dict."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct


_CONFIG = dict(SPIFF_CONFIG)
_CONFIG[BpmnWorkflow] = _SpeclessWorkflowConverter
_CONFIG[DecisionTableTask] = DecisionTableTaskConverter  # the table, with what SpiffWorkflow's converter drops
_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_CONFIG))
# Values a model script may leave in task data besides JSON, datetime and timedelta (SpiffWorkflow's own).
_SERIALIZER.registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
_SERIALIZER.registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
_SERIALIZER.registry.register(time, lambda v: {"value": v.isoformat()}, lambda v: time.fromisoformat(v["value"]))

_SPEC_CACHE_SIZE = 256
_spec_cache: OrderedDict[str, tuple] = OrderedDict()
_spec_cache_lock = threading.Lock()


def registry():
    """The serializer's converter registry (SpiffWorkflow's diff utilities compare specs with it)."""
    return _SERIALIZER.registry


def spec_to_json(spec, subprocess_specs: dict) -> str:
    registry = _SERIALIZER.registry
    return json.dumps({
        "spec": registry.convert(spec),
        "subprocess_specs": {name: registry.convert(s) for name, s in subprocess_specs.items()},
    })


def spec_from_json(cache_key: str, spec_json: Callable[[], str]) -> tuple:
    """The (spec, subprocess_specs) of a version, restored once and then shared; `spec_json` is
    called only on a cache miss (the stored spec is large: it is not read from the database per step)."""
    with _spec_cache_lock:
        if cache_key in _spec_cache:
            _spec_cache.move_to_end(cache_key)
            return _spec_cache[cache_key]
    dct = json.loads(spec_json())
    registry = _SERIALIZER.registry
    specs = (
        registry.restore(dct["spec"]),
        {name: registry.restore(s) for name, s in dct["subprocess_specs"].items()},
    )
    with _spec_cache_lock:
        _spec_cache[cache_key] = specs
        while len(_spec_cache) > _SPEC_CACHE_SIZE:
            _spec_cache.popitem(last=False)
    return specs


def state_to_json(workflow: BpmnWorkflow) -> str:
    return _SERIALIZER.serialize_json(workflow)


def state_from_json(state_json: str, spec, subprocess_specs: dict, script_engine) -> BpmnWorkflow:
    return state_from_dict(json.loads(state_json), spec, subprocess_specs, script_engine)


def state_from_dict(dct: dict, spec, subprocess_specs: dict, script_engine) -> BpmnWorkflow:
    _SERIALIZER.migrate(dct)
    dct["spec"] = spec
    dct["subprocess_specs"] = dict(subprocess_specs)
    workflow = _SERIALIZER.from_dict(dct)
    workflow.script_engine = script_engine
    return workflow


def envelope_of(workflow: BpmnWorkflow) -> dict:
    """The workflow's state as `state_to_json` gives it, less the tasks of the process and of its
    subprocesses (it does not convert them: its cost does not grow with the history)."""
    registry = _SERIALIZER.registry
    registry._encoder_mode = True  # as serialize_json does: values are converted by the JSON encoder
    try:
        envelope = _header(workflow)
        envelope["subprocesses"] = {
            str(task_id): {**_header(subprocess), "parent_task_id": str(subprocess.parent_task_id),
                           "spec": subprocess.spec.name, "typename": registry.typenames[type(subprocess)]}
            for task_id, subprocess in workflow.subprocesses.items()}
        envelope["bpmn_events"] = registry.convert(workflow.bpmn_events)
        envelope["typename"] = registry.typenames[type(workflow)]
    finally:
        registry._encoder_mode = False
    envelope[_SERIALIZER.VERSION_KEY] = _SERIALIZER.VERSION
    return envelope


def _header(workflow) -> dict:
    """What SpiffWorkflow's WorkflowConverter writes of a process or subprocess, but its tasks."""
    registry = _SERIALIZER.registry
    return {
        "data": registry.convert(registry.clean(workflow.data)),
        "correlations": workflow.correlations,
        "last_task": str(workflow.last_task.id) if workflow.last_task is not None else None,
        "success": workflow.success,
        "completed": workflow.completed,
        "root": str(workflow.task_tree.id),
    }


def task_to_json(task) -> str:
    """One task as it appears in `state_to_json`'s output."""
    registry = _SERIALIZER.registry
    registry._encoder_mode = True
    try:
        return json.dumps(registry.convert(task), cls=_SERIALIZER._encoder_cls)
    finally:
        registry._encoder_mode = False


def envelope_to_json(envelope: dict) -> str:
    return json.dumps(envelope, cls=_SERIALIZER._encoder_cls)


def assemble(envelope: dict, tasks: list[tuple[str, str | None, str]]) -> dict:
    """The workflow's whole JSON (as a dict) from its envelope and its tasks, each (task id, the
    id of the subprocess that holds it or None for the process, its JSON), in their order."""
    dct = dict(envelope)
    dct["tasks"] = {}
    dct["subprocesses"] = {task_id: {**header, "tasks": {}} for task_id, header in envelope["subprocesses"].items()}
    for task_id, subprocess, task_json in tasks:
        holder = dct if subprocess is None else dct["subprocesses"][subprocess]
        holder["tasks"][task_id] = json.loads(task_json)
    return dct
