"""Recursive-descent parsers of the JUEL and FEEL subsets, into the tree of `syntax.py`.

Precedence, high to low. JUEL (EL 2.2): `.` `[]` · unary `-` `!` `not` `empty` · `*` `/` `div` `%`
`mod` · `+` `-` · `<` `>` `<=` `>=` `lt` `gt` `le` `ge` · `==` `!=` `eq` `ne` · `&&` `and` · `||`
`or` · `?:`. FEEL (DMN 1.3): `.` `[]` · unary `-` · `**` · `*` `/` · `+` `-` · one comparison
(`=` `!=` `<` `<=` `>` `>=` `between` `in`) · `and` · `or`.
Whatever is outside the subset is refused where it is read, naming the construct.
"""

from __future__ import annotations

from engine.expressions.errors import ExpressionRefused, refuse
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
    depth,
)
from engine.expressions.tokens import Token, tokenize

_LITERALS = {"true": True, "false": False, "null": None}
_JUEL_WORDS = frozenset({"and", "or", "not", "eq", "ne", "lt", "gt", "le", "ge", "empty", "div", "mod",
                         "instanceof", "true", "false", "null"})
_FEEL_WORDS = frozenset({"and", "or", "not", "between", "in", "true", "false", "null", "if", "then", "else", "for",
                         "some", "every", "return", "satisfies", "instance", "of", "function"})
_SPELLING = {"eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">=", "=": "==", "div": "/",
             "mod": "%", "&&": "and", "||": "or"}
_JUEL_EQUALITY = ("==", "!=", "eq", "ne")
_JUEL_RELATIONAL = ("<", ">", "<=", ">=", "lt", "gt", "le", "ge")
_FEEL_COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
# What a token the grammar does not expect most likely means, per dialect: (construct, hint).
_MISPLACED = {
    "juel": {"=": ("assignment", "JUEL compares with == (or eq)."), "+=": ("string concatenation (+=)", ""),
             "->": ("lambda", ""), ";": ("several expressions separated by ';'", ""),
             "{": ("set or map literal", ""), "&": ("single '&'", "Write && (or and)."),
             "|": ("single '|'", "Write || (or or)."), "**": ("'**' power", ""), "..": ("'..' range", "")},
    "feel": {"==": ("'==' comparison", "FEEL compares with a single '='."), "&&": ("'&&'", "FEEL writes and."),
             "||": ("'||'", "FEEL writes or."), "!": ("'!' negation", "FEEL negates with not(…)."),
             "{": ("context", ""), "%": ("'%' remainder", "FEEL has no % operator."),
             "?": ("'?' outside a unary test", ""), ":": ("':'", ""), "->": ("lambda", ""),
             ";": ("';'", ""), "+=": ("'+='", "")},
}
_MAX_NESTING = 30  # parentheses and prefix operators: each level takes ~16 Python frames to parse
_MAX_DEPTH = 100  # of the tree, which the emitter walks recursively


