"""What the designer is told about a model through the API: every problem at once (errors, then
warnings) in their language, warnings and translations with a model that deploys; and models as
other tools write them that deploy and run: the seed model re-saved by Camunda Modeler, a
multi-instance review, a 600-step procedure. No deployed model makes the intake answer 500."""

from __future__ import annotations

from io import BytesIO

from lxml import etree
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine import deployments
from engine.parsing import ParsedModel
from tests.conftest import FIXTURES, read_model
from tests.modeler import Node, camunda_model, chain_flows, properties, user_tasks_chain

FIRST_UPLOAD = read_model("camunda7_first_upload.bpmn")
TRANSFER = read_model("chuyen_truong_thpt.bpmn")
DESK = {"Lane_0desk": "desk_officer"}


def validate(api, content: bytes, filename: str = "model.bpmn", headers: dict | None = None):
    return api.post("/api/v1/process-models/validation", user="admin", headers=headers,
                    data={"file": (BytesIO(content), filename)}, content_type="multipart/form-data")


def make_procedure(api, code: str, process_id: str, lane_roles: dict | None = None) -> None:
    response = api.post("/api/v1/procedures", user="admin", json={
        "code": code, "name": "Thủ tục thử nghiệm", "field": "Thử nghiệm",
        "processing_time_value": 5, "processing_time_unit": "working_days",
        "deciding_unit_code": "PHONG_GDTRH", "process_id": process_id, "lane_roles": lane_roles or {},
        "required_documents": [{"name": "Đơn đề nghị", "form": "original", "quantity": 1}],
    })
    assert response.status_code == 201, response.get_json()


def test_a_camunda_modeler_file_gets_every_problem_in_one_answer_in_vietnamese(api):
    response = validate(api, FIRST_UPLOAD, "ban_sao.bpmn")

    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "bpmn_invalid" and body["message"].startswith("Tệp BPMN 'ban_sao.bpmn'")
    problems = body["errors"]["problems"]
    # its JUEL conditions (${approved}) and its bare PT4H timer are translated, its candidate groups and
    # generated forms read: not problems
    assert [(p["severity"], p["code"], p["element"]) for p in problems] == [
        ("error", "expression_syntax", "Activity_0f3xyzt"),
        ("error", "spiff_refused", "Activity_0f3xyzt"),
        ("warning", "vendor_ignored", "StartEvent_1"),
        ("warning", "vendor_ignored", "Activity_0s1ign9"),
        ("warning", "vendor_ignored", "Activity_1remind"),
        ("warning", "no_terminal_status", None),
    ]
    assert all(set(p) == {"severity", "code", "element", "line", "message", "hint"} for p in problems)
    assert problems[0]["message"] == ("Phần đoạn mã (script) của 'Activity_0f3xyzt' không phải là Python hợp lệ: "
                                      "expected '(' (trong 'def fee = 50000').")
    assert problems[0]["hint"].startswith("Đoạn mã viết bằng câu lệnh Python")
    assert "camunda:dueDate" in problems[3]["message"]
    first = problems[0]
    assert (body["errors"]["file"], body["errors"]["line"], body["errors"]["element"]) == (
        "ban_sao.bpmn", first["line"], "Activity_0f3xyzt")
    assert "def fee" in body["errors"]["detail"]


def test_the_same_problems_read_in_english_on_request(api):
    body = validate(api, FIRST_UPLOAD, "ban_sao.bpmn", headers={"Accept-Language": "en"}).get_json()

    problems = body["errors"]["problems"]
    assert body["message"] == body["errors"]["detail"] == problems[0]["message"]
    assert problems[0]["message"] == ("The script of 'Activity_0f3xyzt' is not valid Python: expected '(' "
                                      "(in 'def fee = 50000').")
    assert problems[0]["hint"].startswith("Scripts are Python statements")
    assert problems[-1]["message"].startswith("No element sets a final dossier_status (3, 8, 9, 10)")


