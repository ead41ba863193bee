"""Running a decision table on a task's data, every DMN hit policy done as the standard says.

SpiffWorkflow 3.2's DMNEngine knows UNIQUE (stopping at the first match, so never noticing a second)
and COLLECT only, evaluates the input expression again for every cell, and has no aggregation. Here:

- each input expression is evaluated once; a cell matches when its translated unary test gives true
  (FEEL: false and null do not match);
- UNIQUE: at most one rule may match, more is an error naming the rules; FIRST: the first match in rule
  order; PRIORITY: the match whose outputs come first in the outputs' output values; ANY: several
  matches must give the same outputs, else an error; RULE ORDER and OUTPUT ORDER (by output values):
  lists; COLLECT: lists, or with SUM / MIN / MAX / COUNT one value (nulls left out; COUNT counts every
  non-null value, SUM adds every one, as Camunda does, where the DMN standard would count distinct values);
- no rule matches: every output is set to null (a list policy: an empty list; COUNT: 0), so that a
  decision run again never leaves the previous run's result in the data.

Every failure is a `WorkflowTaskException` naming the decision and its version, the rules and the
inputs; the engine reports it as `ExecutionFailed` on the business rule task.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.dmn.model import INPUT_NAME, PLACEHOLDER, SINGLE_HIT, DecisionTable, Output, Rule


class HitPolicyViolated(Exception):
    """The matches of a table break its hit policy; the message says how, `INPUTS` standing for the inputs."""


INPUTS = "{inputs}"


@dataclass(frozen=True)
class Hit:
    """A matched rule and the values of its output entries, by output name."""

    rule: Rule
    outputs: dict


@dataclass(frozen=True)
class Decided:
    """A table's answer: `outputs` by output name (what goes into the data) and `rows`, the output
    dicts the hit policy kept, in order (one per kept rule; for an aggregation, one with the result)."""

    outputs: dict
    rows: list[dict]


def decide(table: DecisionTable, hits: list[Hit]) -> Decided:
    """Apply the table's hit policy to its matches (in rule order)."""
    policy, names = table.hit_policy, [o.name for o in table.outputs]
    if policy == "UNIQUE" and len(hits) > 1:
        raise HitPolicyViolated(f"rules {_numbers(hits)} match the inputs {INPUTS}, and UNIQUE allows one "
                                "matching rule; make the rules exclusive, or choose FIRST, PRIORITY or COLLECT")
    if policy == "ANY" and len({_frozen(h.outputs) for h in hits}) > 1:
        shown = "; ".join(f"rule {h.rule.number}: {_show_outputs(h.outputs)}" for h in hits)
        raise HitPolicyViolated(f"rules {_numbers(hits)} match the inputs {INPUTS} and give different outputs "
                                f"({shown}), and ANY lets several rules match only if they agree")
    if policy in ("PRIORITY", "OUTPUT ORDER"):
        hits = sorted(hits, key=lambda h: _priority(table.outputs, h))
    if policy in SINGLE_HIT:
        row = hits[0].outputs if hits else dict.fromkeys(names)
        return Decided(dict(row), [dict(row)] if hits else [])
    if table.aggregation is not None:
        name = names[0]
        value = _aggregate(table.aggregation, name, hits)
        return Decided({name: value}, [{name: value}] if hits else [])
    return Decided({name: [h.outputs[name] for h in hits] for name in names}, [dict(h.outputs) for h in hits])


