"""A dossier waiting at an event-based gateway, and repeating reminders, driven by the scheduler."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from tests.api.models_at_work import deploy, history, open_tasks, register
from workflows.timers import fire_due_timers

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = datetime(2026, 12, 7, 8, 0, tzinfo=VN)


def asked_the_school(api) -> str:
    deploy(api, "reply_or_overdue.bpmn")
    register(api, "HOI_Y_KIEN_TRUONG", "hoi_y_kien_truong")
    code = api.receive("HOI_Y_KIEN_TRUONG")["code"]
    assert api.complete(code, "desk", "ask_school")["next_tasks"] == []
    return code


def test_an_unanswered_school_is_chased_when_the_gateway_s_timer_fires(api, sessions):
    with time_machine.travel(MONDAY, tick=False) as clock:
        code = asked_the_school(api)
        clock.move_to(MONDAY + timedelta(days=2))
        assert fire_due_timers(sessions) == 0  # due, not past
        clock.move_to(MONDAY + timedelta(days=2, seconds=1))
        assert fire_due_timers(sessions) == 1

        assert [t["bpmn_id"] for t in open_tasks(api, code, "desk")] == ["chase_school"]
        fired = [e for e in history(api, code) if e["action"] == "timer.fired"]
        assert [e["data"]["bpmn_id"] for e in fired] == ["Event_reply_overdue"]
        replied = api.post(f"/api/v1/dossiers/{code}/messages", user="desk",
                           json={"name": "school_replied", "data": {"answer": "agree"}})
        assert replied.status_code == 409  # the gateway took the timer's way


def test_the_school_s_reply_takes_the_message_way_and_the_timer_never_fires(api, sessions):
    with time_machine.travel(MONDAY, tick=False) as clock:
        code = asked_the_school(api)
        replied = api.post(f"/api/v1/dossiers/{code}/messages", user="desk",
                           json={"name": "school_replied", "data": {"answer": "agree"}})
        assert replied.status_code == 200, replied.get_json()
        assert [t["bpmn_id"] for t in open_tasks(api, code, "specialist")] == ["review_reply"]

        clock.move_to(MONDAY + timedelta(days=5))
        assert fire_due_timers(sessions) == 0
        assert "timer.fired" not in [e["action"] for e in history(api, code)]


def test_a_review_reminder_repeats_three_times_and_tells_each_time(api, sessions):
    with time_machine.travel(MONDAY, tick=False) as clock:
        deploy(api, "review_reminders.bpmn")
        register(api, "NHAC_THAM_DINH", "nhac_tham_dinh")
        code = api.receive("NHAC_THAM_DINH")["code"]
        for hours in (10, 20, 30, 40, 50):
            clock.move_to(MONDAY + timedelta(hours=hours, seconds=1))
            assert fire_due_timers(sessions) == (1 if hours <= 30 else 0)

        events = history(api, code)
        assert [e["data"]["kind"] for e in events if e["action"] == "dossier.notification"] == ["review_due_soon"] * 3
        assert len([e for e in events if e["action"] == "timer.fired"]) == 3
        review = open_tasks(api, code, "specialist")
        assert [t["bpmn_id"] for t in review] == ["review"]
        result = api.complete(code, "specialist", "review")
    assert result["dossier"]["status"] == 9
