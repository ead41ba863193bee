"""Read a BPMN file safely and check that the engine can run it.

Every refusal is a `ModelInvalid` naming the file, the line where known, and the element id.
The XML is parsed without entity resolution, DTDs or network access, with a size cap, before
SpiffWorkflow sees it.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from functools import lru_cache

import jsonschema
from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.clock import has_utc_offset
from engine.errors import ModelInvalid
from engine.sandbox import CodeRefused, compile_model_code

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}

MAX_BPMN_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64

# Children of a process that are not flow nodes: structure, data and documentation.
_STRUCTURAL_TAGS = {
    "sequenceFlow", "laneSet", "lane", "documentation", "extensionElements", "textAnnotation",
    "association", "dataObject", "dataObjectReference", "dataStoreReference", "ioSpecification",
    "property", "group", "category", "categoryValue", "childLaneSet", "flowNodeRef",
}

# Attributes that must point at an element of the same file.
_REFERENCES = (
    ("sequenceFlow", "sourceRef"),
    ("sequenceFlow", "targetRef"),
    ("boundaryEvent", "attachedToRef"),
    ("exclusiveGateway", "default"),
    ("inclusiveGateway", "default"),
    ("participant", "processRef"),
    ("messageFlow", "sourceRef"),
    ("messageFlow", "targetRef"),
)


@dataclass(frozen=True)
class ParsedModel:
    process_id: str
    name: str
    spec: object
    subprocess_specs: dict
    lanes: list[str] = field(default_factory=list)
    user_tasks: list[dict] = field(default_factory=list)


def _fail(message: str, filename: str, element=None, line=None, **details) -> ModelInvalid:
    if element is not None and not isinstance(element, str):
        line = line or element.sourceline
        element = element.get("id") or etree.QName(element).localname
    return ModelInvalid(message, file=filename, line=line, element=element, **details)


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _hardened_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_pis=True,
    )


@lru_cache(maxsize=1)
def _schema_validator() -> BpmnValidator:
    return BpmnValidator()


def read_xml(content: bytes, filename: str, max_bytes: int = MAX_BPMN_BYTES) -> etree._ElementTree:
    """Parse untrusted XML: no DTD, no entities, no network, bounded size and depth."""
    if len(content) > max_bytes:
        raise _fail(f"The file is {len(content):,} bytes; the limit is {max_bytes:,} bytes.", filename)
    if not content.strip():
        raise _fail("The file is empty.", filename)
    head = content[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in content.lower():
        raise _fail("DTDs and entity declarations are not allowed in a BPMN file.", filename)
    try:
        tree = etree.ElementTree(etree.fromstring(content, _hardened_parser()))
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else exc.lineno
        raise _fail(f"The file is not well-formed XML: {exc.msg}", filename, line=line) from None
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise _fail("DTDs are not allowed in a BPMN file.", filename)
    _check_depth(tree.getroot(), filename)
    return tree


def _check_depth(root, filename: str) -> None:
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _fail(f"Elements are nested more than {MAX_DEPTH} levels deep.", filename, node)
        stack.extend((child, depth + 1) for child in node)


def parse_model(content: bytes, filename: str) -> ParsedModel:
    """Everything deployment needs from a BPMN file, or a `ModelInvalid` saying what is wrong."""
    tree = read_xml(content, filename)
    root = tree.getroot()
    if root.tag != f"{{{BPMN_NS}}}definitions":
        raise _fail("The root element is not bpmn:definitions: this is not a BPMN 2.0 file.", filename, root)
    ids = _index_ids(root, filename)
    _check_references(root, ids, filename)
    _check_supported_elements(root, filename)
    _check_expressions(root, filename)
    _check_properties(root, filename)
    try:
        _schema_validator().validate(root, filename)
    except ValidationException as exc:
        line = exc.line_number or None
        at_line = [n for n in root.iter() if isinstance(n.tag, str) and n.sourceline == line and n.get("id")]
        raise _fail(f"The file does not follow the BPMN 2.0 schema: {exc}", filename,
                    element=at_line[0] if at_line else None, line=line) from None

    process_id = _main_process_id(root, filename)
    parser = SpiffBpmnParser()
    try:
        parser.add_bpmn_xml(tree, filename)
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        element = exc.id or None
        line = exc.line_number or (ids[element].sourceline if element in ids else None)
        raise _fail(str(exc), filename, element=element, line=line) from None
    except (SpiffWorkflowException, KeyError, ValueError, AttributeError, TypeError) as exc:
        raise _fail(f"SpiffWorkflow cannot build the process: {exc!r}", filename) from None

    _mark_event_subprocesses(root, spec, subprocess_specs)
    process = ids[process_id]
    lanes = [lane.get("name") or lane.get("id") for lane in process.iterfind(".//bpmn:lane", NS)]
    user_tasks = {  # the process's and its embedded subprocesses'
        t.name: {"bpmn_id": t.name, "name": t.bpmn_name or t.name, "lane": t.lane}
        for process_spec in (spec, *subprocess_specs.values())
        for t in process_spec.task_specs.values()
        if getattr(t, "manual", False)
    }.values()
    return ParsedModel(
        process_id=process_id,
        name=process.get("name") or process_id,
        spec=spec,
        subprocess_specs=subprocess_specs,
        lanes=lanes,
        user_tasks=sorted(user_tasks, key=lambda t: t["bpmn_id"]),
    )


EVENT_SUBPROCESS = "event_subprocess"


def _mark_event_subprocesses(root, spec, subprocess_specs: dict) -> None:
    """Mark event subprocesses in the spec (SpiffWorkflow 3.2 builds them as plain subprocesses),
    so that the runtime can tell an untriggered one from work still to do."""
    event_ids = {node.get("id") for node in root.iterfind(".//bpmn:subProcess", NS)
                 if node.get("triggeredByEvent", "false").lower() == "true"}
    for process_spec in (spec, *subprocess_specs.values()):
        for task_spec in process_spec.task_specs.values():
            if getattr(task_spec, "bpmn_id", None) in event_ids:
                extensions = dict(getattr(task_spec, "extensions", {}) or {})
                extensions[EVENT_SUBPROCESS] = True
                task_spec.extensions = extensions


def _index_ids(root, filename: str) -> dict:
    ids: dict = {}
    for node in root.iter():
        element_id = node.get("id") if isinstance(node.tag, str) else None
        if element_id is None:
            continue
        if element_id in ids and _local(node.tag) not in ("BPMNShape", "BPMNEdge"):
            raise _fail(f"The id '{element_id}' is used twice.", filename, node)
        ids.setdefault(element_id, node)
    return ids


def _check_references(root, ids: dict, filename: str) -> None:
    for tag, attribute in _REFERENCES:
        for node in root.iterfind(f".//bpmn:{tag}", NS):
            target = node.get(attribute)
            if target is not None and target not in ids:
                raise _fail(f"{tag} '{node.get('id')}' refers to '{target}' ({attribute}), "
                            "which does not exist in this file.", filename, node)
    for ref in root.iterfind(".//bpmn:flowNodeRef", NS):
        if (ref.text or "").strip() not in ids:
            raise _fail(f"A lane lists '{(ref.text or '').strip()}', which does not exist in this file.",
                        filename, ref.getparent(), line=ref.sourceline)
    for container in ("incoming", "outgoing"):
        for ref in root.iterfind(f".//bpmn:{container}", NS):
            if (ref.text or "").strip() not in ids:
                raise _fail(f"'{ref.getparent().get('id')}' lists {container} flow "
                            f"'{(ref.text or '').strip()}', which does not exist.", filename,
                            ref.getparent(), line=ref.sourceline)


def _check_supported_elements(root, filename: str) -> None:
    supported = {_local(tag) for tag in {**SpiffBpmnParser.PARSER_CLASSES,
                                          **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES}}
    containers = {"process", "subProcess", "transaction", "adHocSubProcess"}
    for container in root.iter(*(f"{{{BPMN_NS}}}{c}" for c in containers)):
        for child in container:
            name = _local(child.tag)
            if not isinstance(child.tag, str) or etree.QName(child).namespace != BPMN_NS:
                continue
            if name in _STRUCTURAL_TAGS or name in supported:
                continue
            raise _fail(f"The element type bpmn:{name} is not supported by the engine.", filename, child)


def owner_id(node) -> str:
    """The id of the flow element or flow a nested node belongs to (not its event definition)."""
    while node is not None and (node.get("id") is None or _local(node.tag).endswith("EventDefinition")):
        node = node.getparent()
    return node.get("id") if node is not None else ""


def _check_expressions(root, filename: str) -> None:
    """Compile every expression and script now, as the sandbox will, so that a typo or code the
    sandbox refuses (an import, a dunder, `open`...) fails at deployment, not at run time."""
    for expr in root.iterfind(".//bpmn:conditionExpression", NS):
        _compile(expr, "eval", filename)
    for script in root.iterfind(".//bpmn:scriptTask/bpmn:script", NS):
        _compile(script, "exec", filename)
    for tag in ("preScript", "postScript"):
        for script in root.iterfind(f".//spiffworkflow:{tag}", NS):
            _compile(script, "exec", filename)
    for kind in ("timeDuration", "timeDate", "timeCycle"):
        for expr in root.iterfind(f".//bpmn:timerEventDefinition/bpmn:{kind}", NS):
            tree = _compile(expr, "eval", filename)
            _check_timer_literal(tree, kind, expr, filename)


def _compile(node, mode: str, filename: str):
    text = (node.text or "").strip()
    if not text:
        raise _fail(f"The {_local(node.tag)} of '{owner_id(node)}' is empty.", filename,
                    element=owner_id(node), line=node.sourceline)
    try:
        tree = ast.parse(text, mode=mode)
    except SyntaxError as exc:
        raise _fail(f"The {_local(node.tag)} of '{owner_id(node)}' is not valid Python: {exc.msg} "
                    f"(in '{text}'). Literal timer values need quotes, like \"PT4H\".", filename,
                    element=owner_id(node), line=node.sourceline) from None
    try:
        compile_model_code(text, mode)
    except CodeRefused as exc:
        raw = node.text or ""
        first_line = node.sourceline + raw[: len(raw) - len(raw.lstrip())].count("\n")
        line = first_line + (exc.line - 1 if exc.line else 0)
        where = f" (line {exc.line} of the {_local(node.tag)})" if exc.line and "\n" in text else ""
        raise _fail(f"The {_local(node.tag)} of '{owner_id(node)}' is refused by the sandbox: "
                    f"{exc.message}{where}.", filename, element=owner_id(node), line=line) from None
    return tree


def _check_timer_literal(tree, kind: str, node, filename: str) -> None:
    body = tree.body
    if not (isinstance(body, ast.Constant) and isinstance(body.value, str)):
        return  # computed at run time; checked when it is evaluated
    value = body.value
    try:
        if kind == "timeDuration":
            TimerEventDefinition.parse_iso_duration(value)
        elif kind == "timeDate":
            TimerEventDefinition.parse_time_or_duration(value)
            if not has_utc_offset(value):
                raise ValueError("the date-time has no UTC offset (write e.g. 2026-12-01T08:00:00+07:00)")
        else:
            TimerEventDefinition.parse_iso_recurring_interval(value)
    except Exception as exc:  # SpiffWorkflow raises a bare Exception for bad durations
        raise _fail(f"The {kind} '{value}' of '{owner_id(node)}' is not a valid ISO 8601 value: {exc}",
                    filename, element=owner_id(node), line=node.sourceline) from None


def _check_properties(root, filename: str) -> None:
    for prop in root.iterfind(".//spiffworkflow:property[@name='form_schema']", NS):
        owner = owner_id(prop)
        try:
            schema = json.loads(prop.get("value") or "")
            jsonschema.Draft202012Validator.check_schema(schema)
        except (ValueError, jsonschema.SchemaError) as exc:
            raise _fail(f"The form_schema of '{owner}' is not a valid JSON Schema: {exc}", filename,
                        element=owner, line=prop.sourceline) from None
        if schema.get("type") != "object":
            raise _fail(f"The form_schema of '{owner}' must describe an object (\"type\": \"object\").",
                        filename, element=owner, line=prop.sourceline)


def _main_process_id(root, filename: str) -> str:
    processes = root.findall(".//bpmn:process", NS)
    executable = [p for p in processes if p.get("isExecutable", "false").lower() == "true"]
    if not executable:
        found = ", ".join(p.get("id") for p in processes) or "none"
        raise _fail(f"The file has no executable process (processes found: {found}). "
                    "Mark the process isExecutable=\"true\".", filename,
                    element=processes[0] if processes else None)
    called = {c.get("calledElement") for c in root.iterfind(".//bpmn:callActivity", NS)}
    top = [p for p in executable if p.get("id") not in called]
    if len(top) != 1:
        names = ", ".join(p.get("id") for p in top or executable)
        raise _fail(f"The file has {len(top) or len(executable)} top-level executable processes ({names}); "
                    "deploy one process per file.", filename)
    return top[0].get("id")
