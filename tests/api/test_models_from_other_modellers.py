"""A model drawn in Camunda Modeler, with no lanes: roles from its candidate groups, forms from its
generated form fields, statuses from its properties; deployed, registered, received and driven to
its end by the demo users."""

from __future__ import annotations

from tests.conftest import read_model

CAMUNDA = read_model("camunda_candidate_groups.bpmn")
PROCESS = "Process_0dc7inz"
CODE = "XAC_NHAN_CAMUNDA"
# "chuyen_vien" stays unmapped: the review's second group, "specialist", is a role code.
GROUP_ROLES = {"mot_cua": "desk_officer", "lanh_dao": "leader"}
INTAKE, REVIEW, APPROVAL, HAND_BACK = "Activity_0exgb35", "Activity_1ql3c4v", "Activity_0b7ohq1", "Activity_1t0y2nd"


def register(api, lane_roles: dict | None = None, headers: dict | None = None, **fields):
    return api.post("/api/v1/procedures", user="admin", headers=headers, json={
        "code": CODE, "name": "Xác nhận hồ sơ (mô hình Camunda)", "field": "Thử nghiệm",
        "processing_time_value": 5, "processing_time_unit": "working_days",
        "deciding_unit_code": "PHONG_GDTRH", "process_id": PROCESS, "lane_roles": lane_roles or {},
        "required_documents": [{"name": "Đơn đề nghị", "form": "original", "quantity": 1}], **fields,
    })


def deploy(api, content: bytes = CAMUNDA):
    deployed = api.deploy(content, "camunda_candidate_groups.bpmn")
    assert deployed.status_code in (200, 201), deployed.get_json()
    return deployed.get_json()


def test_a_camunda_modeler_model_runs_to_its_end_with_roles_forms_and_statuses_from_its_extensions(api):
    deployed = deploy(api)
    assert deployed["lanes"] == []
    assert {t["bpmn_id"]: t["candidate_groups"] for t in deployed["user_tasks"]} == {
        INTAKE: ["mot_cua"], REVIEW: ["chuyen_vien", "specialist"], APPROVAL: ["lanh_dao"],
        HAND_BACK: ["desk_officer"]}
    assert "camunda:candidateGroups" in api.get(f"/api/v1/process-models/{PROCESS}/versions/1",
                                                user="admin").get_json()["bpmn_xml"]  # the file as drawn
    assert register(api, GROUP_ROLES).status_code == 201

    code = api.receive(CODE)["code"]
    intake = api.open_task(code, "desk", INTAKE)
    assert intake["role"] == "desk_officer"
    review = api.complete(code, "desk", INTAKE)["next_tasks"]
    assert [(t["bpmn_id"], t["role"]) for t in review] == [(REVIEW, "specialist")]
    assert api.dossier(code)["status"] == 4  # camunda:property dossier_status

    form = api.get(f"/api/v1/tasks/{review[0]['id']}", user="specialist").get_json()["form_schema"]
    assert form["x-order"] == ["ket_luan", "so_trang", "ngay_tham_dinh", "khan", "ghi_chu"]
    assert form["required"] == ["ket_luan"]
    assert form["properties"]["ket_luan"]["oneOf"] == [{"const": "dat", "title": "Đạt yêu cầu"},
                                                       {"const": "khong_dat", "title": "Không đạt"}]
    assert form["properties"]["ngay_tham_dinh"]["format"] == "date"
    assert form["properties"]["so_trang"] == {"type": "integer", "title": "Số trang hồ sơ", "minimum": 1,
                                              "default": 1}
    refused = api.post(f"/api/v1/tasks/{review[0]['id']}/complete", user="specialist",
                       json={"data": {"so_trang": 0}})
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["data"]["ket_luan"] == ["Trường này là bắt buộc."]
    assert "so_trang" in refused.get_json()["errors"]["data"]

    approval = api.complete(code, "specialist", REVIEW, {"ket_luan": "dat", "so_trang": 12,
                                                         "ngay_tham_dinh": "2026-12-02", "khan": False})
    assert [(t["bpmn_id"], t["role"]) for t in approval["next_tasks"]] == [(APPROVAL, "leader")]
    hand_back = api.complete(code, "leader", APPROVAL)["next_tasks"]
    assert api.dossier(code)["status"] == 9
    assert [(t["bpmn_id"], t["role"]) for t in hand_back] == [(HAND_BACK, "desk_officer")]
    assert api.complete(code, "desk", HAND_BACK)["next_tasks"] == []

    assert api.dossier(code)["status"] == 10
    history = api.get(f"/api/v1/dossiers/{code}/history", user="desk").get_json()
    assert history[-1]["action"] == "instance.completed"


