"""The working calendar over HTTP: due dates, an administrator's exceptions and settings."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def due(api, received_at: str, value, unit: str):
    return api.get("/api/v1/calendar/due-date", user="desk",
                   query_string={"received_at": received_at, "value": value, "unit": unit})


def test_the_due_date_of_a_period_skips_tet(api):
    response = due(api, "2026-02-13T09:00:00+07:00", 1, "working_days")

    assert response.status_code == 200
    assert response.get_json() == {"received_at": "2026-02-13T09:00:00+07:00", "due_at": "2026-02-23T17:00:00+07:00"}


def test_a_due_date_question_in_utc_gets_a_local_answer(api):
    body = due(api, "2026-11-27T08:30:00Z", 1, "same_day").get_json()  # 15:30 in Hà Nội: after the cut-off
    assert body["due_at"] == "2026-11-30T17:00:00+07:00"


def test_a_due_date_question_without_an_offset_or_unit_is_refused(api):
    assert due(api, "2026-11-27T08:30:00", 1, "same_day").status_code == 422
    assert due(api, "2026-11-27T08:30:00+07:00", 1, "weeks").status_code == 422
    bad_value = due(api, "2026-11-27T08:30:00+07:00", 1.5, "working_days")
    assert bad_value.status_code == 422 and bad_value.get_json()["code"] == "calendar_error"


def test_an_admin_adds_a_make_up_working_day_and_due_dates_follow(api):
    before = due(api, "2026-02-13T09:00:00+07:00", 1, "working_days").get_json()["due_at"]
    make_up = {"date": "2026-02-14", "kind": "working_day", "reason": "Làm bù theo thông báo của Chính phủ"}
    added = api.post("/api/v1/calendar/exceptions", user="admin", json=make_up)
    assert added.status_code == 201
    assert added.get_json()["created_by"] == "admin"

    after = due(api, "2026-02-13T09:00:00+07:00", 1, "working_days").get_json()["due_at"]
    assert (before, after) == ("2026-02-23T17:00:00+07:00", "2026-02-14T17:00:00+07:00")
    listed = api.get("/api/v1/calendar/exceptions", user="desk", query_string={"year": 2026}).get_json()
    assert [(e["date"], e["kind"]) for e in listed] == [("2026-02-14", "working_day")]
    assert api.post("/api/v1/calendar/exceptions", user="admin",
                    json={"date": "2026-02-14", "kind": "day_off", "reason": "x"}).status_code == 409

    assert api.client.delete("/api/v1/calendar/exceptions/2026-02-14",
                             headers={"Authorization": f"Bearer {api.token('admin')}"}).status_code == 204
    assert due(api, "2026-02-13T09:00:00+07:00", 1, "working_days").get_json()["due_at"] == before
    history = api.get("/api/v1/calendar/exceptions", user="desk").get_json()
    assert history == []


def test_only_an_admin_changes_the_calendar(api):
    body = {"date": "2026-12-31", "kind": "day_off", "reason": "Nghỉ thêm"}
    assert api.post("/api/v1/calendar/exceptions", user="desk", json=body).status_code == 403
    assert api.put("/api/v1/calendar/settings", user="leader", json={"same_day_cutoff": "16:00"}).status_code == 403
    missing = api.client.delete("/api/v1/calendar/exceptions/2026-12-31",
                                headers={"Authorization": f"Bearer {api.token('admin')}"})
    assert missing.status_code == 404


def test_an_admin_changes_office_hours_and_the_cutoff(api):
    settings = api.get("/api/v1/calendar/settings", user="desk").get_json()
    assert settings == {"timezone": "Asia/Ho_Chi_Minh", "working_weekdays": [0, 1, 2, 3, 4],
                        "sessions": [["07:30", "11:30"], ["13:30", "17:00"]], "same_day_cutoff": "15:00",
                        "holiday_country": "VN"}

    changed = api.put("/api/v1/calendar/settings", user="admin",
                      json={"sessions": [["07:00", "11:00"], ["13:00", "16:30"]], "same_day_cutoff": "16:00"})

    assert changed.status_code == 200
    assert due(api, "2026-11-27T15:30:00+07:00", 1, "same_day").get_json()["due_at"] == "2026-11-27T16:30:00+07:00"
    wrong = api.put("/api/v1/calendar/settings", user="admin", json={"sessions": [["13:00", "11:00"]]})
    assert wrong.status_code == 422
    assert api.put("/api/v1/calendar/settings", user="admin", json={"timezone": "Mars/Olympus"}).status_code == 422


def test_a_dossier_gets_its_statutory_due_date_at_receipt(api):
    with time_machine.travel(datetime(2026, 2, 13, 14, 0, tzinfo=VN), tick=False):
        transfer = api.receive("CHUYEN_TRUONG_THPT")  # one session: the afternoon it arrives in
        diploma = api.receive("CAP_BAN_SAO_VAN_BANG")  # same day, before the cut-off
    with time_machine.travel(datetime(2026, 2, 13, 15, 30, tzinfo=VN), tick=False):
        late_diploma = api.receive("CAP_BAN_SAO_VAN_BANG")  # after the cut-off: next working day, after Tết
        task = api.open_task(late_diploma["code"], "desk", "check_dossier")

    assert transfer["due_at"] == "2026-02-13T17:00:00+07:00"
    assert diploma["due_at"] == "2026-02-13T17:00:00+07:00"
    assert late_diploma["due_at"] == "2026-02-23T17:00:00+07:00"
    assert task["dossier_due_at"] == "2026-02-23T17:00:00+07:00"


def test_times_are_shown_in_the_calendars_zone_whatever_the_server_runs_in(api):
    code = api.receive()["code"]
    assert api.dossier(code)["received_at"].endswith("+07:00")

    api.put("/api/v1/calendar/settings", user="admin", json={"timezone": "Asia/Tokyo"})

    assert api.dossier(code)["received_at"].endswith("+09:00")
