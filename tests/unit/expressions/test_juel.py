"""JUEL (Camunda 7 / Flowable) expressions: what they translate to, and what the translation gives in the
sandbox, with EL's coercions (form data often arrives as strings)."""

from __future__ import annotations

import pytest

from engine.expressions import ExpressionFailed, translate
from tests.unit.expressions.running import evaluate, run

FORM = {"approved": True, "urgent": False, "amount": 5000, "x": "Reject", "docs": [], "n": 4,
        "order": {"total": 150, "customer": {"vip": True}, "lines": [{"sku": "A"}, {"sku": "B"}]},
        "a": {"b": "c"}, "nothing": None, "text": "", "flag": "false", "yes": "TRUE", "count": "1"}


@pytest.mark.parametrize("text, python", [
    ("${approved}", 'juel_bool(juel_var("approved"))'),
    ("${!approved}", 'not juel_bool(juel_var("approved"))'),
    ("#{amount > 1000 && !urgent}", 'juel_cmp(">", juel_var("amount"), 1000) and not juel_bool(juel_var("urgent"))'),
    ("${x == 'Reject'}", 'juel_cmp("==", juel_var("x"), "Reject")'),
    ("${empty docs}", 'juel_empty(juel_var("docs"))'),
    ("${order.total gt 100}", 'juel_cmp(">", juel_get(juel_var("order"), "total"), 100)'),
    ("${a['b'] eq \"c\"}", 'juel_cmp("==", juel_get(juel_var("a"), "b"), "c")'),
    ("${n % 2 == 0}", 'juel_cmp("==", juel_arith("%", juel_var("n"), 2), 0)'),
    ("${a || b && c}", 'juel_bool(juel_var("a")) or (juel_bool(juel_var("b")) and juel_bool(juel_var("c")))'),
    ("${x == -2}", 'juel_cmp("==", juel_var("x"), -2)'),
])
def test_a_condition_translates_to_python_the_designer_can_read(text, python):
    assert translate(text, kind="condition").python == python


@pytest.mark.parametrize("text, expected", [
    ("${approved}", True),
    ("${!approved}", False),
    ("#{amount > 1000 && !urgent}", True),
    ("${amount > 1000 and not urgent}", True),
    ("${amount < 1000 || urgent}", False),
    ("${amount lt 1000 or approved}", True),
    ("${x == 'Reject'}", True),
    ("${x ne \"Reject\"}", False),
    ("${empty docs}", True),
    ("${not empty docs}", False),
    ("${empty text}", True),
    ("${empty nothing}", True),
    ("${empty x}", False),
    ("${empty order}", False),
    ("${order.total gt 100}", True),
    ("${order.total le 150 && order.total ge 150}", True),
    ("${order.customer.vip}", True),
    ("${order.lines[1].sku == 'B'}", True),
    ("${order.lines[5] == null}", True),
    ("${order['missing'] == null}", True),
    ("${order.missing.deeper == null}", True),
    ("${a['b'] eq \"c\"}", True),
    ("${n % 2 == 0}", True),
    ("${n mod 3 == 1}", True),
    ("${n div 8 == 0.5}", True),
    ("${(amount + 1000) * 2 > 10000}", True),
    ("${nothing == null}", True),
    ("${nothing != null}", False),
    ("${true}", True),
    ("${false || null}", False),
    ("  ${approved}  ", True),
])
def test_a_condition_gives_the_boolean_camunda_7_would(text, expected):
    assert run(text, "condition", FORM) is expected


@pytest.mark.parametrize("text, data, expected", [
    ("${approved == true}", {"approved": "true"}, True),
    ("${approved == true}", {"approved": "false"}, False),
    ("${approved}", {"approved": "true"}, True),
    ("${approved}", {"approved": "TRUE"}, True),
    ("${approved}", {"approved": "false"}, False),
    ("${approved}", {"approved": "yes"}, False),
    ("${approved}", {"approved": ""}, False),
    ("${approved}", {"approved": None}, False),
    ("${!approved}", {"approved": "false"}, True),
    ("${x == 1}", {"x": "1"}, True),
    ("${x == '1'}", {"x": 1}, True),
    ("${x == 1}", {"x": 1.0}, True),
    ("${x == 0}", {"x": ""}, True),
    ("${x > 5}", {"x": "10"}, True),
    ("${x > '5'}", {"x": "10"}, False),
    ("${x <= y}", {"x": None, "y": None}, True),
    ("${x < 1}", {"x": None}, False),
    ("${x == y}", {"x": None, "y": 0}, False),
    ("${x == y}", {"x": [1, {"a": 2}], "y": [1, {"a": 2}]}, True),
])
def test_el_coerces_strings_numbers_and_booleans_as_camunda_7_does(text, data, expected):
    assert run(text, "condition", data) is expected


