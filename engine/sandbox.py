"""The sandbox every expression and script of a process model runs in.

Model code (gateway conditions, script tasks, timer expressions, pre- and post-scripts) is compiled
by RestrictedPython's `compile_restricted` with a stricter policy than its default, and runs with
guarded attribute access, item access, iteration and writes, an allow-list of builtins, and three
modules given as read-only namespaces of chosen members (never the modules themselves: the real
`datetime` module, for one, carries `sys`).

What the compiler refuses (`CodeRefused`; `engine.parsing` refuses such a model at deployment):
import statements; names and attributes starting with "_" (so every dunder walk); the frame, code
and traceback attributes of generators, coroutines, frames and tracebacks (`gi_frame`, `f_back`,
`f_globals`, `tb_frame`...); `format` and `format_map` (format strings can walk attributes) and
`mro`; `eval`, `exec`, `compile`, `open`, `getattr`, `setattr`, `delattr`, `globals`, `locals`,
`vars`, `breakpoint`, `print`, `bytes`, `bytearray`, `memoryview`; class definitions; `with`,
`finally` and a bare `except:` (they could run code after the sandbox stopped the code); async code;
assigning to a slice anywhere but in a plain `x[a:b] = value`.

What the guards refuse while the code runs (`AccessRefused`): any attribute of a module namespace
that is not on its list (`datetime.sys`); changing anything but a list or a dict; in an expression,
methods that change data (`append`, `update`...: expressions only read); `iter()` with a sentinel.

Limits, per evaluation (`Limits`; every refusal happens before the work or the allocation it stops):
- Time: `time` seconds of wall time (default 1 s), `TimeLimitExceeded`. The compiler puts a check at
  the top of every loop body, every function the model defines, every lambda and every step of a
  comprehension; large allocations check too. It works in any thread and needs neither a signal
  nor a trace function (CPython 3.11 emits no trace event at all for `while True: pass`). The
  stop is a BaseException inside the code, which it cannot catch (no bare except, no
  BaseException, no finally). Time spent inside the service's helpers (`deadline()`...) is credited
  back, up to ten times the limit, and a helper is never interrupted.
- One allocation: at most `max_items` (default 1,000,000) items: characters of a str, bytes,
  elements of a list or tuple, the length of a range. Checked for `*`, `+`, `%`-formatting,
  f-strings, `format()`, `str.join`, `replace`, `ljust`/`rjust`/`center`/`zfill`, `expandtabs`,
  `translate`, `list.extend`, `int.to_bytes`, `range()`, starred unpacking and slice assignment.
  `MemoryLimitExceeded` ("an allocation of 10000000000 items is over the limit of 1000000").
- Integers: at most `max_int_bits` (default 10,000 bits, about 3,000 digits) for `*`, `**`, `<<`,
  `pow()`, `int()`, `round()`, `math.factorial`/`comb`/`perm`/`prod`/`lcm`/`floor`/`ceil`/`trunc`,
  `int.from_bytes` and Decimal-to-integer conversions (`int(Decimal("1e999999"))` alone would
  take half a minute).
- Values that are turned into text, compared, hashed, sorted or given back to the engine: a size
  of at most `max_items` (one per element plus the length of each text) and at most `max_depth`
  (default 100) levels of nesting, counting a shared element each time it appears, and no value
  that contains itself; all the data a script leaves, at most ten times `max_items`. This stops a
  list that holds the same list a million times, or a tuple doubled a hundred times, from exploding
  in `str()`, `==`, a dict key, a sort or the JSON of the task data (measuring it takes time in
  proportion to the objects that exist, not to the size they stand for).
- Memory: the process's resident memory may grow by at most `max_memory_growth` (default 256 MiB)
  during one evaluation; measured (Linux `/proc/self/statm`) at most once a millisecond, from
  the same checks as time. It bounds what loops build out of allowed-size pieces.

Data goes in and out as values: a script sees a deep copy of the task data and `execute` returns
the data it leaves (functions, modules and helpers are left out; a value that is not data, such as
a generator, is refused), so a failing script changes nothing.
"""

from __future__ import annotations

import ast
import builtins
import copy
import datetime
import decimal
import itertools
import math
import operator
import os
import re
import threading
import time
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence, safe_builtins
from RestrictedPython.transformer import INSPECT_ATTRIBUTES, RestrictingNodeTransformer, copy_locations

__all__ = [
    "AccessRefused", "CodeRefused", "Limits", "MemoryLimitExceeded", "ResultRefused", "Sandbox", "SandboxError",
    "TimeLimitExceeded", "compile_model_code",
]

# The file name of compiled model code. SpiffWorkflow finds the line of a script error by it.
FILENAME = "<string>"


