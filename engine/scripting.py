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

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

SAFE_BUILTIN_NAMES = (
    "abs", "all", "any", "bool", "dict", "divmod", "enumerate", "filter", "float", "format", "frozenset",
    "int", "isinstance", "len", "list", "map", "max", "min", "pow", "range", "reversed", "round", "set",
    "slice", "sorted", "str", "sum", "tuple", "zip", "ArithmeticError", "Exception", "KeyError",
    "ValueError", "TypeError", "ZeroDivisionError", "True", "False", "None",
)
SAFE_BUILTINS = {name: getattr(builtins, name) for name in SAFE_BUILTIN_NAMES}


def make_script_engine(helpers: dict | None = None) -> PythonScriptEngine:
    """A script engine whose globals are the safe builtins, a few modules and `helpers`."""
    environment_globals = {
        "__builtins__": SAFE_BUILTINS,
        "datetime": datetime,
        "decimal": decimal,
        "math": math,
        **(helpers or {}),
    }
    return PythonScriptEngine(environment=TaskDataEnvironment(environment_globals))
