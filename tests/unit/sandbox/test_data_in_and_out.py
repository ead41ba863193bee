"""How data goes in and out of the sandbox (engine/sandbox/runner.py): values in, data out, helpers
callable, names starting with "_" passed through untouched."""

from __future__ import annotations

import pytest

from engine.sandbox import Limits, ResultRefused, Sandbox

SANDBOX = Sandbox(Limits(time=0.25))


def test_an_expression_must_give_data():
    with pytest.raises(ResultRefused, match="generator"):
        SANDBOX.evaluate("(n for n in [1, 2])", {})


def test_helpers_passed_in_can_be_called_like_the_deadline_helpers():
    helpers = {"deadline": lambda step: f"2026-12-07T09:30:00+07:00#{step}",
               "before_due": lambda days: f"{days} days before", "ahead_of_due": lambda: True}
    assert SANDBOX.evaluate('deadline("review")', {}, helpers) == "2026-12-07T09:30:00+07:00#review"
    assert SANDBOX.evaluate("before_due(apology_lead_days)", {"apology_lead_days": 1}, helpers) == "1 days before"
    assert SANDBOX.evaluate("ahead_of_due()", {}, helpers) is True


def test_names_starting_with_an_underscore_pass_through_a_script_untouched():
    result = SANDBOX.execute("x = 2", {"_internal": {"a": 1}, "x": 1})
    assert result == {"_internal": {"a": 1}, "x": 2}
