"""The officer's inbox, claiming, forms, the dossier list, history and the catalogue."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from engine.clock import utcnow


@pytest.fixture
def second_desk(sessions) -> str:
    """A second desk officer, `desk2`, beside the demo's `desk`."""
    from workflows.auth import create_user

    with sessions() as session, session.begin():
        create_user(session, username="desk2", password="demo", full_name="Một Cửa Hai", roles=["desk_officer"],
                    demo=True)
    return "desk2"


def test_each_role_sees_only_its_own_tasks(api):
    code = api.receive()["code"]
    task = api.open_task(code, "desk", "check_dossier")

    assert api.get("/api/v1/tasks", user="specialist").get_json() == []
    assert api.get("/api/v1/tasks", user="admin").get_json() == []
    forbidden = api.post(f"/api/v1/tasks/{task['id']}/complete", user="specialist", json={"data": {}})
    assert forbidden.status_code == 403
    assert forbidden.get_json()["errors"]["role"] == "desk_officer"


def test_a_task_shows_the_form_its_data_must_fit(api):
    code = api.receive()["code"]
    task = api.open_task(code, "desk", "check_dossier")

    detail = api.get(f"/api/v1/tasks/{task['id']}", user="desk").get_json()

    assert detail["form_schema"]["required"] == ["check_result"]
    choices = detail["form_schema"]["properties"]["check_result"]["oneOf"]
    assert [choice["const"] for choice in choices] == ["complete", "incomplete", "refuse"]
    assert all(choice["title"] for choice in choices)


def test_data_that_does_not_fit_the_form_is_refused_field_by_field(api):
    code = api.receive()["code"]
    task = api.open_task(code, "desk", "check_dossier")

    missing = api.post(f"/api/v1/tasks/{task['id']}/complete", user="desk", json={"data": {}})
    wrong = api.post(f"/api/v1/tasks/{task['id']}/complete", user="desk", json={"data": {"check_result": "ok"}})

    assert missing.status_code == 422
    assert missing.get_json()["errors"]["data"] == {"check_result": ["Trường này là bắt buộc."]}
    assert missing.get_json()["errors"]["labels"] == {"check_result": "Kết quả kiểm tra"}
    assert wrong.status_code == 422
    assert "check_result" in wrong.get_json()["errors"]["data"]
    assert api.open_task(code, "desk", "check_dossier")["state"] == "ready"
    assert api.dossier(code)["status"] == 2


def test_a_claimed_task_belongs_to_its_claimer_until_released(api, second_desk):
    code = api.receive()["code"]
    task_id = api.open_task(code, "desk", "check_dossier")["id"]

    claimed = api.post(f"/api/v1/tasks/{task_id}/claim", user="desk")
    assert claimed.status_code == 200 and claimed.get_json()["assignee"] == "desk"
    assert api.get("/api/v1/tasks", user="desk2", query_string={"scope": "available"}).get_json() == []
    mine = api.get("/api/v1/tasks", user="desk", query_string={"scope": "mine"}).get_json()
    assert [t["id"] for t in mine] == [task_id]
    assert api.post(f"/api/v1/tasks/{task_id}/claim", user="desk2").status_code == 409
    taken = api.post(f"/api/v1/tasks/{task_id}/complete", user="desk2", json={"data": {"check_result": "complete"}})
    assert taken.status_code == 409
    assert api.post(f"/api/v1/tasks/{task_id}/unclaim", user="desk2").status_code == 403

    released = api.post(f"/api/v1/tasks/{task_id}/unclaim", user="desk")
    assert released.status_code == 200 and released.get_json()["state"] == "ready"
    assert api.post(f"/api/v1/tasks/{task_id}/unclaim", user="desk").status_code == 409
    done = api.post(f"/api/v1/tasks/{task_id}/complete", user="desk2", json={"data": {"check_result": "complete"}})
    assert done.status_code == 200
    assert api.get(f"/api/v1/tasks/{task_id}", user="desk").get_json()["completed_by"] == "desk2"


