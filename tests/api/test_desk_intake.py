"""The desk checks a dossier in front of the applicant and issues form 01, 02 or 03 on the spot: the
seed models start from that outcome, without a check task; a dossier that came by post keeps one."""

from __future__ import annotations

import pytest

PROCEDURES = ("CHUYEN_TRUONG_THPT", "CAP_BAN_SAO_VAN_BANG")
APPLICANT = {"full_name": "Nguyễn Văn An", "id_number": "079204001234"}


def open_task_ids(api, code: str, user: str = "desk") -> list[str]:
    tasks = api.get("/api/v1/tasks", user=api.specialist_for(code, user), query_string={"dossier_code": code})
    return [task["bpmn_id"] for task in tasks.get_json()]


@pytest.mark.parametrize("procedure_code", PROCEDURES)
def test_a_dossier_found_complete_at_the_desk_goes_straight_to_the_specialist(api, procedure_code):
    dossier = api.receive(procedure_code, intake={"result": "complete"})

    assert dossier["status"] == 4
    assert open_task_ids(api, dossier["code"]) == []
    assert open_task_ids(api, dossier["code"], "specialist") == ["review"]
    receipt = api.get(f"/api/v1/dossiers/{dossier['code']}/forms/receipt", user="desk", query_string={"format": "html"})
    assert receipt.status_code == 200


def test_a_dossier_found_incomplete_at_the_desk_gets_form_02_with_the_missing_documents(api):
    missing = [{"name": "Học bạ (bản chính)", "reason": "Chưa nộp"}, {"name": "Giấy giới thiệu của Sở nơi đi"}]

    dossier = api.receive(intake={"result": "incomplete", "missing_documents": missing})

    assert dossier["status"] == 5
    assert open_task_ids(api, dossier["code"]) == ["receive_supplement"]
    form = api.get(f"/api/v1/dossiers/{dossier['code']}/forms/supplement-request", user="desk",
                   query_string={"format": "html"})
    assert form.status_code == 200
    assert "Học bạ (bản chính)" in form.get_data(as_text=True)
    assert "Giấy giới thiệu của Sở nơi đi" in form.get_data(as_text=True)


def test_a_dossier_refused_at_the_desk_gets_form_03_with_its_reason(api):
    dossier = api.receive(intake={"result": "refuse", "reason": "Không thuộc thẩm quyền của Sở"})

    assert dossier["status"] == 3
    assert open_task_ids(api, dossier["code"]) == []
    form = api.get(f"/api/v1/dossiers/{dossier['code']}/forms/refusal", user="desk", query_string={"format": "html"})
    assert "Không thuộc thẩm quyền của Sở" in form.get_data(as_text=True)


def test_a_refusal_at_the_desk_without_its_reason_is_refused_on_the_reason_field_in_vietnamese(api):
    response = api.post("/api/v1/dossiers", user="desk", json={
        "procedure_code": "CHUYEN_TRUONG_THPT", "applicant": APPLICANT,
        "intake": {"result": "refuse"}})

    assert response.status_code == 422
    body = response.get_json()
    assert body["errors"]["json"]["intake"]["reason"] == ["Hãy ghi lý do từ chối tiếp nhận."]
    assert body["errors"]["labels"]["intake.reason"] == "Lý do"


def test_a_supplement_at_the_desk_needs_the_missing_documents_or_a_reason(api):
    response = api.post("/api/v1/dossiers", user="desk", headers={"Accept-Language": "en"}, json={
        "procedure_code": "CHUYEN_TRUONG_THPT", "applicant": APPLICANT,
        "intake": {"result": "incomplete"}})

    assert response.status_code == 422
    assert response.get_json()["errors"]["json"]["intake"]["missing_documents"] == [
        "List the missing documents or give the reason."]


def test_a_dossier_that_came_by_post_keeps_its_check_task_and_takes_no_check_at_receipt(api):
    body = {"channel": "post", "received_at": "2026-12-01T08:00:00+07:00"}
    refused = api.post("/api/v1/dossiers", user="desk", json={
        "procedure_code": "CHUYEN_TRUONG_THPT", "applicant": APPLICANT,
        **body, "intake": {"result": "complete"}})
    assert refused.status_code == 422 and refused.get_json()["errors"]["field"] == "intake"

    dossier = api.receive(**body)

    assert open_task_ids(api, dossier["code"]) == ["check_dossier"]


def test_marshmallow_s_messages_come_in_vietnamese_with_the_field_s_label_and_in_english_on_request(api):
    body = {"procedure_code": "CHUYEN_TRUONG_THPT", "applicant": {"full_name": "", "id_number": "1"}}

    vietnamese = api.post("/api/v1/dossiers", user="desk", json=body).get_json()
    english = api.post("/api/v1/dossiers", user="desk", json=body, headers={"Accept-Language": "en"}).get_json()

    assert vietnamese["errors"]["json"]["applicant"]["full_name"] == ["Trường này là bắt buộc (tối đa 255 ký tự)."]
    assert vietnamese["errors"]["json"]["applicant"]["id_number"] == ["Số định danh gồm 6-20 chữ số hoặc chữ cái."]
    assert vietnamese["errors"]["labels"]["applicant.full_name"] == "Họ và tên"
    assert english["errors"]["json"]["applicant"]["full_name"] == ["Length must be between 1 and 255."]
    assert english["errors"]["labels"]["applicant.full_name"] == "Full name"


def test_the_diploma_copy_asks_its_fee_s_facts_at_receipt_and_the_fee_follows_them(api):
    form = api.get("/api/v1/procedures/CAP_BAN_SAO_VAN_BANG/intake-form", user="desk").get_json()["form_schema"]
    assert form["ui:order"] == ["so_ban_sao", "tra_cuu_phuc_tap", "nguoi_khac_de_nghi"]
    assert api.get("/api/v1/procedures/CHUYEN_TRUONG_THPT/intake-form", user="desk").get_json() == {"form_schema": None}

    dossier = api.receive("CAP_BAN_SAO_VAN_BANG", data={"so_ban_sao": 3}, intake={"result": "complete"})

    assert (dossier["status"], api.dossier(dossier["code"])["data"]["le_phi"]) == (4, 5000 + 2 * 3000)


def test_an_intake_field_out_of_range_is_refused_on_its_field_with_its_label(api):
    response = api.post("/api/v1/dossiers", user="desk", json={
        "procedure_code": "CAP_BAN_SAO_VAN_BANG", "applicant": APPLICANT, "data": {"so_ban_sao": 0},
        "intake": {"result": "complete"}})

    assert response.status_code == 422
    assert response.get_json()["errors"]["data"] == {"so_ban_sao": ["Không được nhỏ hơn 1."]}
    assert response.get_json()["errors"]["labels"] == {"so_ban_sao": "Số bản sao đề nghị cấp"}
