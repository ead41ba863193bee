"""Expressions of other modellers, translated at deployment into the Python the sandbox runs.

Camunda 7 and Flowable write JUEL (`${approved}`, `#{amount > 1000 && !urgent}`); Camunda 8 writes FEEL
after a leading `=` (`= amount > 1000 and not(urgent)`); DMN tables hold FEEL unary tests (`"a","b"`,
`>= 10`, `[1..5]`, `not("a")`, `-`). `translate` reads a documented subset of each (text → tokens →
syntax tree → Python source, never eval and never text substitution) and refuses anything else with
`ExpressionRefused`, which names the construct, the dialect and the position. The Python it gives calls
the helpers of `runtime.py` wherever the dialect's semantics differ from Python's; engine/scripting.py
adds those helpers to every expression the sandbox evaluates. The caller stores the translation with the
model version, next to the original text, and shows both to the designer.

Which dialect (`detect_dialect`): a `language`/`expressionLanguage` attribute that names FEEL, JUEL or
Python decides (XPath, BPMN's default, names nothing; a script language such as groovy or javascript is
refused); otherwise a text starting with `${` or `#{` is JUEL, one starting with `=` is FEEL, a text
holding `${`/`#{` that is not valid Python is JUEL (composite text, refused); anything else is Python,
kept as written.

The subset:
- JUEL, inside one `${…}` or `#{…}` (the same in a condition): literals `true false null`, numbers,
  strings in single or double quotes (escapes `\\'` `\\"` `\\\\`); variables and paths `a.b`, `a['b']`,
  `a[0]`; `== != < <= > >=` and `eq ne lt gt le ge`; `&& || !` and `and or not`; `empty`;
  `+ - * / % div mod`; `c ? a : b`; parentheses. Refused: method and function calls
  (`execution.getVariable('x')`, `fn:join(…)`), assignment `=`, `+=`, `;`, lambdas `->`, `instanceof`,
  set and map literals, text around `${…}` ("composite text").
- FEEL: literals `true false null`, numbers, strings in double quotes (escapes `\\" \\\\ \\n \\r \\t \\'
  \\uXXXX`); variables and paths `a.b` (a missing entry is null), `a[1]` (positions count from 1); one
  comparison `= != < <= > >=`, `x between a and b`, `x in [1..5]` / `]1..5[` / `(1..5)` / `[1, 2]` /
  `("a", "b")` / `< 3`; `and`, `or`, `not(x)`; `+ - * / **`; lists `[a, b]`; parentheses. Refused:
  functions (`string length(x)`, `date(…)`), `if`/`for`/`some`/`every`, filters `list[x > 1]`, contexts
  `{…}`, names with spaces, single-quoted strings, `==`, `&&`, `!`, chained comparisons.
- FEEL unary tests (kind "unary_test", a DMN input entry): `-` or nothing (any value); values (`"a"`,
  `10`, `true`, `null`, `[1, 2]`, a variable); `< <= > >= = !=` with a value; ranges; several tests
  separated by commas (any may match); `not(tests)`; any FEEL expression of the subset using `?` for the
  input value (it matches when it gives true).

What each kind gives: "condition" (a sequence flow's condition, a completion condition): Python that is
True exactly when the flow is taken: JUEL coerces the result to a boolean (`juel_bool`, EL's rules: null
and "" false, "true" in any case true); FEEL takes the flow only on `true` (false, null and any other
value do not; Camunda 8 would raise an incident for a non-boolean). "value" (a timer, a cardinality, a DMN
output, anything giving a value): the value as the dialect computes it. "unary_test": SpiffWorkflow's DMN
cell text, Python with `?` where the input's value goes (SpiffWorkflow replaces it; string literals in
the cell escape quotes and `?`, so that its replacement finds only the placeholder), or "-" for any value;
compile it only after replacing `?` as SpiffWorkflow does. A FEEL input entry cannot be told from a Python
one by its text (`"a","b"` is also a Python tuple), so for DMN the caller passes the table's expression
language (FEEL for the files of dmn-js and Camunda Modeler); without one, a cell is Python as written.

Variables are read through `juel_var("name")` / `feel_var("name")`, never as bare Python names, so that a
variable may be called `continue`, `class`, `from`, `min` or `deadline`, a missing JUEL variable fails
as in Camunda ("Unknown property used in expression: name") and a missing FEEL one is null. Names starting
with `_` are refused: the sandbox hides them from model code. The semantics of every helper (JUEL's
coercions and `empty`, FEEL's three-valued logic and null on mismatched types) are in `runtime.py`.

Bare timer values (`timer_value`): an ISO 8601 duration (`PT4H`, `P2D`, `P1DT2H`, `P1W`), a date-time with
its UTC offset (`2026-12-01T08:00:00+07:00`) or a repeating interval (`R3/PT10H`, `R/PT1H`,
`R3/2026-12-01T08:00:00+07:00/PT1H`) becomes a Python string literal. A negative duration, a date or
date-time without a UTC offset (the engine never uses the server's zone) and an invalid value are refused;
any other text is an expression (Python, or JUEL/FEEL translated with kind "value").
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from engine.expressions import emit
from engine.expressions.errors import ExpressionRefused, refuse
from engine.expressions.parser import Parser
from engine.expressions.runtime import HELPER_NAMES, ExpressionFailed, helpers_for
from engine.expressions.syntax import ListExpr, Literal, Node, Unary, UnaryTests
from engine.expressions.timers import iso_timer_value

__all__ = [
    "HELPER_NAMES", "KINDS", "ExpressionFailed", "ExpressionRefused", "Translation", "detect_dialect",
    "helpers_for", "timer_value", "translate",
]

KINDS = ("condition", "value", "unary_test")
_SCRIPT_LANGUAGES = ("javascript", "ecmascript", "groovy", "nashorn", "graal.js", "ruby", "kotlin")


@dataclass(frozen=True)
class Translation:
    """An expression as written in a model, and the Python the sandbox runs for it."""

    dialect: str  # "juel", "feel", "python" (kept as written) or "iso8601" (a bare timer value)
    original: str  # the text as written in the model
    python: str  # the Python expression; for kind "unary_test", SpiffWorkflow's cell text
    kind: str  # "condition", "value" or "unary_test"
    literal: bool = False  # a bare timer value, now a Python string literal

    @property
    def translated(self) -> bool:
        """Whether `python` differs from what the designer wrote."""
        return self.dialect != "python"


def detect_dialect(text: str, language: str | None = None) -> str:
    """"juel", "feel" or "python": the language `text` is written in (see the module's docstring)."""
    named = _named_dialect(language)
    if named:
        return named
    stripped = text.strip()
    if stripped.startswith(("${", "#{")):
        return "juel"
    if stripped.startswith("="):
        return "feel"
    if ("${" in stripped or "#{" in stripped) and not _is_python(stripped):
        return "juel"
    return "python"


def translate(text: str, *, kind: str, language: str | None = None) -> Translation:
    """The Python for `text`, an expression of `kind` ("condition", "value" or "unary_test").

    Python is kept as written; JUEL and FEEL are translated, or refused with `ExpressionRefused`.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    dialect = detect_dialect(text, language)
    if dialect == "python":
        return Translation("python", text, text, kind)
    if dialect == "juel":
        if kind == "unary_test":
            raise refuse("JUEL input entries are not supported", construct="JUEL input entry", dialect="juel",
                         text=text, hint="Write the DMN table's input entries as FEEL unary tests.")
        python = _juel(text, kind)
    else:
        python = _feel(text, kind)
    return Translation(dialect, text, python, kind)


def timer_value(text: str) -> Translation | None:
    """A bare ISO 8601 timer value as a Python string literal, or None when `text` is an expression.

    Raises `ExpressionRefused` for a value written as ISO 8601 that is invalid or has no UTC offset.
    """
    value = iso_timer_value(text)
    if value is None:
        return None
    return Translation("iso8601", text, emit.python_string(value), "value", literal=True)


def _named_dialect(language: str | None) -> str | None:
    lowered = (language or "").strip().lower()
    if not lowered or "xpath" in lowered:
        return None
    for dialect in ("feel", "juel", "python"):
        if dialect in lowered:
            return dialect
    if lowered == "js" or any(name in lowered for name in _SCRIPT_LANGUAGES):
        raise ExpressionRefused(
            f"The expression language '{language}' is not supported: expressions are Python, or JUEL and FEEL "
            "translated to Python.", construct=f"language '{language}'", dialect=lowered)
    return None


def _is_python(text: str) -> bool:
    try:
        ast.parse(text, mode="eval")
    except SyntaxError:
        return False
    return True


def _juel(text: str, kind: str) -> str:
    start = len(text) - len(text.lstrip())
    if not text.startswith(("${", "#{"), start):
        if "${" in text or "#{" in text:
            raise _composite(text, start)
        raise refuse("A JUEL expression is written inside ${…}", construct="text outside ${…}", dialect="juel",
                     text=text, position=start, hint="Write e.g. ${amount > 1000}.")
    node, end = Parser(text, "juel", start + 2).parse_expression()
    if end.text != "}":
        raise refuse("The ${ is not closed", construct="unterminated ${…}", dialect="juel", text=text,
                     position=start)
    rest = text[end.pos + 1:]
    if rest.strip():
        raise _composite(text, end.pos + 1 + len(rest) - len(rest.lstrip()))
    return emit.condition(node, "juel") if kind == "condition" else emit.value(node, "juel")


def _composite(text: str, position: int) -> ExpressionRefused:
    return refuse("Text around ${…} (a composite expression) is not supported", construct="composite text",
                  dialect="juel", text=text, position=position, hint="Write one expression, e.g. ${a && b}.")


def _feel(text: str, kind: str) -> str:
    start = len(text) - len(text.lstrip())
    if kind == "unary_test":
        if text.strip() in ("", "-"):
            return emit.unary_tests(UnaryTests((), False, start))
        return emit.unary_tests(Parser(text, "feel", start, unary_tests=True).parse_unary_tests())
    if text.startswith("=", start):
        start += 1
    node: Node = Parser(text, "feel", start).parse_expression()[0]
    if kind == "value":
        return emit.value(node, "feel")
    constant = node.operand if isinstance(node, Unary) and node.op == "-" else node
    if isinstance(constant, ListExpr) or (isinstance(constant, Literal)
                                          and not isinstance(constant.value, bool | None)):
        raise refuse("A condition that is a constant other than true, false or null never takes its flow",
                     construct="constant condition", dialect="feel", text=text, position=node.pos)
    return emit.condition(node, "feel")