def test_deployment_refuses_with_the_same_list_and_deploys_nothing(api):
    validated = validate(api, FIRST_UPLOAD, "ban_sao.bpmn").get_json()
    deployed = api.deploy(FIRST_UPLOAD, "ban_sao.bpmn")

    assert deployed.status_code == 422
    assert deployed.get_json()["errors"] == validated["errors"]
    listed = api.get("/api/v1/process-models", user="admin").get_json()
    assert "Process_0ky8mz5" not in [m["process_id"] for m in listed]


def test_the_domain_s_checks_join_the_engine_s_in_the_same_list(api):
    broken = TRANSFER.replace(b'name="dossier_status" value="4"', b'name="dossier_status" value="11"', 1).replace(
        b'name="dossier_notice" value="refusal"', b'name="dossier_notice" value="thong_bao"', 1).replace(
        REVIEW_TIMER, b'<bpmn:timeDate xsi:type="bpmn:tFormalExpression">2026-12-01T08:00:00</bpmn:timeDate>')

    problems = validate(api, broken, "chuyen_truong_thpt.bpmn").get_json()["errors"]["problems"]

    assert [(p["code"], p["element"]) for p in problems] == [
        ("timer_invalid", "Timer_ReviewOverdue"), ("dossier_notice_invalid", "End_RefusedAtIntake"),
        ("dossier_status_invalid", "Event_HandedOver")]
    assert problems[2]["message"] == ("'Event_HandedOver' đặt dossier_status='11'; giá trị phải là mã trạng thái "
                                      "từ 1 đến 10.")


REVIEW_TIMER = b'<bpmn:timeDate xsi:type="bpmn:tFormalExpression">deadline("review")</bpmn:timeDate>'


def warned_model() -> bytes:
    """A model that deploys with warnings: a task in no lane, a vendor attribute, no final status."""
    nodes = [Node("startEvent", "StartEvent_1", lane="Lane_0desk"),
             Node("userTask", "Activity_0check", "Kiểm tra", lane="Lane_0desk",
                  attrs={"camunda:dueDate": "${dueDate}"}),
             Node("userTask", "Activity_0lost", "Việc không ai thấy"),
             Node("endEvent", "Event_0end", lane="Lane_0desk")]
    return camunda_model(nodes, chain_flows(*(n.id for n in nodes)), process_id="Process_0warn",
                         lanes={"Lane_0desk": "desk_officer"})


def test_a_model_with_warnings_validates_with_them_and_with_its_translations(api):
    response = validate(api, warned_model())

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [(w["severity"], w["code"], w["element"]) for w in body["warnings"]] == [
        ("warning", "vendor_ignored", "Activity_0check"), ("warning", "no_terminal_status", "Process_0warn"),
        ("warning", "task_without_role", "Activity_0lost")]
    assert body["warnings"][2]["message"] == ("Công việc 'Activity_0lost' không nằm trong làn (lane) nào và không nêu "
                                              "nhóm hay người thực hiện: nếu thủ tục không có vai trò mặc định thì "
                                              "sẽ không ai thấy công việc này.")
    assert body["translations"] == []


def test_an_ignored_vendor_construct_is_told_with_its_reason_and_fix_in_the_readers_language(api):
    vi = validate(api, warned_model()).get_json()["warnings"][0]
    en = validate(api, warned_model(), headers={"Accept-Language": "en"}).get_json()["warnings"][0]

    assert vi["message"] == ("Phần tử 'Activity_0check' có những thiết lập hệ thống bỏ qua: camunda:dueDate (hạn xử "
                             "lý, ngày theo dõi và độ ưu tiên của công việc không được đọc).")
    assert vi["hint"].startswith("camunda:dueDate: đặt cho bước một sự kiện hẹn giờ biên")
    assert en["message"] == ("'Activity_0check' carries what the engine ignores: camunda:dueDate (task due dates, "
                             "follow-up dates and priorities are not read).")
    assert en["hint"] == ('camunda:dueDate: give the step a boundary timer, or a deadline("step") '
                          "allocation.")


def test_deploying_a_model_with_warnings_creates_it_and_returns_them(api):
    created = api.deploy(warned_model(), "canh_bao.bpmn")
    again = api.deploy(warned_model(), "canh_bao.bpmn")

    assert (created.status_code, again.status_code) == (201, 200)
    for body in (created.get_json(), again.get_json()):
        assert body["process_id"] == "Process_0warn" and body["version"] == 1
        assert [w["code"] for w in body["warnings"]] == ["vendor_ignored", "no_terminal_status", "task_without_role"]
        assert body["translations"] == []


