"""A model is checked whole: every problem comes back in one refusal, errors then warnings, each
with its element, line and hint; warnings alone never block."""

from __future__ import annotations

import pytest

from engine.errors import ModelInvalid
from engine.parsing import parse_model
from tests.conftest import read_model
from tests.modeler import Flow, Node, camunda_model, chain_flows, properties

FIRST_UPLOAD = read_model("camunda7_first_upload.bpmn")
DONE = properties(dossier_status="9")
LANES = {"Lane_0desk": "Bộ phận một cửa"}


def refusal(content: bytes, filename: str = "model.bpmn") -> ModelInvalid:
    with pytest.raises(ModelInvalid) as caught:
        parse_model(content, filename)
    return caught.value


def line_of(content: bytes, number: int) -> str:
    return content.decode().splitlines()[number - 1]


def test_a_file_from_camunda_modeler_gets_all_its_problems_in_one_round():
    error = refusal(FIRST_UPLOAD, "ban_sao.bpmn")

    # Its JUEL conditions (${approved}) and its bare PT4H timer are translated, its candidate groups
    # and generated forms read: none is a problem. What is left is named.
    assert [(p.severity, p.code, p.element) for p in error.problems] == [
        ("error", "expression_syntax", "Activity_0f3xyzt"),
        ("error", "spiff_refused", "Activity_0f3xyzt"),
        ("warning", "vendor_ignored", "StartEvent_1"),
        ("warning", "vendor_ignored", "Activity_0s1ign9"),
        ("warning", "vendor_ignored", "Activity_1remind"),
    ]
    assert all(p.element in p.message and p.hint for p in error.problems)
    lines = [line_of(FIRST_UPLOAD, p.line) for p in error.problems]
    assert "def fee" in lines[0] and 'id="Activity_0f3xyzt"' in lines[1]
    assert 'id="Activity_0s1ign9"' in lines[3] and "camunda:dueDate" in error.problems[3].message


def test_the_refusal_names_the_first_error_as_a_single_error_did():
    error = refusal(FIRST_UPLOAD, "ban_sao.bpmn")

    first = error.problems[0]
    assert error.message == first.message
    assert error.details == {"file": "ban_sao.bpmn", "line": first.line, "element": "Activity_0f3xyzt"}


def test_errors_come_before_warnings_whatever_order_they_were_found_in():
    nodes = [Node("startEvent", "StartEvent_1", lane="Lane_0desk"),
             Node("userTask", "Activity_0abc", "Kiểm tra", attrs={"camunda:dueDate": "${due}"}, lane="Lane_0desk"),
             Node("endEvent", "Event_0end", extensions=DONE, lane="Lane_0desk", attrs={"isForCompensation": "no"})]
    content = camunda_model(nodes, chain_flows("StartEvent_1", "Activity_0abc", "Event_0end"), lanes=LANES)

    error = refusal(content)

    assert [(p.code, p.element) for p in error.problems] == [
        ("schema_violation", "Event_0end"), ("vendor_ignored", "Activity_0abc")]


def test_a_model_with_only_warnings_parses_and_carries_them():
    content = FIRST_UPLOAD.replace(b"${approved}", b"approved").replace(b"${!approved}", b"not approved").replace(
        b">PT4H<", b'>"PT4H"<').replace(b'def fee = 50000\nexecution.setVariable("fee", fee)', b"fee = 50000").replace(
        b'<bpmn:sequenceFlow id="Flow_1alsosign" sourceRef="Activity_0f3xyzt"',
        b'<bpmn:sequenceFlow id="Flow_1alsosign" sourceRef="StartEvent_1"')

    parsed = parse_model(content, "ban_sao.bpmn")

    assert [(w.code, w.element) for w in parsed.warnings] == [
        ("vendor_ignored", "StartEvent_1"), ("vendor_ignored", "Activity_0s1ign9"),
        ("vendor_ignored", "Activity_1remind")]
    assert parsed.translations == []


def test_xml_that_cannot_be_read_is_one_problem():
    error = refusal(FIRST_UPLOAD.replace(b"</bpmn:process>", b"</bpmn:proces>"))

    [problem] = error.problems
    assert (problem.code, problem.severity) == ("xml_malformed", "error")
    assert problem.line == error.details["line"]


def test_the_engine_is_not_asked_to_build_a_model_with_broken_structure():
    content = FIRST_UPLOAD.replace(b'targetRef="Event_1refuse"', b'targetRef="Event_1refused"')

    codes = [p.code for p in refusal(content).problems if p.is_error]

    assert "dangling_reference" in codes and "spiff_refused" not in codes
    assert codes == ["dangling_reference", "expression_syntax"]  # the static checks still all run


