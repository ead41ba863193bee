"""Other modellers' extensions become MotCua's properties; what is not read is reported, never dropped.

The snippets are written as each tool writes them (interop research note §1): Camunda Modeler 7 and
8 with the `bpmn:` prefix, Flowable and Activiti with BPMN as the default namespace, the MIWG
reference models with `semantic:`.
"""

from __future__ import annotations

import json

import jsonschema
import pytest
from lxml import etree

from engine.assignment import task_role
from engine.errors import InvalidTaskData
from engine.forms import validate_task_data
from engine.parsing import parse_model
from engine.vendor import normalize

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"


def camunda7(task: str, *, process_attributes: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:modeler="http://camunda.org/schema/modeler/1.0"
    id="Definitions_0h3vrm2" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler"
    exporterVersion="5.28.0" modeler:executionPlatform="Camunda Platform" modeler:executionPlatformVersion="7.21.0">
  <bpmn:process id="Process_0dc7inz" isExecutable="true"{process_attributes}>
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_review" />
    {task}
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_review" targetRef="Event_02mcixp" />
    <bpmn:endEvent id="Event_02mcixp"><bpmn:incoming>Flow_2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>""".encode()


def camunda8(task: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0"
    id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.28.0"
    modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.6.0">
  <bpmn:process id="Process_1" isExecutable="true">
    {task}
  </bpmn:process>
</bpmn:definitions>""".encode()


def flowable(task: str, prefix: str = "flowable", uri: str = "http://flowable.org/bpmn") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:{prefix}="{uri}" xmlns:omgdc="http://www.omg.org/spec/DD/20100524/DC"
    typeLanguage="http://www.w3.org/2001/XMLSchema" expressionLanguage="http://www.w3.org/1999/XPath"
    targetNamespace="http://www.flowable.org/processdef">
  <process id="holidayRequest" name="Holiday Request" isExecutable="true">
    <startEvent id="startEvent" {prefix}:initiator="initiator"/>
    <sequenceFlow id="f1" sourceRef="startEvent" targetRef="approveTask"/>
    {task}
    <sequenceFlow id="f2" sourceRef="approveTask" targetRef="end"/>
    <endEvent id="end"/>
  </process>
</definitions>""".encode()


def normalized(content: bytes):
    root = etree.fromstring(content)
    return root, normalize(root)


def properties_of(root, element_id: str) -> dict:
    node = next(n for n in root.iter() if n.get("id") == element_id)
    return {p.get("name"): p.get("value") for p in node.iterfind(
        f"{{{BPMN}}}extensionElements/{{{SPIFF}}}properties/{{{SPIFF}}}property")}


def ignored(report) -> dict:
    return {(i.element, i.what): i for i in report.ignored}


# --- properties -----------------------------------------------------------------------------------

def test_camunda_properties_become_spiffworkflow_properties_and_leave_the_tree():
    root, report = normalized(camunda7("""
    <bpmn:userTask id="Activity_review" name="Review">
      <bpmn:extensionElements>
        <camunda:properties>
          <camunda:property name="dossier_status" value="4" />
          <camunda:property name="notification" value="review_due_soon" />
        </camunda:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>"""))

    assert properties_of(root, "Activity_review") == {"dossier_status": "4", "notification": "review_due_soon"}
    assert not root.findall(".//{http://camunda.org/schema/1.0/bpmn}properties")
    assert [(c.element, c.what) for c in report.converted] == [
        ("Activity_review", "camunda:property dossier_status"), ("Activity_review", "camunda:property notification")]
    assert report.ignored == []


def test_an_existing_spiffworkflow_property_wins_over_a_vendor_one():
    root, report = normalized(camunda7("""
    <bpmn:userTask id="Activity_review" name="Review">
      <bpmn:extensionElements>
        <camunda:properties><camunda:property name="dossier_status" value="9" /></camunda:properties>
        <spiffworkflow:properties xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core">
          <spiffworkflow:property name="dossier_status" value="4" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>"""))

    assert properties_of(root, "Activity_review") == {"dossier_status": "4"}
    entry = ignored(report)[("Activity_review", "camunda:property dossier_status")]
    assert "own spiffworkflow property 'dossier_status' wins" in entry.reason


def test_zeebe_properties_are_merged_with_the_elements_own_properties():
    root, _ = normalized(camunda8("""
    <bpmn:endEvent id="Event_done">
      <bpmn:extensionElements>
        <spiffworkflow:properties xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core">
          <spiffworkflow:property name="notification" value="result_ready" />
        </spiffworkflow:properties>
        <zeebe:properties><zeebe:property name="dossier_status" value="9" /></zeebe:properties>
      </bpmn:extensionElements>
    </bpmn:endEvent>"""))

    assert properties_of(root, "Event_done") == {"notification": "result_ready", "dossier_status": "9"}


def test_properties_go_after_the_documentation_of_an_element_without_extension_elements():
    root, _ = normalized(camunda7("""
    <bpmn:userTask id="Activity_review" name="Review" camunda:candidateGroups="leader">
      <bpmn:documentation>Read it all</bpmn:documentation>
      <bpmn:incoming>Flow_1</bpmn:incoming>
    </bpmn:userTask>"""))

    task = root.find(".//{*}userTask")
    assert [etree.QName(c).localname for c in task] == ["documentation", "extensionElements", "incoming"]


# --- assignment -----------------------------------------------------------------------------------

def test_camunda_candidate_groups_and_users_become_properties():
    root, report = normalized(camunda7("""
    <bpmn:userTask id="Activity_review" name="Review" camunda:candidateGroups="Phòng chuyên môn, leader"
        camunda:candidateUsers="an.nguyen,binh.tran" camunda:assignee="chi.le" />"""))

    assert properties_of(root, "Activity_review") == {
        "candidate_groups": "Phòng chuyên môn,leader", "candidate_users": "an.nguyen,binh.tran,chi.le"}
    task = root.find(".//{*}userTask")
    assert not [a for a in task.attrib if "camunda" in a]
    assert {c.what for c in report.converted} == {
        "camunda:candidateGroups", "camunda:candidateUsers", "camunda:assignee"}


@pytest.mark.parametrize("prefix, uri", [("flowable", "http://flowable.org/bpmn"),
                                         ("activiti", "http://activiti.org/bpmn")])
def test_flowable_and_activiti_candidate_groups_become_a_property(prefix, uri):
    root, report = normalized(flowable(f"""
    <userTask id="approveTask" name="Approve or reject request" {prefix}:candidateGroups="managers"/>""", prefix, uri))

    assert properties_of(root, "approveTask") == {"candidate_groups": "managers"}
    assert ignored(report)[("startEvent", f"{prefix}:initiator")].hint == "remove it"


def test_zeebe_assignment_takes_static_names_and_refuses_feel_expressions():
    root, report = normalized(camunda8("""
    <bpmn:userTask id="Activity_review" name="Review">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition assignee="= ring.bearer" candidateGroups="elves, men" candidateUsers="frodo" />
        <zeebe:userTask />
      </bpmn:extensionElements>
    </bpmn:userTask>"""))

    assert properties_of(root, "Activity_review") == {"candidate_groups": "elves,men", "candidate_users": "frodo"}
    refused = ignored(report)[("Activity_review", "zeebe:assignmentDefinition assignee")]
    assert "'= ring.bearer' is an expression" in refused.reason
    assert "lane" in refused.hint
    definition = root.find(".//{http://camunda.org/schema/zeebe/1.0}assignmentDefinition")
    assert dict(definition.attrib) == {"assignee": "= ring.bearer"}  # what is not read stays, unread


def test_feel_candidate_groups_are_reported_and_give_no_property():
    root, report = normalized(camunda8("""
    <bpmn:userTask id="Activity_review" name="Review">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="=[&quot;elves&quot;, &quot;men&quot;]" />
      </bpmn:extensionElements>
    </bpmn:userTask>"""))

    assert properties_of(root, "Activity_review") == {}
    assert ("Activity_review", "zeebe:assignmentDefinition candidateGroups") in ignored(report)


def test_a_juel_assignee_is_reported_not_taken_for_a_username():
    root, report = normalized(camunda7("""
    <bpmn:userTask id="Activity_review" name="Review" camunda:assignee="${initiator}" />"""))

    assert properties_of(root, "Activity_review") == {}
    assert "expression" in ignored(report)[("Activity_review", "camunda:assignee")].reason


def test_an_existing_candidate_groups_property_wins():
    root, report = normalized(camunda7("""
    <bpmn:userTask id="Activity_review" name="Review" camunda:candidateGroups="sales">
      <bpmn:extensionElements>
        <spiffworkflow:properties xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core">
          <spiffworkflow:property name="candidate_groups" value="leader" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>"""))

    assert properties_of(root, "Activity_review") == {"candidate_groups": "leader"}
    assert ("Activity_review", "camunda:candidateGroups") in ignored(report)


def test_potential_owners_as_activiti_and_the_miwg_models_write_them():
    root, report = normalized(b"""<?xml version="1.0" encoding="ISO-8859-1" standalone="yes"?>
<semantic:definitions xmlns:semantic="http://www.omg.org/spec/BPMN/20100524/MODEL" id="_1" targetNamespace="x">
  <semantic:resource id="_res_clerk" name="clerk"/>
  <semantic:process id="_p" isExecutable="true">
    <semantic:userTask id="_t1" name="Check">
      <semantic:potentialOwner>
        <semantic:resourceAssignmentExpression>
          <semantic:formalExpression>user(kermit), group(management), accountancy</semantic:formalExpression>
        </semantic:resourceAssignmentExpression>
      </semantic:potentialOwner>
    </semantic:userTask>
    <semantic:userTask id="_t2" name="File"><semantic:potentialOwner resourceRef="_res_clerk"/></semantic:userTask>
    <semantic:userTask id="_t3" name="Decide">
      <semantic:potentialOwner><semantic:resourceAssignmentExpression>
        <semantic:formalExpression>${approvers}</semantic:formalExpression>
      </semantic:resourceAssignmentExpression></semantic:potentialOwner>
    </semantic:userTask>
  </semantic:process>
</semantic:definitions>""")

    assert properties_of(root, "_t1") == {"candidate_groups": "management,accountancy", "candidate_users": "kermit"}
    assert properties_of(root, "_t2") == {"candidate_groups": "clerk"}
    assert properties_of(root, "_t3") == {}
    assert ("_t3", "bpmn:potentialOwner") in ignored(report)
    assert root.find(".//{*}userTask/{*}potentialOwner") is not None  # standard BPMN: kept as written


# --- forms ----------------------------------------------------------------------------------------

CAMUNDA_FORM = """
    <bpmn:userTask id="Activity_review" name="Review" camunda:candidateGroups="specialist">
      <bpmn:extensionElements>
        <camunda:formData>
          <camunda:formField id="amount" label="Amount" type="long" defaultValue="0">
            <camunda:validation>
              <camunda:constraint name="required" />
              <camunda:constraint name="min" config="1" />
              <camunda:constraint name="max" config="1000" />
            </camunda:validation>
          </camunda:formField>
          <camunda:formField id="note" label="Note" type="string">
            <camunda:validation>
              <camunda:constraint name="minlength" config="2" /><camunda:constraint name="maxlength" config="50" />
            </camunda:validation>
          </camunda:formField>
          <camunda:formField id="urgent" label="Urgent?" type="boolean" defaultValue="true" />
          <camunda:formField id="decided_on" label="Decided on" type="date" datePattern="dd/MM/yyyy"
              defaultValue="01/12/2026" />
          <camunda:formField id="kind" label="Kind" type="enum" defaultValue="b">
            <camunda:value id="a" name="Cấp mới" /><camunda:value id="b" name="Cấp lại" />
          </camunda:formField>
          <camunda:formField id="reference" label="Reference" type="string" defaultValue="HS-1">
            <camunda:validation><camunda:constraint name="readonly" /></camunda:validation>
          </camunda:formField>
        </camunda:formData>
      </bpmn:extensionElements>
    </bpmn:userTask>"""


def test_camunda_form_data_becomes_a_json_schema_in_the_fields_order():
    root, report = normalized(camunda7(CAMUNDA_FORM))

    schema = json.loads(properties_of(root, "Activity_review")["form_schema"])
    jsonschema.Draft202012Validator.check_schema(schema)
    assert list(schema["properties"]) == ["amount", "note", "urgent", "decided_on", "kind", "reference"]
    assert schema["x-order"] == list(schema["properties"])
    assert schema["required"] == ["amount"]
    assert schema["properties"]["amount"] == {"type": "integer", "title": "Amount", "minimum": 1, "maximum": 1000,
                                              "default": 0}
    assert schema["properties"]["note"] == {"type": "string", "title": "Note", "minLength": 2, "maxLength": 50}
    assert schema["properties"]["urgent"] == {"type": "boolean", "title": "Urgent?", "default": True}
    assert schema["properties"]["decided_on"]["format"] == "date"
    assert schema["properties"]["decided_on"]["default"] == "2026-12-01"
    assert schema["properties"]["kind"]["oneOf"] == [{"const": "a", "title": "Cấp mới"},
                                                     {"const": "b", "title": "Cấp lại"}]
    assert schema["properties"]["kind"]["default"] == "b"
    assert schema["properties"]["reference"]["readOnly"] is True
    assert report.ignored == []
    assert root.find(".//{http://camunda.org/schema/1.0/bpmn}formData") is None


def test_the_converted_form_enforces_its_fields():
    root, _ = normalized(camunda7(CAMUNDA_FORM))
    schema = json.loads(properties_of(root, "Activity_review")["form_schema"])

    validate_task_data(schema, {"amount": 5, "kind": "a", "decided_on": "2026-12-02"}, "Review")
    with pytest.raises(InvalidTaskData) as missing:
        validate_task_data(schema, {"kind": "a"}, "Review")
    assert missing.value.details["data"] == {"amount": ["This field is required."]}
    with pytest.raises(InvalidTaskData) as wrong:
        validate_task_data(schema, {"amount": 0, "kind": "c", "decided_on": "02/12/2026", "note": "x"}, "Review")
    assert set(wrong.value.details["data"]) == {"amount", "kind", "decided_on", "note"}


def test_form_constraints_and_types_it_cannot_read_are_reported_and_the_field_kept():
    root, report = normalized(camunda7("""
    <bpmn:userTask id="Activity_review" name="Review">
      <bpmn:extensionElements>
        <camunda:formData businessKey="ref">
          <camunda:formField id="ref" label="Reference" type="string" />
          <camunda:formField id="file" label="File" type="file">
            <camunda:validation><camunda:constraint name="validator" config="org.x.Check" /></camunda:validation>
          </camunda:formField>
          <camunda:formField id="amount" type="long" defaultValue="${limit}" />
        </camunda:formData>
      </bpmn:extensionElements>
    </bpmn:userTask>"""))

    schema = json.loads(properties_of(root, "Activity_review")["form_schema"])
    assert schema["properties"] == {"ref": {"type": "string", "title": "Reference"},
                                    "file": {"type": "string", "title": "File"}, "amount": {"type": "integer"}}
    assert {what for _, what in ignored(report)} == {
        "camunda:formData businessKey", "camunda:formField file", "camunda:constraint validator of file",
        "camunda:default of amount"}


@pytest.mark.parametrize("prefix, uri", [("flowable", "http://flowable.org/bpmn"),
                                         ("activiti", "http://activiti.org/bpmn")])
def test_flowable_form_properties_become_a_json_schema(prefix, uri):
    root, report = normalized(flowable(f"""
    <userTask id="approveTask" name="Approve or reject request" {prefix}:candidateGroups="managers">
      <extensionElements>
        <{prefix}:formProperty id="approved" name="Do you approve this request?" type="boolean" required="true"/>
        <{prefix}:formProperty id="days" name="Days" type="long" default="1"/>
        <{prefix}:formProperty id="rate" name="Rate" type="double" writable="false" default="0.5"/>
        <{prefix}:formProperty id="start" name="Start" type="date" datePattern="yyyy-MM-dd" default="2026-12-01"/>
        <{prefix}:formProperty id="decision" name="Decision" type="enum">
          <{prefix}:value id="ok" name="OK"/><{prefix}:value id="no" name="Not OK"/>
        </{prefix}:formProperty>
        <{prefix}:formProperty id="secret" type="string" readable="false"/>
        <{prefix}:formProperty id="comments" variable="manager_comments" type="string"/>
      </extensionElements>
    </userTask>""", prefix, uri))

    schema = json.loads(properties_of(root, "approveTask")["form_schema"])
    assert schema["x-order"] == ["approved", "days", "rate", "start", "decision", "manager_comments"]
    assert schema["required"] == ["approved"]
    assert schema["properties"]["rate"] == {"type": "number", "title": "Rate", "default": 0.5, "readOnly": True}
    assert schema["properties"]["start"]["default"] == "2026-12-01"
    assert schema["properties"]["decision"]["oneOf"][1] == {"const": "no", "title": "Not OK"}
    assert (("approveTask", f"{prefix}:formProperty secret")) in ignored(report)
    assert properties_of(root, "approveTask")["candidate_groups"] == "managers"


def test_an_existing_form_schema_wins_over_the_generated_form():
    own = json.dumps({"type": "object", "properties": {"x": {"type": "string"}}}).replace('"', "&quot;")
    root, report = normalized(camunda7(CAMUNDA_FORM.replace(
        "<camunda:formData>", f"""<spiffworkflow:properties xmlns:spiffworkflow="{SPIFF}">
          <spiffworkflow:property name="form_schema" value="{own}" /></spiffworkflow:properties><camunda:formData>""")))

    assert json.loads(properties_of(root, "Activity_review")["form_schema"])["properties"] == {"x": {"type": "string"}}
    assert ("Activity_review", "camunda:formData") in ignored(report)


@pytest.mark.parametrize("model, element, what", [
    (camunda7('<bpmn:userTask id="Activity_review" camunda:formKey="embedded:app:forms/x.html" />'),
     "Activity_review", "camunda:formKey"),
    (camunda7('<bpmn:userTask id="Activity_review" camunda:formRef="ApproveExpenses" '
              'camunda:formRefBinding="latest" />'), "Activity_review", "camunda:formRef"),
    (camunda8('<bpmn:userTask id="Activity_review"><bpmn:extensionElements>'
              '<zeebe:formDefinition formId="review-form" /></bpmn:extensionElements></bpmn:userTask>'),
     "Activity_review", "zeebe:formDefinition"),
    (flowable('<userTask id="approveTask" flowable:formKey="approve"/>'), "approveTask", "flowable:formKey"),
])
def test_external_forms_cannot_be_resolved_and_say_how_to_describe_the_fields(model, element, what):
    _, report = normalized(model)

    entry = ignored(report)[(element, what)]
    assert entry.hint == "describe the fields with camunda:formData or a form_schema property"
    assert entry.line is not None


def test_a_start_form_is_reported_with_where_the_fields_belong():
    model = camunda7('<bpmn:userTask id="Activity_review" />').replace(
        b'<bpmn:startEvent id="StartEvent_1">', b'<bpmn:startEvent id="StartEvent_1"><bpmn:extensionElements>'
        b'<camunda:formData><camunda:formField id="x" type="string" /></camunda:formData></bpmn:extensionElements>')

    _, report = normalized(model)

    assert "first user task" in ignored(report)[("StartEvent_1", "camunda:formData")].hint


# --- everything else ------------------------------------------------------------------------------

def test_what_it_does_not_understand_is_listed_with_a_reason_and_left_in_place():
    root, report = normalized(camunda7("""
    <bpmn:serviceTask id="Activity_review" name="Send" camunda:type="external" camunda:topic="send-mail"
        camunda:asyncBefore="true">
      <bpmn:extensionElements>
        <camunda:inputOutput><camunda:inputParameter name="to">x</camunda:inputParameter></camunda:inputOutput>
        <camunda:executionListener class="org.x.Listener" event="start" />
      </bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics camunda:collection="${officers}" camunda:elementVariable="officer" />
    </bpmn:serviceTask>""", process_attributes=' camunda:historyTimeToLive="180"'))

    found = ignored(report)
    assert set(found) == {
        ("Process_0dc7inz", "camunda:historyTimeToLive"), ("Activity_review", "camunda:type"),
        ("Activity_review", "camunda:topic"), ("Activity_review", "camunda:asyncBefore"),
        ("Activity_review", "camunda:inputOutput"), ("Activity_review", "camunda:executionListener"),
        ("Activity_review", "camunda:collection"), ("Activity_review", "camunda:elementVariable")}
    assert "script task" in found[("Activity_review", "camunda:topic")].hint
    assert found[("Activity_review", "camunda:executionListener")].message == (
        "camunda:executionListener on 'Activity_review' is ignored: listeners run Java or JavaScript code that "
        "MotCua does not run.")
    assert [found[("Activity_review", what)].code for what in (
        "camunda:executionListener", "camunda:inputOutput", "camunda:asyncBefore", "camunda:topic",
        "camunda:collection")] == ["listener", "io_mapping", "async", "implementation", "multi_instance"]
    assert root.find(".//{http://camunda.org/schema/1.0/bpmn}executionListener") is not None
    assert report.converted == []


def test_a_zeebe_service_task_definition_is_reported():
    _, report = normalized(camunda8("""
    <bpmn:serviceTask id="Pay"><bpmn:extensionElements><zeebe:taskDefinition type="payment" retries="5" />
      <zeebe:taskHeaders><zeebe:header key="method" value="VISA" /></zeebe:taskHeaders>
    </bpmn:extensionElements></bpmn:serviceTask>"""))

    assert set(ignored(report)) == {("Pay", "zeebe:taskDefinition"), ("Pay", "zeebe:taskHeaders")}


def test_what_a_business_rule_task_says_of_its_decision_is_left_for_the_decision_binding_not_reported():
    # tests/fixtures/interop/camunda7_decision_ref_business_rule_task.bpmn was told these were ignored
    root, report = normalized(camunda7("""
    <bpmn:businessRuleTask id="Activity_review" name="Fee" camunda:decisionRef="fee"
        camunda:decisionRefBinding="version" camunda:decisionRefVersion="2" camunda:resultVariable="result"
        camunda:mapDecisionResult="singleEntry" camunda:decisionRefTenantId="t1" camunda:asyncBefore="true" />"""))
    _, zeebe = normalized(camunda8("""
    <bpmn:businessRuleTask id="Decide"><bpmn:extensionElements>
      <zeebe:calledDecision decisionId="fee" resultVariable="fee" /></bpmn:extensionElements>
    </bpmn:businessRuleTask>"""))

    assert set(ignored(report)) == {("Activity_review", "camunda:decisionRefTenantId"),
                                    ("Activity_review", "camunda:asyncBefore")}
    assert {c.what for c in report.converted} == {
        "camunda:decisionRef", "camunda:decisionRefBinding", "camunda:decisionRefVersion", "camunda:resultVariable",
        "camunda:mapDecisionResult"}
    task = root.find(f".//{{{BPMN}}}businessRuleTask")
    assert task.get("{http://camunda.org/schema/1.0/bpmn}decisionRef") == "fee"  # where engine/dmn reads it
    assert zeebe.ignored == [] and [c.what for c in zeebe.converted] == ["zeebe:calledDecision"]


def test_other_tools_cosmetic_extensions_are_not_vendor_extensions_of_an_engine():
    _, report = normalized(b"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
        targetNamespace="x" xmlns:signavio="http://www.signavio.com">
      <process id="p" isExecutable="true"><task id="t"><extensionElements>
        <signavio:signavioMetaData metaKey="bgcolor" metaValue="#ffffcc"/></extensionElements></task></process>
    </definitions>""")

    assert report.ignored == [] and report.converted == []