class SandboxError(Exception):
    """Model code was refused or stopped. `line` is the line of the model code, when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return self.message if self.line is None else f"{self.message} (line {self.line})"


class CodeRefused(SandboxError):
    """The code cannot run in the sandbox: found when compiling, before it runs."""


class AccessRefused(SandboxError):
    """The code reached for something the sandbox does not give while it ran."""


class TimeLimitExceeded(SandboxError):
    """The code ran longer than its time limit."""


class MemoryLimitExceeded(SandboxError):
    """The code would allocate, or built, more than its limits allow."""


class ResultRefused(SandboxError):
    """The code gave back a value that is not data (a generator, a module...)."""


class _Stop(BaseException):
    """Raised inside model code to stop it: no `except` the code may write can catch it."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class Limits:
    """What one evaluation may use; see the module's docstring for how each is enforced."""

    time: float = 1.0
    max_items: int = 1_000_000
    max_int_bits: int = 10_000
    max_depth: int = 100
    max_memory_growth: int = 256 * 1024 * 1024


# --------------------------------------------------------------------------------------------
# Compiling

FORBIDDEN_NAMES = frozenset({
    "eval", "exec", "compile", "open", "getattr", "setattr", "delattr", "globals", "locals", "vars",
    "breakpoint", "print", "printed", "bytes", "bytearray", "memoryview",
})
DENIED_ATTRIBUTES = frozenset(INSPECT_ATTRIBUTES | {
    "format", "format_map", "mro", "add_note", "with_traceback", "func_globals", "func_code",
})
_GUARDED_BINOPS = {ast.Mult: "_mul_", ast.Pow: "_pow_", ast.LShift: "_lshift_", ast.Add: "_add_", ast.Mod: "_mod_"}
_SLICE_TARGET = "assigning to a slice is only allowed as a plain assignment ('items[a:b] = value')"


