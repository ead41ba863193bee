"""Read a DMN file (1.1, 1.2 or 1.3, as Camunda Modeler and dmn-js write it) into a `DecisionTable`.

The XML is read as hardened as a BPMN file (`engine.parsing.read_xml`). Every cell is FEEL, DMN's own
language: input entries are FEEL unary tests, input expressions and output entries FEEL expressions,
each translated into the sandbox's Python by `engine.expressions` (JUEL is read where a column or cell
declares it, as Camunda 7 allows). A cell that cannot be translated is refused here, naming the rule
and the column; no cell is ever run as Python that it was not translated into. Every problem of the
file is reported at once (`DecisionInvalid.details["problems"]`).

What is refused: another namespace than DMN 1.1/1.2/1.3; no decision or more than one (one decision
table per file); a decision that is not a decision table (a literal expression, a context...) or that
requires another decision or a business knowledge model; a hit policy or aggregation DMN does not
define, an aggregation other than with COLLECT and one output; an output without a name; PRIORITY and
OUTPUT ORDER without output values; rules whose cells do not match the columns. Annotation columns
(DMN 1.3) and a rule's description are kept as documentation only.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS

from engine.dmn.model import (
    AGGREGATIONS,
    HIT_POLICIES,
    INPUT_NAME,
    PLACEHOLDER,
    DecisionTable,
    Entry,
    Input,
    Output,
    Rule,
)
from engine.errors import DecisionInvalid, ModelInvalid
from engine.expressions import ExpressionRefused, translate
from engine.parsing import read_xml
from engine.sandbox import CodeRefused, compile_model_code

NAMESPACES = {
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "1.1",
    "http://www.omg.org/spec/DMN/20180521/MODEL/": "1.2",
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "1.3",
}
FEEL = "https://www.omg.org/spec/DMN/20191111/FEEL/"
_UNSUPPORTED_DRG = ("businessKnowledgeModel", "decisionService")
_NOT_TABLES = ("literalExpression", "context", "invocation", "list", "relation", "functionDefinition")


@dataclass(frozen=True)
class ParsedDecision:
    """Everything deployment needs from a DMN file."""

    decision_id: str
    name: str
    dmn_version: str  # "1.1", "1.2" or "1.3"
    table: DecisionTable
    translations: list[dict] = field(default_factory=list)  # {element, kind, dialect, original, python}


class _Reader:
    """Reads one file, collecting every problem."""

    def __init__(self, filename: str, ns: str, root) -> None:
        self.filename, self.ns, self.root = filename, ns, root
        self.problems: list[dict] = []
        self.translations: list[dict] = []

    def problem(self, message: str, node=None, code: str = "dmn_invalid", hint: str | None = None, *,
                reason: str, **params) -> None:
        """A problem: `message` is the engine's English; `reason` and `params` let the API say it in the
        reader's language (api/decision_messages.py)."""
        element = _owner_id(node) if node is not None else None
        self.problems.append({"severity": "error", "code": code, "element": element,
                              "line": node.sourceline if node is not None else None,
                              "message": message, "hint": hint, "reason": reason, "params": params})

    def find(self, node, path: str):
        return node.find(path.replace("dmn:", f"{{{self.ns}}}"))

    def findall(self, node, path: str) -> list:
        return node.findall(path.replace("dmn:", f"{{{self.ns}}}"))

    def text(self, node, child: str = "dmn:text") -> str:
        found = self.find(node, child) if node is not None else None
        return (found.text or "").strip() if found is not None else ""

    def language(self, node) -> str:
        return node.get("expressionLanguage") or self.root.get("expressionLanguage") or FEEL

    def translate(self, text: str, kind: str, node, where: dict) -> str | None:
        """The Python of a cell or expression; None (after noting the problem) when it is refused. `where`
        names the cell: {"cell": "input_expression"|"input"|"output", "rule": n, "column": title}."""
        said = _where(where)
        try:
            translation = translate(text, kind=kind, language=self.language(node))
        except ExpressionRefused as exc:
            self.problem(f"{said}: '{text}' cannot be translated: {exc.message}", node, "expression_refused",
                         reason="cell_refused", text=text, detail=exc.message, **where)
            return None
        if translation.dialect == "python":
            self.problem(f"{said}: '{text}' is declared in the expression language "
                         f"'{self.language(node)}'; decision tables are read as FEEL (what Camunda Modeler "
                         "and dmn-js write).", node, "expression_refused",
                         hint="Remove the expressionLanguage attribute and write the cell in FEEL.",
                         reason="cell_not_feel", text=text, language=self.language(node), **where)
            return None
        python = translation.python
        if python == "-":
            return python
        try:
            compile_model_code(python.replace(PLACEHOLDER, INPUT_NAME) if kind == "unary_test" else python, "eval")
        except CodeRefused as exc:
            self.problem(f"{said}: '{text}' is refused by the sandbox: {exc.message}", node, "expression_refused",
                         reason="cell_sandbox", text=text, detail=exc.message, **where)
            return None
        if python != text:
            self.translations.append({"element": _owner_id(node), "kind": kind, "dialect": translation.dialect,
                                      "original": text, "python": python})
        return python


