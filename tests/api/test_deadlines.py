"""Deadlines an administrator changes without code: step allocations, re-timing, the paused clock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from tests.api.test_process_models import PARALLEL, make_procedure

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_8 = datetime(2026, 12, 7, 8, 0, tzinfo=VN)


def history_of(api, code: str) -> list[dict]:
    return api.get(f"/api/v1/dossiers/{code}/history", user="desk").get_json()


def test_a_changed_allocation_applies_to_new_dossiers_only_until_an_admin_retimes(api):
    with time_machine.travel(MONDAY_8, tick=False) as clock:
        before = api.receive()["code"]
        api.complete(before, "desk", "check_dossier", {"check_result": "complete"})
        assert api.open_task(before, "specialist", "review")["due_at"] == "2026-12-07T10:00:00+07:00"

        changed = api.put("/api/v1/procedures/CHUYEN_TRUONG_THPT", user="admin",
                          json={"step_allocations": {"review": {"value": 1, "unit": "working_days"},
                                                     "review_reminder": {"value": 1, "unit": "working_hours"}}})
        assert changed.status_code == 200
        clock.move_to(datetime(2026, 12, 7, 9, 0, tzinfo=VN))
        after = api.receive()["code"]
        api.complete(after, "desk", "check_dossier", {"check_result": "complete"})

        assert api.open_task(before, "specialist", "review")["due_at"] == "2026-12-07T10:00:00+07:00"
        assert api.open_task(after, "specialist", "review")["due_at"] == "2026-12-08T17:00:00+07:00"

        retimed = api.post("/api/v1/procedures/CHUYEN_TRUONG_THPT/retime-timers", user="admin")
        assert retimed.status_code == 200
        assert retimed.get_json() == {"dossiers": 2, "timers_moved": 1}
        # counted from when its review began (08:00 Monday): one working day -> Tuesday's close
        assert api.open_task(before, "specialist", "review")["due_at"] == "2026-12-08T17:00:00+07:00"
    assert "timers.retimed" in [e["action"] for e in history_of(api, before)]


def test_only_an_admin_may_retime(api):
    assert api.post("/api/v1/procedures/CHUYEN_TRUONG_THPT/retime-timers", user="leader").status_code == 403


def test_a_step_allocation_change_is_audited_old_to_new(api, sessions):
    api.put("/api/v1/procedures/CHUYEN_TRUONG_THPT", user="admin", json={"step_allocations": {
        "review": {"value": 3, "unit": "working_hours"}, "review_reminder": {"value": 1, "unit": "working_hours"}}})

    from sqlalchemy import select

    from engine.models import AuditEvent

    with sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "procedure.updated")).one()
    change = event.data["changes"]["step_allocations"]
    assert (change["old"]["review"], change["new"]["review"]) == (
        {"value": 2, "unit": "working_hours"}, {"value": 3.0, "unit": "working_hours"})


def test_a_model_that_needs_an_allocation_the_procedure_lacks_is_refused(api):
    response = api.put("/api/v1/procedures/CHUYEN_TRUONG_THPT", user="admin", json={"step_allocations": {}})

    assert response.status_code == 422
    assert response.get_json()["errors"]["step_allocations"] == ["review", "review_reminder"]


def test_an_allocation_the_calendar_cannot_count_is_refused(api):
    response = api.put("/api/v1/procedures/CHUYEN_TRUONG_THPT", user="admin",
                       json={"step_allocations": {"review": {"value": 1.5, "unit": "working_days"}}})
    assert response.status_code == 422
    assert "step_allocations.review" in response.get_json()["errors"]


def test_the_clock_pauses_while_the_applicant_owes_a_supplement(api):
    api.put("/api/v1/procedures/CHUYEN_TRUONG_THPT", user="admin",
            json={"processing_time_value": 2, "processing_time_unit": "working_days"})
    with time_machine.travel(MONDAY_8, tick=False) as clock:
        dossier = api.receive()
        assert dossier["due_at"] == "2026-12-09T17:00:00+07:00"
        api.complete(dossier["code"], "desk", "check_dossier", {"check_result": "incomplete", "reason": "Thiếu học bạ"})
        assert api.dossier(dossier["code"])["clock_paused_at"] == "2026-12-07T08:00:00+07:00"

        clock.move_to(datetime(2026, 12, 8, 10, 0, tzinfo=VN))  # 7 h on Monday + 2.5 h on Tuesday
        api.complete(dossier["code"], "desk", "receive_supplement")
        shown = api.dossier(dossier["code"])

    assert shown["clock_paused_at"] is None
    assert shown["status"] == 2
    # Wednesday 17:00 + 9.5 working hours: all of Thursday (7.5 h), then 2 h on Friday from 07:30
    assert shown["due_at"] == "2026-12-11T09:30:00+07:00"
    moved = [e for e in history_of(api, dossier["code"]) if e["action"] == "dossier.due_date_moved"]
    assert moved[0]["data"]["clock_on_wait"] == "pause"


def test_a_procedure_may_restart_the_clock_instead(api):
    api.put("/api/v1/procedures/CHUYEN_TRUONG_THPT", user="admin",
            json={"processing_time_value": 2, "processing_time_unit": "working_days", "clock_on_wait": "restart"})
    with time_machine.travel(MONDAY_8, tick=False) as clock:
        code = api.receive()["code"]
        api.complete(code, "desk", "check_dossier", {"check_result": "incomplete", "reason": "Thiếu học bạ"})
        clock.move_to(datetime(2026, 12, 8, 10, 0, tzinfo=VN))
        api.complete(code, "desk", "receive_supplement")
        shown = api.dossier(code)

    assert shown["due_at"] == "2026-12-10T17:00:00+07:00"  # two working days from Tuesday


def test_a_procedure_without_deadline_calls_needs_no_allocations(api):
    api.deploy(PARALLEL, "parallel_review.bpmn")
    response = make_procedure(api, "THU_NGHIEM", "tham_dinh_song_song")
    assert response.status_code == 201, response.get_json()


def test_each_hand_over_gets_a_verdict_against_its_allotted_time(api):
    with time_machine.travel(MONDAY_8, tick=False) as clock:
        on_time = api.receive()["code"]
        late = api.receive()["code"]
        for code in (on_time, late):
            api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
        clock.move_to(datetime(2026, 12, 7, 9, 30, tzinfo=VN))
        api.complete(on_time, "specialist", "review", {"opinion": "approve"})
        clock.move_to(datetime(2026, 12, 7, 10, 30, tzinfo=VN))  # the review was due at 10:00
        api.complete(late, "specialist", "review", {"opinion": "approve"})
        steps = {code: api.get(f"/api/v1/dossiers/{code}/steps", user="leader").get_json()
                 for code in (on_time, late)}

    first = steps[on_time]
    assert [s["bpmn_id"] for s in first] == ["check_dossier", "review", "sign"]
    expected = {
        "bpmn_id": "review", "name": "Thẩm định hồ sơ", "role": "specialist", "state": "completed",
        "received_at": "2026-12-07T08:00:00+07:00", "due_at": "2026-12-07T10:00:00+07:00",
        "handed_over_at": "2026-12-07T09:30:00+07:00", "handed_over_by": "specialist", "verdict": "on_time"}
    assert {key: first[1][key] for key in expected} == expected
    assert first[1]["handed_over_by_person"]["full_name"] == "Trần Văn Chuyên Viên (demo)"
    assert first[0]["verdict"] is None  # the desk check has no allotted time
    assert first[2]["state"] == "ready" and first[2]["verdict"] is None
    assert steps[late][1]["verdict"] == "late"


def longer_diploma_procedure(api) -> None:
    response = api.put("/api/v1/procedures/CAP_BAN_SAO_VAN_BANG", user="admin",
                       json={"processing_time_value": 3, "processing_time_unit": "working_days"})
    assert response.status_code == 200


def test_one_working_day_before_the_due_date_the_leader_gets_an_apology_to_sign_and_the_work_goes_on(api, sessions):
    from workflows.timers import fire_due_timers

    longer_diploma_procedure(api)
    with time_machine.travel(MONDAY_8, tick=False) as clock:
        dossier = api.receive("CAP_BAN_SAO_VAN_BANG")
        assert dossier["due_at"] == "2026-12-10T17:00:00+07:00"
        clock.move_to(datetime(2026, 12, 9, 7, 29, tzinfo=VN))
        assert fire_due_timers(sessions) == 0
        clock.move_to(datetime(2026, 12, 9, 7, 30, 1, tzinfo=VN))  # opening of the day before the due day
        assert fire_due_timers(sessions) == 1
        desk_tasks = api.get("/api/v1/tasks", user="desk", query_string={"dossier_code": dossier["code"]}).get_json()
        leader_tasks = api.get("/api/v1/tasks", user="leader",
                               query_string={"dossier_code": dossier["code"]}).get_json()

    assert [t["bpmn_id"] for t in desk_tasks] == ["check_dossier"]
    assert [t["bpmn_id"] for t in leader_tasks] == ["sign_apology"]
    assert api.dossier(dossier["code"])["status"] == 2


def test_a_dossier_resolved_before_its_warning_ends_without_it(api, sessions):
    from sqlalchemy import func, select

    from engine.models import WaitingTimer

    longer_diploma_procedure(api)
    with time_machine.travel(MONDAY_8, tick=False):
        code = api.receive("CAP_BAN_SAO_VAN_BANG")["code"]
        api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
        api.complete(code, "specialist", "review", {"opinion": "approve"})
        api.complete(code, "leader", "sign", {"decision": "approve"})
        api.return_result(code)

    actions = [e["action"] for e in history_of(api, code)]
    assert "instance.completed" in actions
    assert "sign_apology" not in [e["data"].get("bpmn_id") for e in history_of(api, code)]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(WaitingTimer)) == 0
