"""A model that calls a process deployed from another file: one dossier, the callee pinned per dossier."""

from __future__ import annotations

from io import BytesIO

from engine import state_store
from tests.api.models_at_work import deploy, history, open_tasks, register
from tests.conftest import read_model

CALLEE = read_model("called_review.bpmn")
CALLEE_V2 = CALLEE.replace(b"check_documents", b"verify_documents")


def test_a_caller_whose_callee_is_not_deployed_is_refused(api):
    response = api.deploy(read_model("calls_review.bpmn"), "calls_review.bpmn")

    assert response.status_code == 422
    assert response.get_json()["errors"]["element"] == "call_review"
    assert "tham_dinh_ho_so" in response.get_json()["errors"]["detail"]
    validated = api.post("/api/v1/process-models/validation", user="admin",
                         data={"file": (BytesIO(read_model("calls_review.bpmn")), "calls_review.bpmn")},
                         content_type="multipart/form-data")
    assert validated.status_code == 422


def test_a_running_dossier_finishes_on_its_callee_version_and_a_new_one_takes_the_next(api):
    deploy(api, CALLEE, "called_review.bpmn")
    deploy(api, "calls_review.bpmn")
    register(api, "THAM_DINH_DUNG_CHUNG", "tiep_nhan_co_tham_dinh")
    running = api.receive("THAM_DINH_DUNG_CHUNG")["code"]
    after_intake = api.complete(running, "desk", "intake")
    assert [(t["bpmn_id"], t["role"]) for t in after_intake["next_tasks"]] == [("check_documents", "specialist")]
    assert after_intake["dossier"]["status"] == 2

    assert deploy(api, CALLEE_V2, "called_review.bpmn")["version"] == 2
    state_store.forget_cached()  # restored from the database, as another worker of the service would

    checked = api.complete(running, "specialist", "check_documents", {"finding": "Đủ điều kiện"})
    assert checked["dossier"]["status"] == 4  # the callee's dossier_status moves the caller's dossier
    assert [t["bpmn_id"] for t in checked["next_tasks"]] == ["sign"]
    assert api.complete(running, "leader", "sign")["dossier"]["status"] == 9
    completed = [e["data"]["bpmn_id"] for e in history(api, running) if e["action"] == "task.completed"]
    assert completed == ["intake", "check_documents", "sign"]

    fresh = api.receive("THAM_DINH_DUNG_CHUNG")["code"]
    api.complete(fresh, "desk", "intake")
    assert [t["bpmn_id"] for t in open_tasks(api, fresh, "specialist")] == ["verify_documents"]
    steps = api.get(f"/api/v1/dossiers/{fresh}/steps", user="desk").get_json()
    assert [s["bpmn_id"] for s in steps] == ["intake", "verify_documents"]


def test_the_callee_s_lanes_must_be_mapped_by_the_caller_s_procedure(api):
    deploy(api, CALLEE, "called_review.bpmn")
    deploy(api, "calls_review.bpmn")

    response = api.post("/api/v1/procedures", user="admin", json={
        "code": "THAM_DINH_DUNG_CHUNG", "name": "Thủ tục thử nghiệm", "field": "Thử nghiệm",
        "processing_time_value": 3, "processing_time_unit": "working_days", "deciding_unit_code": "PHONG_GDTRH",
        "process_id": "tiep_nhan_co_tham_dinh",
        "lane_roles": {"Bộ phận một cửa": "desk_officer", "Lãnh đạo Sở": "leader"},
        "required_documents": [{"name": "Đơn đề nghị", "form": "original", "quantity": 1}],
    })
    assert response.status_code == 422
    assert response.get_json()["errors"]["lane_roles"] == ["Phòng chuyên môn"]