def read_decision(content: bytes, filename: str) -> ParsedDecision:
    """The decision of a DMN file, its cells translated; `DecisionInvalid` naming every problem."""
    try:
        root = read_xml(content, filename).getroot()
    except ModelInvalid as exc:  # its words are a BPMN file's
        raise DecisionInvalid(exc.message.replace("BPMN", "DMN"), **exc.details) from None
    ns = etree.QName(root).namespace
    if etree.QName(root).localname != "definitions" or ns not in NAMESPACES:
        raise DecisionInvalid(f"The root element is {root.tag}, not the definitions of DMN 1.1, 1.2 or 1.3: "
                              "this is not a DMN file.", file=filename, line=root.sourceline)
    reader = _Reader(filename, ns, root)
    table = _read(reader)  # what MotCua needs, said in its words; then the schema of the version
    if not reader.problems:
        _validate_schema(root, ns, filename)
    if reader.problems:
        first = reader.problems[0]
        more = len(reader.problems) - 1
        message = first["message"] + (f" ({more} more problem{'s' if more > 1 else ''} in the file.)" if more else "")
        raise DecisionInvalid(message, file=filename, line=first["line"], element=first["element"],
                              problems=reader.problems)
    return ParsedDecision(table.decision_id, table.name, NAMESPACES[ns], table, reader.translations)


@lru_cache(maxsize=4)
def _validator(ns: str) -> BpmnValidator:
    return BpmnValidator(SCHEMAS[ns])


def _validate_schema(root, ns: str, filename: str) -> None:
    """The DMN schema of the file's version. SpiffWorkflow 3.2 ships a DMN 1.2 schema that does not load
    (its DMNDI12.xsd is the DI schema): DMN 1.2 files get the structural checks of `_read` only."""
    if NAMESPACES[ns] == "1.2":
        return
    try:
        _validator(ns).validate(root, filename)
    except ValidationException as exc:
        raise DecisionInvalid(f"The file does not follow the DMN {NAMESPACES[ns]} schema: {exc}", file=filename,
                              line=exc.line_number or None) from None


