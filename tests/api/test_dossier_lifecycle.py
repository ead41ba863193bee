"""The one-stop lifecycle over HTTP, as the seed models drive it: intake channels, supplement,
refusal, withdrawal, apology with a new date, early result with a call, postal return, rating."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pypdf import PdfReader

from workflows.timers import fire_due_timers

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_8 = datetime(2026, 12, 7, 8, 0, tzinfo=VN)
PROCEDURES = ("CHUYEN_TRUONG_THPT", "CAP_BAN_SAO_VAN_BANG")
THREE_DAYS = {"processing_time_value": 3, "processing_time_unit": "working_days",
              "step_allocations": {"review": {"value": 5, "unit": "working_days"},
                                   "review_reminder": {"value": 4, "unit": "working_days"}}}


@pytest.fixture(params=PROCEDURES)
def procedure_code(request) -> str:
    return request.param


def history(api, code: str) -> list[dict]:
    return api.get(f"/api/v1/dossiers/{code}/history", user="desk").get_json()


def statuses_of(api, code: str) -> list[int]:
    return [e["data"]["to"] for e in history(api, code) if e["action"] == "dossier.status_changed"]


def outbox(api, code: str) -> list[dict]:
    response = api.get("/api/v1/notifications/outbox", user="admin",
                       query_string={"dossier_code": code, "per_page": 200})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def kinds_sent(api, code: str) -> list[tuple[str, str]]:
    return sorted({(m["kind"], m["channel"]) for m in outbox(api, code)})


def pdf_text(content: bytes) -> str:
    """The PDF's text with its line breaks as spaces."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages).split())


def review_and_sign(api, code: str) -> None:
    api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
    api.complete(code, "specialist", "review", {"opinion": "approve", "note": "Đủ điều kiện"})
    api.complete(code, "leader", "sign", {"decision": "approve"})


def set_procedure(api, code: str, values: dict) -> None:
    response = api.put(f"/api/v1/procedures/{code}", user="admin", json=values)
    assert response.status_code == 200, response.get_json()


# --- intake channels ------------------------------------------------------------------------

def test_an_online_dossier_starts_newly_registered_and_its_clock_starts_when_the_desk_accepts(api, procedure_code):
    with time_machine.travel(MONDAY_8, tick=False) as clock:
        submitted = api.post("/api/v1/public/dossiers", json={
            "procedure_code": procedure_code,
            "applicant": {"full_name": "Trần Thị Bích", "id_number": "079300004321", "phone": "0987654321"}})
        assert submitted.status_code == 201, submitted.get_json()
        code = submitted.get_json()["code"]
        assert submitted.get_json()["status"] == 1
        dossier = api.dossier(code)
        assert dossier["received_at"] is None and dossier["due_at"] is None and dossier["channel"] == "online"

        clock.move_to(datetime(2026, 12, 7, 9, 0, tzinfo=VN))
        api.complete(code, "desk", "check_dossier", {"check_result": "complete"})

    dossier = api.dossier(code)
    asks_fee = procedure_code == "CAP_BAN_SAO_VAN_BANG"  # an online diploma copy is then asked for its fee (6)
    assert dossier["status"] == (6 if asks_fee else 4)
    assert dossier["received_at"] == "2026-12-07T09:00:00+07:00"
    assert dossier["due_at"] is not None
    assert statuses_of(api, code) == ([2, 4, 6] if asks_fee else [2, 4])


def test_an_online_dossier_may_be_asked_for_a_supplement_before_it_is_accepted(api):
    with time_machine.travel(MONDAY_8, tick=False) as clock:
        code = api.post("/api/v1/public/dossiers", json={
            "procedure_code": "CHUYEN_TRUONG_THPT",
            "applicant": {"full_name": "Đỗ Minh Châu", "id_number": "079300003333"}}).get_json()["code"]
        api.complete(code, "desk", "check_dossier", {"check_result": "incomplete",
                                                     "missing_documents": [{"name": "Học bạ"}]})
        assert api.dossier(code)["status"] == 5 and api.dossier(code)["clock_paused_at"] is None
        clock.move_to(datetime(2026, 12, 8, 8, 0, tzinfo=VN))
        api.complete(code, "desk", "receive_supplement", {})
        api.complete(code, "desk", "check_dossier", {"check_result": "complete"})

    dossier = api.dossier(code)
    assert statuses_of(api, code) == [5, 2, 4]
    assert dossier["received_at"] == "2026-12-08T08:00:00+07:00" and dossier["clock_paused_at"] is None


