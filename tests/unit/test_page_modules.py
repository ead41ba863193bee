"""A page's script starts itself last. A top-level `await` pauses the module's evaluation; the
handlers it wired before the pause can run in that moment, and a `const`, `let` or `class` declared
below the pause is not initialised yet (the designer's "Kiểm tra" failed that way with a
ReferenceError while the page was still loading its decision tables)."""

from __future__ import annotations

import re

from tests.conftest import ROOT

SCRIPTS = sorted((ROOT / "api" / "web" / "static" / "js").glob("*.js"))
TOP_LEVEL_AWAIT = re.compile(r"^(?:(?:const|let)\s+\w+\s*=\s*)?await\b")
TOP_LEVEL_DECLARATION = re.compile(r"^(?:export\s+)?(?:const|let|class)\s+(\w+)")


def late_declarations(source: str) -> list[str]:
    """The top-level declarations (column 0) that come after the module's first top-level await."""
    lines = source.splitlines()
    first = next((i for i, line in enumerate(lines) if TOP_LEVEL_AWAIT.match(line)), None)
    if first is None:
        return []
    return [f"line {i + 1}: {line}" for i, line in enumerate(lines[first + 1:], start=first + 1)
            if TOP_LEVEL_DECLARATION.match(line)]


def test_no_page_script_declares_anything_below_its_first_top_level_await():
    assert SCRIPTS
    late = {script.name: found for script in SCRIPTS if (found := late_declarations(script.read_text()))}
    assert late == {}


def test_a_declaration_below_the_start_up_is_found():
    source = 'const user = await startPage({});\nif (user) await start();\nconst upload = (x) => x;\n'
    assert late_declarations(source) == ["line 3: const upload = (x) => x;"]
    assert late_declarations("function a() {}\nconst b = 1;\nconst user = await startPage({});\n") == []
