"""The helpers translated expressions call, for the semantics of JUEL and FEEL that Python lacks.

`helpers_for(data, passed)` gives them for one evaluation; engine/scripting.py adds them to every
expression the sandbox evaluates (not to scripts). All are pure functions except `juel_var` and
`feel_var`, which read the variables: the task data, then the values SpiffWorkflow passes along (data
objects, the input of a DMN table), never a helper function and never a name starting with "_" (the
sandbox hides those from model code). As for every helper, a variable of the task data named like one
(`juel_var`, `feel_cmp`...) would hide it from the expression: the names carry a dialect prefix for that.

JUEL, as EL 2.2 (JSR-245) defines it for this subset:
- `juel_var(name)`: the variable; an unknown one fails with "Unknown property used in expression: name",
  as in Camunda 7.
- `juel_get(base, key)` for `a.b` and `a[k]`: null base → null; a map → its entry, null when missing;
  a list → the element at the index (the key coerced to an integer), null out of range; otherwise an error.
- `juel_bool(v)`, the coercion of a condition, of `!`, `&&`, `||` and `?:` operands: null and "" → false;
  a boolean as it is; a string → true only for "true" in any letter case (Java's Boolean.valueOf); a
  number, list or map → an error.
- `juel_cmp(op, a, b)`: `==`/`!=`: null equals only null; a number on either side compares both as
  numbers (a string is parsed: "1" equals 1, "" is 0, a string that is not a number is an error); else a
  boolean on either side compares both as booleans ("true" equals true); else the values as they are.
  `<`, `<=`, `>`, `>=`: null on either side → false (null <= null is true); a number on either side →
  as numbers; strings → in lexical order; two booleans → false < true; anything else → an error.
- `juel_empty(v)`: true for null, "", an empty list or map; false otherwise.
- `juel_arith(op, a, b)`: both coerced to numbers (null → 0, a string is parsed); `+ - * %` of integers
  give integers, `%` with the sign of the dividend (as Java); `/` always divides as decimals; division or
  remainder by zero is an error (Java would give Infinity for `/`).

FEEL, as DMN 1.3 defines it for this subset (three-valued: null where the types do not match):
- `feel_var(name)`: the variable; a missing one is null.
- `feel_get(base, key)`: a context (map) → its entry, null when missing; a list and a name → that entry of
  each element; a list and a number → the element at that position counted from 1 (negative from the end),
  null out of range; null or any other value → null.
- `feel_cmp(op, a, b)`: `==` (FEEL's `=`): null equals only null; numbers with numbers, strings with
  strings, booleans with booleans, lists and contexts element by element; other mixes → null. `!=`: the
  negation of `=`, null stays null. `<`, `<=`, `>`, `>=`: numbers with numbers or strings with strings,
  otherwise null.
- `feel_not(v)`: true ↔ false, anything else → null. `feel_and(*v)`: false if any is false, true if all
  are true, else null. `feel_or(*v)`: true if any is true, false if all are false, else null.
- `feel_in(v, c)`: `c` a list → true if `v` equals an element (null if none does and a comparison was
  null); otherwise `v = c`. `feel_between(v, low, high, low_closed=True, high_closed=True)`: a range test.
- `feel_arith(op, a, b)`: numbers → the number (`/` by zero → null; an exact quotient of integers is an
  integer; `**`); two strings with `+` → joined; null or any other mix → null.

Numbers are Python's int and float (FEEL's are decimals: 0.1 + 0.2 = 0.3 is false here). The sandbox never
interrupts a helper, so each bounds its work: integers of at most `Limits.max_int_bits` bits, texts of at
most `Limits.max_items` characters, comparisons of nested values visiting at most `Limits.max_items`
elements; past them, `ExpressionFailed`.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from decimal import Decimal

from engine.sandbox import Limits

_LIMITS = Limits()
_ORDER: dict[str, Callable] = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_MISSING = object()


class ExpressionFailed(Exception):
    """A translated expression cannot give a value for this data (an unknown variable, a failed coercion)."""


def _show(value: object) -> str:
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else f"{value[:40]}…")
    if value is None or isinstance(value, bool | float) or (isinstance(value, int) and value.bit_length() < 128):
        return repr(value)
    return f"a {type(value).__name__}"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _too_large() -> ExpressionFailed:
    return ExpressionFailed(f"a number of more than {_LIMITS.max_int_bits} bits is over the limit")


def _float(number) -> float:
    try:
        return float(number)
    except OverflowError:
        raise _too_large() from None


def _compute(op: str, x, y):
    """`x op y` for two numbers, within the limits; None for a division by zero."""
    if (isinstance(x, Decimal) and isinstance(y, float)) or (isinstance(x, float) and isinstance(y, Decimal)):
        x, y = float(x), float(y)
    if isinstance(x, int) and isinstance(y, int):
        bits = {"+": max(x.bit_length(), y.bit_length()) + 1, "-": max(x.bit_length(), y.bit_length()) + 1,
                "*": x.bit_length() + y.bit_length(),
                "**": x.bit_length() * y if abs(x) > 1 and y > 0 else 0}.get(op, 0)
        if bits > _LIMITS.max_int_bits:
            raise _too_large()
    try:
        if op == "+":
            return x + y
        if op == "-":
            return x - y
        if op == "*":
            return x * y
        if op == "/":
            if y == 0:
                return None
            if isinstance(x, int) and isinstance(y, int) and x % y == 0:
                return x // y
            return x / y
        if op == "**":
            result = x ** y
            return None if isinstance(result, complex) else result
    except ZeroDivisionError:
        return None
    except ArithmeticError:  # OverflowError, decimal's Overflow...
        raise ExpressionFailed("the result of the arithmetic is too large") from None
    raise ExpressionFailed(f"unknown operator {_show(op)}")


def _whole(number) -> int | None:
    """`number` as an int when it is a whole number (1, 1.0, Decimal("1")), else None."""
    if isinstance(number, bool) or not _is_number(number):
        return None
    if isinstance(number, int):
        return number
    if isinstance(number, Decimal) and not number.is_finite():
        return None
    return int(number) if math.isfinite(number) and number == int(number) else None


class _Budget:
    """Elements a comparison of nested values may still visit."""

    def __init__(self) -> None:
        self.left = _LIMITS.max_items

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise ExpressionFailed(f"comparing values of more than {_LIMITS.max_items} elements is over the limit")


# --- JUEL ------------------------------------------------------------------------------------------
def juel_get(base, key):
    if base is None:
        return None
    if isinstance(base, Mapping):
        return base.get(key)
    if isinstance(base, list | tuple):
        index = _whole(_juel_number(key))
        if index is None:
            raise ExpressionFailed(f"the index {_show(key)} of a list is not a whole number")
        return base[index] if 0 <= index < len(base) else None
    raise ExpressionFailed(f"cannot read the property {_show(key)} of {_show(base)}")


def juel_bool(value) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.lower() == "true"
    raise ExpressionFailed(f"cannot coerce {_show(value)} to a boolean")


def _juel_number(value):
    if value is None or value == "":
        return 0
    if _is_number(value):
        return value
    if isinstance(value, str) and len(value) <= 300:
        if _INTEGER.fullmatch(value):
            return int(value)
        if _DECIMAL.fullmatch(value):
            return float(value)
    raise ExpressionFailed(f"cannot coerce {_show(value)} to a number")


def _juel_equal(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if _is_number(a) or _is_number(b):
        return _juel_number(a) == _juel_number(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return juel_bool(a) == juel_bool(b)
    return _equal(a, b, _Budget()) is True


def juel_cmp(op: str, a, b) -> bool:
    if op in ("==", "!="):
        return _juel_equal(a, b) == (op == "==")
    if op not in _ORDER:
        raise ExpressionFailed(f"unknown operator {_show(op)}")
    if a is None or b is None:
        return a is None and b is None and op in ("<=", ">=")
    if _is_number(a) or _is_number(b):
        a, b = _juel_number(a), _juel_number(b)
    elif not ((isinstance(a, str) and isinstance(b, str)) or (isinstance(a, bool) and isinstance(b, bool))):
        raise ExpressionFailed(f"cannot order {_show(a)} and {_show(b)}")
    return _ORDER[op](a, b)


def juel_empty(value) -> bool:
    if value is None:
        return True
    return isinstance(value, str | list | tuple | Mapping | set | frozenset) and len(value) == 0


def juel_arith(op: str, a, b):
    if a is None and b is None:
        return 0
    x, y = _juel_number(a), _juel_number(b)
    if op == "/":
        if y == 0:
            raise ExpressionFailed("division by zero")
        return _compute("/", x if isinstance(x, Decimal) else _float(x), y if isinstance(y, Decimal) else _float(y))
    if op == "%":
        if y == 0:
            raise ExpressionFailed("remainder of a division by zero")
        if isinstance(x, int) and isinstance(y, int):
            remainder = abs(x) % abs(y)
            return -remainder if x < 0 else remainder
        return math.fmod(_float(x), _float(y))
    if op not in ("+", "-", "*"):
        raise ExpressionFailed(f"unknown operator {_show(op)}")
    return _compute(op, x, y)


# --- FEEL ------------------------------------------------------------------------------------------
def feel_get(base, key):
    if isinstance(base, Mapping):
        return base.get(key) if isinstance(key, str) else None
    if isinstance(base, list | tuple):
        if isinstance(key, str):
            return [feel_get(item, key) for item in base]
        position = _whole(key)
        if position:
            index = position - 1 if position > 0 else len(base) + position
            return base[index] if 0 <= index < len(base) else None
    return None


def _equal(a, b, budget: _Budget) -> bool | None:
    """FEEL's `=`: True, False, or None for values of different types."""
    budget.spend()
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b if isinstance(a, bool) and isinstance(b, bool) else None
    if _is_number(a) and _is_number(b):
        return a == b
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        if len(a) != len(b):
            return False
        return feel_and(*(_equal(x, y, budget) for x, y in zip(a, b, strict=True)))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        if len(a) != len(b) or any(key not in b for key in a):
            return False
        return feel_and(*(_equal(a[key], b[key], budget) for key in a))
    return None


