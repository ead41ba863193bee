"""Timer values written bare in a model (as Camunda and Flowable write them): ISO 8601 durations,
date-times and repeating intervals, validated strictly and then by SpiffWorkflow's own readers."""

from __future__ import annotations

import re
from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.expressions.errors import refuse

_NUMBER = r"\d+(?:[.,]\d+)?"
_DURATION = re.compile(rf"P(?=\d|T\d)(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}W)?(?:{_NUMBER}D)?"
                       rf"(?:T(?=\d)(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}"
                        r"(?:T\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)?)?")
_OFFSET_HINT = "Write the UTC offset, e.g. 2026-12-01T08:00:00+07:00: the engine never uses the server's time zone."
# What makes a bare text a timer value rather than an expression.
_LOOKS_LIKE_DURATION = re.compile(r"-?P(?:\d|T\d)")
_LOOKS_LIKE_CYCLE = re.compile(r"R\d*/")
_LOOKS_LIKE_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_timer_value(text: str) -> str | None:
    """The ISO 8601 value `text` is (stripped), or None when it is not written as one.

    Raises `ExpressionRefused` for a value written as ISO 8601 but invalid, a negative duration, a
    date-time without its UTC offset, or a repeating interval SpiffWorkflow cannot run.
    """
    value = text.strip()
    if _LOOKS_LIKE_CYCLE.match(value):
        _check_cycle(value, text)
    elif _LOOKS_LIKE_DURATION.match(value):
        _check_duration(value, text)
    elif _LOOKS_LIKE_DATE.match(value):
        _check_date_time(value, text)
    else:
        return None
    return value


def _refuse(problem: str, construct: str, text: str, hint: str = ""):
    return refuse(problem, construct=construct, dialect="iso8601", text=text, hint=hint)


def _check_duration(value: str, text: str) -> None:
    if value.startswith("-"):
        raise _refuse(f"The timer value '{value}' is a negative duration", "negative duration", text)
    try:
        if not _DURATION.fullmatch(value):
            raise ValueError(value)
        TimerEventDefinition.parse_iso_duration(value)
    except Exception:  # SpiffWorkflow raises a bare Exception for an invalid duration
        raise _refuse(f"The timer value '{value}' is not a valid ISO 8601 duration", "ISO 8601 duration",
                      text) from None


def _check_date_time(value: str, text: str) -> None:
    match = _DATE_TIME.fullmatch(value)
    try:
        if not match:
            raise ValueError(value)
        datetime.fromisoformat(value)
    except ValueError:
        raise _refuse(f"The timer value '{value}' is not a valid ISO 8601 date-time", "ISO 8601 date-time",
                      text) from None
    if not match.group("offset"):
        raise _refuse(f"The timer value '{value}' has no UTC offset", "date-time without a UTC offset", text,
                      _OFFSET_HINT)


def _check_cycle(value: str, text: str) -> None:
    parts = value.split("/")
    if len(parts) not in (2, 3):
        raise _refuse(f"The timer value '{value}' is not a valid ISO 8601 repeating interval",
                      "ISO 8601 repeating interval", text)
    durations = 0
    for part in parts[1:]:
        if _LOOKS_LIKE_DURATION.match(part):
            _check_duration(part, text)
            durations += 1
        else:
            _check_date_time(part, text)
    if durations != 1:
        raise _refuse(f"The timer value '{value}' must repeat a duration: R3/PT10H, R3/start/PT10H or "
                      "R3/PT10H/end", "ISO 8601 repeating interval", text)
    try:
        TimerEventDefinition.parse_iso_recurring_interval(value)
    except Exception:  # noqa: BLE001 - SpiffWorkflow raises bare Exceptions
        raise _refuse(f"The timer value '{value}' is not a valid ISO 8601 repeating interval",
                      "ISO 8601 repeating interval", text) from None
