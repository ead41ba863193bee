"""Every hit policy and aggregation, run by a business rule task whose spec went through JSON as a
deployed version's does: the table (policy, aggregation, output values) survives the round trip."""

from __future__ import annotations

import json

import pytest

from engine.dmn.model import DecisionTable
from engine.dmn.reading import read_decision
from engine.errors import ExecutionFailed
from engine.parsing import parse_model
from engine.serialization import spec_from_json, spec_to_json
from tests.decision_tables import DMN12, bpmn_calling, dmn, lookup_of, run_decision

# "Winter, 5 guests" matches rule 2 (Roastbeef) and the catch-all rule 5 (Salad).
DISHES = [(('"Fall"', "<= 8"), '"Spareribs"'), (('"Winter"', "<= 8"), '"Roastbeef"'),
          (('"Spring"', "<= 4"), '"Dry Aged Gourmet Steak"'), (('"Spring"', "> 4"), '"Stew"'), (("-", "-"), '"Salad"')]
WINTER = {"season": "Winter", "guests": 5}
RANKED = (("Dish", "dish", "string", '"Stew","Salad","Roastbeef","Spareribs","Dry Aged Gourmet Steak"'),)


def decide(rules=DISHES, data=WINTER, **table) -> dict:
    return run_decision(dmn(rules, **table), data)


def failure(rules=DISHES, data=WINTER, **table) -> ExecutionFailed:
    with pytest.raises(ExecutionFailed) as caught:
        decide(rules, data, **table)
    assert caught.value.details["element"] == "decide"
    return caught.value


def test_unique_with_one_matching_rule_gives_its_outputs():
    assert decide(DISHES[:4]) == {"dish": "Roastbeef"}
    assert decide(hit_policy=None, rules=DISHES[:4]) == {"dish": "Roastbeef"}  # no hitPolicy: UNIQUE


def test_unique_with_two_matching_rules_is_an_error_naming_the_decision_the_rules_and_the_inputs():
    error = failure()

    assert "decision 'dish' (version 1), hit policy UNIQUE" in error.message
    assert 'rules 2 and 5 match the inputs Season = "Winter", Guests = 5, and UNIQUE allows one' in error.message


def test_unique_names_every_matching_rule():
    rules = [*DISHES, (("-", "> 1"), '"Soup"')]
    assert "rules 2, 5 and 6 match" in failure(rules).message


def test_first_gives_the_first_matching_rule_in_rule_order():
    assert decide(hit_policy="FIRST") == {"dish": "Roastbeef"}
    assert decide(hit_policy="FIRST", data={"season": "Summer", "guests": 2}) == {"dish": "Salad"}


def test_priority_gives_the_match_whose_output_comes_first_in_the_output_values():
    assert decide(hit_policy="PRIORITY", outputs=RANKED) == {"dish": "Salad"}  # Salad ranks above Roastbeef
    assert decide(hit_policy="PRIORITY", outputs=RANKED, data={"season": "Spring", "guests": 6}) == {"dish": "Stew"}


def test_priority_refuses_a_computed_output_outside_the_output_values():
    rules = [(("-", "-"), "season")]
    error = failure(rules, hit_policy="PRIORITY", outputs=RANKED)
    assert 'rule 1 gives dish = "Winter", which is not among its output values' in error.message


def test_any_with_agreeing_matches_gives_their_outputs():
    rules = [(('"Winter"', "-"), '"Stew"'), (("-", "> 4"), '"Stew"')]
    assert decide(rules, hit_policy="ANY") == {"dish": "Stew"}


def test_any_with_disagreeing_matches_is_an_error_showing_both_outputs():
    error = failure(hit_policy="ANY")
    assert "give different outputs (rule 2: dish = \"Roastbeef\"; rule 5: dish = \"Salad\")" in error.message


def test_rule_order_and_collect_give_lists():
    assert decide(hit_policy="RULE ORDER") == {"dish": ["Roastbeef", "Salad"]}
    assert decide(hit_policy="COLLECT") == {"dish": ["Roastbeef", "Salad"]}


def test_output_order_lists_the_matches_by_their_output_values():
    assert decide(hit_policy="OUTPUT ORDER", outputs=RANKED) == {"dish": ["Salad", "Roastbeef"]}


NUMBERS = [(("-", "> 4"), "10"), (("-", "-"), "5"), (('"Winter"', "-"), "7"), (('"Summer"', "-"), "100"),
           (("-", "> 100"), "null")]
NUMERIC = (("Fee", "fee", "integer", None),)


@pytest.mark.parametrize("aggregation, expected", [("SUM", 22), ("MIN", 5), ("MAX", 10), ("COUNT", 3)])
def test_collect_aggregates_the_matching_outputs(aggregation, expected):
    assert decide(NUMBERS, hit_policy="COLLECT", aggregation=aggregation, outputs=NUMERIC) == {"fee": expected}


