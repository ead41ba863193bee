"""Runs a translation the way the engine does: through the engine's script engine (the sandbox, with
the helpers engine/scripting.py adds to every expression) and, for a DMN input entry, through
SpiffWorkflow's own DMN engine on a real task."""

from __future__ import annotations

from functools import cache

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine

from engine.expressions import translate
from engine.parsing import parse_model
from engine.scripting import make_script_engine

FEEL = "https://www.omg.org/spec/DMN/20191111/FEEL/"
ONE_TASK = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://x">
  <bpmn:process id="one_task" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="work"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def evaluate(python: str, data: dict | None = None):
    """The value of `python` over `data`, as the engine's script environment gives it."""
    return make_script_engine().environment.evaluate(python, dict(data or {}))


def run(text: str, kind: str, data: dict | None = None, language: str | None = None):
    """Translate `text` and evaluate the translation over `data`."""
    return evaluate(translate(text, kind=kind, language=language).python, data)


@cache
def _one_task_model():
    return parse_model(ONE_TASK, "one_task.bpmn")


def a_task(data: dict):
    """A real task of a running workflow (with the engine's script engine) holding `data`."""
    parsed = _one_task_model()
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=make_script_engine())
    workflow.do_engine_steps()
    task = next(t for t in workflow.get_tasks() if t.task_spec.name == "work")
    task.data = dict(data)
    return task


def cell_matches(cell: str, value, data: dict | None = None) -> bool:
    """Whether SpiffWorkflow's DMN engine matches `value`, the input column's value, against the
    input entry `cell` (FEEL), both translated as deployment translates them."""
    cell_python = translate(cell, kind="unary_test", language=FEEL).python
    input_python = translate("input_value", kind="value", language=FEEL).python
    task = a_task({**(data or {}), "input_value": value})
    lhs = None if cell_python == "-" else cell_python  # how SpiffWorkflow's DMN parser reads "-"
    return bool(DMNEngine(None).evaluate(input_python, lhs, task))