def _is_constant(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return True
    return isinstance(node, (ast.Tuple, ast.List, ast.Set)) and all(_is_constant(e) for e in node.elts)


def _is_number(node: ast.AST, *kinds: type) -> bool:
    kinds = kinds or (int, float)
    return isinstance(node, ast.Constant) and type(node.value) in kinds


def _slice_stores(target: ast.AST):
    for node in ast.walk(target):
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice) and not isinstance(node.ctx, ast.Load):
            yield node


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, stricter, and rewriting what could run long or allocate much into guard calls."""

    def _call(self, guard: str, args: list, like: ast.AST) -> ast.Call:
        call = ast.Call(func=ast.Name(guard, ast.Load()), args=args, keywords=[])
        copy_locations(call, like)
        return call

    def _tick_statement(self, like: ast.AST) -> ast.Expr:
        statement = ast.Expr(self._call("_tick_", [], like))
        copy_locations(statement, like)
        return statement

    # Names and attributes

    def check_name(self, node, name, allow_magic_methods=False):
        if name is None:
            return
        if name.startswith("_") and name != "_":
            self.error(node, f"the name '{name}' is not allowed in model code (names starting with '_' are reserved)")
        elif name in FORBIDDEN_NAMES:
            self.error(node, f"'{name}' is not available in model code")
        else:
            super().check_name(node, name, allow_magic_methods)

    def visit_Name(self, node):
        if node.id in ("print", "printed"):
            self.error(node, "'print' is not available in model code")
            return node
        return super().visit_Name(node)

    def visit_Attribute(self, node):
        if node.attr.startswith("_") or node.attr in DENIED_ATTRIBUTES:
            self.error(node, f"access to '{node.attr}' is not allowed in model code")
            return node
        return super().visit_Attribute(node)

    # Statements the sandbox does not take

    def visit_Import(self, node):
        self.error(node, "import statements are not allowed in model code "
                         "(datetime, decimal and math are there without importing)")
        return node

    visit_ImportFrom = visit_Import

    def visit_ClassDef(self, node):
        self.error(node, "class definitions are not allowed in model code")
        return node

    def visit_With(self, node):
        self.error(node, "'with' statements are not allowed in model code")
        return node

    def visit_Try(self, node):
        if node.finalbody:
            self.error(node, "'finally' is not allowed in model code")
        for handler in node.handlers:
            if handler.type is None:
                self.error(handler, "a bare 'except:' is not allowed in model code; name the exceptions to catch")
        return super().visit_Try(node)

    # Time: a check in every loop, function, lambda and comprehension step

    def visit_While(self, node):
        node = super().visit_While(node)
        node.body.insert(0, self._tick_statement(node))
        return node

    def visit_For(self, node):
        for _ in _slice_stores(node.target):
            self.error(node, _SLICE_TARGET)
        node = super().visit_For(node)
        node.body.insert(0, self._tick_statement(node))
        return node

    def visit_FunctionDef(self, node):
        node = super().visit_FunctionDef(node)
        node.body.insert(0, self._tick_statement(node))
        return node

    def visit_Lambda(self, node):
        node = super().visit_Lambda(node)
        node.body = self._call("_tick_", [node.body], node.body)
        return node

    def visit_comprehension(self, node):
        for _ in _slice_stores(node.target):
            self.error(node.target, _SLICE_TARGET)
        node = super().visit_comprehension(node)
        node.ifs.insert(0, self._call("_tick_", [ast.Constant(True)], node.iter))
        return node

    # Size: operators that allocate in one step

    def visit_BinOp(self, node):
        node = super().visit_BinOp(node)
        guard = _GUARDED_BINOPS.get(type(node.op))
        if guard is None:
            return node
        left, right = node.left, node.right
        if isinstance(node.op, ast.Add) and (isinstance(left, ast.Constant) or isinstance(right, ast.Constant)):
            return node  # grows by a constant: bounded by the time limit
        if isinstance(node.op, (ast.Mult, ast.Pow)) and (_is_number(left, float) or _is_number(right, float)):
            return node  # a float result
        if isinstance(node.op, ast.Mod) and _is_number(left):
            return node
        return self._call(guard, [left, right], node)

    def visit_Assign(self, node):
        direct = [t for t in node.targets if isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Slice)]
        for target in node.targets:
            if target not in direct and any(True for _ in _slice_stores(target)):
                self.error(node, _SLICE_TARGET)
        result = super().visit_Assign(node)
        if direct and isinstance(result, ast.Assign):
            result.value = self._call("_sized_", [result.value], result.value)
        return result

    def _sized_starred(self, elements: list) -> None:
        for element in elements:
            if isinstance(element, ast.Starred) and isinstance(element.ctx, ast.Load):
                element.value = self._call("_sized_", [element.value], element.value)

    def visit_List(self, node):
        node = super().visit_List(node)
        self._sized_starred(node.elts)
        return node

    def visit_Tuple(self, node):
        node = super().visit_Tuple(node)
        self._sized_starred(node.elts)
        return node

    def visit_Call(self, node):
        node = super().visit_Call(node)
        self._sized_starred(node.args)
        return node

    def visit_FormattedValue(self, node):
        node = super().visit_FormattedValue(node)
        spec = node.format_spec if node.format_spec is not None else ast.Constant("")
        node.value = self._call("_format_value_", [node.value, ast.Constant(node.conversion), spec], node)
        node.conversion = -1
        node.format_spec = None
        return node

    # Depth: values compared or hashed

    def visit_Compare(self, node):
        node = super().visit_Compare(node)
        operands = [node.left, *node.comparators]
        guarded = [False] * len(operands)
        for index, op in enumerate(node.ops):
            if isinstance(op, (ast.Is, ast.IsNot)):
                continue
            if not (_is_constant(operands[index]) or _is_constant(operands[index + 1])):
                guarded[index] = guarded[index + 1] = True
        operands = [self._call("_cmp_", [o], o) if g else o for o, g in zip(operands, guarded, strict=True)]
        node.left, node.comparators = operands[0], operands[1:]
        return node

    def _key(self, node: ast.AST) -> ast.AST:
        if isinstance(node, ast.Starred):  # every element becomes a key: run it out and measure it all
            node.value = self._call("_keys_", [node.value], node.value)
            return node
        return node if _is_constant(node) else self._call("_key_", [node], node)

    def visit_Dict(self, node):
        node = super().visit_Dict(node)
        node.keys = [k if k is None else self._key(k) for k in node.keys]
        return node

    def visit_Set(self, node):
        node = super().visit_Set(node)
        node.elts = [self._key(e) for e in node.elts]
        return node

    def visit_DictComp(self, node):
        node = super().visit_DictComp(node)
        node.key = self._key(node.key)
        return node

    def visit_SetComp(self, node):
        node = super().visit_SetComp(node)
        node.elt = self._key(node.elt)
        return node

    def visit_Subscript(self, node):
        node = super().visit_Subscript(node)
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice):
            node.slice = self._key(node.slice)  # a store or a delete; loads go through _getitem_
        return node


_ERROR_LINE = re.compile(r"^Line (\d+): (.*)$", re.S)


@lru_cache(maxsize=2048)
def _compiled(source: str, mode: str) -> tuple[types.CodeType | None, tuple[str, ...]]:
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compiler(source, filename=FILENAME, policy=_Policy)
    return (None if result.errors else result.code), tuple(result.errors)


def compile_model_code(source: str, mode: str = "exec") -> types.CodeType:
    """Compile model code for the sandbox: mode "eval" for an expression, "exec" for a script.

    Raises `CodeRefused` naming the first problem and its line. Compiled code is cached by text.
    """
    if mode not in ("eval", "exec"):
        raise ValueError(f"mode must be 'eval' or 'exec', not {mode!r}")
    if not isinstance(source, str):
        raise CodeRefused(f"model code must be text, not {type(source).__name__}")
    code, errors = _compiled(source, mode)
    if code is not None:
        return code
    match = _ERROR_LINE.match(errors[0])
    line, message = (int(match.group(1)), match.group(2)) if match else (None, errors[0])
    if message.startswith("SyntaxError: "):
        message = "not valid Python: " + message.removeprefix("SyntaxError: ")
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    raise CodeRefused(message, line)


# --------------------------------------------------------------------------------------------
# Running

_MEMORY_CHECK_INTERVAL = 0.001
_TICKING_ALLOCATION = 1024
_current = threading.local()
try:
    _PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
except (AttributeError, ValueError, OSError):  # not a POSIX system
    _PAGE_SIZE = 0


def _resident_memory() -> int | None:
    if not _PAGE_SIZE:
        return None
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return None


def _seconds(value: float) -> str:
    return f"{value:g} s"


class _Run:
    """The clock and memory baseline of one evaluation."""

    __slots__ = ("limits", "kind", "deadline", "checkpoint", "credit", "memory_base")

    def __init__(self, limits: Limits, kind: str) -> None:
        now = time.monotonic()
        self.limits = limits
        self.kind = kind
        self.deadline = now + limits.time
        self.checkpoint = min(self.deadline, now + _MEMORY_CHECK_INTERVAL)
        self.credit = 10 * limits.time
        self.memory_base: int | None = None

    def tick(self, value=None):
        """Called by the code at every loop step and call: stop it past its limits."""
        if time.monotonic() >= self.checkpoint:
            self._check()
        return value

    def _check(self) -> None:
        now = time.monotonic()
        if now >= self.deadline:
            raise _Stop(TimeLimitExceeded(f"the {self.kind} ran longer than {_seconds(self.limits.time)}"))
        memory = _resident_memory()
        if memory is not None:
            if self.memory_base is None:
                self.memory_base = memory
            elif memory - self.memory_base > self.limits.max_memory_growth:
                raise _Stop(MemoryLimitExceeded(
                    f"the {self.kind} used more than {self.limits.max_memory_growth // 2**20} MiB of memory"))
        self.checkpoint = min(self.deadline, now + _MEMORY_CHECK_INTERVAL)

    def helper(self, function: Callable) -> Callable:
        """`function` as the code may call it: its time is credited back, its errors stop the code."""

        def call(*args, **kwargs):
            started = time.monotonic()
            try:
                return function(*args, **kwargs)
            except Exception as exc:  # the model must not catch (and inspect) the service's own errors
                raise _Stop(exc) from None
            finally:
                spent = min(time.monotonic() - started, self.credit)
                self.credit -= spent
                self.deadline += spent
                self.checkpoint += spent

        call.__name__ = getattr(function, "__name__", "helper")
        return call


def _allocating(items: int) -> None:
    if items >= _TICKING_ALLOCATION:
        run = getattr(_current, "run", None)
        if run is not None:
            run.tick()


def _model_line(traceback) -> int | None:
    line = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == FILENAME:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


class _Namespace:
    """A read-only stand-in for a module: only the members listed, nothing else of the module."""

    __slots__ = ("name", "members")

    def __init__(self, name: str, members: dict) -> None:
        self.name = name
        self.members = members

    def member(self, attribute: str):
        try:
            return self.members[attribute]
        except KeyError:
            raise _Stop(AccessRefused(f"'{self.name}.{attribute}' is not available in model code")) from None

    def __repr__(self) -> str:
        return f"<module '{self.name}' (model code)>"


class _GuardedType:
    """A builtin type as model code sees it: calling it checks the arguments; `isinstance` works."""

    __slots__ = ("real", "check")

    def __init__(self, real: type, check: Callable) -> None:
        self.real = real
        self.check = check

    def __call__(self, *args, **kwargs):
        return self.real(*self.check(args, kwargs), **kwargs)

    def __instancecheck__(self, value) -> bool:
        return isinstance(value, self.real)

    def __subclasscheck__(self, cls) -> bool:
        return issubclass(cls, self.real)

    def __repr__(self) -> str:
        return repr(self.real)


_TEXT = (str, bytes)
_SEQUENCES = (str, bytes, list, tuple, bytearray)
_CONTAINERS = (list, tuple, set, frozenset, dict)
_DATA_SCALARS = frozenset({
    str, int, float, bool, type(None), decimal.Decimal,
    datetime.date, datetime.datetime, datetime.time, datetime.timedelta,
})
_COLLECTIONS = frozenset({list, tuple, set, frozenset, dict, str, bytes, range})
_SUM_STARTS = (int, float, decimal.Decimal, datetime.timedelta)
_LOG2_10 = math.log2(10)


def _children(container):
    return itertools.chain.from_iterable(container.items()) if type(container) is dict else iter(container)


def _decimal_text(value: decimal.Decimal) -> int:
    """How long the fixed-point text of a Decimal (format 'f') would be."""
    if not value.is_finite():
        return 3
    shape = value.as_tuple()
    return len(shape.digits) + abs(shape.exponent) + 2


class _Guards:
    """The functions the compiled code calls for guarded operations, for one set of limits."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.max_items = limits.max_items
        self.max_int_bits = limits.max_int_bits
        self.max_depth = limits.max_depth
        self.method_guards = self._method_guards()
        self.expression_method_guards = {**self.method_guards, **self._mutators()}
        self.class_guards = {
            (dict, "fromkeys"): lambda method: lambda iterable, value=None: method(self._collection(iterable), value),
            (int, "from_bytes"): self._guard_from_bytes,
        }

    # Refusals

    @staticmethod
    def refuse(kind: type[SandboxError], message: str):
        raise _Stop(kind(message))

    def too_many(self, items: int, what: str = "an allocation") -> None:
        self.refuse(MemoryLimitExceeded, f"{what} of {items} items is over the limit of {self.max_items}")

    def too_large(self, size: int, what: str) -> None:
        self.refuse(MemoryLimitExceeded, f"{what} is too large: its size of {size} (elements and characters) "
                                         f"is over the limit of {self.max_items}")

    def check_items(self, items: int, what: str = "an allocation") -> None:
        if items > self.max_items:
            self.too_many(items, what)
        _allocating(items)

    def check_bits(self, bits: float) -> None:
        if bits > self.max_int_bits:
            self.refuse(MemoryLimitExceeded,
                        f"an integer of about {int(bits)} bits is over the limit of {self.max_int_bits} bits")

    def check_decimal_integer(self, value) -> None:
        if isinstance(value, decimal.Decimal) and value.is_finite() and value:
            self.check_bits((max(value.adjusted(), 0) + 1) * _LOG2_10)

    # Sizes of values

    def measure(self, value, what: str = "a value", data_only: bool = False) -> int:
        """The size of `value`: one per element plus the length of each text (the fixed-point text of
        a Decimal, the digits of an integer), a shared element counted each time it appears; refused
        past `max_items`, past `max_depth` levels, or when it contains itself.

        Each distinct container is walked once (the size of a shared one is remembered), so this
        takes time in proportion to the objects that exist, not to the size they stand for.
        """
        kind = type(value)
        if kind not in _CONTAINERS:
            if data_only and kind not in _DATA_SCALARS:
                self._not_data(value, what)
            size = len(value) + 1 if kind is str or kind is bytes else self._scalar_size(value)
            if size > self.max_items:
                self.too_large(size, what)
            return size
        limit, depth_limit = self.max_items, self.max_depth
        measured: dict[int, int] = {}
        # A frame: [container, the iterator over its children, its size so far]
        frames = [[value, _children(value), 1 + len(value)]]
        open_ids = {id(value)}
        while frames:
            frame = frames[-1]
            total = frame[2]
            descended = False
            for child in frame[1]:
                kind = type(child)
                if kind is int:
                    if -0xFFFFFFFF <= child <= 0xFFFFFFFF:
                        continue
                    total += child.bit_length() * 3 // 10
                elif kind in _CONTAINERS:
                    known = measured.get(id(child))
                    if known is not None:
                        total += known - 1
                    elif id(child) in open_ids:
                        self.refuse(MemoryLimitExceeded, f"{what} contains itself")
                    elif len(frames) >= depth_limit:
                        self.refuse(MemoryLimitExceeded, f"{what} is nested more than {depth_limit} levels deep")
                    else:
                        frame[2] = total
                        frames.append([child, _children(child), 1 + len(child)])
                        open_ids.add(id(child))
                        descended = True
                        break
                elif kind is str or kind is bytes:
                    total += len(child)
                elif kind is decimal.Decimal:
                    total += _decimal_text(child)
                elif data_only and kind not in _DATA_SCALARS:
                    self._not_data(child, what)
                if total > limit:
                    self.too_large(total, what)
            if descended:
                continue
            if total > limit:
                self.too_large(total, what)
            frames.pop()
            open_ids.discard(id(frame[0]))
            measured[id(frame[0])] = total
            if frames:
                parent = frames[-1]
                parent[2] += total - 1  # the child was counted as one element already
                if parent[2] > limit:
                    self.too_large(parent[2], what)
        return total

    @staticmethod
    def _scalar_size(value) -> int:
        kind = type(value)
        if kind is int:
            return 1 + value.bit_length() * 3 // 10
        if kind is decimal.Decimal:
            return _decimal_text(value)
        return 1

    def _not_data(self, value, what: str):
        self.refuse(ResultRefused, f"{what} holds a {type(value).__name__}, which is not data "
                                   "(text, numbers, booleans, None, lists, dicts, dates, times and decimals are)")

    def _collection(self, value):
        """`value` as a container, measured: an iterator is run to the end first."""
        if type(value) not in _COLLECTIONS:
            value = list(value)
        if type(value) is not range:
            self.measure(value, "a collection")
        return value

    # Operators

    def _check_mul(self, a, b) -> None:
        if isinstance(a, int) and isinstance(b, int):
            self.check_bits(a.bit_length() + b.bit_length())
        elif isinstance(a, _SEQUENCES) and isinstance(b, int):
            self.check_items(len(a) * b)
        elif isinstance(b, _SEQUENCES) and isinstance(a, int):
            self.check_items(len(b) * a)

    def _check_pow(self, a, b, mod=None) -> None:
        if isinstance(a, int) and isinstance(b, int):
            if mod is None and b > 0 and abs(a) > 1:
                self.check_bits(b * math.log2(abs(a)))
            elif isinstance(mod, int):
                self.check_bits(max(a.bit_length(), b.bit_length(), mod.bit_length()))

    def _check_lshift(self, a, b) -> None:
        if isinstance(a, int) and isinstance(b, int) and a and b > 0:
            self.check_bits(a.bit_length() + b)

    def _check_add(self, a, b) -> None:
        kind = type(a)
        if (kind in _SEQUENCES and type(b) is kind) or (kind is list and hasattr(b, "__len__")):
            self.check_items(len(a) + len(b))

    def _check_mod(self, a, b) -> None:
        if type(a) is str or type(a) is bytes:
            self._check_printf(a, b)

    def mul(self, a, b):
        self._check_mul(a, b)
        return a * b

    def pow(self, a, b, mod=None):
        self._check_pow(a, b, mod)
        return a ** b if mod is None else pow(a, b, mod)

    def lshift(self, a, b):
        self._check_lshift(a, b)
        return a << b

    def add(self, a, b):
        self._check_add(a, b)
        return a + b

    def mod(self, a, b):
        self._check_mod(a, b)
        return a % b

    _PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([a-zA-Z%])")

    def _check_printf(self, template, values) -> None:
        text = template if type(template) is str else template.decode("latin-1")
        total, star, integer = len(text), False, False
        for width, precision, conversion in self._PRINTF.findall(text):
            for number in (width, precision):
                if number == "*":
                    star = True
                elif number:
                    total += int(number)
            integer = integer or conversion in "diouxXc"
        arguments = values.values() if type(values) is dict else values if type(values) is tuple else (values,)
        for value in arguments:
            if star and type(value) is int and value > self.max_items:
                self.too_many(value, "a formatted text")
            if integer:
                self.check_decimal_integer(value)
            total += self.measure(value, "a formatted value")
        self.check_items(total, "a formatted text")

    def inplacevar(self, op: str, x, y):
        check = self._INPLACE_CHECKS.get(op)
        if check is not None:
            check(self, x, y)
        return _INPLACE[op](x, y)

    _INPLACE_CHECKS = {"+=": _check_add, "*=": _check_mul, "**=": _check_pow, "<<=": _check_lshift,
                       "%=": _check_mod}

    # Access

    def getattr_code(self, obj, name):
        return self._getattr(obj, name, self.method_guards)

    def getattr_expression(self, obj, name):
        return self._getattr(obj, name, self.expression_method_guards)

    def _getattr(self, obj, name, method_guards):
        if type(name) is not str or name[:1] == "_" or name in DENIED_ATTRIBUTES:
            self.refuse(AccessRefused, f"access to '{name}' is not allowed in model code")
        kind = type(obj)
        if kind is _Namespace:
            return obj.member(name)
        if kind is _GuardedType:
            try:
                return self._class_attribute(obj.real, name, method_guards)
            except AttributeError:  # raised afresh: its `obj` would be the real, unguarded type
                raise AttributeError(f"type object '{obj.real.__name__}' has no attribute '{name}'") from None
        if isinstance(obj, type):
            return self._class_attribute(obj, name, method_guards)
        if name == "obj" and isinstance(obj, BaseException):
            self.refuse(AccessRefused, "access to 'obj' of an error is not allowed in model code")
        guard = method_guards.get((kind, name))
        if guard is not None:
            return guard(getattr(obj, name), obj)
        return getattr(obj, name)

    def _class_attribute(self, cls: type, name: str, method_guards):
        guard = self.class_guards.get((cls, name))
        if guard is not None:
            return guard(getattr(cls, name))
        if (cls, name) in method_guards:
            self.refuse(AccessRefused, f"'{cls.__name__}.{name}' is not available in model code; "
                                       f"call '{name}' on a value instead")
        return getattr(cls, name)

    def getitem(self, obj, key):
        if type(key) is tuple or type(key) is frozenset:
            self.measure(key, "a key")
        return obj[key]

    def key(self, value):
        if type(value) in _CONTAINERS:
            self.measure(value, "a key")
        return value

    def compared(self, value):
        if type(value) in _CONTAINERS:
            self.measure(value, "a compared value")
        return value

    def sized(self, value):
        if hasattr(value, "__len__"):
            self.check_items(len(value))
        return value

    def write(self, obj):
        if type(obj) is dict or type(obj) is list:
            return obj
        if type(obj) is _Namespace:
            self.refuse(AccessRefused, f"changing the module '{obj.name}' is not allowed in model code")
        self.refuse(AccessRefused, f"changing a {type(obj).__name__} is not allowed in model code "
                                   "(only lists and dicts can be changed)")

    @staticmethod
    def apply(function, *args, **kwargs):
        return function(*args, **kwargs)

    # Formatting

    _SPEC_NUMBER = re.compile(r"\d+")

    def format(self, value, spec=""):
        if type(spec) is str:
            for number in self._SPEC_NUMBER.findall(spec):
                if int(number) > self.max_items:
                    self.too_many(int(number), "a formatted text")
        self.measure(value, "a formatted value")
        return format(value, spec)

    def format_value(self, value, conversion: int, spec: str):
        if conversion == 115:
            value = self.str(value)
        elif conversion == 114:
            value = self.repr(value)
        elif conversion == 97:
            self.measure(value, "a value turned into text")
            value = ascii(value)
        return self.format(value, spec)

    def str(self, *args, **kwargs):
        return str(*self._check_str(args, kwargs), **kwargs)

    def repr(self, value):
        self.measure(value, "a value turned into text")
        return repr(value)

    # Builtins that need a look at their arguments

    def _check_str(self, args, kwargs):
        if args or "object" in kwargs:
            self.measure(args[0] if args else kwargs["object"], "a value turned into text")
        return args

    def _check_int(self, args, kwargs):
        value = args[0] if args else kwargs.get("x")
        if isinstance(value, decimal.Decimal):
            self.check_decimal_integer(value)
        elif isinstance(value, (str, bytes)):
            base = args[1] if len(args) > 1 else kwargs.get("base", 10)
            per_digit = 4 if base == 0 else math.log2(base) if isinstance(base, int) and 2 <= base <= 36 else 1
            self.check_bits(len(value.strip()) * per_digit)
        return args

    def _check_collection(self, args, kwargs):
        return tuple(self._collection(a) for a in args)

    def _check_range(self, args, kwargs):
        span = range(*args)
        step = span.step
        items = max(0, (span.stop - span.start + step - (1 if step > 0 else -1)) // step)
        if items > self.max_items:
            self.too_many(items, "a range")
        return args

    def sorted(self, iterable, /, *, key=None, reverse=False):
        return sorted(self._collection(iterable), key=key, reverse=reverse)

    def min(self, *args, **kwargs):
        return min(*self._extremes(args), **kwargs)

    def max(self, *args, **kwargs):
        return max(*self._extremes(args), **kwargs)

    def _extremes(self, args: tuple) -> tuple:
        if len(args) == 1:
            return (self._collection(args[0]),)
        self.measure(args, "compared values")
        return args

    def sum(self, iterable, /, start=0):
        if not isinstance(start, _SUM_STARTS):
            self.refuse(AccessRefused, "sum() adds numbers and durations only in model code")
        return sum(iterable, start)

    def isinstance(self, value, classes):
        if type(classes) is tuple:
            self.measure(classes, "a tuple of classes")
        return isinstance(value, classes)

    def round(self, number, ndigits=None):
        if ndigits is None:
            self.check_decimal_integer(number)
            return round(number)
        if isinstance(number, int) and isinstance(ndigits, int) and ndigits < 0:
            self.check_bits(-ndigits * _LOG2_10)
        return round(number, ndigits)

    def iter(self, *args):
        if len(args) != 1:
            self.refuse(AccessRefused, "iter() with a sentinel is not available in model code")
        return iter(args[0])

    # Methods

    def _method_guards(self) -> dict:
        guards: dict = {}
        for text in _TEXT:
            guards[(text, "join")] = lambda method, sep: lambda iterable: self._join(sep, iterable)
            guards[(text, "replace")] = lambda method, s: lambda old, new, count=-1: self._replace(s, old, new, count)
            for name in ("ljust", "rjust", "center", "zfill"):
                guards[(text, name)] = self._guard_width
            guards[(text, "expandtabs")] = self._guard_expandtabs
        guards[(str, "translate")] = self._guard_translate
        guards[(int, "to_bytes")] = self._guard_to_bytes
        guards[(decimal.Decimal, "as_integer_ratio")] = self._guard_integer_ratio
        guards[(list, "extend")] = self._guard_extend
        for kind in (list, tuple):
            for name in ("index", "count"):
                guards[(kind, name)] = self._guard_comparing_self
        for name in ("remove", "sort"):
            guards[(list, name)] = self._guard_comparing_self
        for name in ("get", "pop", "setdefault", "update"):
            guards[(dict, name)] = self._guard_hashing
        for kind in (set, frozenset):
            for name in ("add", "discard", "remove", "union", "intersection", "difference", "symmetric_difference",
                         "issubset", "issuperset", "isdisjoint", "update", "intersection_update",
                         "difference_update", "symmetric_difference_update"):
                if hasattr(kind, name):
                    guards[(kind, name)] = self._guard_hashing
        return guards

    def _mutators(self) -> dict:
        mutators = {
            list: ("append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse"),
            dict: ("pop", "popitem", "setdefault", "update", "clear"),
            set: ("add", "discard", "remove", "pop", "clear", "update", "intersection_update", "difference_update",
                  "symmetric_difference_update"),
        }
        return {(kind, name): self._refuse_change for kind, names in mutators.items() for name in names}

    def _refuse_change(self, method, obj):
        self.refuse(AccessRefused, f"an expression cannot change data (it calls '{method.__name__}' on a "
                                   f"{type(obj).__name__}); change data in a script task")

    def _join(self, sep, iterable):
        items = iterable if type(iterable) is list or type(iterable) is tuple else list(iterable)
        self.check_items(len(items))
        total = len(sep) * max(len(items) - 1, 0)
        for item in items:
            if type(item) is str or type(item) is bytes:
                total += len(item)
                if total > self.max_items:
                    self.too_many(total)
        self.check_items(total)
        return sep.join(items)

    def _replace(self, text, old, new, count):
        if isinstance(old, _TEXT) and isinstance(new, _TEXT) and len(new) > len(old):
            found = text.count(old)
            if isinstance(count, int) and count >= 0:
                found = min(found, count)
            self.check_items(len(text) + found * (len(new) - len(old)))
        return text.replace(old, new, count)

    def _guard_width(self, method, text):
        def padded(width, *args):
            if isinstance(width, int):
                self.check_items(width)
            return method(width, *args)
        return padded

    def _guard_expandtabs(self, method, text):
        def expanded(tabsize=8):
            if isinstance(tabsize, int):
                self.check_items(len(text) + text.count("\t" if type(text) is str else b"\t") * max(tabsize, 0))
            return method(tabsize)
        return expanded

    def _guard_translate(self, method, text):
        def translated(table):
            values = table.values() if type(table) is dict else table if type(table) in (list, tuple) else None
            if values is None:
                self.refuse(AccessRefused, "str.translate() takes a dict, a list or a tuple in model code")
            longest = max((len(v) for v in values if type(v) is str), default=1)
            self.check_items(len(text) * max(longest, 1))
            return method(table)
        return translated

    def _guard_to_bytes(self, method, number):
        def to_bytes(length=1, *args, **kwargs):
            if isinstance(length, int):
                self.check_items(length)
            return method(length, *args, **kwargs)
        return to_bytes

    def _guard_from_bytes(self, method):
        def from_bytes(data, *args, **kwargs):
            if hasattr(data, "__len__"):
                self.check_bits(len(data) * 8)
            return method(data, *args, **kwargs)
        return from_bytes

    def _guard_integer_ratio(self, method, number):
        def as_integer_ratio():
            if number.is_finite():
                self.check_bits(_decimal_text(number) * _LOG2_10)
            return method()
        return as_integer_ratio

    def _guard_extend(self, method, items):
        def extend(iterable):
            if hasattr(iterable, "__len__"):
                self.check_items(len(items) + len(iterable))
            return method(iterable)
        return extend

    def _guard_comparing_self(self, method, obj):
        def compared(*args, **kwargs):
            self.measure(obj, "a compared value")
            for arg in args:
                self.measure(arg, "a compared value")
            return method(*args, **kwargs)
        return compared

    def _guard_hashing(self, method, obj):
        def hashed(*args, **kwargs):
            for arg in args:
                self.measure(arg, "a key")
            return method(*args, **kwargs)
        return hashed

    # Modules

    def math_members(self) -> dict:
        members = {name: getattr(math, name) for name in dir(math) if not name.startswith("_")}

        def integer_result(function, bits):
            def checked(*args):
                self.check_bits(bits(*args))
                return function(*args)
            checked.__name__ = function.__name__
            return checked

        def log_factorial_bits(n):
            return math.lgamma(n + 1) / math.log(2) if isinstance(n, int) and n > 1 else 0

        def comb_bits(n, k=None):
            return log_factorial_bits(n) if isinstance(n, int) else 0

        def prod(iterable, /, *, start=1):
            result = start
            for factor in iterable:
                result = self.mul(result, factor)
            return result

        def lcm(*integers):
            self.check_bits(sum(i.bit_length() for i in integers if isinstance(i, int)))
            return math.lcm(*integers)

        def rounding(function):
            def rounded(x):
                self.check_decimal_integer(x)
                return function(x)
            rounded.__name__ = function.__name__
            return rounded

        members.update(
            factorial=integer_result(math.factorial, log_factorial_bits),
            comb=integer_result(math.comb, comb_bits),
            perm=integer_result(math.perm, comb_bits),
            prod=prod, lcm=lcm,
            floor=rounding(math.floor), ceil=rounding(math.ceil), trunc=rounding(math.trunc),
        )
        return members


_INPLACE = {
    "+=": operator.iadd, "*=": operator.imul, "**=": operator.ipow, "<<=": operator.ilshift, "%=": operator.imod,
    "-=": operator.isub, "/=": operator.itruediv, "//=": operator.ifloordiv, ">>=": operator.irshift,
    "|=": operator.ior, "^=": operator.ixor, "&=": operator.iand, "@=": operator.imatmul,
}

_DATETIME_MEMBERS = ("date", "datetime", "time", "timedelta", "timezone", "tzinfo", "MINYEAR", "MAXYEAR", "UTC")
_DECIMAL_MEMBERS = (
    "Decimal", "DecimalException", "InvalidOperation", "DivisionByZero", "Inexact", "Rounded", "Overflow",
    "Underflow", "Subnormal", "Clamped", "FloatOperation", "ROUND_UP", "ROUND_DOWN", "ROUND_CEILING",
    "ROUND_FLOOR", "ROUND_HALF_UP", "ROUND_HALF_DOWN", "ROUND_HALF_EVEN", "ROUND_05UP",
)
# Not from RestrictedPython's safe builtins: what lets code escape its frame, catch a stop, hash or
# compare without a look at the size, or build classes.
_DROPPED_BUILTINS = frozenset({
    "__build_class__", "BaseException", "GeneratorExit", "KeyboardInterrupt", "SystemExit", "setattr", "delattr",
    "id", "hash", "issubclass", "complex",
})
_PLAIN_BUILTINS = ("all", "any", "enumerate", "filter", "list", "map", "next", "reversed", "tuple", "zip")


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
        modules = {
            "datetime": _Namespace("datetime", {n: getattr(datetime, n) for n in _DATETIME_MEMBERS}),
            "decimal": _Namespace("decimal", {n: getattr(decimal, n) for n in _DECIMAL_MEMBERS}),
            "math": _Namespace("math", guards.math_members()),
        }
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