def test_a_claim_answers_with_the_task_as_the_inbox_lists_it_now_claimed(api):
    code = api.receive()["code"]
    listed = api.open_task(code, "desk", "check_dossier")

    claimed = api.post(f"/api/v1/tasks/{listed['id']}/claim", user="desk")
    released = api.post(f"/api/v1/tasks/{listed['id']}/unclaim", user="desk")

    assert claimed.status_code == 200
    assert claimed.get_json() == {**listed, "state": "claimed", "assignee": "desk"}
    assert claimed.get_json()["procedure_name"] and claimed.get_json()["dossier_due_at"]
    assert released.get_json() == listed


def test_a_claim_that_comes_second_says_who_holds_the_task(api, second_desk):
    code = api.receive()["code"]
    task_id = api.open_task(code, "desk", "check_dossier")["id"]
    api.post(f"/api/v1/tasks/{task_id}/claim", user="desk")

    second = api.post(f"/api/v1/tasks/{task_id}/claim", user="desk2")

    assert second.status_code == 409
    assert second.get_json()["errors"]["state"] == "claimed"
    assert "desk" in second.get_json()["errors"]["detail"]
    assert api.get(f"/api/v1/tasks/{task_id}", user="desk").get_json()["assignee"] == "desk"


def test_a_task_of_a_suspended_dossier_cannot_be_claimed(api, sessions):
    from engine import repair
    from workflows.dossiers import get_dossier

    code = api.receive()["code"]
    task_id = api.open_task(code, "desk", "check_dossier")["id"]
    with sessions() as session, session.begin():
        repair.suspend(session, get_dossier(session, code).instance_id, actor="admin", reason="kiểm tra lại")

    refused = api.post(f"/api/v1/tasks/{task_id}/claim", user="desk")

    assert refused.status_code == 409
    assert "kiểm tra lại" in refused.get_json()["errors"]["detail"]
    assert api.open_task(code, "desk", "check_dossier")["state"] == "ready"


def test_completing_a_completed_task_is_a_409(api):
    code = api.receive()["code"]
    task_id = api.open_task(code, "desk", "check_dossier")["id"]
    api.post(f"/api/v1/tasks/{task_id}/complete", user="desk", json={"data": {"check_result": "complete"}})

    again = api.post(f"/api/v1/tasks/{task_id}/complete", user="desk", json={"data": {"check_result": "complete"}})

    assert again.status_code == 409
    assert again.get_json()["code"] == "task_not_ready"
    completed = api.get("/api/v1/tasks", user="desk", query_string={"state": "completed", "scope": "mine"}).get_json()
    assert [t["id"] for t in completed] == [task_id]


def test_an_unknown_task_is_a_404(api):
    response = api.post("/api/v1/tasks/00000000-0000-0000-0000-000000000000/complete", user="desk", json={})
    assert response.status_code == 404


def test_dossier_codes_are_numbered_per_local_day(api):
    first, second = api.receive()["code"], api.receive("CAP_BAN_SAO_VAN_BANG")["code"]
    today = utcnow().astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%y%m%d")

    assert first == f"SGDDT-{today}-0001"
    assert second == f"SGDDT-{today}-0002"


def test_the_dossier_list_filters_and_paginates(api):
    codes = [api.receive()["code"] for _ in range(3)]
    diploma = api.receive("CAP_BAN_SAO_VAN_BANG")["code"]
    api.complete(codes[0], "desk", "check_dossier", {"check_result": "refuse", "reason": "Sai thẩm quyền"})
    today = utcnow().astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()

    def listing(**query):
        response = api.get("/api/v1/dossiers", user="leader", query_string=query)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    everything = listing()
    assert everything["total"] == 4
    assert [d["code"] for d in everything["items"]] == [diploma, *reversed(codes)]
    assert [d["code"] for d in listing(procedure_code="CAP_BAN_SAO_VAN_BANG")["items"]] == [diploma]
    assert [d["code"] for d in listing(status=3)["items"]] == [codes[0]]
    page = listing(per_page=2, page=2)
    assert (page["total"], len(page["items"]), page["page"]) == (4, 2, 2)
    assert listing(received_from=today.isoformat(), received_to=today.isoformat())["total"] == 4
    assert listing(received_from=(today + timedelta(days=1)).isoformat())["total"] == 0
    assert listing(received_to=(today - timedelta(days=1)).isoformat())["total"] == 0
    assert api.get("/api/v1/dossiers", user="leader", query_string={"status": 42}).status_code == 422