class Parser:
    """Reads one expression (or one DMN input entry) of `dialect` from `text`, from offset `start`."""

    def __init__(self, text: str, dialect: str, start: int = 0, *, unary_tests: bool = False) -> None:
        self.text, self.dialect, self.unary_tests = text, dialect, unary_tests
        self.subset = "feel unary test" if unary_tests else dialect
        self.tokens = tokenize(text, dialect, start, subset=self.subset)
        self.index = 0
        self.nesting = 0
        self.in_range = False  # reading a range's ends, where '[' closes the range rather than indexes

    # --- entry points -------------------------------------------------------------------------------
    def parse_expression(self) -> tuple[Node, Token]:
        """The expression, and the end token (for JUEL, its text "}" says where the ${…} closes)."""
        node = self.expression()
        if self.token.kind != "end":
            raise self.unexpected()
        return self.shallow(node), self.token

    def parse_unary_tests(self) -> UnaryTests:
        start = self.token.pos
        negated = self.at("not") and self.peek().value == "("
        if negated:
            self.advance()
            self.advance()
        tests = [self.positive_test(whole=True)]
        while self.at(","):
            self.advance()
            tests.append(self.positive_test(whole=True))
        if negated:
            self.expect(")")
        if self.token.kind != "end":
            raise self.unexpected()
        return self.shallow(UnaryTests(tuple(tests), negated, start))

    def shallow(self, node: Node) -> Node:
        if depth(node) > _MAX_DEPTH:
            raise self.refuse("The expression is nested too deeply", "nesting", node.pos)
        return node

    # --- tokens -------------------------------------------------------------------------------------
    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def at(self, *values: str) -> bool:
        return self.token.kind in ("op", "name") and self.token.value in values

    def advance(self) -> Token:
        token = self.token
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def expect(self, value: str) -> Token:
        if not self.at(value):
            raise self.unexpected(expected=value)
        return self.advance()

    def refuse(self, problem: str, construct: str, position: int | None, hint: str = "") -> ExpressionRefused:
        return refuse(problem, construct=construct, dialect=self.dialect, text=self.text, position=position,
                      hint=hint, subset=self.subset)

    def unexpected(self, expected: str = "") -> ExpressionRefused:
        token = self.token
        if token.kind == "end":
            wanted = f": '{expected}' is missing" if expected else ""
            return self.refuse(f"The expression ends too early{wanted}", "incomplete expression", token.pos)
        if token.kind == "name" and token.value in ("instanceof", "instance"):
            construct = "instanceof" if token.value == "instanceof" else "instance of"
            return self.refuse(f"'{construct}' is not supported", construct, token.pos)
        if token.kind == "op" and token.value in _MISPLACED[self.dialect]:
            construct, hint = _MISPLACED[self.dialect][token.value]
            return self.refuse(f"{construct[0].upper()}{construct[1:]} is not supported", construct, token.pos, hint)
        wanted = f" where '{expected}' was expected" if expected else ""
        return self.refuse(f"'{token.text}' is not expected here{wanted}", "syntax", token.pos)

    # --- both dialects ------------------------------------------------------------------------------
    def expression(self) -> Node:
        self.nest()
        try:
            if self.dialect == "juel":
                return self.juel_conditional()
            return self.logical("or", lambda: self.logical("and", self.feel_comparison))
        finally:
            self.nesting -= 1

    def nest(self) -> None:
        """Count one more level of parentheses or prefix operators; refuse past _MAX_NESTING."""
        self.nesting += 1
        if self.nesting > _MAX_NESTING:
            raise self.refuse("The expression is nested too deeply", "nesting", self.token.pos)

    def logical(self, word: str, operand) -> Node:
        symbol = {"or": "||", "and": "&&"}[word] if self.dialect == "juel" else word
        start = self.token.pos
        operands = [operand()]
        while self.at(word, symbol):
            self.advance()
            operands.append(operand())
        return operands[0] if len(operands) == 1 else Logical(word, tuple(operands), start)

    def binary(self, operators: tuple[str, ...], operand) -> Node:
        node = operand()
        while self.at(*operators):
            token = self.advance()
            node = Binary(_SPELLING.get(token.value, token.value), node, operand(), token.pos)
        return node

    def additive(self) -> Node:
        if self.dialect == "juel":
            return self.binary(("+", "-"), lambda: self.binary(("*", "/", "div", "%", "mod"), self.juel_unary))
        return self.binary(("+", "-"), lambda: self.binary(("*", "/"), lambda: self.binary(("**",), self.feel_unary)))

    def postfix(self) -> Node:
        start = self.token.pos
        node = self.primary()
        while self.at(".") or (self.at("[") and not self.in_range):
            token = self.advance()
            if token.value == ".":
                if self.token.kind != "name":
                    raise self.unexpected(expected="a property name")
                name = self.advance()
                node = Member(node, Literal(name.value, name.pos), token.pos)
            else:
                node = Member(node, self.index_expression(token), token.pos)
                self.expect("]")
            if self.at("("):
                called = self.text[start:self.token.pos].strip()
                construct = "method call" if self.dialect == "juel" else "function call"
                raise self.refuse(f"Calling {called}(…) is not supported", construct, start,
                                  "Write the variable's name, e.g. ${x} for execution.getVariable('x')."
                                  if self.dialect == "juel" else "")
        return node

    def index_expression(self, bracket: Token) -> Node:
        key = self.expression()
        if self.dialect == "feel":
            if isinstance(key, Literal) and isinstance(key.value, str):
                raise self.refuse("FEEL reads a context entry with a dot, not with [\"…\"]", "a[\"b\"] in FEEL",
                                  bracket.pos, "Write a.b.")
            if isinstance(key, Logical | In) or (isinstance(key, Binary) and key.op in COMPARISONS):
                raise self.refuse("Filter expressions are not supported", "filter", bracket.pos)
        return key

    def primary(self) -> Node:
        token = self.token
        if token.kind == "number":
            self.advance()
            return Literal(token.value, token.pos)
        if token.kind == "string":
            self.advance()
            return Literal(token.value, token.pos)
        if self.at("("):
            self.advance()
            in_range, self.in_range = self.in_range, False
            node = self.expression()
            self.expect(")")
            self.in_range = in_range
            return node
        if token.kind == "name":
            return self.name()
        if self.dialect == "feel" and self.at("["):
            return self.feel_list()
        if self.dialect == "feel" and self.unary_tests and self.at("?"):
            self.advance()
            return Input(token.pos)
        raise self.unexpected()

    def name(self) -> Node:
        token = self.advance()
        word = token.value
        if word in _LITERALS:
            return Literal(_LITERALS[word], token.pos)
        if word.startswith("_"):
            raise self.refuse(f"The name '{word}' starts with '_', which the engine keeps for itself",
                              "name starting with '_'", token.pos)
        if self.dialect == "juel":
            if word == "instanceof":
                raise self.refuse("instanceof is not supported", "instanceof", token.pos)
            if word in _JUEL_WORDS:
                raise self.refuse(f"'{word}' is a reserved word of JUEL, not a variable", "reserved word", token.pos)
            if self.at(":") and self.peek().kind == "name" and self.peek(2).value == "(":
                raise self.refuse(f"The function {word}:{self.peek().value}(…) is not supported",
                                  f"function '{word}:{self.peek().value}'", token.pos)
            if self.at("("):
                raise self.refuse(f"The function {word}(…) is not supported", f"function '{word}'", token.pos,
                                  "Method and function calls are not supported; write the variable's name.")
            return Name(word, token.pos)
        return self.feel_name(token)

    # --- JUEL ---------------------------------------------------------------------------------------
    def juel_conditional(self) -> Node:
        start = self.token.pos
        test = self.logical("or", lambda: self.logical(
            "and", lambda: self.binary(_JUEL_EQUALITY, lambda: self.binary(_JUEL_RELATIONAL, self.additive))))
        if not self.at("?"):
            return test
        self.advance()
        then = self.expression()
        self.expect(":")
        return Conditional(test, then, self.expression(), start)

    def juel_unary(self) -> Node:
        token = self.token
        if self.at("-", "!", "not", "empty"):
            self.advance()
            op = {"!": "not", "-": "-"}.get(token.value, token.value)
            self.nest()
            operand = self.juel_unary()
            self.nesting -= 1
            return Unary(op, operand, token.pos)
        return self.postfix()

    # --- FEEL ---------------------------------------------------------------------------------------
    def feel_comparison(self) -> Node:
        node = self.additive()
        token = self.token
        if self.at(*_FEEL_COMPARISONS):
            self.advance()
            node = Binary(_SPELLING.get(token.value, token.value), node, self.additive(), token.pos)
        elif self.at("between"):
            self.advance()
            low = self.additive()
            self.expect("and")
            node = In(node, (Interval(low, self.additive(), True, True, token.pos),), token.pos)
        elif self.at("in"):
            self.advance()
            node = In(node, self.in_tests(), token.pos)
        if self.at(*_FEEL_COMPARISONS, "between", "in"):
            raise self.refuse("Chained comparisons are not supported", "chained comparison", self.token.pos,
                              "Write a < b and b < c.")
        return node

    def feel_unary(self) -> Node:
        token = self.token
        if self.at("-"):
            self.advance()
            self.nest()
            operand = self.feel_unary()
            self.nesting -= 1
            return Unary("-", operand, token.pos)
        return self.postfix()

    def feel_name(self, token: Token) -> Node:
        word = token.value
        if word == "not":
            if not self.at("("):
                raise self.refuse("FEEL negates with the function not(…)", "'not' without parentheses", token.pos,
                                  "Write not(x).")
            self.advance()
            operand = self.expression()
            if self.at(","):
                raise self.refuse("not(…) takes one expression here", "not(…) with several arguments", token.pos)
            self.expect(")")
            return Unary("not", operand, token.pos)
        if word in ("if", "for", "some", "every"):
            raise self.refuse(f"'{word}' expressions are not supported", f"'{word}' expression", token.pos)
        if word in ("function", "instance"):
            construct = "function definition" if word == "function" else "instance of"
            raise self.refuse(f"'{construct}' is not supported", construct, token.pos)
        if word in _FEEL_WORDS:
            raise self.refuse(f"'{word}' is a reserved word of FEEL, not a variable", "reserved word", token.pos)
        words = [word]
        while self.token.kind == "name" and self.token.value not in _FEEL_WORDS:
            words.append(self.advance().value)
        if words == ["date"] and self.at("and") and self.peek().value == "time" and self.peek(2).value == "(":
            words = ["date and time"]
        if self.at("(") or words == ["date and time"]:
            function = " ".join(words)
            raise self.refuse(f"The function {function}(…) is not supported", f"function '{function}'", token.pos)
        if len(words) > 1:
            spaced = " ".join(words)
            raise self.refuse(f"Names with spaces ('{spaced}') are not supported", "name with spaces", token.pos,
                              "Rename the variable without spaces.")
        return Name(word, token.pos)

    def feel_list(self) -> Node:
        token = self.token
        if self.interval_ahead():
            raise self.refuse("A range may only follow 'in' or stand as a unary test", "range", token.pos,
                              "Write x in [1..5].")
        self.advance()
        items: list[Node] = []
        while not self.at("]"):
            items.append(self.expression())
            if not self.at(","):
                break
            self.advance()
        self.expect("]")
        return ListExpr(tuple(items), token.pos)

    def in_tests(self) -> tuple[Node, ...]:
        if self.at("(") and not self.interval_ahead():
            self.advance()
            tests = [self.positive_test(whole=False)]
            while self.at(","):
                self.advance()
                tests.append(self.positive_test(whole=False))
            self.expect(")")
            return tuple(tests)
        return (self.positive_test(whole=False),)

    def positive_test(self, *, whole: bool) -> Node:
        """One unary test: `< 10`, a range, or a value (`whole`: any expression, as in a DMN cell)."""
        token = self.token
        if self.at(*_FEEL_COMPARISONS):
            self.advance()
            return CompareTest(_SPELLING.get(token.value, token.value), self.additive(), token.pos)
        if self.at("[", "]", "(") and self.interval_ahead():
            self.advance()
            self.in_range = True
            try:
                low = self.additive()
                self.expect("..")
                high = self.additive()
            finally:
                self.in_range = False
            if not self.at("]", "[", ")"):
                raise self.unexpected(expected="]")
            close = self.advance()
            return Interval(low, high, token.value == "[", close.value == "]", token.pos)
        return self.expression() if whole else self.additive()

    def interval_ahead(self) -> bool:
        """Whether the bracket at the current token opens a range (a '..' before its end)."""
        level = 0
        for token in self.tokens[self.index + 1:]:
            if token.kind == "end" or (level == 0 and token.value == ","):
                return False
            if token.kind != "op":
                continue
            if token.value == ".." and level == 0:
                return True
            if token.value in ("(", "["):
                level += 1
            elif token.value in (")", "]"):
                if level == 0:
                    return False
                level -= 1
        return False
