"""An administrator's operations on running dossiers through the API: incidents (list, detail,
retry with corrected data, skip), suspension, moves, and migrating dossiers to a new version in
bulk with a dry run first."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import select

from tests.conftest import read_model
from workflows.models import OutboxMessage
from workflows.timers import fire_due_timers

DUE = datetime(2026, 12, 7, 1, 0, tzinfo=timezone.utc)
AFTER = DUE + timedelta(seconds=1)


@pytest.fixture
def timed_fee(api):
    """The procedure PHI_HEN_GIO on the `timed_fee` model: its timer falls due at DUE and the script
    after it needs `base_fee`, which the dossiers lack."""
    assert api.deploy(read_model("timed_fee.bpmn"), "timed_fee.bpmn").status_code == 201
    response = api.post("/api/v1/procedures", user="admin", json={
        "code": "PHI_HEN_GIO", "name": "Thủ tục thử: tính phí sau hẹn giờ", "field": "Thử nghiệm",
        "processing_time_value": 5, "processing_time_unit": "working_days", "deciding_unit_code": "PHONG_GDTRH",
        "process_id": "timed_fee"})
    assert response.status_code == 201, response.get_json()


def receive(api) -> str:
    return api.receive("PHI_HEN_GIO", data={"when": DUE.isoformat()})["code"]


def fire(sessions, at: datetime = AFTER) -> int:
    with time_machine.travel(at, tick=False):
        return fire_due_timers(sessions, now=at)


def test_a_failing_timer_step_is_listed_as_an_incident_for_the_administrator(api, sessions, timed_fee):
    code = receive(api)
    assert fire(sessions) == 0

    listed = api.get("/api/v1/incidents", user="admin", query_string={"state": "open"}).get_json()
    assert [(i["dossier_code"], i["procedure_code"], i["bpmn_id"], i["element_name"], i["attempts"], i["state"])
            for i in listed] == [(code, "PHI_HEN_GIO", "compute_fee", "Tính lệ phí", 1, "retrying")]
    assert "base_fee" in listed[0]["message"]
    detail = api.get(f"/api/v1/incidents/{listed[0]['id']}", user="admin").get_json()
    assert detail["task_data"]["when"] == DUE.isoformat() and detail["task_data"]["dossier_code"] == code
    assert api.get("/api/v1/incidents", user="admin", query_string={"procedure_code": "CHUYEN_TRUONG_THPT"}
                   ).get_json() == []
    assert api.get("/api/v1/incidents", user="leader").status_code == 403
    assert api.dossier(code)["incident_id"] == listed[0]["id"]
    with sessions() as session:  # the administrators and the leaders are told
        warned = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "incident_opened")).all()
    assert warned and all(code in m.subject or code in m.body for m in warned)


def test_everyone_who_opens_the_dossier_reads_which_step_failed_and_why(api, sessions, timed_fee):
    code = receive(api)
    assert api.dossier(code)["incident"] is None
    fire(sessions)

    incident = api.dossier(code)["incident"]  # read by a desk officer, not an administrator
    assert (incident["bpmn_id"], incident["element_name"], incident["state"], incident["attempts"]) == (
        "compute_fee", "Tính lệ phí", "retrying", 1)
    assert "base_fee" in incident["message"]
    assert incident["next_retry_at"].endswith("+07:00") and incident["id"] == api.dossier(code)["incident_id"]
    listed = api.get("/api/v1/dossiers", user="desk", query_string={"procedure_code": "PHI_HEN_GIO"}).get_json()
    assert "incident" not in listed["items"][0]

    with time_machine.travel(AFTER, tick=False):
        api.post(f"/api/v1/incidents/{incident['id']}/retry", user="admin", json={"data": {"base_fee": 1}})
    assert api.dossier(code)["incident"] is None


def test_the_administrator_reads_a_dossiers_incidents_and_repairs_newest_first(api, sessions, timed_fee):
    code = receive(api)
    fire(sessions)
    incident_id = api.dossier(code)["incident_id"]
    admin = {"Authorization": f"Bearer {api.token('admin')}"}
    api.post(f"/api/v1/dossiers/{code}/suspension", user="admin", json={"reason": "Chờ mức phí mới"})
    api.client.delete(f"/api/v1/dossiers/{code}/suspension", json={"reason": "Đã có mức phí"}, headers=admin)
    with time_machine.travel(AFTER, tick=False):
        api.post(f"/api/v1/incidents/{incident_id}/retry", user="admin",
                 json={"data": {"base_fee": 20000}, "reason": "Mức phí theo quyết định mới"})
    api.complete(code, "desk", "work", {})  # a person's step: not an operation

    response = api.get(f"/api/v1/dossiers/{code}/operations", user="admin")
    assert response.status_code == 200
    events = response.get_json()
    assert [e["action"] for e in events] == ["incident.retried", "incident.resolved", "instance.resumed",
                                             "instance.suspended", "incident.opened"]
    retried = events[0]
    assert retried["actor"] == "admin" and retried["subject"] == code
    assert retried["data"]["reason"] == "Mức phí theo quyết định mới" and retried["data"]["data"] == {"base_fee": 20000}
    assert retried["data"]["data_before"]["when"] == DUE.isoformat()
    assert events[3]["data"]["reason"] == "Chờ mức phí mới" and events[4]["actor"] == "scheduler"
    assert api.get(f"/api/v1/dossiers/{code}/operations", user="desk").status_code == 403
    assert api.get("/api/v1/dossiers/KHONG-CO/operations", user="admin").status_code == 404


def test_a_retry_with_corrected_data_moves_the_dossier_on_and_is_audited(api, sessions, timed_fee):
    code = receive(api)
    fire(sessions)
    incident_id = api.dossier(code)["incident_id"]

    with time_machine.travel(AFTER, tick=False):
        refused = api.post(f"/api/v1/incidents/{incident_id}/retry", user="admin", json={"data": {"_x": 1}})
        assert refused.status_code == 422 and refused.get_json()["errors"]["names"] == ["_x"]
        failed = api.post(f"/api/v1/incidents/{incident_id}/retry", user="admin", json={"data": {"other": 1}})
        assert failed.status_code == 422 and "base_fee" in failed.get_json()["errors"]["detail"]
        retried = api.post(f"/api/v1/incidents/{incident_id}/retry", user="admin",
                           json={"data": {"base_fee": 15000}, "reason": "bổ sung mức phí"})

    assert retried.status_code == 200, retried.get_json()
    body = retried.get_json()
    assert (body["state"], body["resolution"], body["resolved_by"], body["attempts"]) == (
        "resolved", "retried", "admin", 2)  # the failed retry counted
    assert api.open_task(code, "desk", "collect")
    history = api.get(f"/api/v1/dossiers/{code}/history", user="desk").get_json()
    event = next(e for e in history if e["action"] == "incident.retried")
    assert event["actor"] == "admin" and event["data"]["data"] == {"base_fee": 15000}
    assert event["data"]["reason"] == "bổ sung mức phí" and "when" in event["data"]["data_before"]
    assert api.dossier(code)["incident_id"] is None


def test_a_skip_needs_a_reason_and_completes_the_failing_step_without_running_it(api, sessions, timed_fee):
    code = receive(api)
    fire(sessions)
    incident_id = api.dossier(code)["incident_id"]
    assert api.post(f"/api/v1/incidents/{incident_id}/skip", user="admin", json={}).status_code == 422

    with time_machine.travel(AFTER, tick=False):
        skipped = api.post(f"/api/v1/incidents/{incident_id}/skip", user="admin",
                           json={"reason": "lệ phí thu ngoài hệ thống", "data": {"fee": 0}})
    assert skipped.status_code == 200 and skipped.get_json()["resolution"] == "skipped"
    assert api.open_task(code, "desk", "collect")
    again = api.post(f"/api/v1/incidents/{incident_id}/skip", user="admin", json={"reason": "lần nữa"})
    assert again.status_code == 409


def test_a_suspended_dossier_cannot_be_worked_until_it_is_resumed(api):
    code = api.receive()["code"]
    suspended = api.post(f"/api/v1/dossiers/{code}/suspension", user="admin",
                         json={"reason": "Chờ hướng dẫn của Sở về quy trình mới"})
    assert suspended.status_code == 200
    assert suspended.get_json()["suspension"]["reason"] == "Chờ hướng dẫn của Sở về quy trình mới"
    task = api.open_task(code, "desk", "check_dossier")
    claim = api.post(f"/api/v1/tasks/{task['id']}/claim", user="desk")
    assert claim.status_code == 409 and claim.get_json()["code"] == "instance_suspended"
    assert "tạm dừng" in claim.get_json()["message"]
    assert api.post(f"/api/v1/dossiers/{code}/suspension", user="desk", json={"reason": "x"}).status_code == 403

    resumed = api.client.delete(f"/api/v1/dossiers/{code}/suspension", json={"reason": "đã có hướng dẫn"},
                                headers={"Authorization": f"Bearer {api.token('admin')}"})
    assert resumed.status_code == 200 and resumed.get_json()["suspension"] is None
    api.complete(code, "desk", "check_dossier", {"check_result": "complete"})


def test_a_move_within_the_subprocess_is_made_and_a_move_out_of_it_refused(api):
    code = api.receive()["code"]
    api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
    review = api.open_task(code, "specialist", "review")

    refused = api.post(f"/api/v1/dossiers/{code}/moves", user="admin",
                       json={"from": "review", "to": "return_result", "reason": "thử"})
    assert refused.status_code == 422 and refused.get_json()["code"] == "repair_refused"
    assert api.open_task(code, "specialist", "review")["id"] == review["id"]

    moved = api.post(f"/api/v1/dossiers/{code}/moves", user="admin",
                     json={"from": "review", "to": "check_dossier", "reason": "Thiếu học bạ, trả về bộ phận một cửa"})
    assert moved.status_code == 200, moved.get_json()
    assert api.open_task(code, "desk", "check_dossier")
    history = api.get(f"/api/v1/dossiers/{code}/history", user="desk").get_json()
    assert any(e["action"] == "instance.moved" and e["data"]["reason"].startswith("Thiếu học bạ") for e in history)


def renamed_review(model: bytes) -> bytes:
    """The transfer model with its review task's id renamed (its step allocation key stays "review")."""
    for reference in (b'id="%s"', b'attachedToRef="%s"', b'targetRef="%s"', b'sourceRef="%s"',
                      b"<bpmn:flowNodeRef>%s<", b'bpmnElement="%s"'):
        assert reference % b"review" in model
        model = model.replace(reference % b"review", reference % b"tham_dinh")
    return model


