"""Instance state round-trips through JSON, with the values a model script may leave in task data."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from SpiffWorkflow.bpmn import BpmnWorkflow

from engine.parsing import parse_model
from engine.scripting import make_script_engine
from engine.serialization import state_from_json, state_to_json
from tests.conftest import read_model


def test_decimals_dates_and_times_left_by_a_script_survive_saving_and_loading():
    parsed = parse_model(read_model("parallel_review.bpmn"), "parallel_review.bpmn")
    engine = make_script_engine()
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=engine)
    values = {"fee": Decimal("50000.00"), "day": date(2026, 12, 7), "opens": time(7, 30),
              "at": datetime(2026, 12, 7, 1, 0, tzinfo=timezone.utc), "wait": timedelta(hours=2)}
    workflow.task_tree.data.update(values)

    restored = state_from_json(state_to_json(workflow), parsed.spec, parsed.subprocess_specs, engine)

    assert {k: restored.task_tree.data[k] for k in values} == values
