"""The syntax tree both dialects are parsed into; `emit.py` turns it into Python source.

Operators are kept in one spelling whatever the dialect wrote: "==" for JUEL `==`/`eq` and FEEL `=`,
"<" for `lt`, "and" for `&&`, "not" for `!` and FEEL's not(…), "%" for `mod`, "/" for `div`.
"""

from __future__ import annotations

from dataclasses import dataclass

COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">="})
ARITHMETIC = frozenset({"+", "-", "*", "/", "%", "**"})


@dataclass(frozen=True)
class Literal:
    value: object  # None, True, False, an int, a float or a str
    pos: int


@dataclass(frozen=True)
class Name:
    """A variable of the task data."""
    name: str
    pos: int


@dataclass(frozen=True)
class Input:
    """`?` in a DMN unary test: the value of the input column."""
    pos: int


@dataclass(frozen=True)
class Member:
    """`base.key` or `base[key]`."""
    base: Node
    key: Node
    pos: int


@dataclass(frozen=True)
class Unary:
    op: str  # "not", "-" or "empty"
    operand: Node
    pos: int


@dataclass(frozen=True)
class Binary:
    op: str  # one of COMPARISONS or ARITHMETIC
    left: Node
    right: Node
    pos: int


@dataclass(frozen=True)
class Logical:
    op: str  # "and" or "or"
    operands: tuple[Node, ...]
    pos: int


@dataclass(frozen=True)
class Conditional:
    """JUEL's `test ? then : otherwise`."""
    test: Node
    then: Node
    otherwise: Node
    pos: int


@dataclass(frozen=True)
class ListExpr:
    items: tuple[Node, ...]
    pos: int


@dataclass(frozen=True)
class Interval:
    """A FEEL range `[low..high]`; `]`, `[`, `(` and `)` make an end open."""
    low: Node
    high: Node
    low_closed: bool
    high_closed: bool
    pos: int


@dataclass(frozen=True)
class CompareTest:
    """A unary test `< 10`: the tested value compared with `value`."""
    op: str
    value: Node
    pos: int


@dataclass(frozen=True)
class In:
    """FEEL `value in tests` and `value between low and high` (one closed interval)."""
    value: Node
    tests: tuple[Node, ...]  # Interval, CompareTest, or any other node: a value to equal (or a list to be in)
    pos: int


@dataclass(frozen=True)
class UnaryTests:
    """A DMN input entry: no tests is "-" (any value); several are a disjunction."""
    tests: tuple[Node, ...]
    negated: bool
    pos: int


Node = (Literal | Name | Input | Member | Unary | Binary | Logical | Conditional | ListExpr | Interval
        | CompareTest | In | UnaryTests)


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Member):
        return (node.base, node.key)
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Logical):
        return node.operands
    if isinstance(node, ListExpr):
        return node.items
    if isinstance(node, Conditional):
        return (node.test, node.then, node.otherwise)
    if isinstance(node, Interval):
        return (node.low, node.high)
    if isinstance(node, CompareTest):
        return (node.value,)
    if isinstance(node, In):
        return (node.value, *node.tests)
    if isinstance(node, UnaryTests):
        return node.tests
    return ()


def depth(node: Node) -> int:
    """How deep the tree is (without recursion: a long chain like a + b + … + z is as deep as it is long)."""
    deepest, pending = 0, [(node, 1)]
    while pending:
        current, level = pending.pop()
        deepest = max(deepest, level)
        pending.extend((child, level + 1) for child in children(current))
    return deepest


def contains_input(node: Node) -> bool:
    """Whether `?` appears in `node`."""
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, Input):
            return True
        pending.extend(children(current))
    return False