def test_two_hundred_dossiers_migrate_to_a_new_version_in_one_request_after_a_dry_run(api, sessions):
    from workflows.auth import principal_of
    from workflows.dossiers import Applicant, receive_dossier
    from workflows.models import User

    with sessions() as session, session.begin():
        desk = principal_of(session.scalars(select(User).where(User.username == "desk")).one())
        codes = [receive_dossier(session, desk, procedure_code="CHUYEN_TRUONG_THPT", channel="in_person",
                                 applicant=Applicant(f"Người nộp {n}", f"0792040{n:05d}"), data={},
                                 code_prefix="SGDDT").dossier.code for n in range(200)]
    late = codes[-1]
    api.complete(late, "desk", "check_dossier", {"check_result": "complete"})  # at review: not in v2 below
    v2 = renamed_review(read_model("chuyen_truong_thpt.bpmn")).replace(
        "Kiểm tra hồ sơ".encode(), "Kiểm tra, đối chiếu hồ sơ".encode())
    deployed = api.deploy(v2, "chuyen_truong_thpt.bpmn")
    assert deployed.status_code == 201, deployed.get_json()
    assert deployed.get_json()["version"] == 2

    body = {"from_version": 1, "to_version": 2, "reason": "Quy trình theo Nghị định 118/2025"}
    dry = api.post("/api/v1/process-models/chuyen_truong_thpt/migrations", user="admin", json=body).get_json()
    assert dry["dry_run"] is True and len(dry["migrated"]) == 199
    assert [r["code"] for r in dry["refused"]] == [late] and "'review'" in dry["refused"][0]["reason"]
    versions = api.get("/api/v1/process-models/chuyen_truong_thpt/versions", user="admin").get_json()
    assert {v["version"]: v["running_instances"] for v in versions} == {1: 200, 2: 0}  # nothing moved

    real = api.post("/api/v1/process-models/chuyen_truong_thpt/migrations", user="admin",
                    json={**body, "dry_run": False}).get_json()
    assert sorted(real["migrated"]) == sorted(dry["migrated"]) and real["refused"] == dry["refused"]
    versions = api.get("/api/v1/process-models/chuyen_truong_thpt/versions", user="admin").get_json()
    assert {v["version"]: v["running_instances"] for v in versions} == {1: 1, 2: 199}
    assert api.open_task(codes[0], "desk", "check_dossier")["name"] == "Kiểm tra, đối chiếu hồ sơ"

    mapped = api.post("/api/v1/process-models/chuyen_truong_thpt/migrations", user="admin",
                      json={**body, "dry_run": False, "dossier_codes": [late], "mapping": {"review": "tham_dinh"}})
    assert mapped.get_json()["migrated"] == [late]
    assert api.open_task(late, "specialist", "tham_dinh")

    reverted = api.post(f"/api/v1/dossiers/{codes[0]}/migration-reversal", user="admin", json={"reason": "thử lại"})
    assert reverted.status_code == 200
    assert api.open_task(codes[0], "desk", "check_dossier")["name"] == "Kiểm tra hồ sơ"
