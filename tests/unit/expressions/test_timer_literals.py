"""Timer values written bare (as Camunda and Flowable write them): ISO 8601 durations, date-times with
their UTC offset and repeating intervals become Python string literals; invalid ones are refused."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.expressions import ExpressionRefused, timer_value, translate
from tests.unit.expressions.running import evaluate


@pytest.mark.parametrize("text", [
    "PT4H", "P2D", "P1DT2H", "PT30M", "PT0.5H", "P1W", "P1Y2M3DT4H5M6S", "  PT5M\n",
    "2026-12-01T08:00:00+07:00", "2026-12-01T01:00:00Z", "2026-12-01T08:00+07:00", "2026-12-01T08:00:00.5+07:00",
    "R3/PT10H", "R/PT1H", "R3/2026-12-01T08:00:00+07:00/PT1H", "R2/PT1H/2026-12-01T08:00:00+07:00",
])
def test_a_bare_iso_value_becomes_a_python_string_literal_the_sandbox_gives_back(text):
    translation = timer_value(text)

    assert translation is not None
    assert (translation.dialect, translation.literal, translation.original) == ("iso8601", True, text)
    assert evaluate(translation.python) == text.strip()


def test_a_duration_literal_is_one_spiffworkflow_arms():
    value = evaluate(timer_value("P1DT2H").python)

    assert TimerEventDefinition.parse_iso_duration(value) == {"days": 1, "hours": 2}


def test_a_date_time_literal_is_read_at_its_own_offset():
    value = evaluate(timer_value("2026-12-01T08:00:00+07:00").python)

    assert TimerEventDefinition.get_datetime(value) == datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("text", [
    "duration", "dueDate", '"PT4H"', "${duration}", "= duration", "P", "PT", "PTx", "Period", "R", "Rx/PT1H",
    "2026", "x > 1",
])
def test_any_other_text_is_an_expression_not_a_timer_value(text):
    assert timer_value(text) is None


@pytest.mark.parametrize("text, construct, named, fragment", [
    ("2026-12-01T08:00:00", "date-time without a UTC offset", "2026-12-01T08:00:00", "has no UTC offset"),
    ("2026-12-01", "date-time without a UTC offset", "2026-12-01", "the engine never uses the server's time zone"),
    ("R3/2026-12-01T08:00:00/PT1H", "date-time without a UTC offset", "2026-12-01T08:00:00", "has no UTC offset"),
    ("-P1D", "negative duration", "-P1D", "is a negative duration"),
    ("P1X", "ISO 8601 duration", "P1X", "is not a valid ISO 8601 duration"),
    ("PT1.5H30M", "ISO 8601 duration", "PT1.5H30M", "is not a valid ISO 8601 duration"),
    ("P1W2D", "ISO 8601 duration", "P1W2D", "is not a valid ISO 8601 duration"),
    ("2026-13-01T08:00:00+07:00", "ISO 8601 date-time", "2026-13-01T08:00:00+07:00", "is not a valid ISO 8601"),
    ("2026-12-01T08:00:00+07:00x", "ISO 8601 date-time", "2026-12-01T08:00:00+07:00x", "is not a valid ISO 8601"),
    ("R3/PT1H/PT2H", "ISO 8601 repeating interval", "R3/PT1H/PT2H", "must repeat a duration"),
    ("R3/2026-12-01T08:00:00+07:00/2026-12-02T08:00:00+07:00", "ISO 8601 repeating interval",
     "R3/2026-12-01T08:00:00+07:00/2026-12-02T08:00:00+07:00", "must repeat a duration"),
    ("R3/PT1H/x/y", "ISO 8601 repeating interval", "R3/PT1H/x/y", "is not a valid ISO 8601 repeating interval"),
])
def test_an_invalid_iso_value_is_refused_naming_the_value(text, construct, named, fragment):
    with pytest.raises(ExpressionRefused) as caught:
        timer_value(text)

    assert caught.value.construct == construct
    assert caught.value.dialect == "iso8601"
    assert f"The timer value '{named}'" in caught.value.message
    assert fragment in caught.value.message


@pytest.mark.parametrize("text, data, expected", [
    ("${duration}", {"duration": "PT4H"}, "PT4H"),
    ("#{dueDate}", {"dueDate": "2026-12-01T08:00:00+07:00"}, "2026-12-01T08:00:00+07:00"),
    ("= duration", {"duration": "PT1H"}, "PT1H"),
])
def test_a_timer_expression_in_juel_or_feel_is_translated_as_a_value(text, data, expected):
    assert timer_value(text) is None
    assert evaluate(translate(text, kind="value").python, data) == expected
