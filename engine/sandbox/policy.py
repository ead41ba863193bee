"""The compile-time policy: what model code may be written at all, and the guard calls compiled into it.

`compile_model_code` compiles with RestrictedPython's `compile_restricted` and `_Policy`, which is
RestrictedPython's own policy made stricter (no imports, classes, `with`, `finally`, bare `except:`,
names or attributes starting with "_", frame and code attributes, `format`...) and which rewrites
what could run long or allocate much into calls of the run-time guards (guards.py): `_tick_` in every
loop, function, lambda and comprehension step; `_mul_`, `_pow_`, `_lshift_`, `_add_`, `_mod_` for
operators; `_sized_`, `_format_value_`, `_cmp_`, `_key_` and `_keys_` for what allocates, is turned
into text, compared or hashed.
"""

from __future__ import annotations

import ast
import re
import types
from functools import lru_cache

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.transformer import INSPECT_ATTRIBUTES, RestrictingNodeTransformer, copy_locations

from engine.sandbox.errors import CodeRefused

# The file name of compiled model code. SpiffWorkflow finds the line of a script error by it.
FILENAME = "<string>"

FORBIDDEN_NAMES = frozenset({
    "eval", "exec", "compile", "open", "getattr", "setattr", "delattr", "globals", "locals", "vars",
    "breakpoint", "print", "printed", "bytes", "bytearray", "memoryview",
})
DENIED_ATTRIBUTES = frozenset(INSPECT_ATTRIBUTES | {
    "format", "format_map", "mro", "add_note", "with_traceback", "func_globals", "func_code",
})
_GUARDED_BINOPS = {ast.Mult: "_mul_", ast.Pow: "_pow_", ast.LShift: "_lshift_", ast.Add: "_add_", ast.Mod: "_mod_"}
_SLICE_TARGET = "assigning to a slice is only allowed as a plain assignment ('items[a:b] = value')"


