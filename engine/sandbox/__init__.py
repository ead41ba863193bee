"""The sandbox every expression and script of a process model runs in: RestrictedPython with a
stricter policy, run-time guards, and limits on time and memory.

What it refuses, each limit and how it is enforced, and the tests that prove each rule are in
engine/sandbox/README.md; each module of this package holds one concern.
"""

from engine.sandbox.errors import (
    AccessRefused,
    CodeRefused,
    MemoryLimitExceeded,
    ResultRefused,
    SandboxError,
    TimeLimitExceeded,
)
from engine.sandbox.limits import Limits
from engine.sandbox.policy import compile_model_code
from engine.sandbox.runner import Sandbox

__all__ = [
    "AccessRefused", "CodeRefused", "Limits", "MemoryLimitExceeded", "ResultRefused", "Sandbox", "SandboxError",
    "TimeLimitExceeded", "compile_model_code",
]