def test_registering_a_procedure_whose_tasks_nobody_could_see_is_refused_naming_the_tasks(api):
    deploy(api)

    refused = register(api, headers={"Accept-Language": "en"})

    assert refused.status_code == 422
    errors = refused.get_json()["errors"]
    assert errors["tasks"] == [APPROVAL, INTAKE]
    assert errors["lane_roles"] == ["lanh_dao", "mot_cua"]
    assert "Kiểm tra hồ sơ (Activity_0exgb35)" in refused.get_json()["message"]
    assert register(api, {"mot_cua": "desk_officer"}).get_json()["errors"]["tasks"] == [APPROVAL]
    created = register(api, {"mot_cua": "desk_officer"}, default_role="leader")
    assert created.status_code == 201 and created.get_json()["default_role"] == "leader"

    taken_back = api.put(f"/api/v1/procedures/{CODE}", user="admin", json={"default_role": None})
    assert taken_back.status_code == 422
    assert taken_back.get_json()["errors"]["tasks"] == [APPROVAL]
    unknown = api.put(f"/api/v1/procedures/{CODE}", user="admin", json={"default_role": "janitor"})
    assert unknown.status_code == 422


def test_a_task_that_names_no_role_gets_the_procedures_default_role(api):
    deploy(api, CAMUNDA.replace(b' camunda:candidateGroups="mot_cua"', b""))
    assert register(api, GROUP_ROLES, default_role="desk_officer").status_code == 201

    code = api.receive(CODE)["code"]

    assert api.open_task(code, "desk", INTAKE)["role"] == "desk_officer"
    assert api.get("/api/v1/tasks", user="clerk", query_string={"dossier_code": code}).get_json() == []


def test_a_task_offered_to_named_users_is_theirs_only_among_its_role(api, sessions):
    from workflows.auth import create_user

    with sessions() as session, session.begin():
        create_user(session, username="leader2", password="demo", full_name="Lãnh Đạo Hai", roles=["leader"],
                    demo=True)
    deploy(api)
    register(api, GROUP_ROLES)
    code = api.receive(CODE)["code"]
    api.complete(code, "desk", INTAKE)
    api.complete(code, "specialist", REVIEW, {"ket_luan": "dat"})

    task = api.open_task(code, "leader", APPROVAL)
    assert api.get("/api/v1/tasks", user="leader2", query_string={"dossier_code": code}).get_json() == []
    for action in ("claim", "complete"):
        refused = api.post(f"/api/v1/tasks/{task['id']}/{action}", user="leader2", json={"data": {}})
        assert refused.status_code == 403, action
        assert refused.get_json()["errors"]["candidate_users"] == ["leader"]
    assert api.get(f"/api/v1/tasks/{task['id']}", user="leader2").status_code == 403
    assert api.post(f"/api/v1/tasks/{task['id']}/claim", user="leader").status_code == 200
    assert api.post(f"/api/v1/tasks/{task['id']}/complete", user="leader", json={"data": {}}).status_code == 200


def test_named_users_without_an_account_leave_the_task_to_its_whole_role(api):
    deploy(api, CAMUNDA.replace(b'camunda:candidateUsers="leader"', b'camunda:candidateUsers="ong.x, ba.y"'))
    register(api, GROUP_ROLES)
    code = api.receive(CODE)["code"]
    api.complete(code, "desk", INTAKE)
    api.complete(code, "specialist", REVIEW, {"ket_luan": "khong_dat"})

    assert api.complete(code, "leader", APPROVAL)["next_tasks"][0]["bpmn_id"] == HAND_BACK


def test_a_vendor_property_with_a_status_the_portal_does_not_know_is_refused(api):
    broken = CAMUNDA.replace(b'name="dossier_status" value="9"', b'name="dossier_status" value="42"')

    refused = api.deploy(broken, "camunda_candidate_groups.bpmn")

    assert refused.status_code == 422
    assert refused.get_json()["errors"]["element"] == APPROVAL
