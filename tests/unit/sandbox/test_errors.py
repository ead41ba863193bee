"""The sandbox's errors (engine/sandbox/errors.py): every refusal is a SandboxError, naming the line
of the model code."""

from __future__ import annotations

import pytest

from engine.sandbox import (
    AccessRefused,
    CodeRefused,
    Limits,
    MemoryLimitExceeded,
    ResultRefused,
    Sandbox,
    SandboxError,
    TimeLimitExceeded,
)

SANDBOX = Sandbox(Limits(time=0.25))


def test_a_refusal_names_the_line_of_the_script():
    with pytest.raises(MemoryLimitExceeded) as caught:
        SANDBOX.execute('total = 1\nlabel = "ok"\nblob = "x" * 10**10', {})
    assert caught.value.line == 3
    assert "(line 3)" in str(caught.value)


def test_every_refusal_is_a_sandbox_error():
    for kind in (CodeRefused, AccessRefused, TimeLimitExceeded, MemoryLimitExceeded, ResultRefused):
        assert issubclass(kind, SandboxError)
