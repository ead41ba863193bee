"""DMN input entries (FEEL unary tests): translated into SpiffWorkflow's cell form, Python with '?' for the
input's value, and matched by SpiffWorkflow's own DMN engine running the engine's sandbox."""

from __future__ import annotations

import pytest

from engine.expressions import ExpressionRefused, translate
from tests.unit.expressions.running import FEEL, cell_matches


def cell(text: str) -> str:
    return translate(text, kind="unary_test", language=FEEL).python


@pytest.mark.parametrize("text, python", [
    ('"a","b"', 'feel_in(?, ["a", "b"])'),
    ('not("a")', 'feel_not(feel_cmp("==", ?, "a"))'),
    (">= 10", 'feel_cmp(">=", ?, 10)'),
    ("[1..5]", "feel_between(?, 1, 5)"),
    ("]1..5[", "feel_between(?, 1, 5, False, False)"),
    ("-", "-"),
    ("", "-"),
    ('"x"', 'feel_cmp("==", ?, "x")'),
    ("null", 'feel_cmp("==", ?, None)'),
    ('"a", < 3', 'feel_or(feel_cmp("==", ?, "a"), feel_cmp("<", ?, 3))'),
    ("? > 2 and ? < 5", 'feel_and(feel_cmp(">", ?, 2), feel_cmp("<", ?, 5))'),
    ('"it\'s?"', 'feel_cmp("==", ?, "it\\x27s\\x3f")'),
])
def test_an_input_entry_translates_to_a_cell_with_the_input_placeholder(text, python):
    assert cell(text) == python


@pytest.mark.parametrize("text, value, expected", [
    ('"a","b"', "a", True),
    ('"a","b"', "b", True),
    ('"a","b"', "c", False),
    ('"Winter", "Spring"', "Winter", True),
    ('not("a")', "b", True),
    ('not("a")', "a", False),
    ('not("a", "b")', "b", False),
    ('not("a")', 1, False),  # not(null): no match
    (">= 10", 10, True),
    (">= 10", 9.5, False),
    (">= 10", "10", False),  # a string is not a number: null, no match
    (">= 10", None, False),
    ("< 10", 3, True),
    ("[1..5]", 1, True),
    ("[1..5]", 5, True),
    ("[1..5]", 6, False),
    ("]1..5[", 1, False),
    ("(1..5)", 3, True),
    ("(1..5)", 5, False),
    ("[1..5[", 5, False),
    ("-", "anything", True),
    ("-", None, True),
    ("", 42, True),
    ('"x"', "x", True),
    ('"x"', "X", False),
    ("10", 10.0, True),
    ("-5", -5, True),
    ("true", True, True),
    ("true", "true", False),
    ("null", None, True),
    ("null", 0, False),
    ('"a", < 3', 2, True),
    ('"a", < 3', "a", True),
    ('"a", < 3', 5, False),
    ("[1, 2]", 2, True),
    ("? > 2 and ? < 5", 3, True),
    ("? > 2 and ? < 5", 7, False),
    ("? * 2 = 8", 4, True),
    ("?", True, True),
    ("?", "yes", False),
    ('"it\'s?"', "it's?", True),
    ('"say \\"hi\\""', 'say "hi"', True),
    ('"a,b"', "a,b", True),
    ("< limit", 3, True),
    ("limit", 5, True),
    ("allowed", "b", True),
])
def test_spiffworkflows_dmn_engine_matches_the_input_as_feel_would(text, value, expected):
    assert cell_matches(text, value, {"limit": 5, "allowed": ["a", "b"]}) is expected


def test_the_input_expression_of_a_table_is_a_feel_value_translated_like_any_other():
    assert translate("order.amount", kind="value", language=FEEL).python == \
        'feel_get(feel_var("order"), "amount")'


def test_a_python_cell_written_for_spiffworkflow_is_kept_as_written():
    translation = translate("4 < ? < 6", kind="unary_test")

    assert (translation.dialect, translation.python) == ("python", "4 < ? < 6")


def test_a_juel_input_entry_is_refused():
    with pytest.raises(ExpressionRefused) as caught:
        translate("${cellInput == 'a'}", kind="unary_test")

    assert caught.value.construct == "JUEL input entry"


@pytest.mark.parametrize("text, construct", [
    ('< date("2020-01-01")', "function 'date'"),
    ('date("2020-01-01")', "function 'date'"),
    ('[date("2020-01-01")..date("2020-12-31")]', "function 'date'"),
    ('"a",', "incomplete expression"),
    ("'a'", "single-quoted string in FEEL"),
    ("[1..5", "incomplete expression"),
    ("1 2", "syntax"),
])
def test_an_input_entry_outside_the_subset_is_refused_naming_the_construct(text, construct):
    with pytest.raises(ExpressionRefused) as caught:
        cell(text)

    assert caught.value.construct == construct
    assert "FEEL unary tests (DMN input entries) are translated for" in caught.value.message