# --- through parse_model --------------------------------------------------------------------------

def test_a_camunda_model_parses_into_a_spec_with_the_converted_properties():
    parsed = parse_model(camunda7(CAMUNDA_FORM.replace('name="Review"', 'name="Review" camunda:asyncBefore="true"')),
                         "camunda.bpmn")

    [task] = parsed.user_tasks
    assert task == {"bpmn_id": "Activity_review", "name": "Review", "lane": None,
                    "candidate_groups": ["specialist"], "candidate_users": []}
    properties = parsed.spec.task_specs["Activity_review"].extensions["properties"]
    assert set(properties) == {"candidate_groups", "form_schema"}
    assert [(w.element, w.params["names"]) for w in parsed.warnings if w.code == "vendor_ignored"] == [
        ("Activity_review", "camunda:asyncBefore")]


def test_the_same_form_field_id_on_two_tasks_no_longer_collides():
    second = CAMUNDA_FORM.replace('id="Activity_review"', 'id="Activity_second"').replace(
        'sourceRef="Activity_review"', "")
    model = camunda7(CAMUNDA_FORM).replace(b'targetRef="Event_02mcixp"', b'targetRef="Activity_second"').replace(
        b'<bpmn:endEvent', second.encode() + b'<bpmn:sequenceFlow id="Flow_3" sourceRef="Activity_second" '
        b'targetRef="Event_02mcixp" /><bpmn:endEvent')

    parsed = parse_model(model, "two_forms.bpmn")

    assert [t["bpmn_id"] for t in parsed.user_tasks] == ["Activity_review", "Activity_second"]


