"""A model's problems in the designer's language: every problem code has its Vietnamese and English
sentence and hint, with the element and values filled in."""

from __future__ import annotations

import re

import pytest

from api.problem_messages import CATALOGUE, render
from engine.errors import ModelInvalid
from engine.parsing import Problem, parse_model
from tests.conftest import ROOT, read_model

SOURCES = [*(ROOT / "engine" / "parsing").glob("*.py"), ROOT / "workflows" / "model_checks.py"]
EMITTED = re.compile(r'(?:\.error\(|\.warning\(|refuse\(filename, |_refuse\(problems, prop, )"([a-z_]+)"')


def emitted_codes() -> set[str]:
    return {code for path in SOURCES for code in EMITTED.findall(path.read_text(encoding="utf-8"))}


def test_the_sources_emit_the_codes_this_test_expects_to_find():
    assert {"reserved_id", "dangling_reference", "expression_refused", "model_too_deep", "task_without_role",
            "dossier_status_invalid", "xml_malformed"} <= emitted_codes()


@pytest.mark.parametrize("code", sorted(emitted_codes()))
def test_every_problem_code_has_a_vietnamese_and_an_english_sentence(code):
    assert set(CATALOGUE[code]) == {"vi", "en"}


def problems_of(content: bytes) -> list[Problem]:
    with pytest.raises(ModelInvalid) as caught:
        parse_model(content, "model.bpmn")
    return caught.value.problems


def test_a_reserved_id_reads_in_vietnamese_with_the_new_id_to_use():
    content = read_model("parallel_review.bpmn").replace(b'id="intake"', b'id="Start"').replace(
        b">intake<", b">Start<").replace(b'Ref="intake"', b'Ref="Start"')
    [problem] = [p for p in problems_of(content) if p.code == "reserved_id"]

    shown = render(problem, "vi")

    assert shown["message"] == "Mã 'Start' được hệ thống dành riêng cho các bước nội bộ của nó."
    assert shown["hint"] == "Đổi mã của phần tử, ví dụ thành 'UserTask_Start'."
    assert (shown["element"], shown["line"], shown["severity"], shown["code"]) == (
        "Start", problem.line, "error", "reserved_id")


def test_an_expression_problem_names_the_kind_of_text_and_the_languages_it_is_read_in():
    content = read_model("long_loop.bpmn").replace(b"counter &lt; target", b"counter &lt;&lt; target &lt;")
    [problem] = problems_of(content)

    vietnamese, english = render(problem, "vi"), render(problem, "en")

    assert vietnamese["message"].startswith("Phần điều kiện của 'again' không phải là Python hợp lệ")
    assert vietnamese["hint"].startswith("Điều kiện viết bằng biểu thức Python") and "JUEL" in vietnamese["hint"]
    assert english["message"] == problem.message
    assert english["hint"] == problem.hint


def test_an_expression_of_another_engine_outside_the_subset_reads_in_vietnamese():
    content = read_model("long_loop.bpmn").replace(b"counter &lt; target",
                                                   b"${execution.getVariable('counter') &lt; target}")
    [problem] = problems_of(content)

    shown = render(problem, "vi")

    assert problem.code == "expression_refused"
    assert shown["message"].startswith("Phần điều kiện của 'again' viết bằng JUEL nhưng không chuyển được")


def test_braces_in_a_hint_are_shown_as_braces():
    problem = Problem("error", "form_schema_invalid", "review", 3, "english", None,
                      {"element": "review", "detail": "x"})
    assert '{"type": "object", "properties": {...}}' in render(problem, "vi")["hint"]


def test_an_unknown_code_or_a_missing_value_falls_back_to_the_engine_s_english():
    unknown = Problem("error", "brand_new_check", "x", 1, "Something new is wrong with 'x'.", "Fix x.", {})
    incomplete = Problem("error", "reserved_id", "Start", 1, "The id 'Start' is reserved.", "Rename it.", {})

    assert render(unknown, "vi")["message"] == "Something new is wrong with 'x'."
    assert render(unknown, "vi")["hint"] == "Fix x."
    assert (render(incomplete, "vi")["message"], render(incomplete, "vi")["hint"]) == (
        "The id 'Start' is reserved.", "Rename it.")
