"""Reading .dmn files as Camunda Modeler and dmn-js write them: versions 1.1-1.3, FEEL cells translated,
and every refusal naming the rule, the column and the cell."""

from __future__ import annotations

import pytest

from engine.dmn.reading import read_decision
from engine.errors import DecisionInvalid, ModelInvalid
from tests.conftest import BPMN_MODELS
from tests.decision_tables import DMN11, DMN12, DMN13, dmn

DISHES = [(('"Fall"', "<= 8"), '"Spareribs"'), (('"Winter","Spring"', "[5..8]"), '"Stew"'), (("-", "-"), '"Salad"')]


def refusal(content: bytes) -> DecisionInvalid:
    with pytest.raises(DecisionInvalid) as caught:
        read_decision(content, "mon_an.dmn")
    assert caught.value.code == "dmn_invalid" and isinstance(caught.value, ModelInvalid)
    return caught.value


@pytest.mark.parametrize("ns, version", [(DMN11, "1.1"), (DMN12, "1.2"), (DMN13, "1.3")])
def test_a_decision_table_of_each_dmn_version_is_read_with_its_columns_and_rules(ns, version):
    parsed = read_decision(dmn(DISHES, ns=ns), "mon_an.dmn")

    assert (parsed.decision_id, parsed.name, parsed.dmn_version) == ("dish", "Decision dish", version)
    table = parsed.table
    assert (table.hit_policy, table.aggregation, table.version) == ("UNIQUE", None, None)
    assert [(c.label, c.text) for c in table.inputs] == [("Season", "season"), ("Guests", "guests")]
    assert [o.name for o in table.outputs] == ["dish"]
    assert [r.number for r in table.rules] == [1, 2, 3]


def test_feel_cells_are_translated_and_the_original_text_is_kept():
    table = read_decision(dmn(DISHES), "mon_an.dmn").table

    stew = table.rules[1]
    assert [(e.text, e.python) for e in stew.inputs] == [
        ('"Winter","Spring"', 'feel_in(?, ["Winter", "Spring"])'), ("[5..8]", "feel_between(?, 5, 8)")]
    assert [(e.text, e.python) for e in stew.outputs] == [('"Stew"', '"Stew"')]
    assert [e.python for e in table.rules[2].inputs] == [None, None]  # "-": any value
    assert table.inputs[0].python == 'feel_var("season")'


def test_the_translations_are_listed_for_the_designer_with_the_cell_ids():
    translations = read_decision(dmn(DISHES), "mon_an.dmn").translations

    by_element = {t["element"]: t for t in translations}
    assert by_element["UnaryTests_2_1"] == {"element": "UnaryTests_2_1", "kind": "unary_test", "dialect": "feel",
                                            "original": '"Winter","Spring"',
                                            "python": 'feel_in(?, ["Winter", "Spring"])'}
    assert by_element["InputExpression_1"]["python"] == 'feel_var("season")'
    assert "UnaryTests_3_1" not in by_element  # "-" needs no translation


def test_feel_literals_and_unary_tests_dmn_js_writes_are_all_read():
    rules = [(("true", "null"), "true"), (('not("a")', "]1..5["), "null"), (('"a", < 3', ">= 10"), '"x"'),
             (("", "-"), "")]
    table = read_decision(dmn(rules, hit_policy="FIRST", outputs=(("Out", "out", "string", None),)), "t.dmn").table

    assert [e.python for e in table.rules[0].outputs] == ["True"]
    assert [e.python for e in table.rules[1].outputs] == ["None"]
    assert [e.python for e in table.rules[3].outputs] == ["None"]  # an empty output entry is null
    assert [e.python for e in table.rules[3].inputs] == [None, None]


def test_the_shipped_fee_table_is_a_collect_sum_over_three_inputs():
    parsed = read_decision((BPMN_MODELS / "le_phi_ban_sao.dmn").read_bytes(), "le_phi_ban_sao.dmn")

    assert (parsed.decision_id, parsed.table.policy) == ("le_phi_ban_sao", "COLLECT SUM")
    assert [c.text for c in parsed.table.inputs] == ["so_ban_sao", "tra_cuu_phuc_tap", "nguoi_khac_de_nghi"]
    assert [o.name for o in parsed.table.outputs] == ["le_phi"]


def test_a_cell_outside_the_feel_subset_is_refused_naming_the_rule_column_and_cell():
    error = refusal(dmn([(('date("2020-01-01")', "-"), '"Salad"')]))

    assert error.details["element"] == "UnaryTests_1_1"
    assert error.message.startswith("Rule 1, input column 'Season': 'date(\"2020-01-01\")' cannot be translated")
    assert error.details["problems"][0]["code"] == "expression_refused"


def test_every_refused_cell_of_the_file_is_listed_at_once():
    error = refusal(dmn([(('date("x")', "-"), '"a"'), (("-", "[1..]"), "string length(x)")]))

    problems = error.details["problems"]
    assert [p["element"] for p in problems] == ["UnaryTests_1_1", "UnaryTests_2_2", "LiteralExpression_2_1"]
    assert "Rule 2, output 'dish'" in problems[2]["message"]
    assert "(2 more problems in the file.)" in error.message
    assert all(p["line"] for p in problems)


