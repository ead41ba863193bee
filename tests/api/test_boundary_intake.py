"""Dossiers received regardless of administrative boundary (Decree 118/2025): a commune's service
centre receives a dossier of the department's procedure, sends its papers, the department's desk
records their arrival; the receiving and the deciding unit are apart; the clock allows the transit."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_8 = datetime(2026, 12, 7, 8, 0, tzinfo=VN)
CENTRE = "TTPVHCC_XA_PHU_MY"
APPLICANT = {"full_name": "Thạch Thị Sa Rươl", "id_number": "094204001111", "phone": "0912345678"}


def receive_at(api, user: str) -> dict:
    response = api.post("/api/v1/dossiers", user=user, json={
        "procedure_code": "CHUYEN_TRUONG_THPT", "channel": "in_person", "applicant": APPLICANT, "data": {}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def history_actions(api, code: str) -> list[str]:
    return [e["action"] for e in api.get(f"/api/v1/dossiers/{code}/history", user="desk").get_json()]


def test_a_commune_centre_receives_a_department_dossier_and_its_due_date_allows_the_transit(api):
    with time_machine.travel(MONDAY_8, tick=False):
        at_centre = receive_at(api, "deskxa")
        at_department = receive_at(api, "desk")

    assert at_centre["receiving_unit"] == {"code": CENTRE, "name": "Trung tâm Phục vụ hành chính công xã Phú Mỹ"}
    assert at_department["receiving_unit"] is None
    assert at_centre["deciding_unit"] == at_department["deciding_unit"] == {
        "code": "PHONG_GDTRH", "name": "Phòng Giáo dục trung học"}
    department_due = datetime.fromisoformat(at_department["due_at"])
    centre_due = datetime.fromisoformat(at_centre["due_at"])
    assert centre_due > department_due and (centre_due.date() - department_due.date()).days in (1, 3)  # a working day
    received = next(e for e in api.get(f"/api/v1/dossiers/{at_centre['code']}/history", user="desk").get_json()
                    if e["action"] == "dossier.received")
    assert received["data"]["receiving_unit"] == CENTRE


def test_a_centre_s_desk_sees_the_dossiers_it_received_and_not_the_department_s_tasks(api):
    ours = receive_at(api, "deskxa")["code"]
    theirs = receive_at(api, "desk")["code"]

    assert api.get(f"/api/v1/dossiers/{ours}", user="deskxa").status_code == 200
    assert api.get(f"/api/v1/dossiers/{theirs}", user="deskxa").status_code == 403
    listed = api.get("/api/v1/dossiers", user="deskxa", query_string={"per_page": 200}).get_json()["items"]
    assert {d["code"] for d in listed} == {ours}
    by_centre = api.get("/api/v1/dossiers", user="desk", query_string={"receiving_unit_code": CENTRE}).get_json()
    assert [d["code"] for d in by_centre["items"]] == [ours]
    assert api.get("/api/v1/tasks", user="deskxa").get_json() == []
    department_tasks = api.get("/api/v1/tasks", user="desk", query_string={"dossier_code": ours}).get_json()
    for task in department_tasks:  # the department desk works them; the centre cannot claim one
        assert api.post(f"/api/v1/tasks/{task['id']}/claim", user="deskxa").status_code == 403


def test_the_papers_go_from_the_centre_to_the_department_with_their_tracking_and_show_on_form_06(api):
    code = receive_at(api, "deskxa")["code"]
    assert api.get(f"/api/v1/dossiers/{code}/papers", user="deskxa").status_code == 404

    untracked = api.post(f"/api/v1/dossiers/{code}/papers", user="deskxa", json={"method": "post"})
    assert untracked.status_code == 422 and "tracking_number" in str(untracked.get_json())
    assert api.post(f"/api/v1/dossiers/{code}/papers", user="desk",
                    json={"method": "in_person"}).status_code == 403  # the centre sends them
    sent = api.post(f"/api/v1/dossiers/{code}/papers", user="deskxa",
                    json={"method": "post", "tracking_number": "EB123456789VN", "note": "01 bộ hồ sơ gốc"})
    assert sent.status_code == 201, sent.get_json()
    assert sent.get_json()["from_unit"]["code"] == CENTRE and sent.get_json()["arrived_at"] is None
    assert api.post(f"/api/v1/dossiers/{code}/papers", user="deskxa",
                    json={"method": "in_person"}).status_code == 409  # sent once

    in_transit = api.get("/api/v1/papers-in-transit", user="desk").get_json()
    assert [(t["dossier_code"], t["tracking_number"]) for t in in_transit] == [(code, "EB123456789VN")]
    assert api.post(f"/api/v1/dossiers/{code}/papers/arrival", user="deskxa", json={}).status_code == 403
    arrived = api.post(f"/api/v1/dossiers/{code}/papers/arrival", user="desk", json={"note": "Đủ hồ sơ"})
    assert arrived.status_code == 200 and arrived.get_json()["received_by"] == "desk"
    assert api.post(f"/api/v1/dossiers/{code}/papers/arrival", user="desk", json={}).status_code == 409
    assert api.get("/api/v1/papers-in-transit", user="desk").get_json() == []
    assert {"dossier.papers_sent", "dossier.papers_arrived"} <= set(history_actions(api, code))

    slip = api.get(f"/api/v1/dossiers/{code}/forms/process-control", user="desk", query_string={"format": "html"})
    html = slip.get_data(as_text=True)
    assert "Chuyển hồ sơ giấy" in html and "Trung tâm Phục vụ hành chính công xã Phú Mỹ" in html
    assert "số vận đơn EB123456789VN" in html


def test_a_dossier_received_at_the_department_has_no_papers_to_send(api):
    code = receive_at(api, "desk")["code"]
    refused = api.post(f"/api/v1/dossiers/{code}/papers", user="desk", json={"method": "in_person"})
    assert refused.status_code == 409


def test_an_administrator_sets_the_transit_allowance_for_the_dossiers_received_from_then_on(api):
    assert api.get("/api/v1/boundary-intake", user="deskxa").get_json() == {"transit_working_days": 1}
    assert api.put("/api/v1/boundary-intake", user="desk", json={"transit_working_days": 0}).status_code == 403
    for bad in (-1, 31, "two"):
        assert api.put("/api/v1/boundary-intake", user="admin", json={"transit_working_days": bad}).status_code == 422
    assert api.put("/api/v1/boundary-intake", user="admin", json={"transit_working_days": 0}).status_code == 200

    with time_machine.travel(MONDAY_8, tick=False):
        at_centre = receive_at(api, "deskxa")
        at_department = receive_at(api, "desk")
    assert at_centre["due_at"] == at_department["due_at"]
    logged = api.get("/api/v1/audit-events", user="admin",
                     query_string={"action_prefix": "boundary_intake."}).get_json()["items"]
    assert logged[0]["data"]["changes"]["transit_working_days"] == {"from": 1, "to": 0}
