"""Compile every expression, script and timer of a model now, as the sandbox will at run time, so
that a typo or code the sandbox refuses (an import, a dunder, `open`...) is found at deployment.

The sandbox runs Python. Expressions written for other engines are translated here first
(engine/expressions): JUEL (`${approved}`, Camunda 7 and Flowable) and FEEL (`= amount > 1000`,
Camunda 8) conditions, cardinalities and timer values become the Python the sandbox runs, written
into the tree SpiffWorkflow builds the spec from (the stored file stays as the designer wrote it),
and each translation is listed for the designer. A bare ISO 8601 timer value (`PT4H`, `P2D`,
`R3/PT10H`, `2026-12-01T08:00:00+07:00`) is the literal it states. Each kind of text gets its own
hint when it does not compile, saying which language is read.
"""

from __future__ import annotations

import ast
import re

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.clock import has_utc_offset
from engine.expressions import ExpressionRefused, timer_value, translate
from engine.parsing.problems import Problems, local, owner_id
from engine.parsing.xml import NS
from engine.sandbox import CodeRefused, compile_model_code

# The translation kind of each text that may be written in another engine's language.
_KIND = {"conditionExpression": "condition", "condition": "condition", "completionCondition": "condition",
         "loopCondition": "condition", "loopCardinality": "value"}

# What each kind of text is called in messages, by its element's tag.
WHAT = {
    "conditionExpression": "condition", "condition": "condition", "script": "script",
    "preScript": "pre-script", "postScript": "post-script", "timeDuration": "timer duration (timeDuration)",
    "timeDate": "timer date (timeDate)", "timeCycle": "timer cycle (timeCycle)",
    "loopCardinality": "loop cardinality", "completionCondition": "completion condition",
    "loopCondition": "loop condition",
}
CONDITION_HINT = ("Conditions are Python expressions, e.g. amount > 1000 and approved (== to compare, "
                  "and/or/not, True/False, text in quotes), or JUEL in ${...} (Camunda 7, Flowable), "
                  "or FEEL after = (Camunda 8).")
SCRIPT_HINT = "Scripts are Python statements, e.g. total = amount * 2."
TIMER_HINT = ('Timer values are an ISO 8601 value (PT4H, P2D, R3/PT10H, 2026-12-01T08:00:00+07:00) or a '
              'Python expression, like deadline("review"); JUEL in ${...} and FEEL after = are read too.')
EXPRESSION_HINT = "Expressions are Python, e.g. len(officers)."
_HINTS = {"script": SCRIPT_HINT, "preScript": SCRIPT_HINT, "postScript": SCRIPT_HINT,
          "timeDuration": TIMER_HINT, "timeDate": TIMER_HINT, "timeCycle": TIMER_HINT,
          "loopCardinality": EXPRESSION_HINT}

_NUMBER = r"\d+(?:[.,]\d+)?"
_DURATION = (rf"-?P(?=\d|T\d)(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}W)?(?:{_NUMBER}D)?"
             rf"(?:T(?=\d)(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?")
_DATE_TIME = r"\d{4}-\d{2}-\d{2}(?:T\d{2}(?::\d{2}(?::\d{2}(?:[.,]\d+)?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?"
_BARE_ISO = re.compile(rf"{_DURATION}|{_DATE_TIME}|R\d*/(?:{_DURATION}|{_DATE_TIME})(?:/(?:{_DURATION}|{_DATE_TIME}))?",
                       re.IGNORECASE)


def is_bare_iso_literal(text: str) -> bool:
    """`text` is an ISO 8601 duration, date-time or repeating interval written without quotes."""
    return bool(_BARE_ISO.fullmatch(text.strip()))


def check_expressions(root, problems: Problems) -> list[dict]:
    """Check (and translate, in the tree) every expression; the translations made."""
    translations: list[dict] = []
    language = root.get("expressionLanguage")
    for expr in root.iterfind(".//bpmn:sequenceFlow/bpmn:conditionExpression", NS):
        if _translated(expr, language, problems, translations):
            _check_code(expr, "eval", problems)
    for definition in root.iterfind(".//bpmn:conditionalEventDefinition", NS):
        condition = definition.find("bpmn:condition", NS)
        node = condition if condition is not None else definition
        if condition is None or _translated(condition, language, problems, translations):
            _check_code(node, "eval", problems, what="condition")
    for task in root.iterfind(".//bpmn:scriptTask", NS):
        script = task.find("bpmn:script", NS)
        if script is None:
            problems.error("script_missing", f"The script task '{task.get('id')}' has no script.", task,
                           hint="Write the Python script in the task (a script kept elsewhere, like "
                           "camunda:resource, is not read).")
        else:
            _check_code(script, "exec", problems)
    for tag in ("preScript", "postScript"):
        for script in root.iterfind(f".//spiffworkflow:{tag}", NS):
            _check_code(script, "exec", problems)
    for tag in ("loopCardinality", "completionCondition", "loopCondition"):
        for expr in root.iterfind(f".//bpmn:{tag}", NS):
            # an empty one means none, as SpiffWorkflow reads it
            if (expr.text or "").strip() and _translated(expr, language, problems, translations):
                _check_code(expr, "eval", problems)
    for kind in ("timeDuration", "timeDate", "timeCycle"):
        for expr in root.iterfind(f".//bpmn:timerEventDefinition/bpmn:{kind}", NS):
            _check_timer(expr, kind, language, problems, translations)
    return translations


