"""Workflow state <-> JSON. The process spec is stored once per version, never in an instance.

An instance's JSON holds its tasks and data only; on load the spec objects of its version are
taken from a small in-process cache (specs are immutable once deployed).
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


class _SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Leaves the spec out; on restore, expects the caller to put spec objects in the dict."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct


_CONFIG = dict(SPIFF_CONFIG)
_CONFIG[BpmnWorkflow] = _SpeclessWorkflowConverter
_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_CONFIG))
# Values a model script may leave in task data besides JSON, datetime and timedelta (SpiffWorkflow's own).
_SERIALIZER.registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
_SERIALIZER.registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
_SERIALIZER.registry.register(time, lambda v: {"value": v.isoformat()}, lambda v: time.fromisoformat(v["value"]))

_SPEC_CACHE_SIZE = 256
_spec_cache: OrderedDict[str, tuple] = OrderedDict()
_spec_cache_lock = threading.Lock()


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
    dct = json.loads(state_json)
    _SERIALIZER.migrate(dct)
    dct["spec"] = spec
    dct["subprocess_specs"] = dict(subprocess_specs)
    workflow = _SERIALIZER.from_dict(dct)
    workflow.script_engine = script_engine
    return workflow
