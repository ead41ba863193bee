"""Other modellers' extensions rewritten into MotCua's own `spiffworkflow:` form, before SpiffWorkflow
reads a model.

Camunda 7 (`camunda:`), Camunda 8 (`zeebe:`), Flowable (`flowable:`) and Activiti (`activiti:`) say in
their own extensions what MotCua says with `spiffworkflow:properties`. `normalize` rewrites, in the
parsed tree, what it understands:

- `camunda:properties` / `zeebe:properties` -> the element's `spiffworkflow:properties`;
- who works a user task (`candidateGroups`, `candidateUsers`, `assignee` attributes, Zeebe's
  `assignmentDefinition`, BPMN's `potentialOwner` / `humanPerformer`) -> the `candidate_groups` and
  `candidate_users` properties (engine/assignment.py);
- the fields of a generated form (`camunda:formData`, `flowable:formProperty`,
  `activiti:formProperty`) -> a `form_schema` property holding the JSON Schema (engine/vendor_forms.py).

spiff-arena's forms kept in files (`formJsonSchemaFilename`, `formUiSchemaFilename` properties) cannot
be read: they are reported like the rest.

What a business rule task says of the decision it calls (`camunda:decisionRef` and its binding,
version and result mapping, `zeebe:calledDecision`) stays where it is: engine/dmn/tasks.py reads it.

A property the element already has in `spiffworkflow:properties` wins over one converted. What it
converts is removed from the tree; everything else of those four vendors (listeners, input/output
mappings, external forms, service task implementations, expressions in assignments...) stays where
it is, unread, and is listed in the report's `ignored` with the reason and a fix: never dropped
without a word. The stored file is the original; only the spec is built from the rewritten tree.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from engine.assignment import CANDIDATE_GROUPS, CANDIDATE_USERS, names
from engine.forms import FORM_SCHEMA_PROPERTY
from engine.vendor_forms import FormField, FormProblem, camunda_fields, flowable_fields, form_schema
from engine.vendor_reasons import english, reason_of

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
FLOWABLE_NS = "http://flowable.org/bpmn"
ACTIVITI_NS = "http://activiti.org/bpmn"
# Reports name a construct with the prefix each vendor's documentation uses, whatever the file's prefix.
VENDORS = {CAMUNDA_NS: "camunda", ZEEBE_NS: "zeebe", FLOWABLE_NS: "flowable", ACTIVITI_NS: "activiti"}

HUMAN_TASKS = ("userTask", "manualTask", "task")
# spiff-arena's forms: files kept next to the model in its process group, which MotCua cannot read.
SPIFF_ARENA_FORM_FILES = ("formJsonSchemaFilename", "formUiSchemaFilename")
# What a business rule task says of the decision it calls, read by engine/dmn/tasks.py where it stands.
DECISION_ATTRIBUTES = ("decisionRef", "decisionRefBinding", "decisionRefVersion", "resultVariable",
                       "mapDecisionResult")
@dataclass(frozen=True)
class Converted:
    element: str  # the BPMN id of the element (or of the one it belongs to)
    what: str  # the construct, e.g. "camunda:candidateGroups"
    into: str  # e.g. "the candidate_groups property"


@dataclass(frozen=True)
class Ignored:
    """A construct left unread: `code` says why (engine/vendor_reasons.py), `params` fill its sentence."""

    element: str | None
    what: str
    code: str
    params: dict = field(default_factory=dict, compare=False)
    line: int | None = None

    @property
    def reason(self) -> str:
        return english(self.code, self.params)[0]

    @property
    def hint(self) -> str:
        return english(self.code, self.params)[1]

    @property
    def message(self) -> str:
        return f"{self.what} on '{self.element}' is ignored: {self.reason}."


@dataclass
class VendorReport:
    converted: list[Converted] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)


def normalize(root) -> VendorReport:
    """Rewrite, in place, the vendor extensions of every BPMN element under `root` (see the module)."""
    report = VendorReport()
    for node in list(root.iter(f"{{{BPMN_NS}}}*")):
        _Element(node, report).normalize()
    return report


def vendor_name(qname) -> str | None:
    """`camunda:assignee` for a name in a vendor namespace (any prefix), else None."""
    qname = etree.QName(qname)
    prefix = VENDORS.get(qname.namespace)
    return f"{prefix}:{qname.localname}" if prefix else None


def is_expression(value: str) -> bool:
    """A JUEL (`${...}`, `#{...}`) or FEEL (`= ...`) expression: the other engine reads it at run time."""
    value = value.strip()
    return "${" in value or "#{" in value or value.startswith("=")


@dataclass
class _Source:
    """A vendor construct that contributes a property; removed from the tree once it is applied."""

    what: str
    remove: Callable[[], None]


class _Element:
    """One BPMN element's vendor extensions, read and rewritten."""

    def __init__(self, node, report: VendorReport) -> None:
        self.node, self.report = node, report
        self.id = _owner_id(node)
        self.local = etree.QName(node).localname
        self.extensions = node.find(f"{{{BPMN_NS}}}extensionElements")
        self.attributes = [a for a in node.attrib if vendor_name(a)]
        self.children = [c for c in (self.extensions if self.extensions is not None else ())
                         if isinstance(c.tag, str) and vendor_name(c.tag)]
        self.handled: set = set()  # attributes and children dealt with (converted or reported)
        self.properties: dict[str, tuple[str, list[_Source]]] = {}
        self.containers: list = []  # vendor elements removed once what they hold is converted

    def normalize(self) -> None:
        human = self.local in HUMAN_TASKS
        if not (self.attributes or self.children or human):
            return
        self._vendor_properties()
        if human:
            self._assignment()
            self._form()
            self._form_files()
        elif self.local == "startEvent":
            self._start_form()
        elif self.local == "businessRuleTask":
            self._decision_reference()
        for attribute in self.attributes:
            if attribute not in self.handled:
                self._not_read(vendor_name(attribute), self.node.sourceline)
        for child in self.children:
            if child not in self.handled:
                self._not_read(vendor_name(child.tag), child.sourceline)
        self._write_properties()

    # --- reading ----------------------------------------------------------------------------------

    def _vendor_properties(self) -> None:
        for child in self._children("properties", CAMUNDA_NS, ZEEBE_NS):
            self.handled.add(child)
            for prop in child:
                if not isinstance(prop.tag, str):
                    continue
                what = vendor_name(prop.tag) or etree.QName(prop).localname
                name, value = prop.get("name"), prop.get("value")
                if not name or value is None:
                    self.ignore(what, "property_incomplete", {}, prop.sourceline)
                    continue
                self._propose(name, value, _Source(f"{what} {name}", lambda p=prop: _drop(p)))
            self.containers.append(child)

    def _assignment(self) -> None:
        groups: list[tuple[str, _Source]] = []
        users: list[tuple[str, _Source]] = []
        for vendor in (CAMUNDA_NS, FLOWABLE_NS, ACTIVITI_NS):
            for attribute, into in (("candidateGroups", groups), ("candidateUsers", users), ("assignee", users)):
                self._assignment_value(f"{{{vendor}}}{attribute}", None, into)
        for definition in self._children("assignmentDefinition", ZEEBE_NS):
            self.handled.add(definition)
            for attribute, into in (("candidateGroups", groups), ("candidateUsers", users), ("assignee", users)):
                self._assignment_value(attribute, definition, into)
            self.containers.append(definition)
        self._performers(groups, users)
        for name, found in ((CANDIDATE_GROUPS, groups), (CANDIDATE_USERS, users)):
            if found:
                value = ",".join(names(",".join(value for value, _ in found)))
                self._propose(name, value, *(source for _, source in found))

    def _assignment_value(self, attribute: str, owner, into: list) -> None:
        holder = self.node if owner is None else owner
        value = holder.get(attribute)
        if value is None:
            return
        what = vendor_name(attribute) or f"{vendor_name(owner.tag)} {attribute}"
        self.handled.add(attribute if owner is None else owner)
        if is_expression(value):
            self.ignore(what, "assignment_expression", {"value": value}, holder.sourceline)
        elif names(value):
            into.append((value, _Source(what, lambda: holder.attrib.pop(attribute, None))))

    def _performers(self, groups: list, users: list) -> None:
        """BPMN's own `potentialOwner` / `humanPerformer`: `group(x)`, `user(x)` or a bare group name
        (as Activiti reads them), or a `resourceRef` to a named resource."""
        for kind in ("potentialOwner", "humanPerformer"):
            for performer in self.node.iterfind(f"{{{BPMN_NS}}}{kind}"):
                what = f"bpmn:{kind}"
                default = "group" if kind == "potentialOwner" else "user"
                text = "".join(performer.itertext()).strip()
                if not text and performer.get("resourceRef"):  # a resource declared in the file: its name
                    text = _resource_name(self.node, performer.get("resourceRef")) or ""
                parsed = _performer_names(text, default=default)
                if parsed is None:
                    self.ignore(what, "performer_expression", {"value": text}, performer.sourceline)
                    continue
                keep = _Source(what, lambda: None)  # standard BPMN: stays in the tree
                groups.extend((name, keep) for name in parsed["group"])
                users.extend((name, keep) for name in parsed["user"])

    def _form(self) -> None:
        fields: list[FormField] = []
        problems: list[FormProblem] = []
        sources = []
        for form_data in self._children("formData", CAMUNDA_NS):
            self.handled.add(form_data)
            found, trouble = camunda_fields(form_data)
            fields += found
            problems += trouble
            sources.append(_Source("camunda:formData", lambda n=form_data: _drop(n)))
        for vendor in (FLOWABLE_NS, ACTIVITI_NS):
            properties = list(self._children("formProperty", vendor))
            if properties:
                self.handled.update(properties)
                found, trouble = flowable_fields(properties, vendor)
                fields += found
                problems += trouble
                sources.append(_Source(f"{VENDORS[vendor]}:formProperty",
                                       lambda ps=properties: [_drop(p) for p in ps]))
        for problem in problems:
            self.ignore(problem.what, problem.code, problem.params, problem.line)
        if sources:
            schema = form_schema(fields)
            self._propose(FORM_SCHEMA_PROPERTY, json.dumps(schema, ensure_ascii=False), *sources)
        for marker in self._children("userTask", ZEEBE_NS):  # Zeebe's "user task, not a job" marker
            self.handled.add(marker)
            self.report.converted.append(Converted(self.id, "zeebe:userTask", "nothing: MotCua runs every user task"))

    def _form_files(self) -> None:
        holder = self.extensions.find(f"{{{SPIFF_NS}}}properties") if self.extensions is not None else None
        for prop in holder.iterfind(f"{{{SPIFF_NS}}}property") if holder is not None else ():
            if prop.get("name") in SPIFF_ARENA_FORM_FILES:
                self.ignore(f"spiffworkflow:property {prop.get('name')}", "form_file", {}, prop.sourceline)

    def _start_form(self) -> None:
        for what, nodes in (("camunda:formData", self._children("formData", CAMUNDA_NS)),
                            ("formProperty", [*self._children("formProperty", FLOWABLE_NS),
                                              *self._children("formProperty", ACTIVITI_NS)])):
            for node in nodes:
                self.handled.add(node)
                self.ignore(vendor_name(node.tag) or what, "start_form", {}, node.sourceline)

    def _decision_reference(self) -> None:
        """Left in place for engine/dmn/tasks.py, which reads them: neither converted nor ignored."""
        read = [a for a in self.attributes
                if etree.QName(a).namespace == CAMUNDA_NS and etree.QName(a).localname in DECISION_ATTRIBUTES]
        for construct in (*read, *self._children("calledDecision", ZEEBE_NS)):
            self.handled.add(construct)
            what = vendor_name(construct if isinstance(construct, str) else construct.tag)
            self.report.converted.append(Converted(self.id, what, "the decision the task calls"))

    # --- writing ----------------------------------------------------------------------------------

    def _propose(self, name: str, value: str, *sources: _Source) -> None:
        if name in self.properties:
            for source in sources:
                self.ignore(source.what, "property_twice", {"property": name, "by": self.properties[name][1][0].what},
                            self.node.sourceline)
            return
        self.properties[name] = (value, list(sources))

    def _write_properties(self) -> None:
        if not self.properties:
            return
        holder = self._spiff_properties()
        own = {p.get("name") for p in holder.iterfind(f"{{{SPIFF_NS}}}property")}
        for name, (value, sources) in self.properties.items():
            if name in own:
                for source in sources:
                    self.ignore(source.what, "own_property_wins", {"property": name, "what": source.what},
                                self.node.sourceline)
                continue
            etree.SubElement(holder, f"{{{SPIFF_NS}}}property", name=name, value=value)
            for source in sources:
                source.remove()
                self.report.converted.append(Converted(self.id, source.what, f"the {name} property"))
        for container in self.containers:
            if not container.attrib and not any(isinstance(c.tag, str) for c in container):
                _drop(container)
        if len(holder) == 0:
            holder.getparent().remove(holder)

    def _spiff_properties(self):
        if self.extensions is None:
            self.extensions = etree.Element(f"{{{BPMN_NS}}}extensionElements")
            documentation = self.node.findall(f"{{{BPMN_NS}}}documentation")
            self.node.insert(self.node.index(documentation[-1]) + 1 if documentation else 0, self.extensions)
        holder = self.extensions.find(f"{{{SPIFF_NS}}}properties")
        if holder is None:
            holder = etree.SubElement(self.extensions, f"{{{SPIFF_NS}}}properties", nsmap={"spiffworkflow": SPIFF_NS})
        return holder

    # --- helpers ----------------------------------------------------------------------------------

    def _children(self, local: str, *namespaces: str) -> list:
        return [c for c in self.children
                if etree.QName(c).localname == local and etree.QName(c).namespace in namespaces]

    def ignore(self, what: str, code: str, params: dict, line: int | None) -> None:
        self.report.ignored.append(Ignored(self.id, what, code, params, line))

    def _not_read(self, what: str, line: int | None) -> None:
        self.ignore(what, reason_of(what.split(":", 1)[1]), {}, line)


def _owner_id(node) -> str | None:
    while node is not None and node.get("id") is None:
        node = node.getparent()
    return node.get("id") if node is not None else None


def _drop(node) -> None:
    if node.getparent() is not None:
        node.getparent().remove(node)


def _resource_name(node, resource_id: str) -> str | None:
    for resource in node.getroottree().getroot().iter(f"{{{BPMN_NS}}}resource"):
        if resource.get("id") == resource_id:
            return (resource.get("name") or "").strip() or None
    return None


def _performer_names(text: str, *, default: str) -> dict[str, list[str]] | None:
    """`user(an), group(leader), clerk` -> {"user": ["an"], "group": ["leader", "clerk"]}; None when
    the text is anything else (an expression, a query)."""
    found: dict[str, list[str]] = {"user": [], "group": []}
    for part in names(text):
        kind, name = default, part
        for prefix in ("user(", "group("):
            if part.startswith(prefix) and part.endswith(")"):
                kind, name = prefix[:-1], part[len(prefix):-1].strip()
        if not name or is_expression(name) or not all(c.isalnum() or c in "_-.@ " for c in name):
            return None
        found[kind].append(name)
    return found if found["user"] or found["group"] else None
