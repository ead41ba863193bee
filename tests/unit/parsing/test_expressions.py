"""Conditions, scripts and timers as other modelers write them: what is refused at deployment, with a
hint that says which expression language the engine reads."""

from __future__ import annotations

import pytest

from engine.errors import ModelInvalid
from engine.parsing import is_bare_iso_literal, parse_model
from tests.modeler import Flow, Node, camunda_model, chain_flows, properties

DONE = properties(dossier_status="9")
LANES = {"Lane_0desk": "Bộ phận một cửa"}


def with_timer(timer_xml: str) -> bytes:
    """A user task with an interrupting boundary timer whose definition holds `timer_xml`."""
    nodes = [Node("startEvent", "StartEvent_1", lane="Lane_0desk"),
             Node("userTask", "Activity_0abc", "Thẩm định", lane="Lane_0desk"),
             Node("endEvent", "Event_0end", extensions=DONE, lane="Lane_0desk"),
             Node("boundaryEvent", "Event_0late", "Quá hạn", attrs={"attachedToRef": "Activity_0abc"},
                  inner=f'<bpmn:timerEventDefinition id="TimerEventDefinition_0x">{timer_xml}'
                        "</bpmn:timerEventDefinition>", lane="Lane_0desk"),
             Node("endEvent", "Event_0lateend", extensions=DONE, lane="Lane_0desk")]
    flows = [*chain_flows("StartEvent_1", "Activity_0abc", "Event_0end"),
             Flow("Flow_0late", "Event_0late", "Event_0lateend")]
    return camunda_model(nodes, flows, lanes=LANES)


def with_gateway(condition: str | None, other: str | None = "not approved") -> bytes:
    nodes = [Node("startEvent", "StartEvent_1", lane="Lane_0desk"),
             Node("exclusiveGateway", "Gateway_0ok", "Đồng ý?", lane="Lane_0desk"),
             Node("endEvent", "Event_0yes", extensions=DONE, lane="Lane_0desk"),
             Node("endEvent", "Event_0no", extensions=properties(dossier_status="3"), lane="Lane_0desk")]
    flows = [Flow("Flow_0in", "StartEvent_1", "Gateway_0ok"), Flow("Flow_0yes", "Gateway_0ok", "Event_0yes", condition),
             Flow("Flow_0no", "Gateway_0ok", "Event_0no", other)]
    return camunda_model(nodes, flows, lanes=LANES)


def problems_of(content: bytes) -> list:
    with pytest.raises(ModelInvalid) as caught:
        parse_model(content, "model.bpmn")
    return caught.value.problems


def duration(text: str) -> str:
    return f'<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{text}</bpmn:timeDuration>'


@pytest.mark.parametrize("text", ["PT4H", "P2D", "R3/PT10H", "2026-12-01T08:00:00+07:00", "P1DT12H"])
def test_a_bare_iso_timer_value_is_the_literal_it_states_and_the_translation_is_listed(text):
    tag = "timeCycle" if text.startswith("R") else "timeDate" if text.startswith("2026") else "timeDuration"
    parsed = parse_model(with_timer(f'<bpmn:{tag} xsi:type="bpmn:tFormalExpression">{text}</bpmn:{tag}>'),
                         "model.bpmn")

    assert parsed.translations == [{"element": "Event_0late", "kind": tag, "dialect": "iso8601", "original": text,
                                    "python": f'"{text}"'}]


@pytest.mark.parametrize("text", ["2026-12-01T08:00:00", "-PT4H"])
def test_a_bare_timer_value_without_an_offset_or_negative_is_refused(text):
    [problem] = problems_of(with_timer(f'<bpmn:timeDate xsi:type="bpmn:tFormalExpression">{text}</bpmn:timeDate>'))
    assert (problem.code, problem.element) == ("timer_invalid", "Event_0late")


@pytest.mark.parametrize("text", ['"PT4H"', 'deadline("review")', "'P2D'"])
def test_quoted_values_and_expressions_are_accepted_as_timer_values(text):
    assert parse_model(with_timer(duration(text)), "model.bpmn").process_id == "Process_0dc7inz"


@pytest.mark.parametrize(("text", "bare"), [
    ("PT4H", True), (" P2D ", True), ("R3/PT10H", True), ("R/P1D", True), ("2026-12-01", True),
    ("2026-12-01T08:00:00Z", True), ("R2/2026-12-01T08:00:00+07:00/PT1H", True),
    ('"PT4H"', False), ("P", False), ("PT", False), ("deadline('review')", False), ("period", False),
    ("P2D + x", False), ("review_due", False),
])
def test_what_counts_as_a_bare_iso_literal(text, bare):
    assert is_bare_iso_literal(text) is bare


