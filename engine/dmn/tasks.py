"""Business rule tasks: which decision a task calls, its table bound into the spec, and running it.

A `bpmn:businessRuleTask` names its decision in one of three ways, all read here:
`<spiffworkflow:calledDecisionId>` (SpiffWorkflow's), `camunda:decisionRef` (Camunda 7) and
`<zeebe:calledDecision decisionId>` (Camunda 8). The decision must be deployed: `use_decisions` gives
the BPMN parser a lookup (engine/decisions.py asks the database for the latest version, or the one
`camunda:decisionRefBinding="version"` names), and the table is bound into the spec, serialized with
it (`DecisionTableTaskConverter`, registered in engine/serialization.py), so that an instance keeps
the table it started with.

The outputs go into the task data under their names (dotted names nest). A result variable
(`camunda:resultVariable` with `camunda:mapDecisionResult`, or `zeebe:calledDecision resultVariable`)
also receives the result as that engine gives it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.dmn.specs.business_rule_task_mixin import BusinessRuleTaskMixin
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.task_spec import SpiffTaskParser
from SpiffWorkflow.spiff.serializer.task_spec import BusinessRuleTaskConverter
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask

from engine.dmn.evaluation import Decided, DecisionEngine
from engine.dmn.model import SINGLE_HIT, DecisionTable

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
CAMUNDA_MAPPINGS = ("singleEntry", "singleResult", "collectEntries", "resultList")
ZEEBE = "zeebe"
_LOOKUP = "motcua_decisions"


@dataclass(frozen=True)
class DecisionReference:
    """What a business rule task says about the decision it calls."""

    decision_id: str | None
    version: int | None = None  # a pinned version (camunda:decisionRefBinding="version")
    result_variable: str | None = None
    result_mapping: str | None = None  # one of CAMUNDA_MAPPINGS, or ZEEBE
    problem: str | None = None  # why the reference cannot be used


# (reference, element id) -> the deployed table, or None when the decision is not deployed.
Lookup = Callable[[DecisionReference, str], "DecisionTable | None"]


def decision_reference(node) -> DecisionReference:
    """The decision a businessRuleTask element calls, in any of the three forms."""
    found = {}
    spiff = node.find(f"{{{BPMN_NS}}}extensionElements/{{{SPIFF_NS}}}calledDecisionId")
    if spiff is not None and (spiff.text or "").strip():
        found["spiffworkflow:calledDecisionId"] = spiff.text.strip()
    camunda = (node.get(f"{{{CAMUNDA_NS}}}decisionRef") or "").strip()
    if camunda:
        found["camunda:decisionRef"] = camunda
    zeebe = node.find(f"{{{BPMN_NS}}}extensionElements/{{{ZEEBE_NS}}}calledDecision")
    if zeebe is not None and (zeebe.get("decisionId") or "").strip():
        found["zeebe:calledDecision decisionId"] = zeebe.get("decisionId").strip()
    if not found:
        return DecisionReference(None, problem="names no decision: set the called decision id "
                                 "(spiffworkflow:calledDecisionId, camunda:decisionRef or zeebe:calledDecision "
                                 "decisionId) to the id of a deployed decision")
    if len(set(found.values())) > 1:
        named = ", ".join(f"{form} '{value}'" for form, value in found.items())
        return DecisionReference(None, problem=f"names different decisions ({named})")
    form, decision_id = next(iter(found.items()))
    if decision_id.startswith(("${", "#{", "=")):
        return DecisionReference(None, problem=f"computes its decision ({form} '{decision_id}'); the decision is "
                                 "bound when the model is deployed: name it by its id")
    if zeebe is not None and zeebe.get("resultVariable"):
        return DecisionReference(decision_id, result_variable=zeebe.get("resultVariable").strip(),
                                 result_mapping=ZEEBE)
    return _camunda_options(node, decision_id)


def _camunda_options(node, decision_id: str) -> DecisionReference:
    binding = (node.get(f"{{{CAMUNDA_NS}}}decisionRefBinding") or "latest").strip()
    version = None
    if binding == "version":
        text = (node.get(f"{{{CAMUNDA_NS}}}decisionRefVersion") or "").strip()
        if not text.isdigit() or int(text) < 1:
            return DecisionReference(None, problem=f"binds decision '{decision_id}' by version, and "
                                     f"camunda:decisionRefVersion '{text}' is not a version number")
        version = int(text)
    elif binding not in ("latest", "deployment"):
        return DecisionReference(None, problem=f"binds decision '{decision_id}' by {binding}; the latest "
                                 "version (or a version number) is bound at deployment")
    variable = (node.get(f"{{{CAMUNDA_NS}}}resultVariable") or "").strip() or None
    mapping = (node.get(f"{{{CAMUNDA_NS}}}mapDecisionResult") or "resultList").strip()
    if mapping not in CAMUNDA_MAPPINGS:
        return DecisionReference(None, problem=f"maps the result with '{mapping}', which is not one of "
                                 f"{', '.join(CAMUNDA_MAPPINGS)}")
    return DecisionReference(decision_id, version, variable, mapping if variable else None)


class DecisionTableTask(BusinessRuleTask):
    """SpiffWorkflow's business rule task running a `DecisionEngine`: outputs replace what the data
    held under their names (SpiffWorkflow's deep merge would mix a list result into an old one)."""

    def __init__(self, wf_spec, name, dmnEngine, result_variable=None, result_mapping=None, **kwargs):
        super().__init__(wf_spec, name, dmnEngine, **kwargs)
        self.result_variable = result_variable
        self.result_mapping = result_mapping

    def _run_hook(self, my_task):
        try:
            decided = self.dmnEngine.evaluate(my_task)
            for name, value in decided.outputs.items():
                _store(my_task.data, name, value)
            if self.result_variable:
                _store(my_task.data, self.result_variable, self._mapped(my_task, decided))
        except SpiffWorkflowException:
            raise
        except Exception as exc:  # noqa: BLE001 - report it on the task, as SpiffWorkflow does
            raise WorkflowTaskException(f"{type(exc).__name__}: {exc}", task=my_task, exception=exc) from exc
        return super(BusinessRuleTaskMixin, self)._run_hook(my_task)

    def _mapped(self, my_task, decided: Decided):
        table: DecisionTable = self.dmnEngine.decision_table
        names = [o.name for o in table.outputs]
        rows = decided.rows
        if self.result_mapping == ZEEBE:  # Camunda 8: a value, a context, or a list of them
            if table.aggregation:
                return decided.outputs[names[0]]
            items = [row[names[0]] if len(names) == 1 else row for row in rows]
            return (items[0] if items else None) if table.hit_policy in SINGLE_HIT else items
        if self.result_mapping in ("singleEntry", "singleResult") and len(rows) > 1:
            raise WorkflowTaskException(
                f"The {table.title}: {len(rows)} rules give results, and the result variable "
                f"'{self.result_variable}' maps a single result ({self.result_mapping})", task=my_task)
        if self.result_mapping == "singleEntry":
            return rows[0][names[0]] if rows else None
        if self.result_mapping == "singleResult":
            return dict(rows[0]) if rows else None
        if self.result_mapping == "collectEntries":
            return [row[names[0]] for row in rows]
        return [dict(row) for row in rows]  # resultList, Camunda 7's default


def _store(data: dict, name: str, value) -> None:
    *parents, last = name.split(".")
    for part in parents:
        if not isinstance(data.get(part), dict):
            data[part] = {}
        data = data[part]
    data[last] = value


class DecisionTaskParser(SpiffTaskParser):
    """Parses a businessRuleTask: its decision comes from the parser's lookup (`use_decisions`)."""

    def create_task(self):
        reference = decision_reference(self.node)
        if reference.problem is None:
            lookup: Lookup | None = getattr(self.process_parser.parser, _LOOKUP, None)
            table = lookup(reference, self.bpmn_id) if lookup is not None else None
            if table is None:
                which = f"version {reference.version} of " if reference.version else ""
                reference = DecisionReference(None, problem=f"calls {which}the decision '{reference.decision_id}', "
                                              "which is not deployed: deploy its .dmn file first")
        if reference.problem is not None:
            raise ValidationException(f"The business rule task '{self.bpmn_id}' {reference.problem}",
                                      node=self.node, file_name=self.filename)
        outputs = len(table.outputs)
        if reference.result_mapping in ("singleEntry", "collectEntries") and outputs != 1:
            raise ValidationException(
                f"The business rule task '{self.bpmn_id}' maps the result of decision '{table.decision_id}' with "
                f"{reference.result_mapping}, which takes one output; the table has {outputs}",
                node=self.node, file_name=self.filename)
        extensions = self.parse_extensions()
        return self.spec_class(
            self.spec, self.bpmn_id, dmnEngine=DecisionEngine(table),
            result_variable=reference.result_variable, result_mapping=reference.result_mapping,
            prescript=extensions.get("preScript"), postscript=extensions.get("postScript"),
            **self.bpmn_attributes)

    @staticmethod
    def get_decision_ref(node):
        return decision_reference(node).decision_id


def use_decisions(parser, lookup: Lookup | None) -> None:
    """Make a SpiffWorkflow BPMN parser build business rule tasks from deployed decisions, found by
    `lookup`; without one, every business rule task is refused as calling an undeployed decision."""
    parser.OVERRIDE_PARSER_CLASSES = {**parser.OVERRIDE_PARSER_CLASSES,
                                      full_tag("businessRuleTask"): (DecisionTaskParser, DecisionTableTask)}
    setattr(parser, _LOOKUP, lookup)


def called_decisions(root) -> dict[str, str | None]:
    """The decision each businessRuleTask of a BPMN tree calls, by element id (None: no usable reference)."""
    return {node.get("id"): decision_reference(node).decision_id
            for node in root.iter(f"{{{BPMN_NS}}}businessRuleTask")}


class DecisionTableTaskConverter(BusinessRuleTaskConverter):
    """The spec of a `DecisionTableTask` with its whole table (hit policy, aggregation, output values,
    cells as written and as translated), and the result variable."""

    def to_dict(self, spec):
        dct = self.get_default_attributes(spec)
        dct["prescript"], dct["postscript"] = spec.prescript, spec.postscript
        dct["decision_table"] = spec.dmnEngine.decision_table.to_dict()
        dct["result_variable"], dct["result_mapping"] = spec.result_variable, spec.result_mapping
        return dct

    def from_dict(self, dct):
        dct["dmnEngine"] = DecisionEngine(DecisionTable.from_dict(dct.pop("decision_table")))
        return self.task_spec_from_dict(dct)