def test_a_model_without_problems_deploys_with_no_warnings(api):
    edited = TRANSFER.replace('name="Đã ký"'.encode(), 'name="Đã ký duyệt"'.encode())
    response = api.deploy(edited, "chuyen_truong_thpt.bpmn")
    assert response.status_code == 201
    assert (response.get_json()["warnings"], response.get_json()["translations"]) == ([], [])


def test_the_seed_model_resaved_by_camunda_modeler_deploys_and_a_dossier_runs_through_it(api):
    resaved = TRANSFER.decode().replace(
        '<bpmn:subProcess id="Processing" name="Giải quyết hồ sơ">',
        '<bpmn:subProcess id="Processing" name="Giải quyết hồ sơ">\n'
        "      <bpmn:incoming>Flow_Start_Processing</bpmn:incoming>\n"
        "      <bpmn:outgoing>Flow_Processing_Decision</bpmn:outgoing>").encode()

    deployed = api.deploy(resaved, "chuyen_truong_thpt.bpmn")

    assert (deployed.status_code, deployed.get_json()["version"], deployed.get_json()["warnings"]) == (201, 2, [])
    code = api.receive()["code"]
    api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
    api.complete(code, "specialist", "review", {"opinion": "approve", "note": "Đủ điều kiện"})
    api.complete(code, "leader", "sign", {"decision": "approve"})
    api.return_result(code)
    dossier = api.dossier(code)
    assert dossier["status"] == 10
    history = api.get(f"/api/v1/dossiers/{code}/history", user="desk").get_json()
    assert [e["data"]["version"] for e in history if e["action"] == "instance.started"] == [2]
    assert any(e["action"] == "instance.completed" for e in history)


def test_a_model_deployed_before_reserved_ids_were_refused_makes_the_intake_a_422_not_a_500(api, sessions):
    nodes = [Node("startEvent", "Start", lane="Lane_0desk"), Node("userTask", "Activity_0abc", lane="Lane_0desk"),
             Node("endEvent", "Event_0end", extensions=properties(dossier_status="9"), lane="Lane_0desk")]
    content = camunda_model(nodes, chain_flows(*(n.id for n in nodes)), process_id="Process_0old",
                            lanes={"Lane_0desk": "desk_officer"})
    assert validate(api, content).get_json()["errors"]["problems"][0]["code"] == "reserved_id"
    parser = SpiffBpmnParser()  # as an older release deployed it, without the check
    parser.add_bpmn_xml(etree.ElementTree(etree.fromstring(content)), "cu.bpmn")
    parsed = ParsedModel("Process_0old", "Quy trình cũ", parser.get_spec("Process_0old"),
                         parser.get_subprocess_specs("Process_0old"), lanes=["desk_officer"], user_tasks=[])
    with sessions() as session, session.begin():
        deployments.deploy(session, content, "cu.bpmn", actor="test", parsed=parsed)
    make_procedure(api, "THU_NGHIEM_CU", "Process_0old")

    response = api.post("/api/v1/dossiers", user="desk", json={
        "procedure_code": "THU_NGHIEM_CU", "channel": "in_person",
        "applicant": {"full_name": "Nguyễn Văn An", "id_number": "079204001234", "phone": "0912345678"}})

    assert response.status_code == 422, response.get_json()
    assert response.get_json()["code"] == "execution_failed"
    assert "Process_0old" in response.get_json()["errors"]["detail"]
    assert api.get("/api/v1/procedures", user="desk").status_code == 200


OPINION_FORM = ('{"type":"object","required":["opinion"],"properties":{"opinion":{"type":"string",'
                '"title":"Ý kiến của phòng"}}}')