def feel_cmp(op: str, a, b) -> bool | None:
    if op in ("==", "!="):
        equal = _equal(a, b, _Budget())
        return equal if op == "==" or equal is None else not equal
    if op not in _ORDER:
        raise ExpressionFailed(f"unknown operator {_show(op)}")
    if (_is_number(a) and _is_number(b)) or (isinstance(a, str) and isinstance(b, str)):
        return _ORDER[op](a, b)
    return None


def feel_not(value) -> bool | None:
    return not value if isinstance(value, bool) else None


def feel_and(*values) -> bool | None:
    """False if any value is false, True if all are true, else None (FEEL's `and`)."""
    seen = [value if isinstance(value, bool) else None for value in values]
    return False if False in seen else (True if None not in seen else None)


def feel_or(*values) -> bool | None:
    seen = [value if isinstance(value, bool) else None for value in values]
    return True if True in seen else (False if None not in seen else None)


def feel_in(value, candidates) -> bool | None:
    if isinstance(candidates, list | tuple):
        budget = _Budget()
        return feel_or(False, *(_equal(value, candidate, budget) for candidate in candidates))
    return _equal(value, candidates, _Budget())


def feel_between(value, low, high, low_closed: bool = True, high_closed: bool = True) -> bool | None:
    return feel_and(feel_cmp(">=" if low_closed else ">", value, low),
                    feel_cmp("<=" if high_closed else "<", value, high))