def _read(reader: _Reader) -> DecisionTable | None:
    root = reader.root
    decisions = reader.findall(root, "dmn:decision")
    for name in _UNSUPPORTED_DRG:
        for node in reader.findall(root, f"dmn:{name}"):
            reader.problem(f"The {name} '{node.get('id')}' is not supported: a decision table calls no other "
                           "logic.", node, "unsupported_element", reason="drg_unsupported", kind=name,
                           id=node.get("id"))
    if not decisions:
        reader.problem("The file has no decision.", root, reason="no_decision")
        return None
    if len(decisions) > 1:
        ids = ", ".join(d.get("id") or "?" for d in decisions)
        reader.problem(f"The file has {len(decisions)} decisions ({ids}); deploy one decision table per file.",
                       decisions[1], "unsupported_element", hint="Move each decision into its own .dmn file.",
                       reason="several_decisions", count=len(decisions), ids=ids)
        return None
    decision = decisions[0]
    if not (decision.get("id") or "").strip() or len(decision.get("id")) > 255:
        reader.problem("The decision has no id (or one over 255 characters): a business rule task calls it by "
                       "its id.", decision, reason="decision_without_id")
        return None
    for requirement in reader.findall(decision, "dmn:informationRequirement/dmn:requiredDecision") + \
            reader.findall(decision, "dmn:knowledgeRequirement"):
        reader.problem(f"The decision '{decision.get('id')}' requires another decision or knowledge model; "
                       "only a single decision table is supported.", requirement, "unsupported_element",
                       reason="decision_requires", id=decision.get("id"))
    table_node = reader.find(decision, "dmn:decisionTable")
    if table_node is None:
        logic = next((etree.QName(c).localname for c in decision if isinstance(c.tag, str)
                      and etree.QName(c).localname in _NOT_TABLES), "no decision logic")
        reader.problem(f"The decision '{decision.get('id')}' is a {logic}, not a decision table; only decision "
                       "tables are supported.", decision, "unsupported_element", reason="not_a_table",
                       id=decision.get("id"), logic=logic)
        return None
    hit_policy, aggregation = _policy(reader, table_node)
    inputs = [_input(reader, node, n) for n, node in enumerate(reader.findall(table_node, "dmn:input"), 1)]
    outputs = [_output(reader, node, n) for n, node in enumerate(reader.findall(table_node, "dmn:output"), 1)]
    _check_outputs(reader, table_node, outputs, hit_policy, aggregation)
    ranked = hit_policy in ("PRIORITY", "OUTPUT ORDER")
    rules = [_rule(reader, node, n, inputs, outputs, ranked)
             for n, node in enumerate(reader.findall(table_node, "dmn:rule"), 1)]
    return DecisionTable(
        decision_id=decision.get("id"), name=(decision.get("name") or decision.get("id"))[:500], version=None,
        table_id=table_node.get("id") or decision.get("id"), hit_policy=hit_policy, aggregation=aggregation,
        inputs=tuple(inputs), outputs=tuple(o for o in outputs if o is not None), rules=tuple(rules))


def _policy(reader: _Reader, node) -> tuple[str, str | None]:
    hit_policy = " ".join((node.get("hitPolicy") or "UNIQUE").upper().split())
    aggregation = (node.get("aggregation") or "").strip().upper() or None
    if hit_policy not in HIT_POLICIES:
        reader.problem(f"The hit policy '{node.get('hitPolicy')}' is not one of {', '.join(HIT_POLICIES)}.", node,
                       "unsupported_element", reason="hit_policy_unknown", value=node.get("hitPolicy"),
                       allowed=", ".join(HIT_POLICIES))
    if aggregation is not None and aggregation not in AGGREGATIONS:
        reader.problem(f"The aggregation '{node.get('aggregation')}' is not one of {', '.join(AGGREGATIONS)}.", node,
                       "unsupported_element", reason="aggregation_unknown", value=node.get("aggregation"),
                       allowed=", ".join(AGGREGATIONS))
    elif aggregation is not None and hit_policy != "COLLECT":
        reader.problem(f"The aggregation {aggregation} goes with the hit policy COLLECT, not {hit_policy}.", node,
                       reason="aggregation_without_collect", aggregation=aggregation, hit_policy=hit_policy)
    return hit_policy, aggregation


def _input(reader: _Reader, node, number: int) -> Input:
    expression = reader.find(node, "dmn:inputExpression")
    text = reader.text(expression)
    title = node.get("label") or text or node.get("id")
    python = ""
    if not text:
        reader.problem(f"Input column {number} ('{title}') has no input expression: write the variable (or "
                       "FEEL expression) the column tests.", expression if expression is not None else node,
                       reason="input_without_expression", number=number, title=title)
    else:
        python = reader.translate(text, "value", expression, {"cell": "input_expression", "column": title}) or ""
    return Input(node.get("id") or f"input_{number}", node.get("label") or "", text, python)


def _output(reader: _Reader, node, number: int) -> Output | None:
    name = (node.get("name") or "").strip()
    title = node.get("label") or name or f"output {number}"
    if not name:
        reader.problem(f"Output column {number} ('{title}') has no name: set the output name, the data "
                       "variable its result is stored in.", node, reason="output_without_name", number=number,
                       title=title)
        return None
    if not all(part.isidentifier() and not part.startswith("_") for part in name.split(".")):
        reader.problem(f"The output name '{name}' is not a variable name (letters, digits and _, not starting "
                       "with _ or a digit; dots for nested data).", node, reason="output_name_invalid", name=name)
        return None
    values: tuple = ()
    values_text = reader.text(reader.find(node, "dmn:outputValues"))
    if values_text:
        try:
            python = translate(f"[{values_text}]", kind="value", language=FEEL).python
            values = tuple(ast.literal_eval(python))
        except (ExpressionRefused, ValueError, SyntaxError):
            reader.problem(f"The output values of '{name}' ({values_text}) must be a list of literal values, "
                           'e.g. "high","medium","low".', node, reason="output_values_invalid", name=name,
                           values=values_text)
    return Output(node.get("id") or f"output_{number}", node.get("label") or "", name, values)