class DecisionEngine:
    """What a business rule task runs: `result(task)` gives the outputs for the task's data."""

    def __init__(self, table: DecisionTable) -> None:
        self.decision_table = table
        self._cells = {(rule.number, column): entry.python.replace(PLACEHOLDER, INPUT_NAME)
                       for rule in table.rules for column, entry in enumerate(rule.inputs)
                       if entry.python is not None}

    def result(self, task) -> dict:
        return self.evaluate(task).outputs

    def evaluate(self, task) -> Decided:
        table = self.decision_table
        if INPUT_NAME in task.data:
            raise self._error(task, f"the task data has a variable named '{INPUT_NAME}', the name a decision "
                                    "table's cells give their input; rename it")
        values = [self._input_value(task, column) for column in table.inputs]
        hits = []
        for rule in table.rules:
            if self._matches(task, rule, values):
                hits.append(Hit(rule, {}))
                if table.hit_policy == "FIRST":
                    break
        if not (table.hit_policy == "UNIQUE" and len(hits) > 1):  # a violation needs no outputs
            hits = [Hit(h.rule, self._outputs(task, h.rule, values)) for h in hits]
        try:
            return decide(table, hits)
        except HitPolicyViolated as exc:
            shown = self._show_inputs(values)
            message = str(exc)
            raise self._error(task, message.replace(INPUTS, shown) if INPUTS in message
                              else f"{message}, for the inputs {shown}") from None

    def _input_value(self, task, column):
        try:
            return task.workflow.script_engine.evaluate(task, column.python)
        except Exception as exc:  # noqa: BLE001 - the model's expression failed: say where
            raise self._error(task, f"the input expression '{column.text}' of column '{column.title}' failed: "
                                    f"{_reason(exc)}") from None

    def _matches(self, task, rule: Rule, values: list) -> bool:
        script_engine = task.workflow.script_engine
        for index, (column, entry, value) in enumerate(zip(self.decision_table.inputs, rule.inputs, values,
                                                              strict=True)):
            if entry.python is None:
                continue
            try:
                matched = script_engine.evaluate(task, self._cells[rule.number, index],
                                                 external_context={INPUT_NAME: value})
            except Exception as exc:  # noqa: BLE001
                raise self._error(task, f"rule {rule.number}, input column '{column.title}': the cell "
                                        f"'{entry.text}' failed: {_reason(exc)}, for the inputs "
                                        f"{self._show_inputs(values)}") from None
            if matched is not True:
                return False
        return True

    def _outputs(self, task, rule: Rule, values: list) -> dict:
        outputs = {}
        for column, entry in zip(self.decision_table.outputs, rule.outputs, strict=True):
            try:
                outputs[column.name] = task.workflow.script_engine.evaluate(task, entry.python)
            except Exception as exc:  # noqa: BLE001
                raise self._error(task, f"rule {rule.number}, output '{column.name}': '{entry.text}' failed: "
                                        f"{_reason(exc)}, for the inputs {self._show_inputs(values)}") from None
        return outputs

    def _show_inputs(self, values: list) -> str:
        if not values:
            return "(the table has no input column)"
        return ", ".join(f"{column.title} = {_show(value)}" for column, value in zip(self.decision_table.inputs,
                                                                                    values, strict=True))

    def _error(self, task, detail: str) -> WorkflowTaskException:
        table = self.decision_table
        return WorkflowTaskException(f"The {table.title}, hit policy {table.policy}: {detail}", task=task)


def _priority(outputs: tuple[Output, ...], hit: Hit) -> tuple:
    """Where a hit ranks: for each output with output values, in order, the position of its value."""
    key = []
    for column in outputs:
        if not column.values:
            continue
        value = hit.outputs.get(column.name)
        if value not in column.values:
            raise HitPolicyViolated(f"rule {hit.rule.number} gives {column.name} = {_show(value)}, which is not "
                                    f"among its output values ({', '.join(map(_show, column.values))})")
        key.append(column.values.index(value))
    return tuple(key)


def _aggregate(aggregation: str, name: str, hits: list[Hit]):
    values = [h.outputs[name] for h in hits if h.outputs[name] is not None]
    if aggregation == "COUNT":
        return len(values)
    if not values:
        return None
    if aggregation == "SUM":
        for hit in hits:
            value = hit.outputs[name]
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float | Decimal)):
                raise HitPolicyViolated(f"COLLECT SUM adds numbers, and rule {hit.rule.number} gives {name} = "
                                        f"{_show(value)}")
        return sum(values)
    try:
        return min(values) if aggregation == "MIN" else max(values)
    except TypeError:
        raise HitPolicyViolated(f"COLLECT {aggregation} compares the values of {name}, and rules "
                                f"{_numbers(hits)} give values that do not compare "
                                f"({', '.join(_show(v) for v in values)})") from None


def _numbers(hits: list[Hit]) -> str:
    numbers = [str(h.rule.number) for h in hits]
    return numbers[0] if len(numbers) == 1 else f"{', '.join(numbers[:-1])} and {numbers[-1]}"


def _frozen(outputs: dict) -> str:
    return json.dumps(outputs, sort_keys=True, default=repr)


def _show(value) -> str:
    shown = json.dumps(value, ensure_ascii=False, default=str)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def _show_outputs(outputs: dict) -> str:
    return ", ".join(f"{name} = {_show(value)}" for name, value in outputs.items())


def _reason(exc: Exception) -> str:
    """Why an expression failed, without the Python it was translated into."""
    if not isinstance(exc, SpiffWorkflowException):
        return f"{type(exc).__name__}: {exc}"
    cause = exc.__cause__
    text = str(cause) if cause is not None and str(cause) else str(exc.args[0] if exc.args else exc)
    return re.sub(r"\s*\(in the expression '.*'\)\s*$", "", text, flags=re.S).rstrip(". ")
