"""Measuring values: the checks of item counts, integer bits, size, depth and self-containment
every guard builds on.

`_Sizes.measure` gives the size of a value (one per element plus the length of each text), a shared
element counted each time it appears, and refuses it past `max_items`, past `max_depth` levels of
nesting, or when it contains itself. It walks each distinct container once, so it takes time in
proportion to the objects that exist, not to the size they stand for.
"""

from __future__ import annotations

import datetime
import decimal
import itertools
import math

from engine.sandbox.errors import MemoryLimitExceeded, ResultRefused, SandboxError, _Stop
from engine.sandbox.limits import Limits, _allocating

_CONTAINERS = (list, tuple, set, frozenset, dict)
_DATA_SCALARS = frozenset({
    str, int, float, bool, type(None), decimal.Decimal,
    datetime.date, datetime.datetime, datetime.time, datetime.timedelta,
})
_COLLECTIONS = frozenset({list, tuple, set, frozenset, dict, str, bytes, range})
_LOG2_10 = math.log2(10)


def _children(container):
    return itertools.chain.from_iterable(container.items()) if type(container) is dict else iter(container)


def _decimal_text(value: decimal.Decimal) -> int:
    """How long the fixed-point text of a Decimal (format 'f') would be."""
    if not value.is_finite():
        return 3
    shape = value.as_tuple()
    return len(shape.digits) + abs(shape.exponent) + 2


class _Sizes:
    """The size checks of one set of limits; the base of the run-time guards."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.max_items = limits.max_items
        self.max_int_bits = limits.max_int_bits
        self.max_depth = limits.max_depth

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
