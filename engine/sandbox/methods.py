"""Guards on methods: the methods of str, bytes, int, Decimal, list, dict and set that could
allocate much, compare or hash values too large, or (in an expression) change data.

`getattr` (guards.py) looks a method up in these tables by the type of the value and its name, and
hands the code a checking wrapper instead of the method itself.
"""

from __future__ import annotations

import decimal

from engine.sandbox.errors import AccessRefused
from engine.sandbox.limits import Limits
from engine.sandbox.sizes import _LOG2_10, _decimal_text, _Sizes

_TEXT = (str, bytes)


class _MethodGuards(_Sizes):
    """The method guards of one set of limits: `method_guards` for scripts, `expression_method_guards`
    (which also refuse every method that changes data) for expressions, `class_guards` for methods
    called on a class."""

    def __init__(self, limits: Limits) -> None:
        super().__init__(limits)
        self.method_guards = self._method_guards()
        self.expression_method_guards = {**self.method_guards, **self._mutators()}
        self.class_guards = {
            (dict, "fromkeys"): lambda method: lambda iterable, value=None: method(self._collection(iterable), value),
            (int, "from_bytes"): self._guard_from_bytes,
        }

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
