"""What modelers write that the engine must accept (or warn about), in files written as they write
them: expanded subprocesses with their flow lists, vendor extensions, processes without
`isExecutable`, multi-instance tasks."""

from __future__ import annotations

import pytest

from engine.errors import ModelInvalid
from engine.parsing import parse_model
from tests.conftest import read_model
from tests.modeler import Flow, Node, camunda_model, chain_flows, properties

DONE = properties(dossier_status="9")
LANES = {"Lane_0desk": "Bộ phận một cửa"}


def refusal(content: bytes) -> ModelInvalid:
    with pytest.raises(ModelInvalid) as caught:
        parse_model(content, "model.bpmn")
    return caught.value


def simple(*middle: Node, executable: str | None = "true", top: str = "") -> bytes:
    nodes = [Node("startEvent", "StartEvent_1", lane="Lane_0desk"), *middle,
             Node("endEvent", "Event_0end", extensions=DONE, lane="Lane_0desk")]
    return camunda_model(nodes, chain_flows(*(n.id for n in nodes)), lanes=LANES, executable=executable, top=top)


def test_the_seed_model_resaved_by_camunda_modeler_with_flow_lists_on_its_subprocess_parses():
    seed = read_model("chuyen_truong_thpt.bpmn").decode()
    resaved = seed.replace('<bpmn:subProcess id="Processing" name="Giải quyết hồ sơ">',
                           '<bpmn:subProcess id="Processing" name="Giải quyết hồ sơ">\n'
                           "      <bpmn:incoming>Flow_Start_Processing</bpmn:incoming>\n"
                           "      <bpmn:outgoing>Flow_Processing_Decision</bpmn:outgoing>")
    assert resaved != seed

    parsed = parse_model(resaved.encode(), "chuyen_truong_thpt.bpmn")

    assert {t["bpmn_id"] for t in parsed.user_tasks} == {
        t["bpmn_id"] for t in parse_model(seed.encode(), "chuyen_truong_thpt.bpmn").user_tasks}


def test_a_subprocess_listed_in_a_lane_as_bpmn_js_lists_it_leaves_its_tasks_in_their_own_lanes():
    # bpmn-js puts a sub-process drawn across lanes in one lane; SpiffWorkflow gave all its tasks that
    # lane, so the leader's signature went to the specialists
    # (tests/fixtures/interop/bpmnio_expanded_subprocess_with_flow_lists.bpmn).
    seed = read_model("chuyen_truong_thpt.bpmn").decode()
    listed = seed.replace('<bpmn:lane id="Lane_Specialist" name="Phòng chuyên môn">',
                          '<bpmn:lane id="Lane_Specialist" name="Phòng chuyên môn">\n'
                          "        <bpmn:flowNodeRef>Processing</bpmn:flowNodeRef>")
    assert listed != seed

    lanes = {t["bpmn_id"]: t["lane"] for t in parse_model(listed.encode(), "chuyen_truong_thpt.bpmn").user_tasks}

    assert lanes == {t["bpmn_id"]: t["lane"] for t in parse_model(seed.encode(), "chuyen_truong_thpt.bpmn").user_tasks}
    assert (lanes["review"], lanes["sign"], lanes["sign_apology"]) == ("Phòng chuyên môn", "Lãnh đạo Sở", "Lãnh đạo Sở")


def test_what_a_subprocess_in_a_lane_holds_without_a_lane_of_its_own_takes_the_subprocess_s_lane():
    nodes = [Node("startEvent", "StartEvent_1", lane="Lane_0desk"),
             Node("subProcess", "Activity_0sub", "Ý kiến", inner=SUBPROCESS_INNER, lane="Lane_0desk"),
             Node("endEvent", "Event_0end", extensions=DONE, lane="Lane_0desk")]

    parsed = parse_model(camunda_model(nodes, chain_flows(*(n.id for n in nodes)), lanes=LANES), "model.bpmn")

    assert [(t["bpmn_id"], t["lane"]) for t in parsed.user_tasks] == [("Activity_1inner", "Bộ phận một cửa")]


SUBPROCESS_INNER = (
    '<bpmn:startEvent id="Event_1sub"><bpmn:outgoing>Flow_1sub</bpmn:outgoing></bpmn:startEvent>'
    '<bpmn:userTask id="Activity_1inner" name="Ý kiến"><bpmn:incoming>Flow_1sub</bpmn:incoming>'
    '<bpmn:outgoing>Flow_2sub</bpmn:outgoing></bpmn:userTask>'
    '<bpmn:endEvent id="Event_1subend"><bpmn:incoming>Flow_2sub</bpmn:incoming></bpmn:endEvent>'
    '<bpmn:sequenceFlow id="Flow_1sub" sourceRef="Event_1sub" targetRef="Activity_1inner" />'
    '<bpmn:sequenceFlow id="Flow_2sub" sourceRef="Activity_1inner" targetRef="Event_1subend" />'
)


