"""The static checks of a BPMN file: ids, references, supported elements, the process to deploy,
forms. Each appends what it finds to a `Problems` collector and carries on."""

from __future__ import annotations

import json
import re
from functools import lru_cache

import jsonschema
from lxml import etree
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.parsing.problems import Problems, local, owner_id
from engine.parsing.xml import BPMN_ID_NAMESPACES, BPMN_NS, NS, is_bpmn

CONTAINERS = ("process", "subProcess", "transaction", "adHocSubProcess")

# Children of a process or subprocess that are not flow nodes: structure, data, documentation, and
# what an activity (a subprocess is one) or a process may carry besides its flow elements.
STRUCTURAL_TAGS = frozenset({
    "sequenceFlow", "laneSet", "lane", "documentation", "extensionElements", "textAnnotation",
    "association", "dataObject", "dataObjectReference", "dataStoreReference", "ioSpecification",
    "property", "group", "category", "categoryValue", "childLaneSet", "flowNodeRef",
    # an activity's (subProcess, transaction, adHocSubProcess)
    "incoming", "outgoing", "standardLoopCharacteristics", "multiInstanceLoopCharacteristics",
    "dataInputAssociation", "dataOutputAssociation", "completionCondition", "performer", "humanPerformer",
    "potentialOwner", "resourceRole",
    # a process's
    "auditing", "monitoring", "correlationSubscription", "supports",
})

# Element ids SpiffWorkflow gives its own task specs: an element with one of them is never parsed,
# the internal spec takes its place.
RESERVED_IDS = frozenset({"Start", "End", "Root", "StartEventSplit", "StartEventJoin"})
_RESERVED_PATTERN = re.compile(r".*\.(EndJoin|BoundaryEventSplit|BoundaryEventJoin)$|.* \[child\]")

# Attributes that must name an element of the same file (of one of the given types, when given).
REFERENCES = (
    ("sequenceFlow", "sourceRef", None),
    ("sequenceFlow", "targetRef", None),
    ("boundaryEvent", "attachedToRef", None),
    ("exclusiveGateway", "default", ("sequenceFlow",)),
    ("inclusiveGateway", "default", ("sequenceFlow",)),
    ("participant", "processRef", ("process",)),
    ("messageFlow", "sourceRef", None),
    ("messageFlow", "targetRef", None),
    ("messageFlow", "messageRef", ("message",)),
    ("errorEventDefinition", "errorRef", ("error",)),
    ("escalationEventDefinition", "escalationRef", ("escalation",)),
    ("messageEventDefinition", "messageRef", ("message",)),
    ("signalEventDefinition", "signalRef", ("signal",)),
    ("sendTask", "messageRef", ("message",)),
    ("receiveTask", "messageRef", ("message",)),
    ("dataObjectReference", "dataObjectRef", ("dataObject",)),
    ("dataStoreReference", "dataStoreRef", ("dataStore",)),
)


def describe(node) -> str:
    """How a message names `node`: "sequenceFlow 'f5'", or "the errorEventDefinition of 'Event_1'"."""
    if node.get("id") is not None and not local(node.tag).endswith("EventDefinition"):
        return f"{local(node.tag)} '{node.get('id')}'"
    return f"the {local(node.tag)} of '{owner_id(node)}'"


def qualified(node) -> str:
    return f"{node.prefix}:{local(node.tag)}" if node.prefix else local(node.tag)


def flow_nodes(root):
    """Every flow node of every process and subprocess (children that are not structure)."""
    for container in root.iter(*(f"{{{BPMN_NS}}}{c}" for c in CONTAINERS)):
        for child in container:
            if is_bpmn(child) and local(child.tag) not in STRUCTURAL_TAGS:
                yield child


