"""Errors of the one-stop service. They share the engine's root, so the API maps one hierarchy."""

from engine.errors import (  # noqa: F401 - re-exported for the layers above
    ConcurrentUpdate,
    Conflict,
    EngineError,
    ExecutionFailed,
    InvalidTaskData,
    ModelInvalid,
    NotFound,
    TaskNotReady,
)


class Unauthenticated(EngineError):
    code = "unauthenticated"


class Forbidden(EngineError):
    code = "forbidden"


class InvalidInput(EngineError):
    """Input that is well-formed but not acceptable (unknown procedure, unmapped lane...)."""

    code = "invalid_input"