def test_a_refusal_of_spiffworkflow_itself_is_one_problem_with_its_element_and_line():
    nodes = [Node("startEvent", "StartEvent_1", lane="Lane_0desk"),
             Node("exclusiveGateway", "Gateway_0choose", lane="Lane_0desk"),
             Node("endEvent", "Event_0a", extensions=DONE, lane="Lane_0desk"),
             Node("endEvent", "Event_0b", extensions=DONE, lane="Lane_0desk")]
    flows = [Flow("Flow_0in", "StartEvent_1", "Gateway_0choose"), Flow("Flow_0a", "Gateway_0choose", "Event_0a"),
             Flow("Flow_0b", "Gateway_0choose", "Event_0b")]
    content = camunda_model(nodes, flows, lanes=LANES)

    [problem] = refusal(content).problems

    assert problem.code == "spiff_refused" and "without condition" in problem.message
    assert problem.element in ("Flow_0a", "Flow_0b")
    assert f'id="{problem.element}"' in line_of(content, problem.line)


def test_a_task_splitting_the_flow_is_told_to_draw_a_gateway_not_cut_short():
    # SpiffWorkflow says "Multiple outgoing flows are not supported for tasks of type" and stops there
    # (tests/fixtures/interop/bpmnio_task_with_two_outgoing_flows.bpmn)
    nodes = [Node("startEvent", "StartEvent_1", lane="Lane_0desk"),
             Node("userTask", "Activity_0split", "Tiếp nhận", lane="Lane_0desk"),
             Node("endEvent", "Event_0a", extensions=DONE, lane="Lane_0desk"),
             Node("endEvent", "Event_0b", extensions=DONE, lane="Lane_0desk")]
    flows = [Flow("Flow_0in", "StartEvent_1", "Activity_0split"), Flow("Flow_0a", "Activity_0split", "Event_0a"),
             Flow("Flow_0b", "Activity_0split", "Event_0b")]

    [problem] = refusal(camunda_model(nodes, flows, lanes=LANES)).problems

    assert (problem.code, problem.element) == ("spiff_refused", "Activity_0split")
    assert problem.params["detail"] == (
        "a task cannot split the flow, and this bpmn:userTask has 2 outgoing sequence flows: draw a parallel gateway "
        "after it to take them all, or an exclusive gateway with conditions to take one.")


def test_a_service_task_of_another_engine_is_told_what_to_draw_instead():
    nodes = [Node("startEvent", "StartEvent_1", lane="Lane_0desk"),
             Node("serviceTask", "Activity_0mail", "Gửi thư", attrs={"camunda:class": "org.x.Mail"}, lane="Lane_0desk"),
             Node("endEvent", "Event_0end", extensions=DONE, lane="Lane_0desk")]

    error = refusal(camunda_model(nodes, chain_flows(*(n.id for n in nodes)), lanes=LANES))

    assert [(p.code, p.element) for p in error.problems] == [("spiff_refused", "Activity_0mail"),
                                                            ("vendor_ignored", "Activity_0mail")]
    assert "make it a user task or a script task" in error.problems[0].message
    assert "camunda:class" in error.problems[1].message


def test_every_schema_violation_is_listed_with_its_line():
    content = FIRST_UPLOAD.replace(b'<bpmn:endEvent id="Event_0ok0ok0" name="\xc4\x90\xc3\xa3 k\xc3\xbd">',
                                   b'<bpmn:endEvent id="Event_0ok0ok0" name="\xc4\x90\xc3\xa3 k\xc3\xbd" '
                                   b'isForCompensation="maybe">').replace(
        b'<bpmn:endEvent id="Event_1refuse" name="T\xe1\xbb\xab ch\xe1\xbb\x91i">',
        b'<bpmn:endEvent id="Event_1refuse" name="T\xe1\xbb\xab ch\xe1\xbb\x91i" isForCompensation="perhaps">')
    assert content.count(b"isForCompensation") == 2

    violations = [p for p in refusal(content).problems if p.code == "schema_violation"]

    assert [p.element for p in violations] == ["Event_0ok0ok0", "Event_1refuse"]
    assert "isForCompensation" in violations[0].message and "bpmn:endEvent" in violations[0].message
    assert "{http" not in violations[0].message


def test_every_broken_form_is_named_with_its_task_and_named_again_when_the_file_is_checked_again():
    forms = {"Activity_0json": "{not json", "Activity_0meta": '{"type": "object", "minProperties": -1}',
             "Activity_0list": '{"type": "array"}', "Activity_0good": '{"type": "object", "properties": {}}'}
    nodes = [Node("startEvent", "StartEvent_1", lane="Lane_0desk"),
             *(Node("userTask", task, "Bước", extensions=properties(form_schema=form), lane="Lane_0desk")
               for task, form in forms.items()),
             Node("endEvent", "Event_0end", extensions=DONE, lane="Lane_0desk")]
    content = camunda_model(nodes, chain_flows("StartEvent_1", *forms, "Event_0end"), lanes=LANES)

    for _ in range(2):  # the metaschema's verdict on a form is kept per text; the second check says the same
        problems = [p for p in refusal(content).problems if p.code == "form_schema_invalid"]
        assert [p.element for p in problems] == ["Activity_0json", "Activity_0meta", "Activity_0list"]
        assert "not a valid JSON Schema: Expecting property name" in problems[0].message
        assert "not a valid JSON Schema: -1 is less than the minimum of 0" in problems[1].message
        assert 'must describe an object ("type": "object")' in problems[2].message
