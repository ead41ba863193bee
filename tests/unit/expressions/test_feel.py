"""FEEL (Camunda 8) expressions after a leading '=': what they translate to, and what the translation
gives in the sandbox, with FEEL's three-valued logic (null where types do not match or a path is missing)."""

from __future__ import annotations

import pytest

from engine.expressions import translate
from tests.unit.expressions.running import run

DATA = {"progress": "in bed", "amount": 5000, "urgent": False, "approved": True, "x": 3, "score": 7,
        "order": {"total": 150, "customer": {"vip": True}}, "items": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}],
        "nothing": None, "name": "An", "tags": ["a", "b"], "count": "5"}


@pytest.mark.parametrize("text, python", [
    ('= progress = "in bed"', 'feel_cmp("==", feel_var("progress"), "in bed")'),
    ("= amount > 1000 and not(urgent)",
     'feel_and(feel_cmp(">", feel_var("amount"), 1000), feel_not(feel_var("urgent")))'),
    ("= x in [1..5]", 'feel_between(feel_var("x"), 1, 5)'),
    ("= x in ]1..5[", 'feel_between(feel_var("x"), 1, 5, False, False)'),
    ("= score between 1 and 10", 'feel_between(feel_var("score"), 1, 10)'),
    ("= order.missing = null", 'feel_cmp("==", feel_get(feel_var("order"), "missing"), None)'),
    ("= approved", 'feel_var("approved") is True'),
    ('= x in (1, 2, "a")', 'feel_in(feel_var("x"), [1, 2, "a"])'),
    ("= a or b or c", 'feel_or(feel_var("a"), feel_var("b"), feel_var("c"))'),
])
def test_a_condition_translates_to_python_the_designer_can_read(text, python):
    assert translate(text, kind="condition").python == python


@pytest.mark.parametrize("text, expected", [
    ('= progress = "in bed"', True),
    ('= progress != "in bed"', False),
    ("= amount > 1000 and not(urgent)", True),
    ("= amount > 1000 and urgent", False),
    ("= amount < 1000 or approved", True),
    ("= x in [1..5]", True),
    ("= x in [3..5]", True),
    ("= x in ]3..5]", False),
    ("= x in (3..5]", False),
    ("= x in [1..3[", False),
    ("= x in [1..3)", False),
    ("= x in (1, 2, 3)", True),
    ("= x in [1, 2]", False),
    ("= x in < 4", True),
    ('= name in ("An", "Binh")', True),
    ("= score between 1 and 10", True),
    ("= score between 8 and 10", False),
    ("= order.missing = null", True),
    ("= order.missing.deeper = null", True),
    ("= missing = null", True),
    ("= nothing != null", False),
    ("= order.total >= 100 and order.customer.vip", True),
    ("= items[1].sku = \"A\"", True),
    ("= items[-1].qty = 2", True),
    ("= items[3] = null", True),
    ('= items.sku = ["A", "B"]', True),
    ("= tags = [\"a\", \"b\"]", True),
    ("= (amount + 1000) * 2 > 10000", True),
    ("= 2 ** 10 = 1024", True),
    ("= 10 / 4 = 2.5", True),
    ('= name + "!" = "An!"', True),
    ("= -x < 0", True),
    ("= true", True),
])
def test_a_condition_gives_what_camunda_8_gives(text, expected):
    assert run(text, "condition", DATA) is expected


@pytest.mark.parametrize("text", [
    "= count > 1",  # a string compared with a number: null
    "= count = 5",
    "= missing > 3",  # null compared: null
    "= missing",  # a missing variable is null
    "= nothing",
    "= amount",  # not a boolean: the flow is not taken
    "= name",
    "= not(amount)",
    "= missing > 3 and approved",  # null and true: null
    "= null",
])
def test_only_true_takes_the_flow_null_and_other_values_do_not(text):
    assert run(text, "condition", DATA) in (False, None)


@pytest.mark.parametrize("text, expected", [
    ("= missing > 3 or approved", True),  # null or true: true
    ("= missing > 3 and urgent", False),  # null and false: false
    ("= not(missing > 3)", None),
    ("= missing > 3 or urgent", None),
    ("= count = 5", None),
    ('= 1 + "a"', None),
    ("= 1 / 0", None),
    ("= amount + missing", None),
    ("= items[0]", None),
])
def test_three_valued_logic_and_null_on_mismatched_types(text, expected):
    assert run(text, "value", DATA) is expected


@pytest.mark.parametrize("text, expected", [
    ("= amount * 2", 10000),
    ("= amount / 1000", 5),
    ("= 7 / 2", 3.5),
    ('= "Xin " + name', "Xin An"),
    ('= "a\\"b\\\\c\\n\\u00e9"', 'a"b\\c\né'),
    ("= order.total", 150),
    ("= order", {"total": 150, "customer": {"vip": True}}),
    ("= [1, x, \"y\"]", [1, 3, "y"]),
    ("= -2 ** 2", 4),  # FEEL's negation binds tighter than **
    ("= 2 ** -1", 0.5),
    ("= 1.5", 1.5),
    ("= duration", "PT4H"),
    ("= items[position].sku", "B"),
])
def test_a_value_gives_what_the_expression_computes(text, expected):
    value = run(text, "value", {**DATA, "duration": "PT4H", "position": 2.0})
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("text, data", [
    ("= class", {"class": True}),
    ("= continue", {"continue": True}),
    ("= from = 1", {"from": 1}),
    ("= sum > 0", {"sum": 1}),
    ("= deadline", {"deadline": True}),
])
def test_a_variable_named_like_a_python_keyword_or_builtin_is_read_from_the_data(text, data):
    assert run(text, "condition", data) is True


@pytest.mark.parametrize("word, value", [("true", True), ("false", False), ("null", None)])
def test_true_false_and_null_are_literals_never_variables(word, value):
    assert run(f"= {word}", "value", {word: "a variable"}) is value