# --- the role rule --------------------------------------------------------------------------------

@pytest.mark.parametrize("groups, lane, default, expected", [
    (["sales", "managers"], "Bộ phận một cửa", "clerk", "leader"),  # the first group that maps
    (["sales"], "Bộ phận một cửa", "clerk", "desk_officer"),  # no group maps: the lane
    ([], "Unmapped lane", "clerk", "clerk"),  # a lane the map leaves without a role: the default
    ([], None, "clerk", "clerk"),
    ([], None, None, None),
    ([], "specialist", None, "specialist"),  # a lane unknown to the map keeps its name, as always
])
def test_a_tasks_role_is_its_first_mapped_group_else_its_lane_else_the_default(groups, lane, default, expected):
    role_map = {"managers": "leader", "Bộ phận một cửa": "desk_officer", "Unmapped lane": None}

    assert task_role(groups, lane, role_map, default) == expected


def test_a_spiff_arena_form_kept_in_a_file_is_reported_not_silently_formless():
    root, report = normalized(b"""<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
        xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="x">
      <bpmn:process id="p" isExecutable="true"><bpmn:userTask id="review"><bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="review-schema.json" />
          <spiffworkflow:property name="formUiSchemaFilename" value="review-uischema.json" />
          <spiffworkflow:property name="dossier_status" value="4" />
        </spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask></bpmn:process>
    </bpmn:definitions>""")

    found = ignored(report)
    assert set(found) == {("review", "spiffworkflow:property formJsonSchemaFilename"),
                          ("review", "spiffworkflow:property formUiSchemaFilename")}
    assert "form_schema" in found[("review", "spiffworkflow:property formJsonSchemaFilename")].hint
    assert properties_of(root, "review")["dossier_status"] == "4"  # left as it was