def feel_arith(op: str, a, b):
    if op not in ("+", "-", "*", "/", "**"):
        raise ExpressionFailed(f"unknown operator {_show(op)}")
    if _is_number(a) and _is_number(b):
        return _compute(op, a, b)
    if op == "+" and isinstance(a, str) and isinstance(b, str):
        if len(a) + len(b) > _LIMITS.max_items:
            raise ExpressionFailed(f"a text of more than {_LIMITS.max_items} characters is over the limit")
        return a + b
    return None


_PURE = {function.__name__: function for function in (
    juel_get, juel_bool, juel_cmp, juel_empty, juel_arith,
    feel_get, feel_cmp, feel_not, feel_and, feel_or, feel_in, feel_between, feel_arith,
)}
HELPER_NAMES = frozenset({*_PURE, "juel_var", "feel_var"})


def helpers_for(data: Mapping, passed: Mapping | None = None) -> dict[str, Callable]:
    """The helpers for one evaluation over `data`, with `passed` the other values the evaluation sees
    (SpiffWorkflow's data objects or DMN input, besides helper functions, which are not variables)."""

    def lookup(name):
        if not isinstance(name, str) or name[:1] == "_":
            return _MISSING
        if name in data:
            return data[name]
        if passed is not None and name in passed and not callable(passed[name]):
            return passed[name]
        return _MISSING

    def juel_var(name):
        value = lookup(name)
        if value is _MISSING:
            raise ExpressionFailed(f"Unknown property used in expression: {name} (the task data has no variable "
                                   "of that name)")
        return value

    def feel_var(name):
        value = lookup(name)
        return None if value is _MISSING else value

    return {**_PURE, "juel_var": juel_var, "feel_var": feel_var}
