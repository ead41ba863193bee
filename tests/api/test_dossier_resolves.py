"""A dossier always resolves: a process that ends without an end status leaves its dossier processed."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from tests.api.models_at_work import deploy, history, register
from workflows.timers import fire_due_timers

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = datetime(2026, 12, 7, 8, 0, tzinfo=VN)
DIVISIONS = ["Phòng Giáo dục trung học", "Phòng Khảo thí"]


def statistics(api, day: str) -> dict:
    response = api.get("/api/v1/reports/statistics", user="leader", query_string={"from": day, "to": day})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["totals"]


def test_a_model_that_sets_no_status_ends_with_its_dossier_processed_resolved_and_counted(api):
    with time_machine.travel(MONDAY, tick=False) as clock:
        deploy(api, "division_opinions.bpmn")  # none of its elements sets a dossier_status
        register(api, "LAY_Y_KIEN", "lay_y_kien_cac_phong")
        code = api.receive("LAY_Y_KIEN", data={"divisions": DIVISIONS})["code"]
        for _ in DIVISIONS:
            api.complete(code, "specialist", "division_opinion", {"opinion": "agree"})
        clock.move_to(MONDAY + timedelta(hours=2))
        assert api.complete(code, "leader", "sign")["dossier"]["status"] == 9

        dossier = api.dossier(code)
        assert (dossier["status"], dossier["outcome"]) == (9, "early")
        assert dossier["resolved_at"] == "2026-12-07T10:00:00+07:00"
        changed = [e for e in history(api, code) if e["action"] == "dossier.status_changed"]
        assert [(e["data"]["from"], e["data"]["to"], e["data"]["reason"]) for e in changed] == [
            (2, 9, "process_ended")]
        assert history(api, code)[-1]["action"] == "instance.completed"
        listed = api.get("/api/v1/dossiers", user="desk", query_string={"status": 9}).get_json()["items"]
        assert code in [d["code"] for d in listed]
        totals = statistics(api, "2026-12-07")
    assert (totals["received"], totals["resolved"], totals["early"]) == (1, 1, 1)


def test_a_process_ended_by_a_timer_resolves_its_dossier_too(api, sessions):
    with time_machine.travel(MONDAY, tick=False) as clock:
        deploy(api, "reply_or_overdue.bpmn")
        register(api, "HOI_Y_KIEN_TRUONG", "hoi_y_kien_truong")
        code = api.receive("HOI_Y_KIEN_TRUONG")["code"]
        api.complete(code, "desk", "ask_school")
        clock.move_to(MONDAY + timedelta(days=2, seconds=1))
        fire_due_timers(sessions)
        assert api.complete(code, "desk", "chase_school")["dossier"]["status"] == 9


def test_a_dossier_the_model_refused_stays_refused(api):
    deploy(api, "reply_or_overdue.bpmn")
    register(api, "HOI_Y_KIEN_TRUONG", "hoi_y_kien_truong")
    code = api.receive("HOI_Y_KIEN_TRUONG")["code"]
    api.complete(code, "desk", "ask_school")

    replied = api.post(f"/api/v1/dossiers/{code}/messages", user="desk",
                       json={"name": "school_replied", "data": {"answer": "refuse"}})

    assert replied.get_json()["status"] == 3
    changed = [e["data"] for e in history(api, code) if e["action"] == "dossier.status_changed"]
    assert [(c["from"], c["to"]) for c in changed] == [(2, 3)]


def ended_processed(api) -> str:
    deploy(api, "division_opinions.bpmn")
    register(api, "LAY_Y_KIEN", "lay_y_kien_cac_phong")
    code = api.receive("LAY_Y_KIEN", data={"divisions": DIVISIONS[:1]})["code"]
    api.complete(code, "specialist", "division_opinion", {"opinion": "agree"})
    api.complete(code, "leader", "sign")
    return code


def test_the_desk_returns_a_dossier_whose_process_ended_processed(api):
    code = ended_processed(api)

    response = api.post(f"/api/v1/dossiers/{code}/return", user="desk",
                        json={"return_method": "post", "postal_tracking_number": "EL123456789VN"})

    assert response.status_code == 200, response.get_json()
    dossier = response.get_json()
    assert (dossier["status"], dossier["return_method"], dossier["postal_tracking_number"]) == (
        10, "post", "EL123456789VN")
    assert dossier["returned_at"] is not None
    events = history(api, code)
    assert [e["data"]["kind"] for e in events if e["action"] == "dossier.notification"] == ["result_returned"]
    again = api.post(f"/api/v1/dossiers/{code}/return", user="desk", json={"return_method": "in_person"})
    assert again.status_code == 409


def test_a_result_sent_by_post_needs_its_tracking_number(api):
    code = ended_processed(api)

    response = api.post(f"/api/v1/dossiers/{code}/return", user="desk", json={"return_method": "post"})
    assert response.status_code == 422
    assert api.dossier(code)["status"] == 9


def test_a_dossier_whose_process_returns_it_is_not_returned_here(api):
    code = api.receive()["code"]  # the bundled model returns its results with its own desk task
    api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
    api.complete(code, "specialist", "review", {"opinion": "approve"})
    api.complete(code, "leader", "sign", {"decision": "approve"})
    assert api.dossier(code)["status"] == 9

    response = api.post(f"/api/v1/dossiers/{code}/return", user="desk", json={"return_method": "in_person"})
    assert response.status_code == 409
    assert api.post(f"/api/v1/dossiers/{code}/return", user="leader",
                    json={"return_method": "in_person"}).status_code == 403