def _translated(node, language: str | None, problems: Problems, translations: list[dict], *,
                kind: str | None = None) -> bool:
    """Translate the node's text if it is written in JUEL or FEEL (the tree gets the Python); whether
    there is Python to check now (False: refused, the problem recorded)."""
    text = (node.text or "").strip()
    what = local(node.tag)
    kind = kind or _KIND.get(what, "value")
    try:
        translation = translate(text, kind=kind, language=node.get("language") or language)
    except ExpressionRefused as exc:
        dialect = exc.dialect.upper()
        problems.error("expression_refused", f"The {WHAT.get(what, what)} of '{owner_id(node)}' is {dialect} that "
                       f"cannot be translated: {exc.message}", node, hint=exc.message, what=what,
                       dialect=dialect, construct=exc.construct, detail=exc.message, text=text)
        return False
    if translation.dialect != "python":
        node.text = translation.python
        translations.append({"element": owner_id(node), "kind": what, "dialect": translation.dialect,
                             "original": text, "python": translation.python})
    return True


def _check_code(node, mode: str, problems: Problems, what: str | None = None) -> ast.AST | None:
    """Parse and sandbox-compile the text of `node`; the tree, or None when it was refused."""
    what = what or local(node.tag)
    name, owner, text = WHAT.get(what, what), owner_id(node), (node.text or "").strip()
    hint = _HINTS.get(what, CONDITION_HINT)
    if not text:
        problems.error("expression_empty", f"The {name} of '{owner}' is empty.", node, hint=hint, what=what)
        return None
    try:
        tree = ast.parse(text, mode=mode)
    except SyntaxError as exc:
        snippet = (exc.text or text).strip() if "\n" in text else text  # the line at fault of a longer script
        problems.error("expression_syntax", f"The {name} of '{owner}' is not valid Python: {exc.msg} "
                       f"(in '{snippet}').", node, line=_line_in(node, exc.lineno), hint=hint, what=what,
                       detail=exc.msg, text=snippet)
        return None
    try:
        compile_model_code(text, mode)
    except CodeRefused as exc:
        where = f" (line {exc.line} of the {name})" if exc.line and "\n" in text else ""
        problems.error("sandbox_refused", f"The {name} of '{owner}' is refused by the sandbox: {exc.message}{where}.",
                       node, line=_line_in(node, exc.line), hint="Model code may compute with the task's data "
                       "and the helpers the designer guide lists; nothing else.", what=what, detail=exc.message)
        return None
    return tree


def _line_in(node, line_of_text: int | None) -> int:
    """The file's line of line `line_of_text` (1-based) of the node's stripped text."""
    raw = node.text or ""
    first_line = node.sourceline + raw[: len(raw) - len(raw.lstrip())].count("\n")
    return first_line + (line_of_text - 1 if line_of_text else 0)


def _check_timer(node, kind: str, language: str | None, problems: Problems, translations: list[dict]) -> None:
    text = (node.text or "").strip()
    if text and is_bare_iso_literal(text):
        try:
            literal = timer_value(text)
        except ExpressionRefused as exc:
            problems.error("timer_invalid", f"The {WHAT[kind]} '{text}' of '{owner_id(node)}' cannot be used: "
                           f"{exc.message}", node, hint=exc.message, what=kind, value=text, detail=exc.message)
            return
        node.text = literal.python
        translations.append({"element": owner_id(node), "kind": kind, "dialect": literal.dialect,
                             "original": text, "python": literal.python})
        value = text
    else:
        if text and not _translated(node, language, problems, translations, kind="value"):
            return
        tree = _check_code(node, "eval", problems)
        if tree is None or not (isinstance(tree.body, ast.Constant) and isinstance(tree.body.value, str)):
            return  # refused already, or computed at run time and checked when it is evaluated
        value = tree.body.value
    try:
        if kind == "timeDuration":
            TimerEventDefinition.parse_iso_duration(value)
        elif kind == "timeDate":
            TimerEventDefinition.parse_time_or_duration(value)
            if not has_utc_offset(value):
                raise ValueError("the date-time has no UTC offset (write e.g. 2026-12-01T08:00:00+07:00)")
        else:
            TimerEventDefinition.parse_iso_recurring_interval(value)
    except Exception as exc:  # noqa: BLE001 - SpiffWorkflow raises a bare Exception for bad durations
        problems.error("timer_invalid", f"The {WHAT[kind]} '{value}' of '{owner_id(node)}' is not a valid ISO 8601 "
                       f"value: {exc}", node, hint='Durations look like "PT4H" or "P2D", dates like '
                       '"2026-12-01T08:00:00+07:00", cycles like "R3/PT10H".', what=kind, value=value,
                       detail=str(exc))