def test_an_online_dossier_refused_at_intake_never_counts_as_received(api):
    code = api.post("/api/v1/public/dossiers", json={
        "procedure_code": "CHUYEN_TRUONG_THPT",
        "applicant": {"full_name": "Lê Văn Cường", "id_number": "079300001111"}}).get_json()["code"]

    api.complete(code, "desk", "check_dossier", {"check_result": "refuse", "reason": "Không thuộc thẩm quyền"})

    dossier = api.dossier(code)
    assert dossier["status"] == 3 and dossier["received_at"] is None and dossier["resolved_at"] is None
    assert statuses_of(api, code) == [3]


def test_a_dossier_that_came_by_post_counts_from_the_receipt_time_the_desk_records(api):
    with time_machine.travel(datetime(2026, 12, 8, 10, 0, tzinfo=VN), tick=False):
        dossier = api.receive(channel="post", received_at="2026-12-07T14:00:00+07:00")
        future = api.post("/api/v1/dossiers", user="desk", json={
            "procedure_code": "CHUYEN_TRUONG_THPT", "channel": "post", "received_at": "2026-12-09T08:00:00+07:00",
            "applicant": {"full_name": "Ngô Thị Dung", "id_number": "079300002222"}})
        missing = api.post("/api/v1/dossiers", user="desk", json={
            "procedure_code": "CHUYEN_TRUONG_THPT", "channel": "post",
            "applicant": {"full_name": "Ngô Thị Dung", "id_number": "079300002222"}})

    assert dossier["received_at"] == "2026-12-07T14:00:00+07:00"
    assert dossier["due_at"] == "2026-12-07T17:00:00+07:00"  # one half-day session from 14:00
    assert future.status_code == 422 and future.get_json()["errors"]["field"] == "received_at"
    assert missing.status_code == 422 and missing.get_json()["errors"]["field"] == "received_at"


# --- supplement and refusal -----------------------------------------------------------------

def test_a_supplement_request_pauses_the_dossier_lists_the_documents_and_is_allowed_once(api, procedure_code):
    code = api.receive(procedure_code)["code"]
    api.complete(code, "desk", "check_dossier", {"check_result": "incomplete", "reason": "Thiếu giấy tờ",
                                                 "missing_documents": [{"name": "Học bạ", "reason": "Bản sao mờ"}]})
    dossier = api.dossier(code)
    assert dossier["status"] == 5 and dossier["clock_paused_at"] is not None and dossier["supplement_requests"] == 1

    notices = api.get(f"/api/v1/dossiers/{code}/notices", user="desk").get_json()
    assert [(n["kind"], n["documents"], n["reason"]) for n in notices] == [
        ("supplement_request", [{"name": "Học bạ", "reason": "Bản sao mờ"}], "Thiếu giấy tờ")]
    form = api.get(f"/api/v1/dossiers/{code}/forms/supplement-request", user="desk")
    assert form.status_code == 200 and form.mimetype == "application/pdf"
    assert "Học bạ" in pdf_text(form.data) and code in pdf_text(form.data)
    assert ("supplement_requested", "email") in kinds_sent(api, code)
    assert ("supplement_requested", "sms") in kinds_sent(api, code)

    api.complete(code, "desk", "receive_supplement", {"supplement_note": "Đã nộp bản chính"})
    assert api.dossier(code)["status"] == 2
    task = api.open_task(code, "desk", "check_dossier")
    again = api.post(f"/api/v1/tasks/{task['id']}/complete", user="desk", json={"data": {
        "check_result": "incomplete", "missing_documents": [{"name": "Đơn xin chuyển trường"}]}})

    assert again.status_code == 409
    assert again.get_json()["code"] == "supplement_limit"
    assert "1 lần" in again.get_json()["message"]
    assert api.dossier(code)["status"] == 2  # nothing changed: the desk check is still open
    assert api.open_task(code, "desk", "check_dossier")["id"] == task["id"]


