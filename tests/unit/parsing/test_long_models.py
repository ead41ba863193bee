"""Long procedures: a chain of hundreds of steps deploys and starts at the default recursion limit;
beyond what the engine can follow, the model is refused at deployment with the limit named, never
with a RecursionError anywhere."""

from __future__ import annotations

import json
import sys

import pytest
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine import runtime
from engine.dmn.tasks import use_decisions
from engine.errors import ModelInvalid
from engine.parsing import MAX_LOOP_STEPS, MAX_PATH_STEPS, parse_model
from engine.parsing.spiff import MotCuaBpmnParser, local_subprocess_specs
from engine.scripting import make_script_engine
from engine.serialization import spec_to_json
from tests.conftest import BPMN_MODELS, FIXTURES
from tests.decision_tables import shipped_decisions
from tests.modeler import Flow, Node, camunda_model, chain_flows, properties, user_tasks_chain

LANES = {"Lane_1": "Bộ phận một cửa"}


def chain(count: int) -> bytes:
    nodes, flows = user_tasks_chain(count)
    return camunda_model(nodes, flows, lanes=LANES)


def test_the_recursion_limit_is_the_default_one():
    assert sys.getrecursionlimit() == 1000


@pytest.mark.parametrize("count", [600, MAX_PATH_STEPS - 2])
def test_a_chain_of_hundreds_of_user_tasks_deploys_and_starts(count):
    parsed = parse_model(chain(count), "dai.bpmn")

    assert len(parsed.user_tasks) == count
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=make_script_engine())
    runtime.run_engine_steps(workflow)
    [first] = runtime.ready_human_tasks(workflow)
    assert first.task_spec.bpmn_id == "Activity_0000"
    runtime.run_task(first)
    runtime.run_engine_steps(workflow)
    assert [t.task_spec.bpmn_id for t in runtime.ready_human_tasks(workflow)] == ["Activity_0001"]


def test_a_chain_of_1200_user_tasks_is_refused_naming_the_limit():
    content = chain(1200)

    with pytest.raises(ModelInvalid) as caught:
        parse_model(content, "qua_dai.bpmn")

    [problem] = caught.value.problems
    assert (problem.code, problem.element) == ("model_too_deep", "Process_0dc7inz")
    assert problem.params["steps"] == 1202 and problem.params["limit"] == MAX_PATH_STEPS
    assert (problem.params["first"], problem.params["last"]) == ("StartEvent_1", "Event_0done")
    assert str(MAX_PATH_STEPS) in problem.message and "subprocess" in problem.hint


def test_a_chain_with_boundary_timers_counts_their_split_and_join():
    parse_model(chain(500), "dai.bpmn")  # 502 steps
    nodes, flows = user_tasks_chain(500)
    for i in range(0, 500, 2):  # a reminder on every other task: each costs one more step
        nodes.append(Node("boundaryEvent", f"Event_{i:04d}remind", attrs={"attachedToRef": f"Activity_{i:04d}",
                          "cancelActivity": "false"}, lane="Lane_1",
                          inner='<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">'
                                '"P2D"</bpmn:timeDuration></bpmn:timerEventDefinition>'))
        nodes.append(Node("endEvent", f"Event_{i:04d}reminded", extensions=properties(dossier_status="4"),
                          lane="Lane_1"))
        flows.append(Flow(f"Flow_{i:04d}remind", f"Event_{i:04d}remind", f"Event_{i:04d}reminded"))

    with pytest.raises(ModelInvalid) as caught:
        parse_model(camunda_model(nodes, flows, lanes=LANES), "nhac.bpmn")

    [problem] = caught.value.problems
    assert problem.code == "model_too_deep" and problem.params["steps"] == 502 + 250


def test_a_long_chain_split_into_subprocesses_deploys():
    inner_nodes, inner_flows = user_tasks_chain(400)
    inner = camunda_model(inner_nodes, inner_flows, lanes=LANES).decode()
    body = inner[inner.index('<bpmn:startEvent'):inner.index("</bpmn:process>")]
    subprocesses = [Node("subProcess", f"Activity_{part}sub", inner=body.replace('id="', f'id="{part}_').replace(
        ">Flow_", f">{part}_Flow_").replace('Ref="', f'Ref="{part}_'), lane="Lane_1") for part in ("A", "B", "C")]
    nodes = [Node("startEvent", "StartEvent_0", lane="Lane_1"), *subprocesses,
             Node("endEvent", "Event_0end", extensions=properties(dossier_status="9"), lane="Lane_1")]

    parsed = parse_model(camunda_model(nodes, chain_flows(*(n.id for n in nodes)), lanes=LANES), "ba_phan.bpmn")

    assert len(parsed.user_tasks) == 1200


def test_a_loop_longer_than_the_engine_can_parse_is_refused():
    nodes, flows = user_tasks_chain(MAX_LOOP_STEPS + 10)
    gateway = Node("exclusiveGateway", "Gateway_0again", lane="Lane_1")
    nodes.insert(-1, gateway)
    flows[-1] = Flow(flows[-1].id, flows[-1].source, "Gateway_0again")
    flows += [Flow("Flow_0back", "Gateway_0again", "Activity_0000", "not done"),
              Flow("Flow_0out", "Gateway_0again", "Event_0done", "done")]

    with pytest.raises(ModelInvalid) as caught:
        parse_model(camunda_model(nodes, flows, lanes=LANES), "vong.bpmn")

    [problem] = caught.value.problems
    assert problem.code == "loop_too_long"
    assert problem.params["steps"] == MAX_LOOP_STEPS + 11 and problem.params["limit"] == MAX_LOOP_STEPS


def _specs(parser_class, content: bytes) -> dict:
    root = etree.fromstring(content)
    process_id = next(p.get("id") for p in root.iter("{*}process") if p.get("isExecutable", "true") == "true")
    parser = parser_class()
    use_decisions(parser, shipped_decisions())  # the diploma copy calls the shipped fee table
    parser.add_bpmn_xml(etree.ElementTree(root), "model.bpmn")
    dumped = json.loads(spec_to_json(parser.get_spec(process_id), local_subprocess_specs(parser, process_id)))

    def normalised(spec: dict) -> dict:  # the order of inputs and of the specs is the only expected difference
        return {name: {**task, "inputs": sorted(task.get("inputs", []))} for name, task in spec["task_specs"].items()}
    return {"spec": normalised(dumped["spec"]),
            "subprocesses": {k: normalised(v) for k, v in dumped["subprocess_specs"].items()}}


REFUSED = {"camunda7_first_upload.bpmn"}  # SpiffWorkflow refuses it: no spec to compare


@pytest.mark.parametrize("path", [p for p in sorted(BPMN_MODELS.glob("*.bpmn")) + sorted((FIXTURES / "bpmn").glob(
    "*.bpmn")) if p.name not in REFUSED], ids=lambda p: p.name)
def test_parsing_deepest_first_builds_the_specs_the_stock_parser_builds(path):
    content = path.read_bytes()
    assert _specs(MotCuaBpmnParser, content) == _specs(SpiffBpmnParser, content)
