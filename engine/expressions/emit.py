"""Python source for a syntax tree: Python's own `and`, `or`, `not` and `… if … else …` where they mean the
same, and the helpers of `runtime.py` wherever the dialect's semantics differ from Python's (variables,
paths, comparisons, arithmetic, coercions, three-valued logic)."""

from __future__ import annotations

from engine.expressions.syntax import (
    COMPARISONS,
    Binary,
    CompareTest,
    Conditional,
    In,
    Input,
    Interval,
    ListExpr,
    Literal,
    Logical,
    Member,
    Name,
    Node,
    Unary,
    UnaryTests,
    contains_input,
)

# Python precedence of what is emitted, low to high.
_IF, _OR, _AND, _NOT, _IS, _ATOM = range(6)
_SCALARS = (str, int, float, bool, type(None))


def python_string(value: str, *, cell: bool = False) -> str:
    """A double-quoted Python literal of `value`. In a DMN cell (`cell`) quotes and '?' are written as
    escapes too, because SpiffWorkflow finds the '?' placeholder by pairing quote characters."""
    out = ['"']
    for char in value:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append("\\x22" if cell else '\\"')
        elif cell and char in "'?":
            out.append(f"\\x{ord(char):02x}")
        elif char in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[char])
        elif not char.isprintable():
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def python_literal(value: object, *, cell: bool = False) -> str:
    if isinstance(value, str):
        return python_string(value, cell=cell)
    return repr(value)  # None, True, False, an int or a finite float


def is_boolean(node: Node, dialect: str) -> bool:
    """Whether `node` always gives True or False (and, in FEEL, None)."""
    if isinstance(node, Literal):
        return isinstance(node.value, bool) or (dialect == "feel" and node.value is None)
    if isinstance(node, Unary):
        return node.op in ("not", "empty")
    if isinstance(node, Binary):
        return node.op in COMPARISONS
    return isinstance(node, Logical | In | UnaryTests)


class Emitter:
    """Writes the Python of one tree of `dialect`; `cell` for a DMN input entry."""

    def __init__(self, dialect: str, *, cell: bool = False) -> None:
        self.dialect, self.cell = dialect, cell
        self.prefix = f"{dialect}_"

    def call(self, helper: str, *args: str) -> tuple[str, int]:
        return f"{self.prefix}{helper}({', '.join(args)})", _ATOM

    def text(self, node: Node, at_least: int = _IF) -> str:
        """The Python of `node`, in parentheses if its precedence is below `at_least`."""
        source, precedence = self.emit(node)
        return f"({source})" if precedence < at_least else source

    def emit(self, node: Node) -> tuple[str, int]:
        if isinstance(node, Literal):
            return python_literal(node.value, cell=self.cell), _ATOM
        if isinstance(node, Name):
            return self.call("var", python_string(node.name, cell=self.cell))
        if isinstance(node, Input):
            return "?", _ATOM
        if isinstance(node, Member):
            return self.call("get", self.text(node.base), self.text(node.key))
        if isinstance(node, Unary):
            return self.unary(node)
        if isinstance(node, Binary):
            helper = "cmp" if node.op in COMPARISONS else "arith"
            return self.call(helper, python_string(node.op), self.text(node.left), self.text(node.right))
        if isinstance(node, Logical):
            return self.logical(node)
        if isinstance(node, Conditional):
            return (f"{self.text(node.then, _OR)} if {self.boolean(node.test, _OR)} "
                    f"else {self.text(node.otherwise, _OR)}"), _IF
        if isinstance(node, ListExpr):
            return f"[{', '.join(self.text(item) for item in node.items)}]", _ATOM
        if isinstance(node, In):
            return self.tests(self.text(node.value), node.tests)
        if isinstance(node, UnaryTests):
            source, precedence = self.tests("?", node.tests)
            return self.call("not", source) if node.negated else (source, precedence)
        raise TypeError(f"no Python for {type(node).__name__}")  # the parser makes no other node

    def unary(self, node: Unary) -> tuple[str, int]:
        operand = node.operand
        if node.op == "-" and isinstance(operand, Literal) and isinstance(operand.value, int | float) \
                and not isinstance(operand.value, bool):
            return python_literal(-operand.value), _ATOM
        if node.op == "-":
            return self.call("arith", '"-"', "0", self.text(operand))
        if node.op == "empty":
            return self.call("empty", self.text(operand))
        if self.dialect == "juel":
            return f"not {self.boolean(operand, _NOT)}", _NOT
        return self.call("not", self.text(operand))

    def logical(self, node: Logical) -> tuple[str, int]:
        if self.dialect == "feel":
            return self.call(node.op, *(self.text(operand) for operand in node.operands))
        # JUEL's && and || short-circuit like Python's, on operands coerced to booleans.
        joined = f" {node.op} ".join(self.boolean(operand, _NOT) for operand in node.operands)
        return joined, (_AND if node.op == "and" else _OR)

    def boolean(self, node: Node, at_least: int = _IF) -> str:
        """JUEL: the Python of `node` coerced to a boolean."""
        if is_boolean(node, "juel"):
            return self.text(node, at_least)
        return self.call("bool", self.text(node))[0]

    def tests(self, subject: str, tests: tuple[Node, ...]) -> tuple[str, int]:
        """FEEL unary tests applied to `subject`: true when one of them is true."""
        parts: list[str] = []
        values: list[Node] = []  # a run of literal values to match, written as one list

        def flush() -> None:
            if len(values) == 1:
                parts.append(self.call("cmp", '"=="', subject, self.text(values[0]))[0])
            elif values:
                parts.append(self.call("in", subject, f"[{', '.join(self.text(v) for v in values)}]")[0])
            values.clear()

        for test in tests:
            if isinstance(test, Literal) and isinstance(test.value, _SCALARS):
                values.append(test)
                continue
            flush()
            parts.append(self.test(subject, test))
        flush()
        return (parts[0], _ATOM) if len(parts) == 1 else self.call("or", *parts)

    def test(self, subject: str, test: Node) -> str:
        if isinstance(test, CompareTest):
            return self.call("cmp", python_string(test.op), subject, self.text(test.value))[0]
        if isinstance(test, Interval):
            bounds = [self.text(test.low), self.text(test.high)]
            if not (test.low_closed and test.high_closed):
                bounds += [repr(test.low_closed), repr(test.high_closed)]
            return self.call("between", subject, *bounds)[0]
        if contains_input(test):  # an expression about `?`: true only when it gives true
            return self.text(test) if is_boolean(test, "feel") else f"{self.text(test, _ATOM)} is True"
        return self.call("in", subject, self.text(test))[0]


def condition(node: Node, dialect: str) -> str:
    """Python giving True exactly when the condition takes its flow: JUEL coerces the value to a
    boolean, FEEL takes the flow only on true (false, null and any other value do not)."""
    emitter = Emitter(dialect)
    if dialect == "juel":
        return emitter.boolean(node)
    if is_boolean(node, "feel"):
        return emitter.text(node)
    return f"{emitter.text(node, _ATOM)} is True"


def value(node: Node, dialect: str) -> str:
    return Emitter(dialect).text(node)


def unary_tests(node: UnaryTests) -> str:
    """A SpiffWorkflow DMN input entry: Python with '?' for the input value, or "-" for any value."""
    if not node.tests:
        return "-"
    return Emitter("feel", cell=True).text(node)
