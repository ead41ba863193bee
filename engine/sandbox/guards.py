"""The run-time guards: the functions compiled code calls for operators, attribute and item
access, writes, formatting and the builtins that need a look at their arguments.

Each checks what it is given against the limits before doing the work (an allocation, a large
integer, text of a large value) and stops the code with a `SandboxError` when refused. The size
checks are in sizes.py, the method guards in methods.py.
"""

from __future__ import annotations

import datetime
import decimal
import math
import operator
import re

from engine.sandbox.errors import AccessRefused
from engine.sandbox.methods import _MethodGuards
from engine.sandbox.namespaces import _GuardedType, _Namespace
from engine.sandbox.policy import DENIED_ATTRIBUTES
from engine.sandbox.sizes import _CONTAINERS, _LOG2_10

_SEQUENCES = (str, bytes, list, tuple, bytearray)
_SUM_STARTS = (int, float, decimal.Decimal, datetime.timedelta)

_INPLACE = {
    "+=": operator.iadd, "*=": operator.imul, "**=": operator.ipow, "<<=": operator.ilshift, "%=": operator.imod,
    "-=": operator.isub, "/=": operator.itruediv, "//=": operator.ifloordiv, ">>=": operator.irshift,
    "|=": operator.ior, "^=": operator.ixor, "&=": operator.iand, "@=": operator.imatmul,
}


class _Guards(_MethodGuards):
    """The functions the compiled code calls for guarded operations, for one set of limits."""

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
