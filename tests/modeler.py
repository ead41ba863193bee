"""BPMN files written the way Camunda Modeler 5 (bpmn-js) writes them, for tests of what designers
bring: the `bpmn:` prefix, `Activity_0abc`-style ids, `<bpmn:incoming>/<bpmn:outgoing>` on every
flow node (after its extension elements, before its event definitions or loop characteristics),
diagram interchange (a shape per node, an edge per flow), the Camunda and modeler namespaces.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from xml.sax.saxutils import escape, quoteattr

NAMESPACES = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
    'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:modeler="http://camunda.org/schema/modeler/1.0" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
)
SIZES = {"task": (100, 80), "event": (36, 36), "gateway": (50, 50)}


@dataclass
class Node:
    tag: str  # bpmn local name: userTask, startEvent...
    id: str
    name: str | None = None
    attrs: dict = field(default_factory=dict)  # attributes as written, e.g. {"camunda:candidateGroups": "x"}
    extensions: str = ""  # the content of <bpmn:extensionElements>
    inner: str = ""  # after incoming/outgoing: event definitions, loop characteristics, script...
    lane: str | None = None


@dataclass
class Flow:
    id: str
    source: str
    target: str
    condition: str | None = None  # the text of a tFormalExpression, escaped here
    name: str | None = None


def _kind(tag: str) -> str:
    return "event" if tag.endswith("Event") else "gateway" if tag.endswith("Gateway") else "task"


def properties(**values: str) -> str:
    """`spiffworkflow:properties` (what MotCua reads: dossier_status, form_schema...)."""
    return "<spiffworkflow:properties>" + "".join(
        f"<spiffworkflow:property name={quoteattr(k)} value={quoteattr(v)}/>" for k, v in values.items()
    ) + "</spiffworkflow:properties>"


def chain_flows(*ids: str, prefix: str = "Flow_") -> list[Flow]:
    return [Flow(f"{prefix}{i:04d}", a, b) for i, (a, b) in enumerate(pairwise(ids))]


def camunda_model(nodes: list[Node], flows: list[Flow], *, process_id: str = "Process_0dc7inz",
                  name: str = "Quy trình thử", executable: str | None = "true", lanes: dict | None = None,
                  top: str = "") -> bytes:
    """A Camunda Modeler file of one process. `lanes`: lane id -> lane name (nodes say their lane);
    `top`: elements before the process (messages, errors...); `executable`: the isExecutable value,
    None to leave it out as Bizagi and ARIS do."""
    incoming: dict = {}
    outgoing: dict = {}
    for flow in flows:
        outgoing.setdefault(flow.source, []).append(flow.id)
        incoming.setdefault(flow.target, []).append(flow.id)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<bpmn:definitions {NAMESPACES} id="Definitions_1a2b3c4" targetNamespace="http://bpmn.io/schema/bpmn" '
             'exporter="Camunda Modeler" exporterVersion="5.31.0" modeler:executionPlatform="Camunda Platform" '
             'modeler:executionPlatformVersion="7.22.0">']
    if top:
        lines.append(f"  {top}")
    flag = f' isExecutable="{executable}"' if executable is not None else ""
    lines.append(f'  <bpmn:process id="{process_id}" name={quoteattr(name)}{flag}>')
    if lanes:
        lines.append('    <bpmn:laneSet id="LaneSet_0k1l2m3">')
        for lane_id, lane_name in lanes.items():
            lines.append(f"      <bpmn:lane id={quoteattr(lane_id)} name={quoteattr(lane_name)}>")
            lines += [f"        <bpmn:flowNodeRef>{n.id}</bpmn:flowNodeRef>" for n in nodes if n.lane == lane_id]
            lines.append("      </bpmn:lane>")
        lines.append("    </bpmn:laneSet>")
    for node in nodes:
        attrs = "".join(f" {k}={quoteattr(v)}" for k, v in node.attrs.items())
        named = f" name={quoteattr(node.name)}" if node.name else ""
        lines.append(f"    <bpmn:{node.tag} id={quoteattr(node.id)}{named}{attrs}>")
        if node.extensions:
            lines.append(f"      <bpmn:extensionElements>{node.extensions}</bpmn:extensionElements>")
        lines += [f"      <bpmn:incoming>{f}</bpmn:incoming>" for f in incoming.get(node.id, [])]
        lines += [f"      <bpmn:outgoing>{f}</bpmn:outgoing>" for f in outgoing.get(node.id, [])]
        if node.inner:
            lines.append(f"      {node.inner}")
        lines.append(f"    </bpmn:{node.tag}>")
    for flow in flows:
        named = f" name={quoteattr(flow.name)}" if flow.name else ""
        head = f"    <bpmn:sequenceFlow id={quoteattr(flow.id)}{named} sourceRef={quoteattr(flow.source)} " \
               f"targetRef={quoteattr(flow.target)}"
        if flow.condition is None:
            lines.append(head + " />")
        else:
            lines += [head + ">", '      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
                      f"{escape(flow.condition)}</bpmn:conditionExpression>", "    </bpmn:sequenceFlow>"]
    lines.append("  </bpmn:process>")
    lines += _diagram(process_id, nodes, flows)
    lines.append("</bpmn:definitions>")
    return ("\n".join(lines) + "\n").encode()


def _diagram(process_id: str, nodes: list[Node], flows: list[Flow]) -> list[str]:
    positions = {}
    lines = ['  <bpmndi:BPMNDiagram id="BPMNDiagram_1">',
             f'    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="{process_id}">']
    for i, node in enumerate(nodes):
        width, height = SIZES[_kind(node.tag)]
        x, y = 160 + 150 * (i % 40), 100 + 200 * (i // 40) + (80 - height) // 2
        positions[node.id] = (x + width // 2, y + height // 2)
        lines += [f'      <bpmndi:BPMNShape id="{node.id}_di" bpmnElement="{node.id}">',
                  f'        <dc:Bounds x="{x}" y="{y}" width="{width}" height="{height}" />',
                  "      </bpmndi:BPMNShape>"]
    for flow in flows:
        (x1, y1), (x2, y2) = positions.get(flow.source, (0, 0)), positions.get(flow.target, (0, 0))
        lines += [f'      <bpmndi:BPMNEdge id="{flow.id}_di" bpmnElement="{flow.id}">',
                  f'        <di:waypoint x="{x1}" y="{y1}" />', f'        <di:waypoint x="{x2}" y="{y2}" />',
                  "      </bpmndi:BPMNEdge>"]
    return lines + ["    </bpmndi:BPMNPlane>", "  </bpmndi:BPMNDiagram>"]


def user_tasks_chain(count: int, *, lane: str | None = "Lane_1") -> tuple[list[Node], list[Flow]]:
    """Start, `count` user tasks in a row, end (status 9): a long procedure drawn step by step."""
    tasks = [Node("userTask", f"Activity_{i:04d}", f"Bước {i + 1}", lane=lane) for i in range(count)]
    nodes = [Node("startEvent", "StartEvent_1", "Nộp hồ sơ", lane=lane), *tasks,
             Node("endEvent", "Event_0done", "Đã xử lý xong", extensions=properties(dossier_status="9"), lane=lane)]
    return nodes, chain_flows(*(n.id for n in nodes))