def index_ids(root, problems: Problems) -> dict:
    """The BPMN elements by id. An id used twice is an error; ids inside vendor extensions
    (`camunda:formField id="x"` on two tasks) are not BPMN ids, unless they repeat one."""
    ids: dict = {}
    foreign = []
    for node in root.iter():
        element_id = node.get("id") if isinstance(node.tag, str) else None
        if element_id is None:
            continue
        if etree.QName(node).namespace not in BPMN_ID_NAMESPACES:
            foreign.append(node)
        elif element_id not in ids:
            ids[element_id] = node
        elif local(node.tag) not in ("BPMNShape", "BPMNEdge"):
            problems.error("duplicate_id", f"The id '{element_id}' is used twice (lines {ids[element_id].sourceline} "
                           f"and {node.sourceline}).", node, element=element_id,
                           hint="Give each element an id of its own.", id=element_id,
                           first_line=ids[element_id].sourceline)
    for node in foreign:
        same = ids.get(node.get("id"))
        if same is not None and same is not node:
            problems.error("foreign_id_collision",
                           f"The extension element {qualified(node)} at line {node.sourceline} has the id "
                           f"'{node.get('id')}', which is also the id of {local(same.tag)} '{node.get('id')}': "
                           "the engine would take one for the other.", node, element=node.get("id"),
                           hint="Rename the extension element's id.", id=node.get("id"), tag=qualified(node))
    return ids


def check_reserved_ids(root, problems: Problems) -> None:
    for node in flow_nodes(root):
        element_id = node.get("id") or ""
        if element_id in RESERVED_IDS or _RESERVED_PATTERN.fullmatch(element_id):
            tag = local(node.tag)
            suggestion = f"{tag[:1].upper()}{tag[1:]}_{re.sub(r'[^0-9A-Za-z_]+', '_', element_id).strip('_')}"
            problems.error("reserved_id", f"The id '{element_id}' of {tag} '{element_id}' is reserved by the "
                           "engine for its own steps.", node, element=element_id,
                           hint=f"Rename the element, e.g. to '{suggestion}'.", id=element_id, suggestion=suggestion)


def check_references(root, ids: dict, problems: Problems) -> None:
    for tag, attribute, types in REFERENCES:
        for node in root.iterfind(f".//bpmn:{tag}", NS):
            target = node.get(attribute)
            if target is None:
                continue
            found = ids.get(target)
            if found is None:
                problems.error("dangling_reference", f"The {attribute} of {describe(node)} is '{target}', which does "
                               "not exist in this file.", node, hint=f"Point {attribute} at an existing element "
                               "or remove it.", attribute=attribute, target=target, what=local(node.tag))
            elif types and not is_bpmn(found, *types):
                problems.error("reference_wrong_type", f"The {attribute} of {describe(node)} is '{target}', which is "
                               f"a {local(found.tag)}, not a {' or '.join(types)}.", node,
                               hint=f"Point {attribute} at a {' or '.join(types)}.", attribute=attribute,
                               target=target, found=local(found.tag), expected=" or ".join(types))
    for ref in root.iterfind(".//bpmn:flowNodeRef", NS):
        target = (ref.text or "").strip()
        if target not in ids:
            problems.error("dangling_reference", f"The lane '{owner_id(ref)}' lists '{target}', which does not "
                           "exist in this file.", ref, hint="Remove it from the lane.", attribute="flowNodeRef",
                           target=target, what="lane")
    for container in ("incoming", "outgoing"):
        for ref in root.iterfind(f".//bpmn:{container}", NS):
            target = (ref.text or "").strip()
            if target not in ids:
                problems.error("dangling_reference", f"'{owner_id(ref)}' lists {container} flow '{target}', which "
                               "does not exist in this file.", ref, hint=f"Remove the {container} entry.",
                               attribute=container, target=target, what=local(ref.getparent().tag))


def check_supported_elements(root, problems: Problems) -> None:
    supported = {local(tag) for tag in {**SpiffBpmnParser.PARSER_CLASSES, **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES}}
    for node in flow_nodes(root):
        name = local(node.tag)
        if name not in supported:
            problems.error("unsupported_element", f"The element type bpmn:{name} ('{node.get('id')}') is not "
                           "supported by the engine.", node, element=node.get("id"),
                           hint="Replace it with a supported element (see the designer guide's table).", tag=name)


