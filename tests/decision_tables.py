"""DMN files as Camunda Modeler and dmn-js write them, and BPMN models calling them, for the tests."""

from __future__ import annotations

from dataclasses import replace
from xml.sax.saxutils import escape, quoteattr

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine import runtime
from engine.dmn.reading import read_decision
from engine.parsing import parse_model
from engine.scripting import make_script_engine
from engine.serialization import spec_from_json, spec_to_json
from tests.conftest import BPMN_MODELS

DMN11 = "http://www.omg.org/spec/DMN/20151101/dmn.xsd"
DMN12 = "http://www.omg.org/spec/DMN/20180521/MODEL/"
DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
DISH_INPUTS = (("Season", "season", "string"), ("Guests", "guests", "integer"))


def dmn(rules, *, hit_policy: str | None = "UNIQUE", aggregation: str | None = None, inputs=DISH_INPUTS,
        outputs=(("Dish", "dish", "string", None),), decision_id: str = "dish", ns: str = DMN13,
        extra: str = "") -> bytes:
    """A DMN file with one decision table. `rules`: (input cells, output cells) per rule, the cells as
    written (FEEL); `inputs`: (label, expression, typeRef); `outputs`: (label, name, typeRef, output values)."""
    columns = "".join(
        f'<input id="Input_{n}" label={quoteattr(label)}><inputExpression id="InputExpression_{n}" '
        f'typeRef="{type_ref}"><text>{escape(text)}</text></inputExpression></input>'
        for n, (label, text, type_ref) in enumerate(inputs, 1))
    for n, (label, name, type_ref, values) in enumerate(outputs, 1):
        allowed = f"<outputValues id=\"UnaryTests_values_{n}\"><text>{escape(values)}</text></outputValues>" \
            if values else ""
        columns += (f'<output id="Output_{n}" label={quoteattr(label)} name="{name}" typeRef="{type_ref}">'
                    f"{allowed}</output>")
    body = ""
    for r, (cells, results) in enumerate(rules, 1):
        results = (results,) if isinstance(results, str) else results
        body += f'<rule id="DecisionRule_{r}">' + "".join(
            f'<inputEntry id="UnaryTests_{r}_{c}"><text>{escape(cell)}</text></inputEntry>'
            for c, cell in enumerate(cells, 1)) + "".join(
            f'<outputEntry id="LiteralExpression_{r}_{c}"><text>{escape(cell)}</text></outputEntry>'
            for c, cell in enumerate(results, 1)) + "</rule>"
    policy = f' hitPolicy="{hit_policy}"' if hit_policy else ""
    policy += f' aggregation="{aggregation}"' if aggregation else ""
    diagram = ('  <dmndi:DMNDI><dmndi:DMNDiagram id="DMNDiagram_1"><dmndi:DMNShape id="DMNShape_1" '
               f'dmnElementRef="{decision_id}"><dc:Bounds height="80" width="180" x="160" y="100"/></dmndi:DMNShape>'
               "</dmndi:DMNDiagram></dmndi:DMNDI>\n") if ns == DMN13 else ""  # DMN 1.1 has no diagram part
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="{ns}" '
            'xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" '
            'xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" '
            'xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_1" name="DRD" '
            'namespace="http://camunda.org/schema/1.0/dmn" exporter="Camunda Modeler" exporterVersion="5.20.0">\n'
            f'  <decision id="{decision_id}" name="Decision {decision_id}">\n'
            f'    <decisionTable id="DecisionTable_1"{policy}>{columns}{body}</decisionTable>\n'
            f"  </decision>{extra}\n{diagram}</definitions>\n").encode()


SPIFF_CALL = ('', '<bpmn:extensionElements><spiffworkflow:calledDecisionId>{}</spiffworkflow:calledDecisionId>'
                  '</bpmn:extensionElements>')
CAMUNDA_CALL = ('camunda:decisionRef="{}"', '')
ZEEBE_CALL = ('', '<bpmn:extensionElements><zeebe:calledDecision decisionId="{}" resultVariable="result"/>'
                  '</bpmn:extensionElements>')


def bpmn_calling(decision_id: str = "dish", call=SPIFF_CALL, process_id: str = "decide_dish",
                 attributes: str = "", after_work: bool = False, shown: str = "") -> bytes:
    """A process: start, a business rule task 'decide' calling `decision_id`, a user task 'work', end
    (`after_work`: the user task first). `shown`: data names the task copies onto the dossier."""
    attribute, extension = (part.format(decision_id) for part in call)
    if shown:
        extension = extension.replace("</bpmn:extensionElements>", "") if extension else "<bpmn:extensionElements>"
        extension += (f'<spiffworkflow:properties><spiffworkflow:property name="dossier_data" value="{shown}"/>'
                      "</spiffworkflow:properties></bpmn:extensionElements>")
    first, second = ("work", "decide") if after_work else ("decide", "work")
    (decide_in, decide_out), (work_in, work_out) = (("f2", "f3"), ("f1", "f2")) if after_work else \
        (("f1", "f2"), ("f2", "f3"))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
    id="Definitions_{process_id}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{process_id}" name="Chọn món" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1"><bpmn:lane id="Lane_Desk" name="desk_officer">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>decide</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>work</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="decide" name="Chọn món" {attribute} {attributes}>{extension}
      <bpmn:incoming>{decide_in}</bpmn:incoming><bpmn:outgoing>{decide_out}</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:userTask id="work" name="Nấu">
      <bpmn:incoming>{work_in}</bpmn:incoming><bpmn:outgoing>{work_out}</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="{first}"/>
    <bpmn:sequenceFlow id="f2" sourceRef="{first}" targetRef="{second}"/>
    <bpmn:sequenceFlow id="f3" sourceRef="{second}" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
""".encode()


def lookup_of(*files: bytes):
    """A decision lookup, as deployment's, over these DMN files (each as version 1)."""
    tables = {}
    for content in files:
        table = read_decision(content, "test.dmn").table
        tables[table.decision_id] = replace(table, version=1)
    return lambda reference, _element: tables.get(reference.decision_id)


def shipped_decisions():
    """A decision lookup over the .dmn files shipped in bpmn_models/."""
    return lookup_of(*(path.read_bytes() for path in sorted(BPMN_MODELS.glob("*.dmn"))))


def run_decision(table_file: bytes, data: dict, model: bytes | None = None, *, whole: bool = False) -> dict:
    """Deploy-parse a model calling the table, restore its spec from JSON as the engine does, run it
    over `data` and return what the business rule task added to the data (`whole`: all the data)."""
    parsed = parse_model(model or bpmn_calling(read_decision(table_file, "t.dmn").decision_id), "t.bpmn",
                         decisions=lookup_of(table_file))
    spec_json = spec_to_json(parsed.spec, parsed.subprocess_specs)
    spec, subprocess_specs = spec_from_json(f"test:{hash(spec_json)}", lambda: spec_json)
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=make_script_engine())
    workflow.task_tree.data.update(data)  # as engine.instances.start_instance gives the start data
    for task in workflow.tasks.values():
        if task.state == TaskState.READY:
            task.data.update(data)
    runtime.run_engine_steps(workflow)
    work = runtime.ready_human_tasks(workflow)[0]
    return dict(work.data) if whole else {key: value for key, value in work.data.items() if key not in data}