@pytest.mark.parametrize("extra", [
    "",  # only the incoming/outgoing every modeler writes
    '<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>2</bpmn:loopCardinality>'
    "</bpmn:multiInstanceLoopCharacteristics>",
    '<bpmn:standardLoopCharacteristics loopMaximum="3"><bpmn:loopCondition>False</bpmn:loopCondition>'
    "</bpmn:standardLoopCharacteristics>",
    '<bpmn:potentialOwner id="PotentialOwner_1"><bpmn:resourceAssignmentExpression id="Expr_1">'
    '<bpmn:formalExpression>Phòng chuyên môn</bpmn:formalExpression></bpmn:resourceAssignmentExpression>'
    "</bpmn:potentialOwner>",
], ids=["flow-lists", "multi-instance", "standard-loop", "potential-owner"])
def test_an_expanded_subprocess_with_what_an_activity_may_carry_parses(extra):
    content = simple(Node("subProcess", "Activity_0sub", "Lấy ý kiến", inner=extra + SUBPROCESS_INNER,
                          lane="Lane_0desk"))

    parsed = parse_model(content, "model.bpmn")

    assert [t["bpmn_id"] for t in parsed.user_tasks] == ["Activity_1inner"]


def test_a_process_with_auditing_monitoring_and_performers_parses():
    content = simple(Node("userTask", "Activity_0abc", "Kiểm tra", lane="Lane_0desk",
                          inner='<bpmn:performer id="Performer_1" />'))
    content = content.replace(b'<bpmn:laneSet id="LaneSet_0k1l2m3">',
                              b'<bpmn:auditing id="Auditing_1" /><bpmn:monitoring id="Monitoring_1" />\n'
                              b'    <bpmn:laneSet id="LaneSet_0k1l2m3">')
    assert parse_model(content, "model.bpmn").user_tasks[0]["bpmn_id"] == "Activity_0abc"


def test_form_field_ids_repeated_on_two_tasks_are_not_taken_for_bpmn_ids():
    form = ('<camunda:formData><camunda:formField id="amount" label="Số tiền" type="long" />'
            '<camunda:formField id="note" label="Ghi chú" type="string" /></camunda:formData>')
    content = simple(Node("userTask", "Activity_0one", "Bước 1", extensions=form, lane="Lane_0desk"),
                     Node("userTask", "Activity_0two", "Bước 2", extensions=form, lane="Lane_0desk"))

    parsed = parse_model(content, "model.bpmn")

    assert [t["bpmn_id"] for t in parsed.user_tasks] == ["Activity_0one", "Activity_0two"]
    assert parsed.warnings == []  # the forms are read (each task's form_schema)


def test_an_extension_element_left_in_place_with_the_id_of_a_bpmn_element_is_refused():
    # A form field is read and taken out of the tree; a connector stays (unread), and SpiffWorkflow
    # would resolve the element's id to it.
    connector = ('<camunda:connector id="Activity_0two"><camunda:connectorId>http</camunda:connectorId>'
                 '</camunda:connector>')
    content = simple(Node("userTask", "Activity_0one", "Bước 1", lane="Lane_0desk"),
                     Node("userTask", "Activity_0two", "Bước 2", extensions=connector, lane="Lane_0desk"))

    error = refusal(content)

    [problem] = [p for p in error.problems if p.is_error]
    assert (problem.code, problem.element) == ("foreign_id_collision", "Activity_0two")
    assert "camunda:connector" in problem.message
    assert 'connector id="Activity_0two"' in content.decode().splitlines()[problem.line - 1]


def test_a_bpmn_id_used_twice_is_refused_once_not_again_as_a_schema_violation():
    content = simple(Node("userTask", "Activity_0one", "Bước 1", lane="Lane_0desk"),
                     Node("userTask", "Activity_0two", "Bước 2", lane="Lane_0desk"))
    twice = content.replace(b'<bpmn:userTask id="Activity_0two" name="B\xc6\xb0\xe1\xbb\x9bc 2">',
                            b'<bpmn:userTask id="Activity_0one" name="B\xc6\xb0\xe1\xbb\x9bc 2">')
    assert twice != content

    error = refusal(twice)

    [duplicate] = [p for p in error.problems if p.code == "duplicate_id"]
    assert duplicate.element == "Activity_0one" and duplicate.params["first_line"] < duplicate.line
    assert not [p for p in error.problems if p.code == "schema_violation" and p.line == duplicate.line]


