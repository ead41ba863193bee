"""`deadline("step")` for model expressions: the due instant of a step, from configured allocations.

A process instance carries its step allocations in its workflow data (`step_allocations`:
step key -> {"value": n, "unit": "working_days" | "working_hours" | "session" | "same_day"}), put
there when it starts. A timer expression such as `deadline("review")` returns, as ISO 8601 text
with an offset, the instant that allocation ends on the working calendar, counted from when the
timer began waiting, which is when the step's task became ready.

The calendar comes from the database of the caller's transaction, loaded on first use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

from engine.working_calendar import CalendarError, WorkingCalendar

ALLOCATIONS_KEY = "step_allocations"
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


def deadline_for(task, step_key: str) -> str:
    allocations = task.workflow.top_workflow.data.get(ALLOCATIONS_KEY) or {}
    allocation = allocations.get(step_key)
    if allocation is None:
        known = ", ".join(sorted(allocations)) or "none"
        raise WorkflowTaskException(
            f"deadline('{step_key}'): the procedure has no time allocated to step '{step_key}' "
            f"(configured steps: {known}).", task=task)
    loader = _calendar_loader.get()
    calendar = loader() if loader is not None else WorkingCalendar()
    counted_from = datetime.fromtimestamp(task.last_state_change, timezone.utc)
    try:
        return calendar.due_at(counted_from, allocation["value"], allocation["unit"]).isoformat()
    except CalendarError as exc:
        raise WorkflowTaskException(f"deadline('{step_key}'): {exc.message}", task=task) from None
