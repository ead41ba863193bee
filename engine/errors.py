"""Errors the engine raises. Each carries a stable `code` and the details a person needs."""

from __future__ import annotations


class EngineError(Exception):
    """Root of every error the engine raises on purpose."""

    code = "engine_error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = {k: v for k, v in details.items() if v not in (None, "")}


class ModelInvalid(EngineError):
    """A BPMN file cannot be deployed. `problems` lists everything wrong with it (errors first, then
    warnings; see engine/parsing/problems.py); `message` and `details` (file, line, element) are the
    first error's."""

    code = "bpmn_invalid"

    def __init__(self, message: str, problems: list | None = None, **details: object) -> None:
        super().__init__(message, **details)
        self.problems = list(problems or [])


class DecisionInvalid(ModelInvalid):
    """A DMN file cannot be deployed. `details` names the file, line and element (the cell's id), and
    `problems` (also in `details`) lists every problem of the file, each already a dict with its message."""

    code = "dmn_invalid"

    def __init__(self, message: str, problems: list | None = None, **details: object) -> None:
        EngineError.__init__(self, message, problems=list(problems or []), **details)
        self.problems = list(problems or [])


class NotFound(EngineError):
    code = "not_found"


class Conflict(EngineError):
    """The state changed under the caller: someone else won the race, or the task is done."""

    code = "conflict"


class TaskNotReady(Conflict):
    code = "task_not_ready"


class ConcurrentUpdate(Conflict):
    code = "concurrent_update"


class InstanceSuspended(Conflict):
    """An administrator suspended the instance: nothing moves it until it is resumed."""

    code = "instance_suspended"


class RepairRefused(EngineError):
    """A repair (a move, a skip, a migration) would leave the instance inconsistent, or cannot apply."""

    code = "repair_refused"


class InvalidTaskData(EngineError):
    """The data submitted to complete a task does not satisfy the task's form."""

    code = "invalid_task_data"


class ExecutionFailed(EngineError):
    """The model could not continue (an expression failed, no gateway path matched...).

    `element_name` and `task_data` (the failing element's data) are kept for an incident; they are
    never part of an answer."""

    code = "execution_failed"
    element_name: str | None = None
    task_data: dict | None = None