def _is_constant(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return True
    return isinstance(node, (ast.Tuple, ast.List, ast.Set)) and all(_is_constant(e) for e in node.elts)


def _is_number(node: ast.AST, *kinds: type) -> bool:
    kinds = kinds or (int, float)
    return isinstance(node, ast.Constant) and type(node.value) in kinds


def _slice_stores(target: ast.AST):
    for node in ast.walk(target):
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice) and not isinstance(node.ctx, ast.Load):
            yield node


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, stricter, and rewriting what could run long or allocate much into guard calls."""

    def _call(self, guard: str, args: list, like: ast.AST) -> ast.Call:
        call = ast.Call(func=ast.Name(guard, ast.Load()), args=args, keywords=[])
        copy_locations(call, like)
        return call

    def _tick_statement(self, like: ast.AST) -> ast.Expr:
        statement = ast.Expr(self._call("_tick_", [], like))
        copy_locations(statement, like)
        return statement

    # Names and attributes

    def check_name(self, node, name, allow_magic_methods=False):
        if name is None:
            return
        if name.startswith("_") and name != "_":
            self.error(node, f"the name '{name}' is not allowed in model code (names starting with '_' are reserved)")
        elif name in FORBIDDEN_NAMES:
            self.error(node, f"'{name}' is not available in model code")
        else:
            super().check_name(node, name, allow_magic_methods)

    def visit_Name(self, node):
        if node.id in ("print", "printed"):
            self.error(node, "'print' is not available in model code")
            return node
        return super().visit_Name(node)

    def visit_Attribute(self, node):
        if node.attr.startswith("_") or node.attr in DENIED_ATTRIBUTES:
            self.error(node, f"access to '{node.attr}' is not allowed in model code")
            return node
        return super().visit_Attribute(node)

    # Statements the sandbox does not take

    def visit_Import(self, node):
        self.error(node, "import statements are not allowed in model code "
                         "(datetime, decimal and math are there without importing)")
        return node

    visit_ImportFrom = visit_Import

    def visit_ClassDef(self, node):
        self.error(node, "class definitions are not allowed in model code")
        return node

    def visit_With(self, node):
        self.error(node, "'with' statements are not allowed in model code")
        return node

    def visit_Try(self, node):
        if node.finalbody:
            self.error(node, "'finally' is not allowed in model code")
        for handler in node.handlers:
            if handler.type is None:
                self.error(handler, "a bare 'except:' is not allowed in model code; name the exceptions to catch")
        return super().visit_Try(node)

    # Time: a check in every loop, function, lambda and comprehension step

    def visit_While(self, node):
        node = super().visit_While(node)
        node.body.insert(0, self._tick_statement(node))
        return node

    def visit_For(self, node):
        for _ in _slice_stores(node.target):
            self.error(node, _SLICE_TARGET)
        node = super().visit_For(node)
        node.body.insert(0, self._tick_statement(node))
        return node

    def visit_FunctionDef(self, node):
        node = super().visit_FunctionDef(node)
        node.body.insert(0, self._tick_statement(node))
        return node

    def visit_Lambda(self, node):
        node = super().visit_Lambda(node)
        node.body = self._call("_tick_", [node.body], node.body)
        return node

    def visit_comprehension(self, node):
        for _ in _slice_stores(node.target):
            self.error(node.target, _SLICE_TARGET)
        node = super().visit_comprehension(node)
        node.ifs.insert(0, self._call("_tick_", [ast.Constant(True)], node.iter))
        return node

    # Size: operators that allocate in one step

    def visit_BinOp(self, node):
        node = super().visit_BinOp(node)
        guard = _GUARDED_BINOPS.get(type(node.op))
        if guard is None:
            return node
        left, right = node.left, node.right
        if isinstance(node.op, ast.Add) and (isinstance(left, ast.Constant) or isinstance(right, ast.Constant)):
            return node  # grows by a constant: bounded by the time limit
        if isinstance(node.op, (ast.Mult, ast.Pow)) and (_is_number(left, float) or _is_number(right, float)):
            return node  # a float result
        if isinstance(node.op, ast.Mod) and _is_number(left):
            return node
        return self._call(guard, [left, right], node)

    def visit_Assign(self, node):
        direct = [t for t in node.targets if isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Slice)]
        for target in node.targets:
            if target not in direct and any(True for _ in _slice_stores(target)):
                self.error(node, _SLICE_TARGET)
        result = super().visit_Assign(node)
        if direct and isinstance(result, ast.Assign):
            result.value = self._call("_sized_", [result.value], result.value)
        return result

    def _sized_starred(self, elements: list) -> None:
        for element in elements:
            if isinstance(element, ast.Starred) and isinstance(element.ctx, ast.Load):
                element.value = self._call("_sized_", [element.value], element.value)

    def visit_List(self, node):
        node = super().visit_List(node)
        self._sized_starred(node.elts)
        return node

    def visit_Tuple(self, node):
        node = super().visit_Tuple(node)
        self._sized_starred(node.elts)
        return node

    def visit_Call(self, node):
        node = super().visit_Call(node)
        self._sized_starred(node.args)
        return node

    def visit_FormattedValue(self, node):
        node = super().visit_FormattedValue(node)
        spec = node.format_spec if node.format_spec is not None else ast.Constant("")
        node.value = self._call("_format_value_", [node.value, ast.Constant(node.conversion), spec], node)
        node.conversion = -1
        node.format_spec = None
        return node

    # Depth: values compared or hashed

    def visit_Compare(self, node):
        node = super().visit_Compare(node)
        operands = [node.left, *node.comparators]
        guarded = [False] * len(operands)
        for index, op in enumerate(node.ops):
            if isinstance(op, (ast.Is, ast.IsNot)):
                continue
            if not (_is_constant(operands[index]) or _is_constant(operands[index + 1])):
                guarded[index] = guarded[index + 1] = True
        operands = [self._call("_cmp_", [o], o) if g else o for o, g in zip(operands, guarded, strict=True)]
        node.left, node.comparators = operands[0], operands[1:]
        return node

    def _key(self, node: ast.AST) -> ast.AST:
        if isinstance(node, ast.Starred):  # every element becomes a key: run it out and measure it all
            node.value = self._call("_keys_", [node.value], node.value)
            return node
        return node if _is_constant(node) else self._call("_key_", [node], node)

    def visit_Dict(self, node):
        node = super().visit_Dict(node)
        node.keys = [k if k is None else self._key(k) for k in node.keys]
        return node

    def visit_Set(self, node):
        node = super().visit_Set(node)
        node.elts = [self._key(e) for e in node.elts]
        return node

    def visit_DictComp(self, node):
        node = super().visit_DictComp(node)
        node.key = self._key(node.key)
        return node

    def visit_SetComp(self, node):
        node = super().visit_SetComp(node)
        node.elt = self._key(node.elt)
        return node

    def visit_Subscript(self, node):
        node = super().visit_Subscript(node)
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice):
            node.slice = self._key(node.slice)  # a store or a delete; loads go through _getitem_
        return node


_ERROR_LINE = re.compile(r"^Line (\d+): (.*)$", re.S)


@lru_cache(maxsize=2048)
def _compiled(source: str, mode: str) -> tuple[types.CodeType | None, tuple[str, ...]]:
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compiler(source, filename=FILENAME, policy=_Policy)
    return (None if result.errors else result.code), tuple(result.errors)


def compile_model_code(source: str, mode: str = "exec") -> types.CodeType:
    """Compile model code for the sandbox: mode "eval" for an expression, "exec" for a script.

    Raises `CodeRefused` naming the first problem and its line. Compiled code is cached by text.
    """
    if mode not in ("eval", "exec"):
        raise ValueError(f"mode must be 'eval' or 'exec', not {mode!r}")
    if not isinstance(source, str):
        raise CodeRefused(f"model code must be text, not {type(source).__name__}")
    code, errors = _compiled(source, mode)
    if code is not None:
        return code
    match = _ERROR_LINE.match(errors[0])
    line, message = (int(match.group(1)), match.group(2)) if match else (None, errors[0])
    if message.startswith("SyntaxError: "):
        message = "not valid Python: " + message.removeprefix("SyntaxError: ")
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    raise CodeRefused(message, line)
