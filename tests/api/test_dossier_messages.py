"""POST /dossiers/{code}/messages: a message the dossier's model waits for, sent by the roles it names."""

from __future__ import annotations

import pytest

from tests.api.models_at_work import deploy, history, open_tasks, register
from tests.conftest import read_model

REPLY = {"name": "school_replied", "data": {"answer": "agree", "letter_number": "125/THPT"}}


@pytest.fixture
def waiting(api) -> str:
    """A dossier whose process waits for the school's reply (roles named: desk_officer, specialist)."""
    deploy(api, "reply_or_overdue.bpmn")
    register(api, "HOI_Y_KIEN_TRUONG", "hoi_y_kien_truong")
    code = api.receive("HOI_Y_KIEN_TRUONG")["code"]
    api.complete(code, "desk", "ask_school")
    return code


def send(api, code: str, user: str, body: dict):
    return api.post(f"/api/v1/dossiers/{code}/messages", user=user, json=body)


def test_a_role_the_model_names_sends_it_and_its_data_reaches_the_process(api, waiting):
    response = send(api, waiting, "specialist", REPLY)

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["code"] == waiting
    # the gateway after the message read `answer`: the reply is reviewed, not refused
    assert [t["bpmn_id"] for t in open_tasks(api, waiting, "specialist")] == ["review_reply"]
    received = [e for e in history(api, waiting) if e["action"] == "message.received"]
    assert [(e["actor"], e["data"]) for e in received] == [
        ("specialist", {"message": "school_replied", "payload": REPLY["data"]})]


def test_what_the_message_leads_to_moves_the_dossier(api, waiting):
    response = send(api, waiting, "desk", {"name": "school_replied", "data": {"answer": "refuse"}})

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == 3  # the refusal end event's dossier_status


@pytest.mark.parametrize("user", ["leader", "clerk"])
def test_a_role_the_model_does_not_name_is_refused(api, waiting, user):
    response = send(api, waiting, user, REPLY)

    assert response.status_code == 403
    assert response.get_json()["errors"]["roles"] == ["desk_officer", "specialist"]
    assert open_tasks(api, waiting, "specialist") == []


def test_a_specialist_of_another_unit_is_refused(api, waiting):
    response = send(api, waiting, "khaothi", REPLY)  # a specialist of Phòng Khảo thí

    assert response.status_code == 403


def test_a_message_nothing_waits_for_is_a_conflict(api, waiting):
    assert send(api, waiting, "desk", {"name": "no_such_message"}).status_code == 409
    assert send(api, waiting, "desk", REPLY).status_code == 200
    again = send(api, waiting, "desk", REPLY)
    assert again.status_code == 409
    assert again.get_json()["code"] == "conflict"


def test_a_message_whose_catching_event_names_no_role_may_be_sent_by_nobody(api):
    unnamed = read_model("reply_or_overdue.bpmn").replace(
        b'<spiffworkflow:property name="message_roles" value="desk_officer, specialist" />', b"")
    deploy(api, unnamed, "reply_or_overdue.bpmn")
    register(api, "HOI_Y_KIEN_TRUONG", "hoi_y_kien_truong")
    code = api.receive("HOI_Y_KIEN_TRUONG")["code"]
    api.complete(code, "desk", "ask_school")

    response = send(api, code, "desk", REPLY)
    assert response.status_code == 403
    assert "names no role" in response.get_json()["errors"]["detail"]


def test_the_withdrawal_keeps_its_own_door(api):
    code = api.receive()["code"]

    response = send(api, code, "desk", {"name": "withdrawal_requested", "data": {"withdrawal_reason": "x"}})
    assert response.status_code == 422
    assert "/withdrawal" in response.get_json()["errors"]["detail"]


def test_a_message_without_a_name_is_refused(api, waiting):
    response = send(api, waiting, "desk", {"data": {}})

    assert response.status_code == 422
    assert "name" in response.get_json()["errors"]["json"]


def test_a_model_naming_an_unknown_role_for_a_message_is_refused_at_deployment(api):
    wrong = read_model("reply_or_overdue.bpmn").replace(b'value="desk_officer, specialist"', b'value="desk, boss"')

    response = api.deploy(wrong, "reply_or_overdue.bpmn")
    body = response.get_json()
    assert response.status_code == 422
    assert body["errors"]["element"] == "Event_school_replied"
    assert "message_roles" in body["errors"]["detail"] and "desk_officer" in body["errors"]["detail"]
