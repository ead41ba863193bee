"""Building the process spec with SpiffWorkflow, after MotCua's own checks.

`MotCuaBpmnParser` parses flow nodes deepest-first: SpiffWorkflow's parser follows each outgoing
flow recursively (two calls per step), so a chain of ~480 steps overflowed the recursion limit;
parsing the nodes a step leads to before the step itself makes each flow lead to a node already
parsed. The specs are those of the stock parser.
"""

from __future__ import annotations

from functools import lru_cache

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser, SpiffProcessParser

from engine.assignment import declared_candidates
from engine.dmn.tasks import Lookup, use_decisions
from engine.parsing.problems import Problems, owner_id
from engine.parsing.xml import BPMN_NS, BPMNDI_NS, DC_NS, DI_NS, NS

EVENT_SUBPROCESS = "event_subprocess"
_PREFIXES = {BPMN_NS: "bpmn:", BPMNDI_NS: "bpmndi:", DC_NS: "dc:", DI_NS: "di:"}
# SpiffWorkflow's refusals that designers coming from other modelers meet most, said so that they know
# what to draw instead (its own words are cut short, or name its own extensions).
_CLEARER = {
    "Multiple outgoing flows are not supported for tasks of type": (
        "a task cannot split the flow, and this {tag} has {outgoing} outgoing sequence flows: draw a parallel "
        "gateway after it to take them all, or an exclusive gateway with conditions to take one"),
    "A Service Task must have an operator": (
        "a service task needs a spiffworkflow:serviceTaskOperator, and MotCua has no service connector to run one "
        "(nor Java classes, expressions or job workers of other engines): make it a user task or a script task"),
}


class DeepestFirstProcessParser(SpiffProcessParser):
    """Parses the flow nodes reachable from the start events in depth-first post-order, then lets
    SpiffWorkflow parse the start events (which find everything after them already parsed).

    A node inside an embedded sub-process keeps the lane it is drawn in: SpiffWorkflow gives every
    node of a sub-process the sub-process's own lane, and bpmn-js puts a sub-process drawn across
    lanes in the lane of its top edge, so a leader's task inside it would go to the specialists.
    The sub-process's lane stays the lane of what is drawn in none."""

    def add_tasks(self):
        for node in self._deepest_first():
            self.parse_node(node)
        super().add_tasks()

    def parse_node(self, node):
        own = self.get_lane_name(node.get("id"))
        if self.lane is None or own is None or own == self.lane:
            return super().parse_node(node)
        enclosing, self.lane = self.lane, own
        try:
            return super().parse_node(node)
        finally:
            self.lane = enclosing

    def _successors(self, node) -> list:
        targets = [self.get_node_by_id(flow.get("targetRef"))
                   for flow in self.get_outgoing_sequence_flows(node.get("id"))]
        return [n for n in targets + self.get_boundary_events(node.get("id")) if n is not None]

    def _deepest_first(self) -> list:
        order, seen = [], set()
        for start in self.xpath("./bpmn:startEvent"):
            if start.get("id") in seen:
                continue
            seen.add(start.get("id"))
            stack = [(start, iter(self._successors(start)))]
            while stack:
                node, successors = stack[-1]
                following = next((n for n in successors if n.get("id") not in seen), None)
                if following is None:
                    stack.pop()
                    order.append(node)
                else:
                    seen.add(following.get("id"))
                    stack.append((following, iter(self._successors(following))))
        # Boundary events are parsed by their activity, start events by `add_tasks`.
        return [n for n in order if etree.QName(n).localname not in ("boundaryEvent", "startEvent")]


class MotCuaBpmnParser(SpiffBpmnParser):
    PROCESS_PARSER_CLASS = DeepestFirstProcessParser


@lru_cache(maxsize=1)
def _schema_validator() -> BpmnValidator:
    return BpmnValidator()


