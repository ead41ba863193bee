"""`Sandbox`: runs an expression or a script of a process model over the task data, within limits.

It gives the code its names (the data, the helpers, the module stand-ins, the allowed builtins and
the guards the compiled code calls), runs it, turns a stop into its `SandboxError`, and gives back
values only: a script works on a deep copy of the data and gives back the data it leaves.
"""

from __future__ import annotations

import builtins
import copy
import types
from collections.abc import Mapping
from typing import Any

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence, safe_builtins

from engine.sandbox.errors import MemoryLimitExceeded, SandboxError, _Stop
from engine.sandbox.guards import _Guards
from engine.sandbox.limits import Limits, _current, _Run
from engine.sandbox.namespaces import _GuardedType, _Namespace, model_modules
from engine.sandbox.policy import FILENAME, compile_model_code
from engine.sandbox.sizes import _DATA_SCALARS

# Not from RestrictedPython's safe builtins: what lets code escape its frame, catch a stop, hash or
# compare without a look at the size, or build classes.
_DROPPED_BUILTINS = frozenset({
    "__build_class__", "BaseException", "GeneratorExit", "KeyboardInterrupt", "SystemExit", "setattr", "delattr",
    "id", "hash", "issubclass", "complex",
})
_PLAIN_BUILTINS = ("all", "any", "enumerate", "filter", "list", "map", "next", "reversed", "tuple", "zip")


def _model_line(traceback) -> int | None:
    line = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == FILENAME:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


class Sandbox:
    """Evaluates expressions and runs scripts of process models within `limits`.

    One sandbox may serve many threads at once. Names the code sees, in order of precedence:
    the data (except names starting with "_"), then the `helpers`, then the modules `datetime`,
    `decimal` and `math`, then the builtins.
    """

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        guards = self._guards = _Guards(self.limits)
        allowed = {name: value for name, value in safe_builtins.items()
                   if name not in _DROPPED_BUILTINS and not name.startswith("_")}
        allowed.update({name: getattr(builtins, name) for name in _PLAIN_BUILTINS})
        allowed.update(
            str=_GuardedType(str, guards._check_str),
            int=_GuardedType(int, guards._check_int),
            dict=_GuardedType(dict, guards._check_collection),
            set=_GuardedType(set, guards._check_collection),
            frozenset=_GuardedType(frozenset, guards._check_collection),
            range=_GuardedType(range, guards._check_range),
            sorted=guards.sorted, min=guards.min, max=guards.max, sum=guards.sum, round=guards.round,
            pow=guards.pow, format=guards.format, repr=guards.repr, isinstance=guards.isinstance, iter=guards.iter,
        )
        modules = model_modules(guards)
        common = {
            "__builtins__": allowed,
            "_getitem_": guards.getitem,
            "_getiter_": iter,
            "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
            "_unpack_sequence_": guarded_unpack_sequence,
            "_write_": guards.write,
            "_inplacevar_": guards.inplacevar,
            "_apply_": guards.apply,
            "_mul_": guards.mul, "_pow_": guards.pow, "_lshift_": guards.lshift, "_add_": guards.add,
            "_mod_": guards.mod, "_format_value_": guards.format_value, "_cmp_": guards.compared,
            "_key_": guards.key, "_keys_": guards._collection, "_sized_": guards.sized,
            **modules,
        }
        self._globals = {
            "eval": {**common, "_getattr_": guards.getattr_expression},
            "exec": {**common, "_getattr_": guards.getattr_code},
        }
        self.module_names = frozenset(modules)

    def evaluate(self, expression: str, data: Mapping[str, Any], helpers: Mapping[str, Any] | None = None) -> Any:
        """The value of `expression` over `data`; raises a `SandboxError` when refused or stopped."""
        try:
            code = compile_model_code(expression, "eval")
            run = _Run(self.limits, "expression")
            names = self._names("eval", run, helpers)
            for name, value in data.items():
                if name[:1] != "_":
                    names[name] = value
            value = self._run(code, names, run)
            if type(value) not in _DATA_SCALARS:
                self._guards.measure(value, "the value of the expression", data_only=True)
            return value
        except _Stop as stop:
            raise stop.error from None

    def execute(self, script: str, data: Mapping[str, Any], helpers: Mapping[str, Any] | None = None) -> dict:
        """Run `script` over a copy of `data`; return the data it leaves (`data` itself is not changed).

        Names starting with "_" are passed through untouched and not shown to the script. Helpers,
        modules, functions and classes are left out of the result.
        """
        try:
            code = compile_model_code(script, "exec")
            run = _Run(self.limits, "script")
            names = self._names("exec", run, helpers)
            given = copy.deepcopy({k: v for k, v in data.items() if k[:1] != "_"})
            reserved = set(names).difference(given)  # a data name shadows a helper or module, and stays data
            names.update(given)
            self._run(code, names, run)
            result = {k: v for k, v in data.items() if k[:1] == "_"}
            total = 0
            for name, value in names.items():
                if name in reserved or name[:1] == "_" or callable(value) or type(value) is _Namespace:
                    continue
                total += self._guards.measure(value, f"'{name}'", data_only=True)
                result[name] = value
            if total > 10 * self.limits.max_items:
                raise MemoryLimitExceeded(f"the data the script leaves has a size of {total}, over the limit of "
                                          f"{10 * self.limits.max_items}")
            return result
        except _Stop as stop:
            raise stop.error from None

    def _names(self, mode: str, run: _Run, helpers: Mapping[str, Any] | None) -> dict:
        names = self._globals[mode].copy()
        names["_tick_"] = run.tick
        for name, value in (helpers or {}).items():
            if name[:1] != "_":
                names[name] = run.helper(value) if callable(value) and not isinstance(value, type) else value
        return names

    def _run(self, code: types.CodeType, names: dict, run: _Run):
        previous = getattr(_current, "run", None)
        _current.run = run
        try:
            return eval(code, names)
        except _Stop as stop:
            if isinstance(stop.error, SandboxError):
                stop.error.line = stop.error.line or _model_line(stop.__traceback__)
                raise
            raise stop.error from None  # a helper's own error, untouched
        except MemoryError as exc:
            raise MemoryLimitExceeded(f"the {run.kind} ran out of memory", _model_line(exc.__traceback__)) from None
        except Exception as exc:
            self._guards.measure(exc.args, f"the error the {run.kind} raised")
            raise
        finally:
            _current.run = previous
