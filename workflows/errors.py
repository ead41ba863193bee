"""Errors of the one-stop service. They share the engine's root, so the API maps one hierarchy."""

from engine.errors import (  # noqa: F401 - re-exported for the layers above
    ConcurrentUpdate,
    Conflict,
    DecisionInvalid,
    EngineError,
    ExecutionFailed,
    InstanceSuspended,
    InvalidTaskData,
    ModelInvalid,
    NotFound,
    RepairRefused,
    TaskNotReady,
)


class Unauthenticated(EngineError):
    code = "unauthenticated"


class Forbidden(EngineError):
    code = "forbidden"


class StopNotAllowed(Forbidden):
    """The user's roles are not among those that may stop a dossier's processing (workflows.stopping)."""

    code = "stop_not_allowed"


class InvalidInput(EngineError):
    """Input that is well-formed but not acceptable (unknown procedure, unmapped lane...)."""

    code = "invalid_input"


class TransitionRefused(Conflict):
    """The model would move a dossier to a status that may not follow its current one."""

    code = "invalid_transition"


class SupplementLimitReached(Conflict):
    """A supplement request beyond what the procedure allows (by default, once per dossier)."""

    code = "supplement_limit"


class FormUnavailable(Conflict):
    """A printable form that does not apply to the dossier (a refusal for a dossier not refused...)."""

    code = "form_unavailable"


class RateLimited(EngineError):
    """Too many attempts from one address or on one dossier in the current window."""

    code = "too_many_requests"


class AlreadyRated(Conflict):
    """A dossier is rated once."""

    code = "already_rated"


class RecordedFailure(EngineError):
    """The request fails with `error`, but what the service wrote about the failure (an attempt
    counted, say) is to be kept: the API commits the transaction, then answers with `error`."""

    def __init__(self, error: EngineError) -> None:
        super().__init__(error.message, **error.details)
        self.error = error
        self.code = error.code


class ResultNotSigned(Conflict):
    """A model element issues a result, and the signing key or the timestamp server failed: the step is
    refused (nothing of it is kept) until the administrator fixes the signing settings."""

    code = "result_not_signed"