def test_a_procedure_may_allow_more_supplement_requests(api):
    set_procedure(api, "CHUYEN_TRUONG_THPT", {"max_supplement_requests": 2})
    code = api.receive()["code"]
    for _ in range(2):
        api.complete(code, "desk", "check_dossier", {"check_result": "incomplete", "reason": "Thiếu học bạ"})
        api.complete(code, "desk", "receive_supplement", {})
    assert api.dossier(code)["supplement_requests"] == 2


def test_a_specialist_may_ask_for_a_supplement_during_review(api):
    code = api.receive()["code"]
    api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
    api.complete(code, "specialist", "review", {"opinion": "supplement", "reason": "Cần xác nhận của trường nơi đi"})
    assert api.dossier(code)["status"] == 5
    api.complete(code, "desk", "receive_supplement_in_review", {"supplement_note": "Đã bổ sung"})
    assert api.dossier(code)["status"] == 4
    assert api.open_task(code, "specialist", "review")


def test_a_refusal_needs_its_reason_and_prints_form_03(api, procedure_code):
    code = api.receive(procedure_code)["code"]
    task = api.open_task(code, "desk", "check_dossier")
    without = api.post(f"/api/v1/tasks/{task['id']}/complete", user="desk", json={"data": {"check_result": "refuse"}})
    assert without.status_code == 422
    assert without.get_json()["errors"]["data"] == {"reason": ["Trường này là bắt buộc."]}
    assert api.dossier(code)["status"] == 2

    api.complete(code, "desk", "check_dossier", {"check_result": "refuse", "reason": "Hồ sơ không đúng thẩm quyền"})

    assert api.dossier(code)["status"] == 3
    form = api.get(f"/api/v1/dossiers/{code}/forms/refusal", user="desk", query_string={"format": "html"})
    assert form.status_code == 200 and "Hồ sơ không đúng thẩm quyền" in form.get_data(as_text=True)
    assert ("refused", "email") in kinds_sent(api, code)


def test_a_negative_decision_after_review_is_a_refusal_with_its_reason(api):
    code = api.receive()["code"]
    api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
    api.complete(code, "specialist", "review", {"opinion": "refuse", "reason": "Học sinh không đủ điều kiện"})
    api.complete(code, "leader", "sign", {"decision": "refuse", "reason": "Học sinh không đủ điều kiện"})
    api.complete(code, "desk", "notify_refusal", {"note": "Đã trả văn bản"})

    dossier = api.dossier(code)
    assert dossier["status"] == 3 and dossier["resolved_at"] is not None
    assert [n["kind"] for n in api.get(f"/api/v1/dossiers/{code}/notices", user="desk").get_json()] == ["refusal"]


# --- withdrawal -----------------------------------------------------------------------------

