"""What model code sees of modules and of the builtin types it may call.

`datetime`, `decimal` and `math` are given as `_Namespace`s: read-only stand-ins holding only the
members listed here, never the modules themselves (the real `datetime` module, for one, carries
`sys`). The `math` members that build large integers check their size first. `str`, `int`, `dict`,
`set`, `frozenset` and `range` are given as `_GuardedType`s, which check the arguments of a call and
still work with `isinstance`.
"""

from __future__ import annotations

import datetime
import decimal
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from engine.sandbox.errors import AccessRefused, _Stop

if TYPE_CHECKING:
    from engine.sandbox.guards import _Guards

_DATETIME_MEMBERS = ("date", "datetime", "time", "timedelta", "timezone", "tzinfo", "MINYEAR", "MAXYEAR", "UTC")
_DECIMAL_MEMBERS = (
    "Decimal", "DecimalException", "InvalidOperation", "DivisionByZero", "Inexact", "Rounded", "Overflow",
    "Underflow", "Subnormal", "Clamped", "FloatOperation", "ROUND_UP", "ROUND_DOWN", "ROUND_CEILING",
    "ROUND_FLOOR", "ROUND_HALF_UP", "ROUND_HALF_DOWN", "ROUND_HALF_EVEN", "ROUND_05UP",
)


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


def model_modules(guards: _Guards) -> dict[str, _Namespace]:
    """The modules model code sees, by name."""
    return {
        "datetime": _Namespace("datetime", {n: getattr(datetime, n) for n in _DATETIME_MEMBERS}),
        "decimal": _Namespace("decimal", {n: getattr(decimal, n) for n in _DECIMAL_MEMBERS}),
        "math": _Namespace("math", math_members(guards)),
    }


def math_members(guards: _Guards) -> dict:
    """The members of `math`; those that build large integers check their size first."""
    members = {name: getattr(math, name) for name in dir(math) if not name.startswith("_")}

    def integer_result(function, bits):
        def checked(*args):
            guards.check_bits(bits(*args))
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
            result = guards.mul(result, factor)
        return result

    def lcm(*integers):
        guards.check_bits(sum(i.bit_length() for i in integers if isinstance(i, int)))
        return math.lcm(*integers)

    def rounding(function):
        def rounded(x):
            guards.check_decimal_integer(x)
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
