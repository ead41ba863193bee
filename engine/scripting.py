"""The environment model expressions and scripts run in.

Every expression and script runs in the sandbox of `engine.sandbox` (RestrictedPython, guarded
access, an allow-list of builtins and modules, limits on time and memory). This module feeds it the
task's data and the per-task helpers, and turns its refusals into SpiffWorkflow task errors, which
the engine reports as `ExecutionFailed` naming the element, and after which the caller's
transaction rolls back. Every expression (not scripts) also gets the helpers that JUEL and FEEL
expressions translated at deployment call (`engine.expressions.helpers_for`).
"""

from __future__ import annotations

import datetime

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.clock import has_utc_offset
from engine.deadlines import ahead_of_due_for, before_due_for, deadline_for
from engine.expressions import ExpressionFailed, helpers_for
from engine.sandbox import Limits, Sandbox, SandboxError


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow's script environment over a `Sandbox`: data goes in and out by value.

    A script works on a copy of the task data, which replaces the task data only when the script
    succeeds; helpers and modules never land in it.
    """

    def __init__(self, sandbox: Sandbox, helpers: dict | None = None) -> None:
        super().__init__(dict(helpers or {}))
        self.sandbox = sandbox

    def evaluate(self, expression, context, external_context=None):
        external = external_context or {}
        helpers = {**self.globals, **external}
        if "juel_" in expression or "feel_" in expression:  # code reaches a name only by writing it
            helpers.update({**helpers_for(context, external), **external})
        return self.sandbox.evaluate(expression, context, helpers)

    def execute(self, script, context, external_context=None):
        external = external_context or {}
        self.check_for_overwrite(context, external)
        result = self.sandbox.execute(script, context, {**self.globals, **external})
        context.clear()
        context.update(result)
        return True

    def check_for_overwrite(self, context, external_context) -> None:
        """Refuse task data that hides a helper or a module (SpiffWorkflow's rule, kept)."""
        hidden = (set(self.globals) | set(external_context) | self.sandbox.module_names).intersection(context)
        if hidden:
            raise ValueError(
                "You have task data that overwrites a predefined function(s). Please change the following "
                f"variable or field name(s) to something else: {hidden}")


class ScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's engine with the per-task helpers, sandbox errors as task errors, and a
    computed timeDate without a UTC offset refused.

    SpiffWorkflow would read such a value in the server's local zone; the engine never relies on
    the server's zone, so the model must say which instant it means.
    """

    def evaluate(self, task, expression, external_context=None):
        helpers = {**_task_helpers(task), **(external_context or {})}
        try:
            result = self.environment.evaluate(expression, task.data, helpers)
        except SandboxError as exc:
            raise _task_error(task, exc, expression, f"in the expression '{expression}'") from None
        except ExpressionFailed as exc:
            raise WorkflowTaskException(f"{exc} (in the expression '{expression}')", task=task,
                                        exception=exc) from exc
        except SpiffWorkflowException as exc:
            exc.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as exc:
            raise WorkflowTaskException(f"Error evaluating expression '{expression}'", task=task,
                                        exception=exc) from exc
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, TimeDateEventDefinition) and _is_naive(result):
            raise WorkflowTaskException(
                f"the timeDate {result!r} has no UTC offset (write e.g. 2026-12-01T08:00:00+07:00)", task=task)
        return result

    def execute(self, task, script, external_context=None):
        helpers = {**_task_helpers(task), **(external_context or {})}
        try:
            return self.environment.execute(script, task.data, helpers)
        except SandboxError as exc:
            raise _task_error(task, exc, script, "in the script") from None
        except Exception as exc:
            raise self.create_task_exec_exception(task, script, exc) from exc


def _task_error(task, error: SandboxError, code: str, where: str) -> WorkflowTaskException:
    lines = code.splitlines()
    line = error.line if error.line and error.line <= len(lines) else None
    error_line = lines[line - 1].strip() if line else None
    if line and len(lines) > 1:
        where = f"at line {line} of the script: '{error_line}'"
    return WorkflowTaskException(f"{error.message} ({where})", task=task, exception=error,
                                 line_number=line, error_line=error_line)


def _task_helpers(task) -> dict:
    """Functions a model's expressions may call that need to know which task they run for."""
    return {"deadline": lambda step_key: deadline_for(task, step_key),
            "before_due": lambda working_days: before_due_for(task, working_days),
            "ahead_of_due": lambda: ahead_of_due_for(task)}


def _is_naive(value) -> bool:
    if isinstance(value, datetime.datetime):
        return value.tzinfo is None
    return isinstance(value, str) and not value.upper().startswith("P") and not has_utc_offset(value)


def make_script_engine(helpers: dict | None = None, limits: Limits | None = None) -> PythonScriptEngine:
    """A script engine running model code in a sandbox with `limits` and `helpers` besides the
    per-task ones (`deadline`, `before_due`, `ahead_of_due`)."""
    return ScriptEngine(environment=SandboxEnvironment(Sandbox(limits), helpers))
