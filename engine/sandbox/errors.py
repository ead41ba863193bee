"""The errors of the sandbox, and the stop that carries one out of model code.

Every refusal is a `SandboxError`: `CodeRefused` when compiling, the others while the code runs.
Inside the code they travel as a `_Stop`, a BaseException that no `except` the code may write can
catch; `Sandbox` unwraps it at the boundary.
"""

from __future__ import annotations


class SandboxError(Exception):
    """Model code was refused or stopped. `line` is the line of the model code, when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return self.message if self.line is None else f"{self.message} (line {self.line})"


class CodeRefused(SandboxError):
    """The code cannot run in the sandbox: found when compiling, before it runs."""


class AccessRefused(SandboxError):
    """The code reached for something the sandbox does not give while it ran."""


class TimeLimitExceeded(SandboxError):
    """The code ran longer than its time limit."""


class MemoryLimitExceeded(SandboxError):
    """The code would allocate, or built, more than its limits allow."""


class ResultRefused(SandboxError):
    """The code gave back a value that is not data (a generator, a module...)."""


class _Stop(BaseException):
    """Raised inside model code to stop it: no `except` the code may write can catch it."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error