def test_collect_sum_adds_equal_values_of_different_rules():
    rules = [(("-", "-"), "5000"), (("-", "-"), "5000")]
    assert decide(rules, hit_policy="COLLECT", aggregation="SUM", outputs=NUMERIC) == {"fee": 10000}


def test_collect_sum_refuses_a_value_that_is_not_a_number():
    error = failure([(("-", "-"), '"a"')], hit_policy="COLLECT", aggregation="SUM", outputs=NUMERIC)
    assert 'COLLECT SUM adds numbers, and rule 1 gives fee = "a"' in error.message


def test_an_output_entry_computes_from_the_data():
    rules = [(("-", "-"), "5000 + (guests - 1) * 3000")]
    assert decide(rules, hit_policy="COLLECT", aggregation="SUM", outputs=NUMERIC) == {"fee": 17000}


@pytest.mark.parametrize("policy, aggregation, expected", [
    ("UNIQUE", None, {"dish": None}), ("FIRST", None, {"dish": None}), ("COLLECT", None, {"dish": []}),
    ("RULE ORDER", None, {"dish": []}), ("COLLECT", "SUM", {"dish": None}), ("COLLECT", "COUNT", {"dish": 0}),
])
def test_no_matching_rule_sets_the_outputs_to_null_or_an_empty_result(policy, aggregation, expected):
    assert decide(DISHES[:4], data={"season": "Summer", "guests": 2}, hit_policy=policy,
                  aggregation=aggregation) == expected


def test_several_outputs_and_dotted_names_go_into_the_data():
    outputs = (("Dish", "menu.dish", "string", None), ("Drink", "menu.drink", "string", None))
    rules = [(('"Winter"', "-"), ('"Stew"', '"Tea"')), (("-", "-"), ('"Salad"', '"Water"'))]
    assert decide(rules, hit_policy="FIRST", outputs=outputs) == {"menu": {"dish": "Stew", "drink": "Tea"}}
    assert decide(rules, hit_policy="COLLECT", outputs=outputs) == {
        "menu": {"dish": ["Stew", "Salad"], "drink": ["Tea", "Water"]}}


def test_a_cell_that_fails_names_the_decision_the_rule_the_column_and_the_inputs():
    rules = [(("-", "? ** 100000 > 2"), '"x"')]
    error = failure(rules)
    assert "decision 'dish' (version 1), hit policy UNIQUE: rule 1, input column 'Guests': the cell " \
           "'? ** 100000 > 2' failed" in error.message
    assert "over the limit" in error.message
    assert 'for the inputs Season = "Winter", Guests = 5' in error.message


def test_an_output_entry_that_fails_names_the_rule_and_the_output():
    error = failure([(("-", "-"), "guests ** 100000")])
    assert "rule 1, output 'dish': 'guests ** 100000' failed" in error.message


def test_a_missing_input_variable_is_null_as_in_feel():
    assert decide(hit_policy="FIRST", data={"season": "Winter"}) == {"dish": "Salad"}


def test_the_table_round_trips_through_the_spec_json_with_its_policy_aggregation_and_output_values():
    content = dmn(NUMBERS, hit_policy="COLLECT", aggregation="MAX",
                  outputs=(("Fee", "fee", "integer", "100, 10, 7, 5"),))
    parsed = parse_model(bpmn_calling(), "t.bpmn", decisions=lookup_of(content))
    spec_json = spec_to_json(parsed.spec, parsed.subprocess_specs)

    stored = json.loads(spec_json)["spec"]["task_specs"]["decide"]
    assert stored["typename"] == "DecisionTableTask"
    assert (stored["decision_table"]["hit_policy"], stored["decision_table"]["aggregation"]) == ("COLLECT", "MAX")
    spec, _ = spec_from_json("round-trip", lambda: spec_json)
    table = spec.task_specs["decide"].dmnEngine.decision_table
    assert table == DecisionTable.from_dict(table.to_dict())
    assert table.outputs[0].values == (100, 10, 7, 5)
    assert table == parsed.spec.task_specs["decide"].dmnEngine.decision_table
    assert table.version == 1 and table.rules[0].inputs[1].text == "> 4"


def test_the_decision_table_is_independent_of_the_dmn_file_once_bound():
    content = dmn(DISHES, hit_policy="FIRST")
    table = read_decision(content, "t.dmn").table
    assert DecisionTable.from_dict(json.loads(json.dumps(table.to_dict()))) == table


def test_cells_without_ids_are_each_evaluated_as_written():
    content = dmn(DISHES[:4], ns=DMN12, hit_policy="FIRST")
    for n in range(1, 5):
        for c in (1, 2):
            content = content.replace(f' id="UnaryTests_{n}_{c}"'.encode(), b"")
    assert run_decision(content, {"season": "Spring", "guests": 6}) == {"dish": "Stew"}
    assert run_decision(content, {"season": "Spring", "guests": 3}) == {"dish": "Dry Aged Gourmet Steak"}