def test_a_dossier_shows_its_applicant_and_local_times(api):
    dossier = api.receive(channel="post", received_at="2026-11-27T09:15:00+07:00")

    shown = api.dossier(dossier["code"])

    assert shown["applicant"]["full_name"] == "Nguyễn Văn An"
    assert shown["channel"] == "post"
    assert shown["status_label"] == "Đã tiếp nhận"
    assert shown["received_at"] == "2026-11-27T09:15:00+07:00"
    english = api.get(f"/api/v1/dossiers/{dossier['code']}", user="desk", headers={"Accept-Language": "en"})
    assert english.get_json()["status_label"] == "Received"


def test_a_dossier_for_an_unknown_procedure_is_refused(api):
    response = api.post("/api/v1/dossiers", user="desk", json={
        "procedure_code": "KHONG_CO", "applicant": {"full_name": "A", "id_number": "012345678901"}})
    assert response.status_code == 404
    assert response.get_json()["errors"]["procedure_code"] == "KHONG_CO"


def test_bad_applicant_data_is_refused_field_by_field(api):
    response = api.post("/api/v1/dossiers", user="desk", json={
        "procedure_code": "CHUYEN_TRUONG_THPT", "channel": "fax",
        "applicant": {"full_name": "", "id_number": "12", "email": "not-an-email"}})

    errors = response.get_json()["errors"]["json"]
    assert response.status_code == 422
    assert set(errors) == {"channel", "applicant"}
    assert set(errors["applicant"]) == {"full_name", "id_number", "email"}


def test_the_history_of_a_dossier_is_oldest_first_with_who_and_when(api):
    code = api.receive()["code"]
    api.complete(code, "desk", "check_dossier", {"check_result": "complete"})

    history = api.get(f"/api/v1/dossiers/{code}/history", user="specialist").get_json()

    assert [e["action"] for e in history] == [
        "instance.started", "dossier.received", "task.completed", "dossier.status_changed"]
    assert [e["actor"] for e in history] == ["desk"] * 4
    assert history[2]["data"]["data"] == {"check_result": "complete"}
    assert history[3]["data"] == {"from": 2, "to": 4, "element": "Event_HandedOver",
                                  "element_name": "Chuyển phòng chuyên môn"}


def test_the_catalogue_lists_both_seed_procedures_with_their_documents(api):
    procedures = {p["code"]: p for p in api.get("/api/v1/procedures", user="desk").get_json()}

    assert set(procedures) == {"CHUYEN_TRUONG_THPT", "CAP_BAN_SAO_VAN_BANG"}
    transfer = procedures["CHUYEN_TRUONG_THPT"]
    assert transfer["processing_time_unit"] == "session"
    assert transfer["deciding_unit_code"] == "PHONG_GDTRH"
    assert {"name": "Học bạ", "form": "original", "quantity": 1} in transfer["required_documents"]


def test_an_admin_change_to_a_procedure_is_audited_old_to_new(api, sessions):
    response = api.put("/api/v1/procedures/CAP_BAN_SAO_VAN_BANG", user="admin",
                       json={"processing_time_value": 2, "processing_time_unit": "working_days"})
    assert response.status_code == 200
    assert response.get_json()["processing_time_unit"] == "working_days"

    from sqlalchemy import select

    from engine.models import AuditEvent

    with sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "procedure.updated")).one()
    assert event.actor == "admin"
    assert event.data["changes"]["processing_time_unit"] == {"old": "same_day", "new": "working_days"}
    assert event.data["changes"]["processing_time_value"] == {"old": 1.0, "new": 2.0}
    bad = api.put("/api/v1/procedures/CAP_BAN_SAO_VAN_BANG", user="admin", json={"processing_time_unit": "weeks"})
    assert bad.status_code == 422
