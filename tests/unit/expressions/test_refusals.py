"""What the translation refuses: every construct outside the subset, named, with its position, the
dialect it was read as, and what the subset is."""

from __future__ import annotations

import pytest

from engine.expressions import ExpressionRefused, translate

JUEL_SUBSET = "JUEL (Camunda 7 / Flowable) expressions are translated for literals, variables and dotted paths"
FEEL_SUBSET = "FEEL (Camunda 8 / DMN) expressions are translated for literals"


@pytest.mark.parametrize("text, construct, position", [
    ("${execution.getVariable('x')}", "method call", 2),
    ("${bean.check(amount)}", "method call", 2),
    ("${a[0].size()}", "method call", 2),
    ("${a} and ${b}", "composite text", 5),
    ("Amount: ${a}", "composite text", 0),
    ("${x = 1}", "assignment", 4),
    ("${fn:contains(a, 'b')}", "function 'fn:contains'", 2),
    ("${size(list)}", "function 'size'", 2),
    ("${x -> x + 1}", "lambda", 4),
    ("${x += 'a'}", "string concatenation (+=)", 4),
    ("${a; b}", "several expressions separated by ';'", 3),
    ("${x instanceof y}", "instanceof", 4),
    ("${x & y}", "single '&'", 4),
    ("${x ${y}}", "nested ${…}", 4),
    ("${x", "unterminated ${…}", 0),
    ("${}", "incomplete expression", 2),
    ("${a ? b}", "incomplete expression", 7),
    ("${and}", "reserved word", 2),
    ("${_secret}", "name starting with '_'", 2),
    ("${'unclosed}", "unterminated string", 2),
    ("${'a\\n'}", "string escape", 4),
    ("${1e999}", "number too large", 2),
    ("${a @ b}", "character '@'", 4),
])
def test_a_juel_construct_outside_the_subset_is_refused_naming_it(text, construct, position):
    with pytest.raises(ExpressionRefused) as caught:
        translate(text, kind="condition")

    refused = caught.value
    assert (refused.construct, refused.position, refused.dialect) == (construct, position, "juel")
    assert f"at character {position + 1} in '{text}'" in refused.message
    assert JUEL_SUBSET in refused.message


@pytest.mark.parametrize("text, construct, position", [
    ("= string length(x) > 0", "function 'string length'", 2),
    ('= contains(name, "a")', "function 'contains'", 2),
    ('= date and time("2026-12-01T08:00:00")', "function 'date and time'", 2),
    ("= order.total.floor()", "function call", 2),
    ("= 'single'", "single-quoted string in FEEL", 2),
    ("= if a then b else c", "'if' expression", 2),
    ("= for x in xs return x", "'for' expression", 2),
    ("= some x in xs satisfies x > 1", "'some' expression", 2),
    ("= every x in xs satisfies x > 1", "'every' expression", 2),
    ("= function(x) x", "function definition", 2),
    ("= x instance of number", "instance of", 4),
    ("= xs[item > 3]", "filter", 4),
    ('= ctx["b"]', 'a["b"] in FEEL', 5),
    ("= {a: 1}", "context", 2),
    ("= order amount > 100", "name with spaces", 2),
    ("= a == 1", "'==' comparison", 4),
    ("= a && b", "'&&'", 4),
    ("= a || b", "'||'", 4),
    ("= !a", "'!' negation", 2),
    ("= not a", "'not' without parentheses", 2),
    ("= not(a, b)", "not(…) with several arguments", 2),
    ("= 1 < x < 5", "chained comparison", 8),
    ("= x % 2", "'%' remainder", 4),
    ("= ? > 1", "'?' outside a unary test", 2),
    ("= [1..5]", "range", 2),
    ("= between", "reserved word", 2),
    ('= "yes"', "constant condition", 2),
    ("= 5", "constant condition", 2),
    ("= -1", "constant condition", 2),
    ("= [true]", "constant condition", 2),
    ("= _x", "name starting with '_'", 2),
    ('= "\\q"', "string escape", 3),
    ("=", "incomplete expression", 1),
])
def test_a_feel_construct_outside_the_subset_is_refused_naming_it(text, construct, position):
    with pytest.raises(ExpressionRefused) as caught:
        translate(text, kind="condition")

    refused = caught.value
    assert (refused.construct, refused.position, refused.dialect) == (construct, position, "feel")
    assert FEEL_SUBSET in refused.message


def test_a_method_call_refusal_says_what_to_write_instead():
    with pytest.raises(ExpressionRefused) as caught:
        translate("${execution.getVariable('x')}", kind="condition")

    message = caught.value.message
    assert message.startswith("Calling execution.getVariable(…) is not supported at character 3 in "
                              "'${execution.getVariable('x')}'. Write the variable's name, e.g. ${x}")
    assert "method and function calls" in message


@pytest.mark.parametrize("text, hint", [
    ("${x = 1}", "JUEL compares with == (or eq)."),
    ("= a == 1", "FEEL compares with a single '='."),
    ("= 'single'", "Write \"text\" instead of 'text'."),
    ("= !a", "FEEL negates with not(…)."),
    ("${a} and ${b}", "Write one expression, e.g. ${a && b}."),
])
def test_a_refusal_hints_at_the_dialects_own_way(text, hint):
    with pytest.raises(ExpressionRefused) as caught:
        translate(text, kind="condition")

    assert hint in caught.value.message


def test_a_text_the_juel_language_attribute_names_must_be_inside_dollar_braces():
    with pytest.raises(ExpressionRefused) as caught:
        translate("amount > 1000", kind="condition", language="juel")

    assert caught.value.construct == "text outside ${…}"


@pytest.mark.parametrize("text", [
    "${" + "(" * 500 + "1" + ")" * 500 + "}",
    "${" + "!" * 2000 + "a}",
    "= " + "-" * 2000 + "1",
    "${" + " + ".join(["a"] * 2000) + "}",
    "= " + " and ".join(["a"] * 50) + " and " + " + ".join(["b"] * 2000) + " > 1",
])
def test_a_deeply_nested_expression_is_refused_not_a_crash(text):
    with pytest.raises(ExpressionRefused) as caught:
        translate(text, kind="value")

    assert caught.value.construct == "nesting"


def test_nesting_as_deep_as_real_models_go_is_translated():
    text = "${" + "(" * 25 + "a" + ")" * 25 + " && " + " + ".join(["b"] * 90) + " > 1}"

    assert translate(text, kind="condition").python.startswith('juel_bool(juel_var("a")) and')
