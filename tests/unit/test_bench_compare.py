"""bench.compare reads the figures bench.profiling prints and sets two checkouts' rounds side by side."""

from __future__ import annotations

import pytest

from bench.compare import figures, table

PRINTED = """
  from cryptography.hazmat.primitives.asymmetric.dsa import DSAPrivateKey

400 steps on sqlite, profiler off, CPU ms per request (this process, the test client's share included): list 2.68, \
claim 3.11, complete 6.56, inbox 6.01; receipt 9.75 (of 41, without the profiler)
"""


def test_the_figures_are_read_from_the_line_that_gives_them():
    assert figures(PRINTED) == {"list": 2.68, "claim": 3.11, "complete": 6.56, "inbox": 6.01, "receipt": 9.75}


def test_output_without_figures_stops_the_comparison_with_what_was_printed():
    with pytest.raises(SystemExit, match="printed no figures"):
        figures("Traceback (most recent call last): ...")


def test_the_table_gives_each_round_and_the_ratio_of_the_medians_leaving_out_a_figure_one_side_lacks():
    rounds = [{"old": {"list": 2.0, "claim": 4.0}, "new": {"list": 1.0, "claim": 3.0, "receipt": 9.0}},
              {"old": {"list": 4.0, "claim": 4.0}, "new": {"list": 3.0, "claim": 3.0, "receipt": 9.0}}]

    lines = table(rounds, ("old", "new"))

    assert len(lines) == 3  # the heading, list, claim: the receipt only on one side
    assert lines[1].split()[0] == "list" and lines[1].endswith("0.67")  # median 2.0 ÷ 3.0
    assert lines[2].split()[0] == "claim" and lines[2].endswith("0.75")
