"""The run-time guards (engine/sandbox/guards.py, methods.py): what they refuse while the code runs."""

from __future__ import annotations

import pytest

from engine.sandbox import AccessRefused, Limits, Sandbox

SANDBOX = Sandbox(Limits(time=0.25))


def test_an_error_a_helper_raises_cannot_be_caught_and_inspected_by_the_model():
    secret = object()

    def deadline(step):
        raise RuntimeError("no allocation for this step", secret)

    data = {"x": 1}
    script = "try:\n    due = deadline('review')\nexcept Exception as error:\n    leaked = error.args"
    with pytest.raises(RuntimeError, match="no allocation"):
        SANDBOX.execute(script, data, {"deadline": deadline})
    assert data == {"x": 1}


def test_an_expression_cannot_change_the_data_it_reads():
    data = {"documents": ["don.pdf"]}
    with pytest.raises(AccessRefused, match="an expression cannot change data"):
        SANDBOX.evaluate('documents.append("virus.exe") or True', data)
    assert data == {"documents": ["don.pdf"]}
