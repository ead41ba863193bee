"""What the dossier page reads, on both databases: each step's opinion in the words of its form, the
people behind the logins, the history with local times, the forms that apply (and a clear 409 for
one that does not), and the path the dossier took on its diagram."""

from __future__ import annotations

import pytest

NOTE = "Học bạ và giấy giới thiệu khớp nhau."
EN = {"Accept-Language": "en"}


def to_review(api, code: str) -> None:
    """Hand the dossier to the specialists (through the desk's check when the model has one)."""
    tasks = api.get("/api/v1/tasks", user="desk", query_string={"dossier_code": code}).get_json()
    if any(task["bpmn_id"] == "check_dossier" for task in tasks):
        api.complete(code, "desk", "check_dossier", {"check_result": "complete"})


@pytest.fixture
def reviewed(api) -> str:
    code = api.receive()["code"]
    to_review(api, code)
    api.complete(code, "specialist", "review", {"opinion": "approve", "note": NOTE})
    return code


def by_step(steps: list[dict], bpmn_id: str) -> dict:
    return next(step for step in steps if step["bpmn_id"] == bpmn_id)


def test_the_leader_reads_the_specialists_proposal_and_opinion_in_the_words_of_the_form(api, reviewed):
    response = api.get(f"/api/v1/dossiers/{reviewed}/opinions", user="leader")
    assert response.status_code == 200, response.get_json()
    review = by_step(response.get_json(), "review")
    assert [(f["label"], f["text"]) for f in review["opinion"]] == [
        ("Đề xuất", "Đề nghị giải quyết"), ("Ý kiến thẩm định", NOTE)]
    assert review["opinion"][0]["value"] == "approve"
    assert review["handed_over_by"] == "specialist"
    assert review["handed_over_by_person"] == {
        "username": "specialist", "full_name": "Trần Văn Chuyên Viên (demo)", "unit": "Phòng Giáo dục trung học"}
    assert all(step["state"] == "completed" for step in response.get_json())


def test_the_steps_carry_the_same_opinions_and_who_holds_an_open_step(api, reviewed):
    sign = api.open_task(reviewed, "leader", "sign")
    assert api.post(f"/api/v1/tasks/{sign['id']}/claim", user="leader").status_code == 200
    steps = api.get(f"/api/v1/dossiers/{reviewed}/steps", user="desk").get_json()
    assert by_step(steps, "review")["opinion"][1]["text"] == NOTE
    open_step = by_step(steps, "sign")
    assert open_step["opinion"] is None
    assert open_step["id"] == sign["id"]
    assert open_step["assignee"] == "leader"
    assert open_step["assignee_person"]["full_name"] == "Lê Văn Lãnh Đạo (demo)"
    assert open_step["assignee_person"]["unit"] == "Ban Giám đốc Sở"


def test_values_are_put_in_words_in_the_readers_language(api, reviewed):
    api.complete(reviewed, "leader", "sign", {"decision": "approve"})
    api.return_result(reviewed)
    for headers, yes in (({}, "Có"), (EN, "Yes")):
        opinions = api.get(f"/api/v1/dossiers/{reviewed}/opinions", user="desk", headers=headers).get_json()
        called = by_step(opinions, "call_applicant")["opinion"][0]
        assert (called["kind"], called["value"], called["text"]) == ("boolean", True, yes)
        assert by_step(opinions, "sign")["opinion"][0]["text"] == "Phê duyệt, ký"


def test_a_group_of_missing_documents_is_shown_row_by_row(api):
    code = api.receive()["code"]
    to_review(api, code)
    api.complete(code, "specialist", "review", {"opinion": "supplement", "reason": "Thiếu giấy tờ",
                                                "missing_documents": [{"name": "Học bạ", "reason": "chưa có bản chính"},
                                                                      {"name": "Giấy giới thiệu"}]})
    review = by_step(api.get(f"/api/v1/dossiers/{code}/opinions", user="desk").get_json(), "review")
    group = next(f for f in review["opinion"] if f["key"] == "missing_documents")
    assert group["kind"] == "group"
    assert group["text"] == "Học bạ — chưa có bản chính; Giấy giới thiệu"
    assert [[part["label"] for part in row] for row in group["items"]] == [
        ["Tên giấy tờ", "Lý do (thiếu, sai sót, cần hoàn thiện)"], ["Tên giấy tờ"]]


def test_someone_who_does_not_handle_the_dossier_sees_its_steps_but_not_what_was_written(api, reviewed):
    # khaothi's unit decides diploma copies, not transfers
    assert api.get(f"/api/v1/dossiers/{reviewed}/opinions", user="khaothi").status_code == 403
    steps = api.get(f"/api/v1/dossiers/{reviewed}/steps", user="khaothi").get_json()
    assert by_step(steps, "review")["opinion"] is None
    assert by_step(steps, "review")["handed_over_by_person"]["full_name"] == "Trần Văn Chuyên Viên (demo)"


