"""The escape catalogue: code that tries to get out of the sandbox, exhaust it, or outlive its stop,
with the error and message each must be refused with. test_escapes.py runs each one; test_compile_policy.py
checks that those the compiler refuses are refused before they run."""

from __future__ import annotations

import pytest

from engine.sandbox import (
    AccessRefused,
    CodeRefused,
    Limits,
    MemoryLimitExceeded,
    Sandbox,
    TimeLimitExceeded,
)

SANDBOX = Sandbox(Limits(time=0.25))
# The memory attempts run with a time limit they cannot reach first on a loaded machine: each must be
# stopped by the memory check it names, whatever the machine's speed.
MEMORY_SANDBOX = Sandbox(Limits(time=60))
DOSSIER = {
    "dossier": {"code": "HS-2026-001", "status": "received", "documents": ["don.pdf", "bang.pdf"]},
    "check_result": "complete",
    "x": 1,
    "notes": ["nhận hồ sơ"],
}


def run(mode: str, code: str, data: dict, sandbox: Sandbox = SANDBOX, helpers: dict | None = None):
    if mode == "eval":
        return sandbox.evaluate(code, data, helpers)
    return sandbox.execute(code, data, helpers)


def refusal(kind, fragment):
    return kind, fragment


ESCAPES = [
    # Imports, and the builtins that open the way out
    pytest.param("exec", 'import os\nos.system("id")', *refusal(CodeRefused, "import statements"), id="import os"),
    pytest.param("exec", 'import subprocess\nsubprocess.run(["id"])', *refusal(CodeRefused, "import statements"),
                 id="import subprocess"),
    pytest.param("exec", "from sys import modules", *refusal(CodeRefused, "import statements"), id="from sys import"),
    pytest.param("eval", '__import__("os").system("id")', *refusal(CodeRefused, "'__import__' is not allowed"),
                 id="__import__"),
    pytest.param("eval", 'open("/etc/passwd").read()', *refusal(CodeRefused, "'open' is not available"), id="open"),
    pytest.param("eval", 'eval("1 + 1")', *refusal(CodeRefused, "Eval calls are not allowed"), id="eval"),
    pytest.param("exec", 'exec("import os")', *refusal(CodeRefused, "Exec calls are not allowed"), id="exec"),
    pytest.param("eval", 'compile("1", "<s>", "eval")', *refusal(CodeRefused, "'compile' is not available"),
                 id="compile"),
    pytest.param("eval", '__builtins__["open"]', *refusal(CodeRefused, "'__builtins__' is not allowed"),
                 id="__builtins__"),
    pytest.param("eval", '_getattr_(x, "__class__")', *refusal(CodeRefused, "'_getattr_' is not allowed"),
                 id="a guard's own name"),
    # Dunder walks and attribute tricks
    pytest.param("eval", "().__class__.__mro__[1].__subclasses__()", *refusal(CodeRefused, "is not allowed"),
                 id="().__class__.__mro__ walk"),
    pytest.param("eval", 'getattr((), "__cl" + "ass__")', *refusal(CodeRefused, "'getattr' is not available"),
                 id="getattr with a computed name"),
    pytest.param("eval", '"{0.__class__}".format(x)', *refusal(CodeRefused, "access to 'format'"),
                 id="str.format attribute walk"),
    pytest.param("eval", '"{v.__class__}".format_map({"v": x})', *refusal(CodeRefused, "access to 'format_map'"),
                 id="str.format_map attribute walk"),
    pytest.param("eval", 'f"{x.__class__.__mro__}"', *refusal(CodeRefused, "access to '__mro__'"),
                 id="f-string attribute walk"),
    pytest.param("eval", "(y for y in []).gi_frame.f_back.f_globals", *refusal(CodeRefused, "access to 'f_globals'"),
                 id="generator frame walk"),
    pytest.param("eval", "(y for y in []).gi_code", *refusal(CodeRefused, "access to 'gi_code'"),
                 id="generator code object"),
    pytest.param("eval", "(lambda: 0).__globals__", *refusal(CodeRefused, "access to '__globals__'"),
                 id="function globals"),
    pytest.param("exec", "try:\n    1 / 0\nexcept ZeroDivisionError as error:\n    frame = error.__traceback__",
                 *refusal(CodeRefused, "access to '__traceback__'"), id="traceback frames"),
    pytest.param("eval", "datetime.datetime.mro()", *refusal(CodeRefused, "access to 'mro'"), id="mro of a class"),
    pytest.param("eval", 'datetime.sys.modules["os"]', *refusal(AccessRefused, "'datetime.sys' is not available"),
                 id="the datetime module's sys"),
    pytest.param("exec", "math.pi = 3", *refusal(AccessRefused, "changing the module 'math'"),
                 id="changing a module"),
    pytest.param("exec", "class Escape:\n    pass", *refusal(CodeRefused, "class definitions"), id="a class"),
    pytest.param("exec", "with x:\n    pass", *refusal(CodeRefused, "'with' statements"), id="a with statement"),
    pytest.param("eval", "list(iter(float, 1.0))", *refusal(AccessRefused, "sentinel"),
                 id="an endless C iterator"),
    # Huge allocations, refused before they happen
    pytest.param("eval", '"x" * 10**10', *refusal(
        MemoryLimitExceeded, "an allocation of 10000000000 items is over the limit of 1000000"), id="a huge string"),
    pytest.param("eval", "[0] * 10**9", *refusal(
        MemoryLimitExceeded, "an allocation of 1000000000 items is over the limit of 1000000"), id="a huge list"),
    pytest.param("eval", "10**10**10", *refusal(MemoryLimitExceeded, "bits is over the limit of 10000 bits"),
                 id="a huge power"),
    pytest.param("eval", "1 << 10**10", *refusal(MemoryLimitExceeded, "bits is over the limit"), id="a huge shift"),
    pytest.param("eval", "pow(7, 10**9)", *refusal(MemoryLimitExceeded, "bits is over the limit"),
                 id="a huge pow()"),
    pytest.param("eval", "list(range(10**12))", *refusal(
        MemoryLimitExceeded, "a range of 1000000000000 items is over the limit"), id="range materialised"),
    pytest.param("eval", '"x".ljust(10**10)', *refusal(MemoryLimitExceeded, "10000000000 items"),
                 id="str padding"),
    pytest.param("eval", 'f"{x:>10000000000}"', *refusal(MemoryLimitExceeded, "a formatted text"),
                 id="f-string width"),
    pytest.param("eval", '"%10000000000d" % x', *refusal(MemoryLimitExceeded, "a formatted text"),
                 id="printf width"),
    pytest.param("eval", '",".join(["x" * 10**5] * 10**4)', *refusal(MemoryLimitExceeded, "over the limit"),
                 id="str.join of many big strings"),
    pytest.param("eval", '(1).to_bytes(10**10, "big")', *refusal(MemoryLimitExceeded, "10000000000 items"),
                 id="int.to_bytes"),
    pytest.param("eval", "math.factorial(10**6)", *refusal(MemoryLimitExceeded, "bits is over the limit"),
                 id="math.factorial"),
    pytest.param("eval", 'int(decimal.Decimal("1e999999"))', *refusal(MemoryLimitExceeded, "bits is over the limit"),
                 id="a Decimal turned into a huge integer"),
    pytest.param("exec", "items = [0]\nfor i in range(40):\n    items[len(items):] = items",
                 *refusal(MemoryLimitExceeded, "over the limit"), id="slice assignment doubling"),
    pytest.param("exec", "items = [0]\nfor i in range(40):\n    items = [*items, *items]",
                 *refusal(MemoryLimitExceeded, "over the limit"), id="starred unpacking doubling"),
    # Shared references that explode when turned into text, hashed or stored
    pytest.param("exec", "a = [0] * 1000\nb = [a] * 1000\nc = [b] * 1000\ntext = str(c)",
                 *refusal(MemoryLimitExceeded, "a value turned into text is too large"), id="str of shared lists"),
    pytest.param("exec", "a = (0,)\nfor i in range(60):\n    a = (a, a)\nkeys = {a: 1}",
                 *refusal(MemoryLimitExceeded, "a key is too large"), id="hashing a doubled tuple"),
    pytest.param("exec", "a = [0]\nfor i in range(60):\n    a = [a, a]",
                 *refusal(MemoryLimitExceeded, "'a' is too large"), id="a doubled list left in the task data"),
    pytest.param("exec", "a = (0,)\nb = (0,)\nfor i in range(60):\n    a = (a, a)\n    b = (b, b)\nsame = a == b",
                 *refusal(MemoryLimitExceeded, "a compared value is too large"), id="comparing doubled tuples"),
    pytest.param("exec", "a = (0,)\nfor i in range(60):\n    a = (a, a)\nkeys = {*(a for i in range(2))}",
                 *refusal(MemoryLimitExceeded, "is too large"), id="a set of generated doubled tuples"),
    pytest.param("exec", "a = [0] * 1000\nb = [a] * 1000\nc = [b] * 1000\ntext = str(object=c)",
                 *refusal(MemoryLimitExceeded, "a value turned into text is too large"),
                 id="str() with a keyword argument"),
    pytest.param("exec", "a = []\na.append(a)", *refusal(MemoryLimitExceeded, "'a' contains itself"),
                 id="a list that contains itself"),
    pytest.param("eval", 'format(decimal.Decimal("1e999999999"), "f")', *refusal(MemoryLimitExceeded, "too large"),
                 id="a Decimal written out in full"),
    pytest.param("eval", "sum([[1]] * 10**5, [])", *refusal(AccessRefused, "sum() adds numbers"),
                 id="sum() of lists"),
    pytest.param("exec", "try:\n    str.nope\nexcept AttributeError as error:\n    real = error.obj",
                 *refusal(AccessRefused, "access to 'obj'"), id="the real type behind a guarded builtin"),
    # Endless work
    pytest.param("exec", "while True: pass", *refusal(TimeLimitExceeded, "the script ran longer than 0.25 s"),
                 id="while True pass"),
    pytest.param("exec", "while True:\n    try:\n        while True: pass\n    except Exception:\n        pass",
                 *refusal(TimeLimitExceeded, "ran longer than"), id="a loop that catches the stop"),
    pytest.param("exec", "try:\n    x = 1\nfinally:\n    while True: pass", *refusal(CodeRefused, "'finally'"),
                 id="a finally block that outlives the stop"),
    pytest.param("exec", "try:\n    pass\nexcept:\n    pass", *refusal(CodeRefused, "bare 'except:'"),
                 id="a bare except"),
    pytest.param("exec", "def f(n):\n    return n and f(n - 1) + f(n - 1)\nf(200)",
                 *refusal(TimeLimitExceeded, "ran longer than"), id="exponential recursion"),
    pytest.param("eval", "sum(1 for a in range(10**6) for b in range(10**6))",
                 *refusal(TimeLimitExceeded, "the expression ran longer than"), id="a nested comprehension"),
]
