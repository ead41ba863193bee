"""Decision 766's sub-indicators as data, and the decision's way of scoring them, without a database."""

from __future__ import annotations

import pytest

from workflows.indicator_catalogue import GROUPS, INDICATORS, TOTAL_POINTS
from workflows.indicators import MEASURES, score


def test_the_default_points_of_each_group_add_up_to_the_decisions_maximum_and_all_to_100():
    for group in GROUPS:
        assert sum(i.points for i in INDICATORS if i.group == group.code) == group.max_points, group.code
    assert [g.max_points for g in GROUPS] == [18, 20, 22, 22, 18]
    assert sum(i.points for i in INDICATORS) == TOTAL_POINTS


def test_every_sub_indicator_is_measured_or_says_why_it_cannot_be():
    for indicator in INDICATORS:
        if indicator.measure is None:
            assert indicator.reason and all(indicator.reason), indicator.code
        else:
            assert indicator.measure in MEASURES, indicator.code
        assert all(indicator.name) and all(indicator.formula), indicator.code


def test_online_payment_is_measured_from_the_payments_recorded():
    payment = next(i for i in INDICATORS if i.code == "online_payment")
    assert (payment.measure, payment.group, payment.points) == ("online_payment", "online", 10)


@pytest.mark.parametrize(("value", "target", "points", "better", "expected"), [
    (100.0, 100, 20, "higher", 20.0),
    (66.67, 100, 20, "higher", 13.33),
    (66.67, 60, 20, "higher", 20.0),  # beyond the target: full points, never more
    (0.0, 100, 8, "higher", 0.0),
    (2.0, 3, 5, "lower", 5.0),
    (3.69, 3, 5, "lower", 4.07),  # a time above its target: target ÷ time × points
    (3.69, None, 0, "lower", 0.0),  # shown for information
])
def test_a_rate_or_time_scores_in_proportion_to_its_target(value, target, points, better, expected):
    assert score(value, target=target, points=points, better=better) == expected
