"""The limits of one evaluation (`Limits`) and the clock and memory watch that enforces the time
and memory ones (`_Run`).

The compiler puts a call to `_Run.tick` at the top of every loop body, function, lambda and
comprehension step (policy.py), and every allocation of `_TICKING_ALLOCATION` items or more calls it
too (`_allocating`). At most once a millisecond it compares the clock with the deadline and the
process's resident memory with its size at the start, and stops the code past either limit. The
item, integer and depth limits are checked by the guards (sizes.py).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from engine.sandbox.errors import MemoryLimitExceeded, TimeLimitExceeded, _Stop


@dataclass(frozen=True)
class Limits:
    """What one evaluation may use; see engine/sandbox/README.md for how each is enforced."""

    time: float = 1.0
    max_items: int = 1_000_000
    max_int_bits: int = 10_000
    max_depth: int = 100
    max_memory_growth: int = 256 * 1024 * 1024


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
