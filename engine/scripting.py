"""The environment model expressions and scripts run in.

Only an allow-list of builtins and a few modules are reachable; there is no `open`, `__import__`,
`eval`, `getattr` or `type`. This narrows what a model can do; the full sandbox (RestrictedPython,
time and memory limits) is the job of the security work and plugs in here.
"""

from __future__ import annotations

import builtins
import datetime
import decimal
import math

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition

from engine.clock import has_utc_offset
from engine.deadlines import ahead_of_due_for, before_due_for, deadline_for

SAFE_BUILTIN_NAMES = (
    "abs", "all", "any", "bool", "dict", "divmod", "enumerate", "filter", "float", "format", "frozenset",
    "int", "isinstance", "len", "list", "map", "max", "min", "pow", "range", "reversed", "round", "set",
    "slice", "sorted", "str", "sum", "tuple", "zip", "ArithmeticError", "Exception", "KeyError",
    "ValueError", "TypeError", "ZeroDivisionError", "True", "False", "None",
)
SAFE_BUILTINS = {name: getattr(builtins, name) for name in SAFE_BUILTIN_NAMES}


class ScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's engine, refusing a computed timeDate without a UTC offset.

    SpiffWorkflow would read such a value in the server's local zone; the engine never relies on
    the server's zone, so the model must say which instant it means.
    """

    def evaluate(self, task, expression, external_context=None):
        result = super().evaluate(task, expression, {**_task_helpers(task), **(external_context or {})})
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, TimeDateEventDefinition) and _is_naive(result):
            raise WorkflowTaskException(
                f"the timeDate {result!r} has no UTC offset (write e.g. 2026-12-01T08:00:00+07:00)", task=task)
        return result


    def execute(self, task, script, external_context=None):
        return super().execute(task, script, {**_task_helpers(task), **(external_context or {})})


def _task_helpers(task) -> dict:
    """Functions a model's expressions may call that need to know which task they run for."""
    return {"deadline": lambda step_key: deadline_for(task, step_key),
            "before_due": lambda working_days: before_due_for(task, working_days),
            "ahead_of_due": lambda: ahead_of_due_for(task)}


def _is_naive(value) -> bool:
    if isinstance(value, datetime.datetime):
        return value.tzinfo is None
    return isinstance(value, str) and not value.upper().startswith("P") and not has_utc_offset(value)


def make_script_engine(helpers: dict | None = None) -> PythonScriptEngine:
    """A script engine whose globals are the safe builtins, a few modules and `helpers`."""
    environment_globals = {
        "__builtins__": SAFE_BUILTINS,
        "datetime": datetime,
        "decimal": decimal,
        "math": math,
        **(helpers or {}),
    }
    return ScriptEngine(environment=TaskDataEnvironment(environment_globals))
