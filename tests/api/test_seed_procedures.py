"""Both seed procedures, end to end over HTTP: every branch a desk officer meets."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from workflows.timers import fire_due_timers

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PROCEDURES = {
    "CHUYEN_TRUONG_THPT": "chuyen_truong_thpt.bpmn",
    "CAP_BAN_SAO_VAN_BANG": "cap_ban_sao_van_bang.bpmn",
}


@pytest.fixture(params=sorted(PROCEDURES))
def procedure_code(request) -> str:
    return request.param


def statuses_of(api, code: str) -> list[int]:
    history = api.get(f"/api/v1/dossiers/{code}/history", user="desk").get_json()
    return [e["data"]["to"] for e in history if e["action"] == "dossier.status_changed"]


def through_review_and_signature(api, code: str) -> None:
    api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
    assert api.dossier(code)["status"] == 4
    api.complete(code, "specialist", "review", {"opinion": "approve", "note": "Hồ sơ đủ điều kiện"})
    api.complete(code, "leader", "sign", {"decision": "approve"})
    assert api.dossier(code)["status"] == 9


def test_a_dossier_received_at_the_desk_waits_for_the_desk_check(api, procedure_code):
    dossier = api.receive(procedure_code)

    assert dossier["status"] == 2
    assert dossier["code"].startswith("SGDDT-")
    task = api.open_task(dossier["code"], "desk", "check_dossier")
    assert task["role"] == "desk_officer"
    assert task["lane"] == "Bộ phận một cửa"
    assert task["state"] == "ready"


def test_the_happy_path_returns_the_result_in_person(api, procedure_code):
    with time_machine.travel(datetime(2026, 12, 7, 8, 0, tzinfo=VN), tick=False):  # due the same day
        code = api.receive(procedure_code)["code"]
        through_review_and_signature(api, code)
        result = api.complete(code, "desk", "return_result",
                              {"return_method": "in_person", "receiver_name": "Nguyễn Văn An"})

    assert result["next_tasks"] == []
    assert result["dossier"]["status"] == 10
    assert statuses_of(api, code) == [4, 9, 10]
    actions = [e["action"] for e in api.get(f"/api/v1/dossiers/{code}/history", user="desk").get_json()]
    assert actions[0] == "instance.started" and "instance.completed" in actions
    assert actions.count("task.completed") == 4


def test_the_postal_branch_records_the_tracking_number(api, procedure_code):
    code = api.receive(procedure_code)["code"]
    through_review_and_signature(api, code)

    result = api.return_result(code, {"return_method": "post", "postal_tracking_number": "EL123456789VN"})
    assert result["next_tasks"] == []

    assert api.dossier(code)["status"] == 10
    assert api.dossier(code)["postal_tracking_number"] == "EL123456789VN"
    history = api.get(f"/api/v1/dossiers/{code}/history", user="desk").get_json()
    posted = [e for e in history if e["action"] == "task.completed" and e["data"]["bpmn_id"] == "return_result"]
    assert posted[0]["data"]["data"] == {"return_method": "post", "postal_tracking_number": "EL123456789VN"}


def test_returning_by_post_needs_the_tracking_number_and_returning_in_person_does_not(api, procedure_code):
    code = api.receive(procedure_code)["code"]
    through_review_and_signature(api, code)
    open_tasks = api.get("/api/v1/tasks", user="desk", query_string={"dossier_code": code}).get_json()
    if any(t["bpmn_id"] == "call_applicant" for t in open_tasks):
        api.complete(code, "desk", "call_applicant", {"called": True})
    task = api.open_task(code, "desk", "return_result")

    by_post = api.post(f"/api/v1/tasks/{task['id']}/complete", user="desk", json={"data": {"return_method": "post"}})

    assert by_post.status_code == 422
    assert by_post.get_json()["errors"]["data"] == {"postal_tracking_number": ["Trường này là bắt buộc."]}
    assert by_post.get_json()["errors"]["labels"] == {"postal_tracking_number": "Số hiệu bưu gửi"}
    api.complete(code, "desk", "return_result", {"return_method": "in_person"})
    assert api.dossier(code)["status"] == 10


def test_the_supplement_loop_goes_back_to_the_desk_check(api, procedure_code):
    code = api.receive(procedure_code)["code"]

    api.complete(code, "desk", "check_dossier", {"check_result": "incomplete",
                                                 "missing_documents": [{"name": "Học bạ"}]})
    assert api.dossier(code)["status"] == 5
    api.complete(code, "desk", "receive_supplement", {"supplement_note": "Đã nộp học bạ"})
    assert api.dossier(code)["status"] == 2
    api.complete(code, "desk", "check_dossier", {"check_result": "complete"})

    assert api.dossier(code)["status"] == 4
    assert statuses_of(api, code) == [5, 2, 4]
    assert api.open_task(code, "specialist", "review")["state"] == "ready"


def test_the_desk_can_refuse_a_dossier_at_intake(api, procedure_code):
    code = api.receive(procedure_code)["code"]

    result = api.complete(code, "desk", "check_dossier", {"check_result": "refuse", "reason": "Không thuộc thẩm quyền"})

    assert result["next_tasks"] == []
    assert api.dossier(code)["status"] == 3


def test_the_leader_can_refuse_and_the_desk_returns_the_refusal(api, procedure_code):
    code = api.receive(procedure_code)["code"]
    api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
    api.complete(code, "specialist", "review", {"opinion": "refuse", "reason": "Không đủ điều kiện"})

    result = api.complete(code, "leader", "sign", {"decision": "refuse", "reason": "Thiếu căn cứ"})
    assert [t["bpmn_id"] for t in result["next_tasks"]] == ["notify_refusal"]
    api.complete(code, "desk", "notify_refusal")

    assert api.dossier(code)["status"] == 3
    assert api.get("/api/v1/tasks", user="desk", query_string={"dossier_code": code}).get_json() == []


# seed_data/procedures.json: (review, review_reminder) in working hours
REVIEW_HOURS = {"CHUYEN_TRUONG_THPT": (2, 1), "CAP_BAN_SAO_VAN_BANG": (3, 2)}


def notifications(api, code: str) -> list[str]:
    history = api.get(f"/api/v1/dossiers/{code}/history", user="desk").get_json()
    return [e["data"]["kind"] for e in history if e["action"] == "dossier.notification"]


def test_the_review_timer_escalates_to_the_leader_and_back(api, sessions, procedure_code):
    hours, reminder = REVIEW_HOURS[procedure_code]
    with time_machine.travel(datetime(2026, 12, 2, 8, 0, tzinfo=VN), tick=False) as clock:
        code = api.receive(procedure_code)["code"]
        api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
        review = api.open_task(code, "specialist", "review")
        assert review["due_at"] == f"2026-12-02T{8 + hours:02d}:00:00+07:00"  # working hours from 08:00

        clock.move_to(datetime(2026, 12, 2, 8 + reminder, 0, 1, tzinfo=VN))  # the reminder does not interrupt
        assert fire_due_timers(sessions) == 1
        assert "review_due_soon" in notifications(api, code)
        assert api.open_task(code, "specialist", "review")["id"] == review["id"]

        clock.move_to(datetime(2026, 12, 2, 8 + hours, 0, tzinfo=VN))
        assert fire_due_timers(sessions) == 0  # due, not past
        clock.move_to(datetime(2026, 12, 2, 8 + hours, 0, 1, tzinfo=VN))
        assert fire_due_timers(sessions) == 1

        specialist = api.specialist_for(code, "specialist")
        assert api.get("/api/v1/tasks", user=specialist, query_string={"dossier_code": code}).get_json() == []
        cancelled = api.get("/api/v1/tasks", user=specialist,
                            query_string={"dossier_code": code, "state": "cancelled"})
        assert [t["id"] for t in cancelled.get_json()] == [review["id"]]
        clock.move_to(datetime(2026, 12, 2, 13, 30, tzinfo=VN))
        api.complete(code, "leader", "remind_review", {"instruction": "Đề nghị xử lý ngay trong buổi"})
        again = api.open_task(code, "specialist", "review")
        assert again["id"] != review["id"]
        assert again["due_at"] == f"2026-12-02T{13 + hours}:30:00+07:00"  # counted again from 13:30
        history = api.get(f"/api/v1/dossiers/{code}/history", user="desk").get_json()
    assert "timer.fired" in [e["action"] for e in history]


# The diploma copy's fee: the decision table le_phi_ban_sao (bpmn_models/le_phi_ban_sao.dmn, COLLECT SUM),
# called by the business rule task tinh_le_phi once the desk accepts the dossier.
@pytest.mark.parametrize("check, fee", [
    ({}, 5000),  # nothing said: one copy
    ({"so_ban_sao": 1, "tra_cuu_phuc_tap": False, "nguoi_khac_de_nghi": False}, 5000),
    ({"so_ban_sao": 3}, 5000 + 2 * 3000),
    ({"so_ban_sao": 2, "tra_cuu_phuc_tap": True}, 5000 + 3000 + 20000),
    ({"so_ban_sao": 4, "tra_cuu_phuc_tap": True, "nguoi_khac_de_nghi": True}, 5000 + 3 * 3000 + 20000 + 10000),
])
def test_the_diploma_copy_s_fee_comes_from_its_decision_table_and_the_dossier_runs_to_its_end(api, check, fee):
    code = api.receive("CAP_BAN_SAO_VAN_BANG")["code"]
    assert "le_phi" not in api.dossier(code)["data"]

    api.complete(code, "desk", "check_dossier", {"check_result": "complete", **check})

    dossier = api.dossier(code)
    assert (dossier["status"], dossier["data"]["le_phi"]) == (4, fee)
    api.complete(code, "specialist", "review", {"opinion": "approve"})
    api.complete(code, "leader", "sign", {"decision": "approve"})
    api.return_result(code)
    assert api.dossier(code)["status"] == 10
    versions = api.get("/api/v1/process-models/cap_ban_sao_van_bang/versions", user="admin").get_json()
    assert versions[0]["decisions"] == [{"decision_id": "le_phi_ban_sao", "version": 1, "elements": ["tinh_le_phi"]}]


def test_the_fee_is_computed_again_after_a_supplement_with_the_new_number_of_copies(api):
    code = api.receive("CAP_BAN_SAO_VAN_BANG")["code"]
    api.complete(code, "desk", "check_dossier", {"check_result": "incomplete", "so_ban_sao": 5,
                                                 "missing_documents": [{"name": "Giấy ủy quyền"}]})
    assert "le_phi" not in api.dossier(code)["data"]
    api.complete(code, "desk", "receive_supplement")

    api.complete(code, "desk", "check_dossier", {"check_result": "complete", "so_ban_sao": 2})

    assert api.dossier(code)["data"]["le_phi"] == 8000
