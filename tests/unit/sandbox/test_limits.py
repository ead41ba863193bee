"""The limits of one evaluation (engine/sandbox/limits.py, sizes.py): time, allocations and memory."""

from __future__ import annotations

import sys

import pytest

from engine.sandbox import Limits, MemoryLimitExceeded, Sandbox, TimeLimitExceeded


def test_the_time_limit_stops_a_script_and_says_how_long_it_may_run():
    sandbox = Sandbox(Limits(time=0.1))
    with pytest.raises(TimeLimitExceeded) as caught:
        sandbox.execute("n = 0\nwhile True:\n    n = n + 1", {})
    assert caught.value.message == "the script ran longer than 0.1 s"
    assert caught.value.line == 2  # the loop


def test_time_spent_in_the_services_helpers_does_not_count_against_the_model():
    import time

    def slow_helper(step):
        time.sleep(0.3)
        return f"due for {step}"

    sandbox = Sandbox(Limits(time=0.1))
    assert sandbox.evaluate('deadline("review")', {}, {"deadline": slow_helper}) == "due for review"


def test_an_allocation_over_the_limit_is_refused_before_it_happens():
    sandbox = Sandbox(Limits(max_items=1000))
    assert sandbox.evaluate('"x" * 1000', {}) == "x" * 1000
    with pytest.raises(MemoryLimitExceeded, match="an allocation of 1001 items is over the limit of 1000"):
        sandbox.evaluate('"x" * 1001', {})


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="memory is measured from /proc/self/statm")
def test_the_memory_limit_stops_a_loop_that_keeps_allocating():
    sandbox = Sandbox(Limits(time=10, max_memory_growth=32 * 2**20))
    script = "kept = []\nwhile True:\n    kept.append('y' * 500000 + str(len(kept)))"
    with pytest.raises(MemoryLimitExceeded, match="the script used more than 32 MiB of memory"):
        sandbox.execute(script, {})
