"""The files of the interop corpus marked "runs to its end" (tests/fixtures/interop), each driven
through the API by the demo users as its tool's habits have it: the desk receives a dossier, the
desk officer, the specialist and the leader work its tasks and forms, the scheduler fires its timers,
messages are sent to it, decisions and called processes run, down to its final status."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.api.models_at_work import history, open_tasks
from tests.interop_corpus import deployed_and_registered, entries
from workflows.timers import fire_due_timers

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = datetime(2026, 12, 7, 8, 0, tzinfo=VN)
RUNS = {}


def runs(name: str):
    def register(scenario):
        RUNS[name] = scenario
        return scenario
    return register


def received(api, name: str, **intake) -> str:
    e = deployed_and_registered(api, name)
    return api.receive(e.procedure_code, **intake)["code"]


def named(api, code: str, user: str, name: str) -> str:
    """The BPMN id of the open task called `name` (the tools that write uuids for ids)."""
    found = [t["bpmn_id"] for t in open_tasks(api, code, user) if t["name"] == name]
    assert found, f"no open task '{name}' for {user}: {open_tasks(api, code, user)}"
    return found[0]


def form_of(api, code: str, user: str, bpmn_id: str) -> dict:
    task = api.open_task(code, user, bpmn_id)
    return api.get(f"/api/v1/tasks/{task['id']}", user=user).get_json()["form_schema"]


def refused_data(api, code: str, user: str, bpmn_id: str, data: dict) -> dict:
    task = api.open_task(code, user, bpmn_id)
    response = api.post(f"/api/v1/tasks/{task['id']}/complete", user=user, json={"data": data})
    assert response.status_code == 422, response.get_json()
    return response.get_json()["errors"]["data"]


def status_changes(api, code: str) -> list[tuple]:
    return [(e["data"]["from"], e["data"]["to"]) for e in history(api, code) if e["action"] == "dossier.status_changed"]


def test_every_file_said_to_run_to_its_end_has_its_scenario():
    assert sorted(RUNS) == sorted(e.file for e in entries() if e.run)
    assert len(RUNS) >= 8


@runs("camunda7_juel_conditions_candidate_groups.bpmn")
def camunda7_juel(api, sessions):
    e = deployed_and_registered(api, "camunda7_juel_conditions_candidate_groups.bpmn")
    code, refused = (api.receive(e.procedure_code)["code"] for _ in range(2))

    assert api.complete(code, "desk", "Activity_0kt4m1x", {"hop_le": True})["dossier"]["status"] == 4  # ${hop_le}
    assert api.complete(refused, "desk", "Activity_0kt4m1x", {"hop_le": False})["dossier"]["status"] == 3  # ${!hop_le}
    review = api.open_task(code, "specialist", "Activity_1td6p0z")
    assert review["role"] == "specialist"  # candidate group chuyen_vien, mapped by the procedure
    api.complete(code, "specialist", "Activity_1td6p0z", {"ket_qua": "dong_y", "so_tien": 2000, "khan": False})
    signed = api.complete(code, "leader", "Activity_0pd3u8n")
    assert signed["dossier"]["status"] == 9
    assert [t["bpmn_id"] for t in signed["next_tasks"]] == ["Activity_1tp5x0c"]  # #{so_tien > 1000 && !khan}
    api.complete(code, "desk", "Activity_1tp5x0c")
    done = api.complete(code, "desk", "Activity_0tk2q9v")

    assert (done["dossier"]["status"], done["next_tasks"]) == (10, [])
    assert status_changes(api, code) == [(2, 4), (4, 9), (9, 10)]


@runs("camunda7_form_data_all_field_types.bpmn")
def camunda7_form_data(api, sessions):
    code = received(api, "camunda7_form_data_all_field_types.bpmn")

    form = form_of(api, code, "desk", "Activity_1bm5q2w")
    assert form["x-order"] == ["ho_ten", "so_ban", "nhan_qua_buu_dien", "ngay_cap", "xep_loai", "ma_ho_so"]
    assert form["required"] == ["ho_ten", "xep_loai"]
    fields = form["properties"]
    assert fields["ho_ten"] == {"type": "string", "title": "Họ và tên người học", "minLength": 2, "maxLength": 100}
    assert fields["so_ban"] == {"type": "integer", "title": "Số bản", "minimum": 1, "maximum": 10, "default": 1}
    assert fields["nhan_qua_buu_dien"]["type"] == "boolean"
    assert (fields["ngay_cap"]["format"], fields["ngay_cap"]["default"]) == ("date", "2020-09-01")  # dd/MM/yyyy
    assert [c["const"] for c in fields["xep_loai"]["oneOf"]] == ["gioi", "kha", "trung_binh"]
    assert fields["ma_ho_so"]["readOnly"] is True
    errors = refused_data(api, code, "desk", "Activity_1bm5q2w", {"ho_ten": "A", "so_ban": 11})
    assert set(errors) == {"ho_ten", "so_ban", "xep_loai"}
    api.complete(code, "desk", "Activity_1bm5q2w", {"ho_ten": "Trần Thị Bình", "so_ban": 2, "xep_loai": "kha",
                                                    "ngay_cap": "2021-06-30", "nhan_qua_buu_dien": False})
    done = api.complete(code, "desk", "Activity_0x7y2kd", {"da_doi_chieu": True})

    assert (done["dossier"]["status"], done["next_tasks"]) == (9, [])  # no dossier_status in the model
    assert api.dossier(code)["resolved_at"] is not None


@runs("camunda7_bare_iso_timers_unquoted.bpmn")
def camunda7_bare_timers(api, sessions):
    with time_machine.travel(MONDAY, tick=False) as clock:
        code = received(api, "camunda7_bare_iso_timers_unquoted.bpmn")
        api.complete(code, "desk", "Activity_0tn1x2c")
        for hours in (10, 20, 30, 40):  # R3/PT10H, on the review waiting since Monday 8:00
            clock.move_to(MONDAY + timedelta(hours=hours, seconds=1))
            assert fire_due_timers(sessions) == (1 if hours <= 30 else 0), hours
        reminded = [e["data"]["kind"] for e in history(api, code) if e["action"] == "dossier.notification"]
        assert reminded == ["review_due_soon"] * 3
        api.complete(code, "specialist", "Activity_1td2y3d")
        signed = api.complete(code, "leader", "Activity_1pd6f7k")
        assert (signed["dossier"]["status"], signed["next_tasks"]) == (9, [])  # waiting PT4H
        clock.move_to(MONDAY + timedelta(hours=44))
        assert fire_due_timers(sessions) == 0
        clock.move_to(MONDAY + timedelta(hours=44, seconds=2))
        assert fire_due_timers(sessions) == 1
        done = api.complete(code, "desk", "Activity_0tk2i3n")
        clock.move_to(MONDAY + timedelta(days=6))  # the P5D deadline went with the review
        assert fire_due_timers(sessions) == 0

    assert done["dossier"]["status"] == 10
    fired = [e["data"]["bpmn_id"] for e in history(api, code) if e["action"] == "timer.fired"]
    assert fired == ["Event_0nh4z5e"] * 3 + ["Event_1ch8g9l"]


@runs("camunda7_decision_ref_business_rule_task.bpmn")
def camunda7_decision(api, sessions):
    code = received(api, "camunda7_decision_ref_business_rule_task.bpmn")

    checked = api.complete(code, "desk", "Activity_0kt1b2c", {"so_ban": 3, "khan": True})

    assert [t["bpmn_id"] for t in checked["next_tasks"]] == ["Activity_0pd7h8i"]  # ${le_phi > 20000}
    assert api.dossier(code)["data"]["le_phi"] == 3 * 5000 + 10000  # COLLECT SUM
    api.complete(code, "leader", "Activity_0pd7h8i")
    assert api.complete(code, "specialist", "Activity_1xn1l2m")["dossier"]["status"] == 9
    assert api.complete(code, "desk", "Activity_0tk3n4o")["dossier"]["status"] == 10
    versions = api.get("/api/v1/process-models/Process_1br4d5r/versions", user="admin").get_json()
    assert versions[0]["decisions"][0]["decision_id"] == "le_phi_xac_nhan"


@runs("camunda7_call_activity_to_deployed_process.bpmn")
def camunda7_call_activity(api, sessions):
    code = received(api, "camunda7_call_activity_to_deployed_process.bpmn")

    called = api.complete(code, "desk", "Activity_0kt1k2l")["next_tasks"]
    assert [(t["bpmn_id"], t["role"]) for t in called] == [("Activity_1td3c4d", "specialist")]  # the called process's
    form = form_of(api, code, "specialist", "Activity_1td3c4d")
    assert [c["const"] for c in form["properties"]["ket_luan"]["oneOf"]] == ["dat", "khong_dat"]
    back = api.complete(code, "specialist", "Activity_1td3c4d", {"ket_luan": "dat"})
    assert [t["bpmn_id"] for t in back["next_tasks"]] == ["Activity_1pd7q8r"]  # ${ket_luan == 'dat'} in the caller
    assert api.complete(code, "leader", "Activity_1pd7q8r")["dossier"]["status"] == 9
    done = api.complete(code, "desk", "Activity_0tk9s0t")

    assert (done["dossier"]["status"], done["next_tasks"]) == (10, [])


@runs("camunda7_error_end_event_caught_by_boundary.bpmn")
def camunda7_error_boundary(api, sessions):
    code = received(api, "camunda7_error_end_event_caught_by_boundary.bpmn")
    api.complete(code, "desk", "Activity_1kt0n1o")

    caught = api.complete(code, "specialist", "Activity_0tc6t7u", {"tim_thay": False})

    assert [t["bpmn_id"] for t in caught["next_tasks"]] == ["Activity_1tb0h1i"]  # the error boundary's way
    assert open_tasks(api, code, "leader") == []
    done = api.complete(code, "desk", "Activity_1tb0h1i", {"reason": "Không tìm thấy sổ gốc"})
    assert (done["dossier"]["status"], done["next_tasks"]) == (3, [])
    assert status_changes(api, code) == [(2, 4), (4, 3)]


@runs("camunda8_feel_conditions_zeebe_assignment.bpmn")
def camunda8_feel(api, sessions):
    code = received(api, "camunda8_feel_conditions_zeebe_assignment.bpmn")

    checked = api.complete(code, "desk", "Activity_0kt7i8j", {"check_result": "complete"})
    assert checked["dossier"]["status"] == 4  # = check_result = "complete", then a zeebe:property
    api.complete(code, "specialist", "Activity_1td5q6r", {"decision": "approve", "amount": 1500, "urgent": False})
    signed = api.complete(code, "leader", "Activity_0pd9u0v")
    assert [t["bpmn_id"] for t in signed["next_tasks"]] == ["Activity_1tp5a6b"]  # = amount > 1000 and not(urgent)
    api.complete(code, "desk", "Activity_1tp5a6b")
    done = api.complete(code, "desk", "Activity_0tk9e0f")

    assert (done["dossier"]["status"], done["next_tasks"]) == (10, [])


@runs("camunda8_event_gateway_message_and_timer.bpmn")
def camunda8_event_gateway(api, sessions):
    with time_machine.travel(MONDAY, tick=False) as clock:
        code = received(api, "camunda8_event_gateway_message_and_timer.bpmn")
        assert api.complete(code, "desk", "Activity_0gv1n2o")["next_tasks"] == []  # at the gateway
        clock.move_to(MONDAY + timedelta(hours=48))
        assert fire_due_timers(sessions) == 0
        clock.move_to(MONDAY + timedelta(hours=48, seconds=1))
        assert fire_due_timers(sessions) == 1  # PT48H
        assert api.complete(code, "desk", "Activity_1dd5b6c")["next_tasks"] == []  # chased, waiting again
        message = {"name": "truong_tra_loi", "data": {"y_kien": "dong_y"}}
        assert api.post(f"/api/v1/dossiers/{code}/messages", user="clerk", json=message).status_code == 403
        replied = api.post(f"/api/v1/dossiers/{code}/messages", user="desk", json=message)
        assert replied.status_code == 200, replied.get_json()
        assert [t["bpmn_id"] for t in open_tasks(api, code, "specialist")] == ["Activity_0xx7d8e"]
        clock.move_to(MONDAY + timedelta(hours=100))
        assert fire_due_timers(sessions) == 0  # the message took the gateway's other way
        api.complete(code, "specialist", "Activity_0xx7d8e")
        api.complete(code, "leader", "Activity_1pd9f0g")
        done = api.complete(code, "desk", "Activity_0tk1h2i")

    assert done["dossier"]["status"] == 10
    assert [e["data"]["bpmn_id"] for e in history(api, code) if e["action"] == "timer.fired"] == ["Event_0qh1x2y"]


@runs("bpmnio_expanded_subprocess_with_flow_lists.bpmn")
def bpmnio_subprocess(api, sessions):
    code = received(api, "bpmnio_expanded_subprocess_with_flow_lists.bpmn")
    assert api.complete(code, "desk", "check")["dossier"]["status"] == 4

    assert set(refused_data(api, code, "specialist", "review", {"opinion": "maybe"})) == {"opinion"}
    api.complete(code, "specialist", "review", {"opinion": "approve", "note": "Đủ điều kiện"})
    assert api.complete(code, "leader", "sign")["dossier"]["status"] == 9
    done = api.complete(code, "desk", "return_result")

    assert (done["dossier"]["status"], done["next_tasks"]) == (10, [])


FLOWABLE = {"check": "sid-F0C01F1F-3476-55E7-AE92-2EBC8A165D1B", "review": "sid-36B85B41-833A-59C9-B3EA-72FE9819F252",
            "sign": "sid-F9FCE76A-647D-5742-B1C1-BBDB0BC264EF", "return": "sid-20B4081F-6187-5820-935A-B75F292183C6"}


@runs("flowable_form_properties_cdata_conditions.bpmn")
def flowable_forms(api, sessions):
    code = received(api, "flowable_form_properties_cdata_conditions.bpmn")
    assert set(refused_data(api, code, "desk", FLOWABLE["check"], {"so_trang": 2})) == {"approved"}
    api.complete(code, "desk", FLOWABLE["check"], {"approved": True, "so_trang": 3})  # ${approved}

    form = form_of(api, code, "specialist", FLOWABLE["review"])
    assert form["required"] == ["ket_qua"]
    assert form["properties"]["ngay_hop"]["format"] == "date"
    assert form["properties"]["ma_ho_so"]["readOnly"] is True
    api.complete(code, "specialist", FLOWABLE["review"], {"ket_qua": "dat", "ngay_hop": "2026-12-08"})
    assert api.dossier(code)["status"] == 4
    assert api.complete(code, "leader", FLOWABLE["sign"])["dossier"]["status"] == 9  # ${ket_qua == 'dat' && ...}
    done = api.complete(code, "desk", FLOWABLE["return"])

    assert (done["dossier"]["status"], done["next_tasks"]) == (10, [])


@runs("eclipse_bpmn2_prefix_parallel_multi_instance.bpmn")
def eclipse_multi_instance(api, sessions):
    code = received(api, "eclipse_bpmn2_prefix_parallel_multi_instance.bpmn")

    opinions = open_tasks(api, code, "specialist")
    assert [t["bpmn_id"] for t in opinions] == ["UserTask_1", "UserTask_1"]  # one per division, at once
    for _ in opinions:
        api.complete(code, "specialist", "UserTask_1", {"opinion": "dong_y"})
    assert api.complete(code, "leader", "UserTask_2")["dossier"]["status"] == 9  # "khong_dong_y" not in opinions
    done = api.complete(code, "desk", "UserTask_3")

    assert (done["dossier"]["status"], done["next_tasks"]) == (10, [])


@runs("bizagi_no_is_executable_inline_ns.bpmn")
def bizagi_untyped_tasks(api, sessions):
    code = received(api, "bizagi_no_is_executable_inline_ns.bpmn")

    api.complete(code, "desk", named(api, code, "desk", "Kiểm tra hồ sơ"))
    api.complete(code, "specialist", named(api, code, "specialist", "Thẩm định"))
    ended = api.complete(code, "leader", named(api, code, "leader", "Ký bản sao"))
    assert (ended["dossier"]["status"], ended["next_tasks"]) == (9, [])  # the model sets no status
    returned = api.post(f"/api/v1/dossiers/{code}/return", user="desk", json={"return_method": "in_person"})

    assert returned.status_code == 200, returned.get_json()
    assert returned.get_json()["status"] == 10


@runs("signavio_made_executable_lanes_python_conditions.bpmn")
def signavio_executable(api, sessions):
    code = received(api, "signavio_made_executable_lanes_python_conditions.bpmn")

    api.complete(code, "desk", named(api, code, "desk", "Kiểm tra\nhồ sơ"), {"check_result": "complete"})
    api.complete(code, "specialist", named(api, code, "specialist", "Thẩm định"))
    assert api.complete(code, "leader", named(api, code, "leader", "Ký duyệt"))["dossier"]["status"] == 9
    to_return = api.get("/api/v1/dossiers", user="desk", query_string={"status": 9}).get_json()["items"]
    assert code in [d["code"] for d in to_return]
    returned = api.post(f"/api/v1/dossiers/{code}/return", user="desk", json={"return_method": "in_person"})

    assert returned.get_json()["status"] == 10


@runs("aris_semantic_prefix_collaboration.bpmn")
def aris_processed(api, sessions):
    with time_machine.travel(MONDAY, tick=False) as clock:
        code = received(api, "aris_semantic_prefix_collaboration.bpmn")
        api.complete(code, "desk", named(api, code, "desk", "Kiểm tra hồ sơ"))
        clock.move_to(MONDAY + timedelta(hours=3))
        ended = api.complete(code, "specialist", named(api, code, "specialist", "Xác nhận"))
        totals = api.get("/api/v1/reports/statistics", user="leader",
                         query_string={"from": "2026-12-07", "to": "2026-12-07"}).get_json()["totals"]

    assert (ended["dossier"]["status"], ended["next_tasks"]) == (9, [])
    dossier = api.dossier(code)
    assert (dossier["resolved_at"], dossier["outcome"]) == ("2026-12-07T11:00:00+07:00", "early")
    assert (totals["received"], totals["resolved"]) == (1, 1)
    assert history(api, code)[-1]["action"] == "instance.completed"


@runs("spiff_python_conditions_quoted_timers.bpmn")
def spiff_quoted_timers(api, sessions):
    with time_machine.travel(MONDAY, tick=False) as clock:
        code = received(api, "spiff_python_conditions_quoted_timers.bpmn")
        assert api.complete(code, "desk", "check_dossier", {"pages": 3})["dossier"]["status"] == 4
        api.complete(code, "specialist", "review", {"opinion": "approve"})  # opinion == "approve" and pages > 0
        signed = api.complete(code, "leader", "sign")
        assert (signed["dossier"]["status"], signed["next_tasks"]) == (9, [])
        clock.move_to(MONDAY + timedelta(hours=1, seconds=1))
        assert fire_due_timers(sessions) == 1  # "PT1H"
        done = api.complete(code, "desk", "return_result")
        clock.move_to(MONDAY + timedelta(days=4))  # "P3D" went with the review
        assert fire_due_timers(sessions) == 0

    assert (done["dossier"]["status"], done["next_tasks"]) == (10, [])


@runs("spiff_message_variable_payload.bpmn")
def spiff_message(api, sessions):
    code = received(api, "spiff_message_variable_payload.bpmn")
    asked = api.complete(code, "desk", "request_supplement", {"reason": "Thiếu bản sao học bạ"})
    assert (asked["dossier"]["status"], asked["next_tasks"]) == (5, [])

    message = {"name": "ho_so_bo_sung", "data": {"so_giay_to": 2}}
    assert api.post(f"/api/v1/dossiers/{code}/messages", user="specialist", json=message).status_code == 403
    replied = api.post(f"/api/v1/dossiers/{code}/messages", user="desk", json=message)
    assert replied.status_code == 200, replied.get_json()
    assert replied.get_json()["status"] == 2
    assert [t["bpmn_id"] for t in open_tasks(api, code, "specialist")] == ["review"]  # bo_sung["so_giay_to"] >= 2
    api.complete(code, "specialist", "review")
    api.complete(code, "leader", "sign")
    done = api.complete(code, "desk", "return_result")

    assert done["dossier"]["status"] == 10
    assert status_changes(api, code) == [(2, 5), (5, 2), (2, 4), (4, 9), (9, 10)]


@pytest.mark.parametrize("name", sorted(RUNS))
def test_the_file_runs_to_its_end_through_the_api(api, sessions, name):
    RUNS[name](api, sessions)
