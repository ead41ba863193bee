"""Time helpers for model expressions: `deadline("step")` and `before_due(n)`.

A process instance carries its step allocations in its workflow data (`step_allocations`:
step key -> {"value": n, "unit": "working_days" | "working_hours" | "session" | "same_day"}), put
there when it starts. A timer expression such as `deadline("review")` returns, as ISO 8601 text
with an offset, the instant that allocation ends on the working calendar, counted from when the
timer began waiting, which is when the step's task became ready.

`before_due(n)` returns the opening of the working day n working days before the instance's
due date (`due_at` in its workflow data), e.g. for a warning one working day ahead; when that is
not after the moment the timer starts waiting (a period shorter than the lead), the due instant.

`ahead_of_due()` says whether it is still a calendar day before the due day in the calendar's time
zone: a result ready now is early (the model then tells the applicant to come sooner).

The calendar comes from the database of the caller's transaction, loaded on first use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

from engine.clock import utcnow
from engine.working_calendar import CalendarError, WorkingCalendar

ALLOCATIONS_KEY = "step_allocations"
DUE_AT_KEY = "due_at"
_calendar_loader: ContextVar[Callable[[], WorkingCalendar] | None] = ContextVar("calendar_loader", default=None)


@contextmanager
def calendar_from(load: Callable[[], WorkingCalendar]) -> Iterator[None]:
    """Make `load()` (called at most once) the calendar of `deadline()` inside the block."""
    loaded: list[WorkingCalendar] = []

    def once() -> WorkingCalendar:
        if not loaded:
            loaded.append(load())
        return loaded[0]

    token = _calendar_loader.set(once)
    try:
        yield
    finally:
        _calendar_loader.reset(token)


def _calendar() -> WorkingCalendar:
    loader = _calendar_loader.get()
    return loader() if loader is not None else WorkingCalendar()


def _due_at(task, helper: str) -> datetime:
    raw = task.workflow.top_workflow.data.get(DUE_AT_KEY)
    if raw is None:
        raise WorkflowTaskException(f"{helper}: this process instance has no due date", task=task)
    return datetime.fromisoformat(raw)


def ahead_of_due_for(task) -> bool:
    """`ahead_of_due()`: whether today, in the calendar's zone, is a day before the due day."""
    zone = ZoneInfo(_calendar().settings.timezone)
    return utcnow().astimezone(zone).date() < _due_at(task, "ahead_of_due()").astimezone(zone).date()


def before_due_for(task, working_days: int) -> str:
    """`before_due(n)`: the opening of the working day n working days before the instance's due day."""
    due = _due_at(task, f"before_due({working_days})")
    try:
        warn_at = _calendar().start_of_working_days_before(due, working_days)
    except CalendarError as exc:
        raise WorkflowTaskException(f"before_due({working_days}): {exc.message}", task=task) from None
    # A period shorter than the warning's lead: no early warning; the timer waits for the due instant.
    started = datetime.fromtimestamp(task.last_state_change, timezone.utc)
    return (warn_at if warn_at > started else due).isoformat()


def deadline_for(task, step_key: str) -> str:
    allocations = task.workflow.top_workflow.data.get(ALLOCATIONS_KEY) or {}
    allocation = allocations.get(step_key)
    if allocation is None:
        known = ", ".join(sorted(allocations)) or "none"
        raise WorkflowTaskException(
            f"deadline('{step_key}'): the procedure has no time allocated to step '{step_key}' "
            f"(configured steps: {known}).", task=task)
    calendar = _calendar()
    counted_from = datetime.fromtimestamp(task.last_state_change, timezone.utc)
    try:
        return calendar.due_at(counted_from, allocation["value"], allocation["unit"]).isoformat()
    except CalendarError as exc:
        raise WorkflowTaskException(f"deadline('{step_key}'): {exc.message}", task=task) from None
