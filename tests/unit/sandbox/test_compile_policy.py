"""The compile-time policy (engine/sandbox/policy.py): code it refuses is refused before it runs,
naming its line."""

from __future__ import annotations

import pytest

from engine.sandbox import CodeRefused, compile_model_code
from tests.unit.sandbox.escapes import ESCAPES


@pytest.mark.parametrize(("mode", "code", "kind", "fragment"),
                         [p for p in ESCAPES if p.values[2] is CodeRefused])
def test_code_the_sandbox_refuses_is_refused_before_it_runs(mode, code, kind, fragment):
    with pytest.raises(CodeRefused) as caught:
        compile_model_code(code, mode)
    assert fragment in caught.value.message
    assert caught.value.line is not None