def test_each_instance_of_a_multi_instance_review_shows_its_form(api):
    loop = ('<bpmn:multiInstanceLoopCharacteristics><bpmn:loopDataInputRef>divisions</bpmn:loopDataInputRef>'
            '<bpmn:loopDataOutputRef>opinions</bpmn:loopDataOutputRef>'
            '<bpmn:inputDataItem id="division" name="division" /><bpmn:outputDataItem id="opinion" name="opinion" />'
            "</bpmn:multiInstanceLoopCharacteristics>")
    nodes = [Node("startEvent", "StartEvent_1", lane="Lane_0desk"),
             Node("scriptTask", "Activity_0list", "Chọn phòng lấy ý kiến", lane="Lane_0desk",
                  inner='<bpmn:script>divisions = ["Phòng Giáo dục trung học", "Phòng Khảo thí"]</bpmn:script>'),
             Node("userTask", "Activity_0opinion", "Cho ý kiến", lane="Lane_0desk", inner=loop,
                  extensions=properties(form_schema=OPINION_FORM)),
             Node("endEvent", "Event_0end", extensions=properties(dossier_status="9"), lane="Lane_0desk")]
    content = camunda_model(nodes, chain_flows(*(n.id for n in nodes)), process_id="Process_0mi", lanes=DESK)
    deployed = api.deploy(content, "y_kien.bpmn")
    assert deployed.status_code == 201, deployed.get_json()
    assert deployed.get_json()["user_tasks"] == [
        {"bpmn_id": "Activity_0opinion", "name": "Cho ý kiến", "lane": "desk_officer", "candidate_groups": [],
         "candidate_users": []}]
    make_procedure(api, "THU_NGHIEM_Y_KIEN", "Process_0mi")
    code = api.receive("THU_NGHIEM_Y_KIEN")["code"]

    listed = api.get("/api/v1/tasks", user="desk", query_string={"dossier_code": code}).get_json()
    assert [t["bpmn_id"] for t in listed] == ["Activity_0opinion", "Activity_0opinion"]
    for task in listed:
        detail = api.get(f"/api/v1/tasks/{task['id']}", user="desk").get_json()
        assert detail["form_schema"]["properties"]["opinion"]["title"] == "Ý kiến của phòng"
        done = api.post(f"/api/v1/tasks/{task['id']}/complete", user="desk", json={"data": {"opinion": "Đồng ý"}})
        assert done.status_code == 200, done.get_json()

    assert api.dossier(code)["status"] == 9


def test_a_procedure_of_600_steps_deploys_and_its_dossiers_start(api):
    nodes, flows = user_tasks_chain(600, lane="Lane_0desk")
    content = camunda_model(nodes, flows, process_id="Process_0long", lanes=DESK)

    deployed = api.deploy(content, "sau_tram_buoc.bpmn")

    assert deployed.status_code == 201, deployed.get_json()
    assert len(deployed.get_json()["user_tasks"]) == 600
    make_procedure(api, "THU_NGHIEM_DAI", "Process_0long")
    code = api.receive("THU_NGHIEM_DAI")["code"]
    after = api.complete(code, "desk", "Activity_0000")
    assert [t["bpmn_id"] for t in after["next_tasks"]] == ["Activity_0001"]


def test_a_procedure_of_1200_steps_is_refused_naming_the_limit(api):
    nodes, flows = user_tasks_chain(1200, lane="Lane_0desk")

    body = api.deploy(camunda_model(nodes, flows, process_id="Process_0long", lanes=DESK), "qua_dai.bpmn").get_json()

    [problem] = body["errors"]["problems"]
    assert problem["code"] == "model_too_deep"
    assert "1202 bước" in problem["message"] and "tối đa 700 bước" in problem["message"]


def test_a_deployed_version_shows_the_translations_of_its_juel_expressions(api):
    content = (FIXTURES / "interop" / "camunda7_juel_conditions_candidate_groups.bpmn").read_bytes()
    deployed = api.deploy(content, "juel.bpmn").get_json()

    version = api.get(f"/api/v1/process-models/{deployed['process_id']}/versions/{deployed['version']}",
                      user="admin").get_json()

    assert len(version["translations"]) == 5
    assert version["translations"] == deployed["translations"]
    assert {t["dialect"] for t in version["translations"]} == {"juel"}
    assert all(t["python"] and t["original"] != t["python"] for t in version["translations"])