def test_a_timer_value_that_is_not_python_gets_the_timer_hint():
    [problem] = problems_of(with_timer(duration('deadline("review"')))
    assert problem.code == "expression_syntax"
    assert "PT4H" in problem.hint and "deadline" in problem.hint


def test_an_invalid_iso_duration_in_quotes_is_refused():
    [problem] = problems_of(with_timer(duration('"PT4X"')))
    assert (problem.code, problem.params["value"]) == ("timer_invalid", "PT4X")


@pytest.mark.parametrize(("condition", "dialect"), [("${approved}", "juel"), ("#{amount > 1000 && !urgent}", "juel"),
                                                    ("= amount > 1000", "feel")])
def test_a_condition_written_in_juel_or_feel_is_translated_and_listed(condition, dialect):
    parsed = parse_model(with_gateway(condition), "model.bpmn")
    [translation] = [t for t in parsed.translations if t["element"] == "Flow_0yes"]
    assert (translation["dialect"], translation["original"], translation["kind"]) == (
        dialect, condition, "conditionExpression")
    assert f"{dialect}_" in translation["python"]


def test_a_condition_that_is_no_language_says_which_languages_are_read_and_nothing_of_timers():
    [problem] = problems_of(with_gateway("approved &&"))

    assert (problem.code, problem.element, problem.params["what"]) == (
        "expression_syntax", "Flow_0yes", "conditionExpression")
    assert "Python" in problem.message
    assert "Conditions are Python expressions" in problem.hint and "amount > 1000 and approved" in problem.hint
    assert "JUEL" in problem.hint and "FEEL" in problem.hint and "PT4H" not in problem.hint


@pytest.mark.parametrize(("condition", "construct"), [("${execution.getVariable('x')}", "method"),
                                                      ("= string length(note) > 0", "function")])
def test_a_juel_or_feel_condition_outside_the_subset_is_refused_naming_the_construct(condition, construct):
    [problem] = problems_of(with_gateway(condition))
    assert (problem.code, problem.element) == ("expression_refused", "Flow_0yes")
    assert construct in problem.params["construct"]


def test_an_empty_condition_is_refused():
    [problem] = problems_of(with_gateway(""))
    assert (problem.code, problem.element) == ("expression_empty", "Flow_0yes")


def test_a_conditional_event_with_an_empty_condition_is_refused():
    nodes = [Node("startEvent", "StartEvent_1", lane="Lane_0desk"),
             Node("intermediateCatchEvent", "Event_0wait", "Chờ đủ hồ sơ", lane="Lane_0desk",
                  inner='<bpmn:conditionalEventDefinition id="ConditionalEventDefinition_1">'
                        '<bpmn:condition xsi:type="bpmn:tFormalExpression" /></bpmn:conditionalEventDefinition>'),
             Node("endEvent", "Event_0end", extensions=DONE, lane="Lane_0desk")]

    [problem] = problems_of(camunda_model(nodes, chain_flows(*(n.id for n in nodes)), lanes=LANES))

    assert (problem.code, problem.element, problem.params["what"]) == ("expression_empty", "Event_0wait", "condition")


def test_a_script_task_without_a_script_is_refused():
    nodes = [Node("startEvent", "StartEvent_1", lane="Lane_0desk"),
             Node("scriptTask", "Activity_0calc", "Tính phí", lane="Lane_0desk",
                  attrs={"scriptFormat": "groovy", "camunda:resource": "deployment://fee.groovy"}),
             Node("endEvent", "Event_0end", extensions=DONE, lane="Lane_0desk")]

    problems = problems_of(camunda_model(nodes, chain_flows(*(n.id for n in nodes)), lanes=LANES))

    [missing] = [p for p in problems if p.is_error]
    assert (missing.code, missing.element) == ("script_missing", "Activity_0calc")
    assert "camunda:resource" in missing.hint


def test_a_script_that_is_not_python_gets_the_script_hint():
    nodes = [Node("startEvent", "StartEvent_1", lane="Lane_0desk"),
             Node("scriptTask", "Activity_0calc", "Tính phí", lane="Lane_0desk", attrs={"scriptFormat": "javascript"},
                  inner="<bpmn:script>var fee = 0;</bpmn:script>"),
             Node("endEvent", "Event_0end", extensions=DONE, lane="Lane_0desk")]

    [problem] = problems_of(camunda_model(nodes, chain_flows(*(n.id for n in nodes)), lanes=LANES))

    assert (problem.code, problem.element) == ("expression_syntax", "Activity_0calc")
    assert problem.hint.startswith("Scripts are Python statements")