def _check_outputs(reader: _Reader, node, outputs: list, hit_policy: str, aggregation: str | None) -> None:
    named = [o for o in outputs if o is not None]
    if not outputs:
        reader.problem("The decision table has no output column.", node, reason="no_output")
    seen: set[str] = set()
    for output in named:
        if output.name in seen:
            reader.problem(f"Two output columns are named '{output.name}'.", node, reason="output_twice",
                           name=output.name)
        seen.add(output.name)
    if aggregation is not None and len(outputs) != 1:
        reader.problem(f"COLLECT {aggregation} needs exactly one output column; the table has {len(outputs)}.",
                       node, reason="aggregation_outputs", aggregation=aggregation, count=len(outputs))
    if hit_policy in ("PRIORITY", "OUTPUT ORDER") and named and not any(o.values for o in named):
        reader.problem(f"The hit policy {hit_policy} ranks the rules by the output values of the outputs, and "
                       "no output has any: list them in the output column (e.g. \"high\",\"medium\",\"low\", "
                       "highest priority first).", node, reason="ranked_without_values", hit_policy=hit_policy)


def _rule(reader: _Reader, node, number: int, inputs: list[Input], outputs: list, ranked: bool) -> Rule:
    input_nodes = reader.findall(node, "dmn:inputEntry")
    output_nodes = reader.findall(node, "dmn:outputEntry")
    if len(input_nodes) != len(inputs) or len(output_nodes) != len(outputs):
        reader.problem(f"Rule {number} has {len(input_nodes)} input and {len(output_nodes)} output cells; the "
                       f"table has {len(inputs)} input and {len(outputs)} output columns.", node, reason="rule_cells",
                       number=number, inputs=len(input_nodes), outputs=len(output_nodes), input_columns=len(inputs),
                       output_columns=len(outputs))
    entries = []
    for column, cell in zip(inputs, input_nodes, strict=False):
        text = reader.text(cell)
        python = reader.translate(text, "unary_test", cell, {"cell": "input", "rule": number, "column": column.title})
        entries.append(Entry(cell.get("id") or "", text, None if python == "-" else python))
    results = []
    for column, cell in zip(outputs, output_nodes, strict=False):
        text = reader.text(cell)
        name = column.name if column is not None else "?"
        python = reader.translate(text, "value", cell, {"cell": "output", "rule": number, "column": name}) if text \
            else "None"
        results.append(Entry(cell.get("id") or "", text, python))
    described = reader.find(node, "dmn:description")
    rule = Rule(node.get("id") or f"rule_{number}", number, (described.text or "").strip() if described is not None
                else "", tuple(entries), tuple(results))
    if ranked:
        _check_priorities(reader, output_nodes, rule, outputs)
    return rule


def _check_priorities(reader: _Reader, cells: list, rule: Rule, outputs: list) -> None:
    """A literal output entry of a ranked output must be one of its output values."""
    for column, entry, cell in zip(outputs, rule.outputs, cells, strict=False):
        if column is None or not column.values or entry.python is None:
            continue
        try:
            value = ast.literal_eval(entry.python)
        except (ValueError, SyntaxError):
            continue  # computed: checked when the rule matches
        if value not in column.values:
            reader.problem(f"Rule {rule.number} gives {column.name} = {entry.text or 'null'}, which is not among "
                           f"the output values of '{column.name}' ({', '.join(map(repr, column.values))}); the "
                           "hit policy ranks the rules by them.", cell, reason="priority_value", number=rule.number,
                           name=column.name, value=entry.text or "null", values=", ".join(map(repr, column.values)))


def _where(where: dict) -> str:
    """The cell a translation is for, in English."""
    if where["cell"] == "input_expression":
        return f"The input expression of column '{where['column']}'"
    if where["cell"] == "input":
        return f"Rule {where['rule']}, input column '{where['column']}'"
    return f"Rule {where['rule']}, output '{where['column']}'"


def _owner_id(node) -> str | None:
    while node is not None and node.get("id") is None:
        node = node.getparent()
    return node.get("id") if node is not None else None