def test_the_dossier_names_the_officer_who_received_it(api):
    receipt = api.receive()
    code = receipt["code"]
    dossier = api.dossier(code)
    assert dossier["received_by"] == "desk"
    assert dossier["received_by_person"]["full_name"] == "Nguyễn Thị Một Cửa (demo)"
    # the receipt's answer names the receiver from the signed-in user's token, the same as a later read
    assert receipt["received_by_person"] == dossier["received_by_person"]
    assert dossier["received_by_person"]["unit"]
    leader_view = api.get(f"/api/v1/dossiers/{code}", user="leader").get_json()
    assert leader_view["received_by_person"] == dossier["received_by_person"]
    listed = api.get("/api/v1/dossiers", user="desk").get_json()["items"]
    assert "received_by_person" not in listed[0]


def test_the_history_names_each_actor_words_a_completed_step_and_shows_local_times(api, reviewed):
    events = api.get(f"/api/v1/dossiers/{reviewed}/history", user="leader").get_json()
    received = next(e for e in events if e["action"] == "dossier.received")
    assert received["actor_person"]["full_name"] == "Nguyễn Thị Một Cửa (demo)"
    assert received["data"]["received_at"].endswith("+07:00")
    assert received["opinion"] is None
    review = next(e for e in events if e["action"] == "task.completed" and e["data"]["bpmn_id"] == "review")
    assert [f["text"] for f in review["opinion"]] == ["Đề nghị giải quyết", NOTE]
    assert review["actor_person"]["unit"] == "Phòng Giáo dục trung học"


def test_the_history_leaves_the_applicant_online_unnamed_for_the_page_to_name(api):
    response = api.post("/api/v1/public/dossiers", json={
        "procedure_code": "CHUYEN_TRUONG_THPT",
        "applicant": {"full_name": "Lê Thị Hoa", "id_number": "079204002222", "phone": "0912000111"}, "data": {}})
    assert response.status_code == 201, response.get_json()
    code = response.get_json()["code"]
    events = [e for e in api.get(f"/api/v1/dossiers/{code}/history", user="desk").get_json()
              if e["actor"] == "applicant"]
    assert events and all(e["actor_person"] is None for e in events)


def test_the_forms_of_a_new_dossier_say_which_apply_and_why_the_others_do_not(api):
    code = api.receive()["code"]
    forms = {f["form"]: f for f in api.get(f"/api/v1/dossiers/{code}/forms", user="desk").get_json()}
    assert list(forms) == ["receipt", "supplement-request", "refusal", "apology-extension", "stop-notice",
                           "process-control"]
    assert forms["stop-notice"]["reason_code"] == "no_stop"
    assert {name for name, f in forms.items() if f["available"]} == {"receipt", "process-control"}
    assert forms["receipt"]["reason"] is None
    assert forms["refusal"]["reason_code"] == "no_refusal"
    assert forms["refusal"]["reason"] == "Hồ sơ không bị từ chối."
    english = {f["form"]: f for f in api.get(f"/api/v1/dossiers/{code}/forms", user="desk", headers=EN).get_json()}
    assert english["supplement-request"]["reason"] == "No supplement has been requested for the dossier."


def test_a_form_that_does_not_apply_answers_409_with_the_reason_in_the_readers_language(api):
    code = api.receive()["code"]
    response = api.get(f"/api/v1/dossiers/{code}/forms/refusal", user="desk", query_string={"format": "html"})
    assert response.status_code == 409
    body = response.get_json()
    assert body["code"] == "form_unavailable"
    assert body["message"] == "Biểu mẫu này không áp dụng cho hồ sơ: hồ sơ không bị từ chối."
    assert body["errors"]["reason"] == "no_refusal"
    english = api.get(f"/api/v1/dossiers/{code}/forms/apology", user="desk", headers=EN,
                      query_string={"format": "html"})
    assert english.status_code == 409
    assert "no apology" in english.get_json()["message"]


def test_a_supplement_request_makes_its_form_available(api):
    code = api.receive()["code"]
    to_review(api, code)
    api.complete(code, "specialist", "review", {"opinion": "supplement", "reason": "Thiếu học bạ",
                                                "missing_documents": [{"name": "Học bạ"}]})
    forms = {f["form"]: f for f in api.get(f"/api/v1/dossiers/{code}/forms", user="desk").get_json()}
    assert forms["supplement-request"]["available"] is True
    printed = api.get(f"/api/v1/dossiers/{code}/forms/supplement-request", user="desk",
                      query_string={"format": "html"})
    assert printed.status_code == 200
    assert "Học bạ" in printed.get_data(as_text=True)


def test_the_forms_are_for_those_who_handle_the_dossier(api):
    code = api.receive()["code"]
    assert api.get(f"/api/v1/dossiers/{code}/forms", user="khaothi").status_code == 403


def test_the_diagram_gives_the_steps_the_dossier_took_between_its_elements(api, reviewed):
    taken = {tuple(pair) for pair in api.get(f"/api/v1/dossiers/{reviewed}/diagram", user="desk").get_json()["taken"]}
    assert ("Event_HandedOver", "review") in taken
    assert ("Gateway_Review", "sign") in taken  # into the step it is at now
    assert not any(source == "sign" for source, _ in taken)  # not yet out of it