def test_python_cells_the_way_spiffworkflow_writes_them_are_not_run_as_python():
    error = refusal(dmn([(('in ["a", "b"]', "-"), '"a"')]))
    assert error.details["element"] == "UnaryTests_1_1"


def test_a_cell_declared_in_python_is_refused_rather_than_read_as_feel():
    content = dmn([(('"a"', "-"), '"x"')]).replace(b'<inputEntry id="UnaryTests_1_1">',
                                                  b'<inputEntry id="UnaryTests_1_1" expressionLanguage="python">')
    error = refusal(content)
    assert "declared in the expression language 'python'" in error.message


def test_a_juel_output_entry_is_translated_where_the_cell_declares_juel():
    cell = b'<outputEntry id="LiteralExpression_1_1"'
    content = dmn([(("-", "-"), "${guests * 2}")]).replace(cell, cell + b' expressionLanguage="juel"')
    table = read_decision(content, "t.dmn").table
    assert table.rules[0].outputs[0].python == 'juel_arith("*", juel_var("guests"), 2)'


POLICY = b'hitPolicy="UNIQUE"'
SECOND_DECISION = b'</decision><decision id="other"><decisionTable id="t2"/></decision>'
DTD = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]>'


@pytest.mark.parametrize("old, new, expected", [
    (DMN13.encode(), b"http://example.com/not-dmn", "not the definitions of DMN 1.1, 1.2 or 1.3"),
    (b"<text>season</text>", b"<text></text>", "has no input expression"),
    (b'name="dish"', b"", "has no name"),
    (b'name="dish"', b'name="_dish"', "is not a variable name"),
    (POLICY, b'hitPolicy="SOMETIMES"', "The hit policy 'SOMETIMES' is not one of"),
    (POLICY, b'hitPolicy="FIRST" aggregation="SUM"', "goes with the hit policy COLLECT"),
    (POLICY, b'hitPolicy="COLLECT" aggregation="AVG"', "'AVG' is not one of"),
    (b'<inputEntry id="UnaryTests_1_2"><text>-</text></inputEntry>', b"", "Rule 1 has 1 input"),
    (b"</decision>", SECOND_DECISION, "2 decisions (dish, other)"),
    (b'<?xml version="1.0" encoding="UTF-8"?>', DTD, "DTDs and entity declarations are not allowed in a DMN file"),
])
def test_what_the_engine_cannot_run_is_refused_at_deployment(old, new, expected):
    content = dmn([(("-", "-"), '"Salad"')])
    assert old in content
    assert expected in refusal(content.replace(old, new)).message


def test_a_decision_that_is_a_literal_expression_is_refused():
    content = dmn([(("-", "-"), '"Salad"')], ns=DMN12)
    start, end = content.index(b"<decisionTable"), content.index(b"</decisionTable>") + len(b"</decisionTable>")
    content = content[:start] + b'<literalExpression id="e"><text>"x"</text></literalExpression>' + content[end:]
    assert "is a literalExpression, not a decision table" in refusal(content).message


def test_a_decision_requiring_another_is_refused():
    content = dmn([(("-", "-"), '"Salad"')], ns=DMN12).replace(
        b'<decisionTable', b'<informationRequirement id="r"><requiredDecision href="#season"/></informationRequirement>'
                           b'<decisionTable')
    assert "requires another decision" in refusal(content).message


def test_priority_without_output_values_is_refused_and_with_them_a_value_outside_them_too():
    assert "no output has any" in refusal(dmn([(("-", "-"), '"a"')], hit_policy="PRIORITY")).message

    ranked = (("Dish", "dish", "string", '"Stew","Salad"'),)
    error = refusal(dmn([(("-", "-"), '"Stew"'), (("-", "-"), '"Soup"')], hit_policy="PRIORITY", outputs=ranked))
    assert error.details["element"] == "LiteralExpression_2_1"
    assert "not among the output values of 'dish'" in error.message


def test_an_aggregation_needs_one_output_column():
    two = (("A", "a", "integer", None), ("B", "b", "integer", None))
    error = refusal(dmn([(("-", "-"), ("1", "2"))], hit_policy="COLLECT", aggregation="SUM", outputs=two))
    assert "COLLECT SUM needs exactly one output column" in error.message


def test_the_schema_of_the_version_is_checked():
    content = dmn([(("-", "-"), '"Salad"')]).replace(b'<output id="Output_1"', b'<bogus/><output id="Output_1"')
    assert "does not follow the DMN 1.3 schema" in refusal(content).message


def test_a_decision_without_an_id_is_refused():
    content = dmn([(("-", "-"), '"Salad"')], ns=DMN12).replace(b'<decision id="dish"', b"<decision")
    assert "The decision has no id" in refusal(content).message