def test_a_process_without_is_executable_counts_as_executable():
    parsed = parse_model(simple(Node("userTask", "Activity_0abc", lane="Lane_0desk"), executable=None), "bizagi.bpmn")
    assert parsed.process_id == "Process_0dc7inz"


def test_a_process_marked_not_executable_is_refused_with_what_to_tick():
    error = refusal(simple(Node("userTask", "Activity_0abc", lane="Lane_0desk"), executable="false"))

    [problem] = error.problems
    assert (problem.code, problem.element, problem.severity) == ("not_executable", "Process_0dc7inz", "error")
    assert "Executable" in problem.hint


def test_a_second_pool_without_is_executable_next_to_an_executable_process_is_left_alone():
    content = simple(Node("userTask", "Activity_0abc", lane="Lane_0desk")).replace(
        b"  <bpmndi:BPMNDiagram",
        b'  <bpmn:process id="Process_1other"><bpmn:startEvent id="StartEvent_2" /></bpmn:process>\n'
        b"  <bpmndi:BPMNDiagram")
    assert parse_model(content, "model.bpmn").process_id == "Process_0dc7inz"


def test_a_multi_instance_user_task_is_listed_under_its_own_id_and_lane():
    loop = ('<bpmn:multiInstanceLoopCharacteristics><bpmn:loopDataInputRef>divisions</bpmn:loopDataInputRef>'
            '<bpmn:inputDataItem id="division" name="division" /></bpmn:multiInstanceLoopCharacteristics>')
    content = simple(Node("userTask", "Activity_0opinion", "Cho ý kiến", inner=loop, lane="Lane_0desk"))

    parsed = parse_model(content, "model.bpmn")

    assert parsed.user_tasks == [{"bpmn_id": "Activity_0opinion", "name": "Cho ý kiến", "lane": "Bộ phận một cửa",
                                  "candidate_groups": [], "candidate_users": []}]


def test_vendor_attributes_and_extension_elements_are_named_in_one_warning_per_element():
    content = simple(
        Node("userTask", "Activity_0abc", "Thẩm định", lane="Lane_0desk",
             attrs={"camunda:candidateGroups": "specialist", "camunda:formKey": "embedded:app:forms/x.html"},
             extensions='<camunda:formData><camunda:formField id="ok" type="boolean" /></camunda:formData>'
                        '<camunda:executionListener class="org.x.Listener" event="start" />'
                        '<camunda:executionListener class="org.x.Other" event="end" />' + properties(note="x")),
        Node("scriptTask", "Activity_0def", "Tính phí", lane="Lane_0desk", attrs={"camunda:asyncBefore": "true"},
             inner="<bpmn:script>fee = 0</bpmn:script>"))

    parsed = parse_model(content, "model.bpmn")

    first, second = parsed.warnings  # candidateGroups and formData are read, the rest is named
    assert (first.code, first.severity, first.element) == ("vendor_ignored", "warning", "Activity_0abc")
    assert first.params["names"] == "camunda:formKey, camunda:executionListener"
    assert "Activity_0abc" in first.message and first.line is not None
    assert (second.element, second.params["names"]) == ("Activity_0def", "camunda:asyncBefore")


def test_zeebe_and_flowable_extensions_are_named_with_their_usual_prefix_whatever_the_file_calls_them():
    content = simple(Node("userTask", "Activity_0abc", lane="Lane_0desk", attrs={"fl:formKey": "x"},
                          extensions='<z:taskHeaders><z:header key="a" value="b" /></z:taskHeaders>'))
    content = content.replace(b'xmlns:camunda=', b'xmlns:fl="http://flowable.org/bpmn" '
                              b'xmlns:z="http://camunda.org/schema/zeebe/1.0" xmlns:camunda=')

    [warning] = parse_model(content, "model.bpmn").warnings

    assert warning.params["names"] == "flowable:formKey, zeebe:taskHeaders"


def test_a_flow_with_a_name_and_diagram_colours_gives_no_warning():
    nodes = [Node("startEvent", "StartEvent_1", lane="Lane_0desk"), Node("endEvent", "Event_0end", extensions=DONE,
                                                                         lane="Lane_0desk")]
    content = camunda_model(nodes, [Flow("Flow_0a", "StartEvent_1", "Event_0end", name="Xong")], lanes=LANES)
    assert parse_model(content, "model.bpmn").warnings == []
