"""Read a BPMN file safely and check that the engine can run it, telling everything at once.

`parse_model` runs every check, collecting problems (engine/parsing/problems.py) instead of
stopping at the first, and refuses the file with one `ModelInvalid` listing all of them when any
is an error; warnings ride along on the `ParsedModel`. The XML is parsed without entity
resolution, DTDs or network access, with a size cap, before SpiffWorkflow sees it; SpiffWorkflow
builds the spec only when the static checks found nothing that would make it fail confusingly.

Callers add their own checks (the one-stop domain's, in workflows/) through `checks`: each is
called with the document's root, the parsed model (None when no spec could be built) and the
collector.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from engine import vendor
from engine.parsing.checks import (
    check_form_schemas,
    check_references,
    check_reserved_ids,
    check_run_constraints,
    check_supported_elements,
    index_ids,
    main_process,
)
from engine.parsing.depth import MAX_LOOP_STEPS, MAX_PATH_STEPS, check_depth
from engine.parsing.expressions import check_expressions, is_bare_iso_literal
from engine.parsing.ignored import report_ignored
from engine.parsing.problems import ERROR, WARNING, Problem, Problems, owner_id, refuse
from engine.parsing.spiff import EVENT_SUBPROCESS, build_specs, check_schema, user_tasks
from engine.parsing.xml import BPMN_NS, MAX_BPMN_BYTES, NS, SPIFF_NS, read_xml

__all__ = [
    "BPMN_NS", "ERROR", "EVENT_SUBPROCESS", "MAX_BPMN_BYTES", "MAX_LOOP_STEPS", "MAX_PATH_STEPS", "NS", "SPIFF_NS",
    "WARNING", "Check", "ParsedModel", "Problem", "Problems", "is_bare_iso_literal", "owner_id", "parse_model",
    "read_xml", "translations_of",
]

# Errors after which SpiffWorkflow still builds the spec (it stores these texts without reading
# them): it may then report a problem of its own in the same round. Any other error skips it (an
# empty condition, for one, would come back as SpiffWorkflow's "flow without condition").
_BUILD_DESPITE = frozenset({
    "expression_syntax", "sandbox_refused", "expression_refused", "timer_invalid",
    "form_schema_invalid", "script_missing",
})


@dataclass(frozen=True)
class ParsedModel:
    process_id: str
    name: str
    spec: object
    subprocess_specs: dict
    lanes: list[str] = field(default_factory=list)
    user_tasks: list[dict] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    translations: list[dict] = field(default_factory=list)  # expressions rewritten from JUEL/FEEL, bare timers
    decisions: list[dict] = field(default_factory=list)  # the decision versions bound: decision_id, version, elements


Check = Callable[[object, "ParsedModel | None", Problems], None]


def parse_model(content: bytes, filename: str, checks: Iterable[Check] = (), decisions=None) -> ParsedModel:
    """Everything deployment needs from a BPMN file, or a `ModelInvalid` listing every problem.

    `decisions` finds the deployed decision a business rule task calls and records which it bound
    (engine/decisions.py `Binding`; they are the parsed model's `decisions`); without it, a model
    with a business rule task is refused."""
    tree = read_xml(content, filename)
    root = tree.getroot()
    if root.tag != f"{{{BPMN_NS}}}definitions":
        raise refuse(filename, "not_bpmn", "The root element is not bpmn:definitions: this is not a BPMN 2.0 file.",
                     root, element=root.get("id") or None)
    vendor_report = vendor.normalize(root)  # other modellers' extensions in MotCua's form: the spec reads them
    problems = Problems(filename)
    ids = index_ids(root, problems)
    check_reserved_ids(root, problems)
    check_references(root, ids, problems)
    check_supported_elements(root, problems)
    check_run_constraints(root, problems)
    process = main_process(root, problems)
    translations = check_expressions(root, problems)
    check_form_schemas(root, problems)
    check_depth(root, problems)
    report_ignored(vendor_report, ids, problems)
    check_schema(root, problems)

    parsed = None
    blocked = any(p.is_error and p.code not in _BUILD_DESPITE for p in problems.items)
    if process is not None and not blocked:
        built = build_specs(tree, process.get("id"), ids, filename, problems, decisions)
        if built is not None:
            spec, subprocess_specs = built
            parsed = ParsedModel(
                process_id=process.get("id"),
                name=process.get("name") or process.get("id"),
                spec=spec,
                subprocess_specs=subprocess_specs,
                lanes=[lane.get("name") or lane.get("id") for lane in process.iterfind(".//bpmn:lane", NS)],
                user_tasks=user_tasks(spec, subprocess_specs),
                translations=translations,
                decisions=list(getattr(decisions, "used", [])),  # what a Binding bound; a bare lookup records none
            )
    for check in checks:
        check(root, parsed, problems)
    problems.raise_if_errors()
    return replace(parsed, warnings=problems.warnings)


def translations_of(content: bytes, filename: str) -> list[dict]:
    """The translations `parse_model` gave for a file it accepted (expressions written for another engine,
    bare timer values, as the engine runs them), read again from the file: a deployed version keeps its
    file, so they are the ones its dossiers run."""
    root = read_xml(content, filename).getroot()
    vendor.normalize(root)
    return check_expressions(root, Problems(filename))