def main_process(root, problems: Problems):
    """The one process to deploy: the file's executable process not called by another of its
    processes. A process without `isExecutable` (Bizagi, ARIS) counts as executable when no
    process says `isExecutable="true"`; an explicit "false" never does."""
    processes = root.findall(".//bpmn:process", NS)
    flags = {p: (p.get("isExecutable") or "").strip().lower() for p in processes}
    executable = [p for p in processes if flags[p] == "true"] or [
        p for p in processes if flags[p] == "" and any(is_bpmn(c) and local(c.tag) not in STRUCTURAL_TAGS for c in p)]
    if not executable:
        if processes and all(flags[p] == "false" for p in processes):
            names = ", ".join(p.get("id") for p in processes)
            problems.error("not_executable", f"The process '{processes[0].get('id')}' is marked not executable "
                           f"(isExecutable=\"false\"; processes found: {names}).", processes[0],
                           element=processes[0].get("id"), hint="Tick \"Executable\" in the modeler "
                           "(isExecutable=\"true\") for the process to deploy.", processes=names)
        else:
            names = ", ".join(p.get("id") for p in processes) or "none"
            problems.error("no_executable_process", f"The file has no executable process (processes found: {names}).",
                           processes[0] if processes else None, hint="Draw a process with a start event and mark "
                           "it executable (isExecutable=\"true\").", processes=names)
        return None
    called = {c.get("calledElement") for c in root.iterfind(".//bpmn:callActivity", NS)}
    top = [p for p in executable if p.get("id") not in called]
    if len(top) != 1:
        candidates = top or executable
        names = ", ".join(p.get("id") for p in candidates)
        problems.error("several_processes", f"The file has {len(candidates)} top-level executable processes "
                       f"({names}).", candidates[0], element=candidates[0].get("id"),
                       hint="Deploy one process per file (mark the others isExecutable=\"false\").",
                       count=len(candidates), processes=names)
        return None
    return top[0]


def check_form_schemas(root, problems: Problems) -> None:
    for prop in root.iterfind(".//spiffworkflow:property[@name='form_schema']", NS):
        owner = owner_id(prop)
        is_object, detail = _form_schema(prop.get("value") or "")
        if detail is not None:
            problems.error("form_schema_invalid", f"The form_schema of '{owner}' is not a valid JSON Schema: {detail}",
                           prop, hint="Fix the form in the form editor, or paste a JSON Schema object.",
                           detail=detail)
            continue
        if not is_object:
            problems.error("form_schema_invalid", f"The form_schema of '{owner}' must describe an object "
                           "(\"type\": \"object\").", prop, hint="Start the schema with {\"type\": \"object\", "
                           "\"properties\": {...}}.", detail='"type": "object" is missing')


@lru_cache(maxsize=256)
def _form_schema(text: str) -> tuple[bool, str | None]:
    """The form_schema `text` read as JSON and checked against JSON Schema's metaschema: (whether it
    describes an object, what is wrong or None). Made once per text: the metaschema's check costs
    about 3 ms a form (the bundled models' 23 forms), and a model's forms are checked again at every
    validation and deployment."""
    try:
        schema = json.loads(text)
        jsonschema.Draft202012Validator.check_schema(schema)
    except (ValueError, jsonschema.SchemaError) as exc:
        return False, exc.message if isinstance(exc, jsonschema.SchemaError) else str(exc)
    return isinstance(schema, dict) and schema.get("type") == "object", None


def check_run_constraints(root, problems: Problems) -> None:
    """What SpiffWorkflow parses but cannot run: more than one timer after one event-based gateway (it
    keeps a single due instant per gateway, so only one of them would ever fire), and a process whose
    call activity calls that very process (it would start itself without end)."""
    flows = list(root.iterfind(".//bpmn:sequenceFlow", NS))
    nodes = {node.get("id"): node for node in root.iter() if isinstance(node.tag, str) and node.get("id")}
    for gateway in root.iterfind(".//bpmn:eventBasedGateway", NS):
        targets = [nodes.get(flow.get("targetRef")) for flow in flows if flow.get("sourceRef") == gateway.get("id")]
        timers = [t.get("id") for t in targets if t is not None and t.find("bpmn:timerEventDefinition", NS) is not None]
        if len(timers) > 1:
            problems.error("event_gateway_timers", f"The event-based gateway '{gateway.get('id')}' is followed by "
                           f"{len(timers)} timer events ({', '.join(timers)}); the engine keeps one timer per "
                           "event-based gateway.", gateway, hint="Keep the earliest timer after the gateway.",
                           count=len(timers), timers=", ".join(timers))
    for process in root.iterfind(".//bpmn:process", NS):
        for call in process.iterfind(".//bpmn:callActivity", NS):
            if call.get("calledElement") == process.get("id"):
                problems.error("self_call", f"The call activity '{call.get('id')}' calls its own process "
                               f"'{process.get('id')}'.", call, hint="Call another process, or loop with a "
                               "sequence flow back to an earlier step.", process=process.get("id"))