@pytest.mark.parametrize("text, data, expected", [
    ("${amount > 1000 ? 'big' : 'small'}", {"amount": 5000}, "big"),
    ("${amount > 1000 ? 'big' : 'small'}", {"amount": 10}, "small"),
    ("${approved ? (vip ? 1 : 2) : 3}", {"approved": True, "vip": False}, 2),
    ("${itemCount}", {"itemCount": 3}, 3),
    ("${dueDate}", {"dueDate": "2026-12-01T08:00:00+07:00"}, "2026-12-01T08:00:00+07:00"),
    ("${-x + 10}", {"x": 3}, 7),
    ("${x + 1}", {"x": "2"}, 3),
    ("${x + 1}", {"x": "2.5"}, 3.5),
    ("${x / 4}", {"x": 10}, 2.5),
    ("${x / 5}", {"x": 10}, 2.0),
    ("${-7 % 2}", {}, -1),
    ("${7 mod -2}", {}, 1),
    ("${null + null}", {}, 0),
    ("${1e3}", {}, 1000.0),
    ("${'it\\'s'}", {}, "it's"),
    ('${"say \\"hi\\" \\\\ "}', {}, 'say "hi" \\ '),
    ("${order.lines[0]}", {"order": {"lines": ["first"]}}, "first"),
    ("${order.lines['0']}", {"order": {"lines": ["first"]}}, "first"),
    ("${lines[i]}", {"lines": ["a", "b"], "i": 1.0}, "b"),
])
def test_a_value_gives_what_the_expression_computes(text, data, expected):
    value = run(text, "value", data)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("text, data", [
    ("${continue}", {"continue": True}),
    ("${class == 'A'}", {"class": "A"}),
    ("${from == 1}", {"from": 1}),
    ("${lambda}", {"lambda": "true"}),
    ("${min > 0}", {"min": 1}),
    ("${deadline}", {"deadline": True}),
    ("${duyệt}", {"duyệt": True}),
    ("${$price > 0}", {"$price": 1}),
])
def test_a_variable_named_like_a_python_keyword_builtin_or_helper_is_read_from_the_data(text, data):
    assert run(text, "condition", data) is True


@pytest.mark.parametrize("word, value", [("true", True), ("false", False), ("null", None)])
def test_true_false_and_null_are_literals_never_variables(word, value):
    assert run(f"${{{word}}}", "value", {word: "a variable"}) is value


def test_dollar_and_hash_braces_mean_the_same():
    assert translate("#{a > 1}", kind="condition").python == translate("${a > 1}", kind="condition").python


def test_an_unknown_variable_fails_naming_it_as_camunda_does():
    with pytest.raises(ExpressionFailed, match="Unknown property used in expression: amount"):
        run("${amount > 1000}", "condition", {})


@pytest.mark.parametrize("text, data, message", [
    ("${amount}", {"amount": 5000}, "cannot coerce 5000 to a boolean"),
    ("${x == 1}", {"x": "abc"}, "cannot coerce 'abc' to a number"),
    ("${x.y}", {"x": "text"}, "cannot read the property 'y' of 'text'"),
    ("${x / 0}", {"x": 1}, "division by zero"),
    ("${x % 0}", {"x": 1}, "remainder of a division by zero"),
    ("${x < y}", {"x": [1], "y": [2]}, "cannot order a list and a list"),
])
def test_what_el_cannot_coerce_fails_with_a_clear_message(text, data, message):
    kind = "value" if "/" in text or "%" in text or "." in text else "condition"
    with pytest.raises(ExpressionFailed, match=message):
        run(text, kind, data)


def test_names_starting_with_an_underscore_are_hidden_from_the_helpers_as_from_the_sandbox():
    with pytest.raises(ExpressionFailed, match="Unknown property"):
        evaluate('juel_var("_internal")', {"_internal": True})