def test_a_withdrawal_during_review_cancels_the_review_and_stops_processing(api, procedure_code):
    code = api.receive(procedure_code)["code"]
    api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
    review = api.open_task(code, "specialist", "review")

    response = api.post(f"/api/v1/dossiers/{code}/withdrawal", user="desk", json={"reason": "Gia đình đổi ý"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == 7
    specialist = api.specialist_for(code, "specialist")
    assert api.get(f"/api/v1/tasks/{review['id']}", user=specialist).get_json()["state"] == "cancelled"

    api.complete(code, "desk", "confirm_withdrawal", {"note": "Đã trả lại hồ sơ"})

    assert api.dossier(code)["status"] == 8
    assert statuses_of(api, code) == [4, 7, 8]
    assert ("processing_stopped", "email") in kinds_sent(api, code)
    again = api.post(f"/api/v1/dossiers/{code}/withdrawal", user="desk", json={})
    assert again.status_code == 409


def test_a_withdrawal_also_closes_an_apology_not_yet_signed(api, sessions):
    with time_machine.travel(MONDAY_8, tick=False) as clock:
        set_procedure(api, "CHUYEN_TRUONG_THPT", THREE_DAYS)
        code = api.receive()["code"]
        clock.move_to(datetime(2026, 12, 9, 7, 45, tzinfo=VN))
        fire_due_timers(sessions)
        apology = api.open_task(code, "leader", "sign_apology")
        api.post(f"/api/v1/dossiers/{code}/withdrawal", user="desk", json={"reason": "Đổi ý"})
        api.complete(code, "desk", "confirm_withdrawal", {})

    assert api.get(f"/api/v1/tasks/{apology['id']}", user="leader").get_json()["state"] == "cancelled"
    assert "instance.completed" in [e["action"] for e in history(api, code)]


def test_an_applicant_may_ask_to_withdraw_online_with_the_check_digits(api):
    code = api.receive()["code"]
    wrong = api.post(f"/api/v1/public/dossiers/{code}/withdrawal", query_string={"check": "0000"}, json={})
    assert wrong.status_code == 404
    right = api.post(f"/api/v1/public/dossiers/{code}/withdrawal", query_string={"check": "5678"},
                     json={"reason": "Không còn nhu cầu"})
    assert right.status_code == 200 and right.get_json()["status"] == 7


# --- late: apology and a new appointment ----------------------------------------------------

def test_a_dossier_about_to_be_late_gets_an_apology_signed_by_the_leader_and_a_new_date(api, sessions):
    with time_machine.travel(MONDAY_8, tick=False) as clock:
        set_procedure(api, "CHUYEN_TRUONG_THPT", THREE_DAYS)
        code = api.receive()["code"]
        api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
        due = api.dossier(code)["due_at"]
        assert due.startswith("2026-12-10")

        clock.move_to(datetime(2026, 12, 9, 7, 45, tzinfo=VN))  # one working day before the due day
        fire_due_timers(sessions)
        task = api.open_task(code, "leader", "sign_apology")
        assert api.open_task(code, "specialist", "review")  # the work goes on

        early_date = api.post(f"/api/v1/tasks/{task['id']}/complete", user="leader", json={"data": {
            "reason": "Chờ xác minh", "new_due_date": "2026-12-10"}})
        assert early_date.status_code == 422 and early_date.get_json()["errors"]["field"] == "new_due_date"
        api.complete(code, "leader", "sign_apology", {"reason": "Chờ xác minh học bạ với trường nơi đi",
                                                      "new_due_date": "2026-12-14"})

        dossier = api.dossier(code)
        assert dossier["appointment_at"] == "2026-12-14T17:00:00+07:00"
        assert dossier["due_at"] == due  # reports still count against the statutory date
        form = api.get(f"/api/v1/dossiers/{code}/forms/apology", user="leader")
        text = pdf_text(form.data)
        assert "ngày 14 tháng 12 năm 2026" in text and "Chờ xác minh học bạ" in text
        assert ("apology", "email") in kinds_sent(api, code)

        clock.move_to(datetime(2026, 12, 11, 9, 0, tzinfo=VN))
        api.complete(code, "specialist", "review", {"opinion": "approve"})
        api.complete(code, "leader", "sign", {"decision": "approve"})

    assert api.dossier(code)["outcome"] == "late"
    december = api.get("/api/v1/reports/statistics", user="leader", query_string={"month": "2026-12"}).get_json()
    assert (december["totals"]["resolved"], december["totals"]["extended"], december["totals"]["late"]) == (1, 1, 1)


# --- early result, postal return, rating -----------------------------------------------------

def test_a_result_ready_before_the_due_day_tells_the_applicant_and_asks_the_desk_to_call(api, procedure_code):
    with time_machine.travel(MONDAY_8, tick=False):
        set_procedure(api, procedure_code, THREE_DAYS)
        code = api.receive(procedure_code)["code"]
        review_and_sign(api, code)

        call = api.open_task(code, "desk", "call_applicant")
        assert ("result_ready_early", "sms") in kinds_sent(api, code)
        assert ("result_ready_early", "email") in kinds_sent(api, code)
        assert call["role"] == "desk_officer"
        api.complete(code, "desk", "call_applicant", {"called": True, "note": "Đã gọi, hẹn chiều nay"})
        api.complete(code, "desk", "return_result", {"return_method": "in_person", "receiver_name": "Nguyễn Văn An"})

    dossier = api.dossier(code)
    assert dossier["status"] == 10 and dossier["outcome"] == "early" and dossier["receiver_name"] == "Nguyễn Văn An"


def test_a_result_ready_on_the_due_day_goes_straight_to_the_return(api):
    with time_machine.travel(MONDAY_8, tick=False):
        code = api.receive()["code"]  # one half-day session: due at 11:30 today
        review_and_sign(api, code)
        result = api.open_task(code, "desk", "return_result")
    assert result
    assert ("result_ready", "email") in kinds_sent(api, code)
    assert not any(kind == "result_ready_early" for kind, _ in kinds_sent(api, code))


def test_a_result_returned_by_post_keeps_its_tracking_number_and_invites_a_rating(api, procedure_code):
    with time_machine.travel(MONDAY_8, tick=False):  # due today: no early-result call
        code = api.receive(procedure_code)["code"]
        review_and_sign(api, code)
        api.complete(code, "desk", "return_result",
                     {"return_method": "post", "postal_tracking_number": "EL123456789VN"})

    dossier = api.dossier(code)
    assert (dossier["status"], dossier["return_method"], dossier["postal_tracking_number"]) == (
        10, "post", "EL123456789VN")
    assert dossier["returned_at"] is not None
    returned = [m for m in outbox(api, code) if m["kind"] == "result_returned" and m["channel"] == "email"]
    assert "EL123456789VN" in returned[0]["body"] and f"/danh-gia/{code}" in returned[0]["body"]

    rated = api.post(f"/api/v1/public/dossiers/{code}/rating", query_string={"check": "1234"},
                     json={"level": "very_satisfied", "comment": "Nhanh, chu đáo"})
    assert rated.status_code == 201, rated.get_json()
    twice = api.post(f"/api/v1/public/dossiers/{code}/rating", query_string={"check": "1234"},
                     json={"level": "satisfied"})
    assert twice.status_code == 409


def test_a_dossier_cannot_be_rated_before_its_result_is_returned(api):
    code = api.receive()["code"]
    response = api.post(f"/api/v1/public/dossiers/{code}/rating", query_string={"check": "5678"},
                        json={"level": "satisfied"})
    assert response.status_code == 409


def test_ratings_are_counted_in_the_statistics(api):
    with time_machine.travel(MONDAY_8, tick=False):
        codes = [api.receive()["code"] for _ in range(3)]
        for code, level in zip(codes, ("very_satisfied", "satisfied", "not_satisfied"), strict=True):
            review_and_sign(api, code)
            api.complete(code, "desk", "return_result", {"return_method": "in_person"})
            assert api.post(f"/api/v1/public/dossiers/{code}/rating", query_string={"check": "5678"},
                            json={"level": level}).status_code == 201
        report = api.get("/api/v1/reports/statistics", user="leader", query_string={"quarter": "2026-Q4"})

    assert report.get_json()["satisfaction"] == {"ratings": 3, "not_satisfied": 1, "satisfied": 1,
                                                 "very_satisfied": 1, "satisfied_percent": 66.67}


# --- transitions the model may not make -----------------------------------------------------

def test_a_model_that_skips_to_result_returned_is_stopped_and_leaves_the_dossier_as_it_was(api):
    from tests.conftest import read_model

    content = read_model("chuyen_truong_thpt.bpmn").decode()
    marker = '<spiffworkflow:property name="dossier_status" value="4"'
    assert marker in content
    deployed = api.deploy(content.replace(marker, '<spiffworkflow:property name="dossier_status" value="10"')
                          .encode(), "chuyen_truong_thpt.bpmn", user="admin")
    assert deployed.status_code == 201, deployed.get_json()
    code = api.receive()["code"]
    task = api.open_task(code, "desk", "check_dossier")

    response = api.post(f"/api/v1/tasks/{task['id']}/complete", user="desk",
                        json={"data": {"check_result": "complete"}})

    assert response.status_code == 409
    body = response.get_json()
    assert body["code"] == "invalid_transition"
    assert body["errors"]["from_status"] == 2 and body["errors"]["to_status"] == 10
    assert "Đã trả kết quả" in body["message"]
    assert api.dossier(code)["status"] == 2
    assert api.open_task(code, "desk", "check_dossier")["state"] == "ready"