def check_schema(root, problems: Problems) -> None:
    """Every violation of the BPMN 2.0 schema (extension elements of other namespaces are allowed),
    except on a line where another check already found an error (a duplicate id breaks the schema
    too: one problem is enough)."""
    validator = _schema_validator()
    validator.preprocess(root)
    if validator.validator.validate(root):
        return
    already = problems.lines_with_errors()
    first_at_line: dict = {}
    for node in root.iter():
        if isinstance(node.tag, str):
            first_at_line.setdefault(node.sourceline, node)
    seen = set()
    for error in validator.validator.error_log:
        detail = _readable(error.message)
        if error.line in already or (error.line, detail) in seen:
            continue
        seen.add((error.line, detail))
        node = first_at_line.get(error.line)
        element = (owner_id(node) or None) if node is not None else None
        where = f" ('{element}')" if element else ""
        problems.error("schema_violation", f"Line {error.line}{where} does not follow the BPMN 2.0 schema: {detail}",
                       element=element, line=error.line, where=where,
                       hint="Open and save the file in a BPMN modeler, or correct the element by hand.",
                       detail=detail)


def _clearer(detail: str, node) -> str:
    for said, clearer in _CLEARER.items():
        if detail.startswith(said) and node is not None:
            outgoing = len(node.xpath("../bpmn:sequenceFlow[@sourceRef=$id]", namespaces=NS, id=node.get("id")))
            return clearer.format(tag=f"bpmn:{etree.QName(node).localname}", outgoing=outgoing) + "."
    return detail


def _readable(message: str) -> str:
    for namespace, prefix in _PREFIXES.items():
        message = message.replace(f"{{{namespace}}}", prefix)
    return message


def local_subprocess_specs(parser: SpiffBpmnParser, name: str, found: dict | None = None) -> dict:
    """The specs of the sub-processes and called processes of `name` found in this file, at any depth.
    A call to a process of another file is left out: it is a deployed process (engine/calls.py checks
    it). SpiffWorkflow's `get_subprocess_specs` would refuse it below the first level."""
    found = {} if found is None else found
    for task_spec in parser.get_spec(name).task_specs.values():
        called = task_spec.spec if isinstance(task_spec, SubWorkflowTask) else None
        if called is not None and called not in found and parser.get_process_parser(called) is not None:
            found[called] = parser.get_spec(called)
            local_subprocess_specs(parser, called, found)
    return found


def build_specs(tree, process_id: str, ids: dict, filename: str, problems: Problems,
                decisions: Lookup | None = None) -> tuple | None:
    """The process's spec and its subprocesses' specs, or None when SpiffWorkflow refuses the model
    (one problem: SpiffWorkflow stops at the first). `decisions` finds the deployed decision each
    business rule task calls (engine/decisions.py `Binding`); without it, such a task is refused."""
    parser = MotCuaBpmnParser()
    use_decisions(parser, decisions)  # business rule tasks: engine/dmn/tasks.py
    try:
        parser.add_bpmn_xml(tree, filename)
        spec = parser.get_spec(process_id)
        subprocess_specs = local_subprocess_specs(parser, process_id)
    except ValidationException as exc:
        element = exc.id or process_id
        line = exc.line_number or (ids[element].sourceline if element in ids else None)
        where = f"{exc.tag} '{element}'" if exc.id and exc.tag else f"'{element}'"
        detail = _clearer(str(exc).strip(), ids.get(element))
        problems.error("spiff_refused", f"The engine cannot build the process at {where}: {detail}", element=element,
                       line=line, hint="Change the element as the message says (see the designer guide's "
                       "supported elements).", detail=detail)
        return None
    except (SpiffWorkflowException, KeyError, ValueError, AttributeError, TypeError, RecursionError) as exc:
        problems.error("spiff_refused", f"The engine cannot build the process at '{process_id}': {exc!r}",
                       element=process_id,
                       line=ids[process_id].sourceline if process_id in ids else None,
                       hint="Change the element as the message says (see the designer guide's supported "
                       "elements).", detail=repr(exc))
        return None
    _mark_event_subprocesses(tree.getroot(), spec, subprocess_specs)
    return spec, subprocess_specs


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


def user_tasks(spec, subprocess_specs: dict) -> list[dict]:
    """The human tasks of the process and its embedded subprocesses, by BPMN id. A multi-instance
    task's human spec is its child (`review [child]`); its BPMN id is the element's (`review`)."""
    found = {
        t.bpmn_id: {"bpmn_id": t.bpmn_id, "name": t.bpmn_name or t.bpmn_id, "lane": t.lane, **declared_candidates(t)}
        for process_spec in (spec, *subprocess_specs.values())
        for t in process_spec.task_specs.values()
        if getattr(t, "manual", False) and getattr(t, "bpmn_id", None)
    }
    return sorted(found.values(), key=lambda t: t["bpmn_id"])
