"""What applicants see without an account, the printable forms, attachments, and what an
administrator edits: notification templates and the agency's details."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import time_machine
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.event import listen, remove

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_8 = datetime(2026, 12, 7, 8, 0, tzinfo=VN)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages).split())


# --- public lookup ----------------------------------------------------------------------------

def test_a_lookup_with_the_check_digits_shows_the_status_and_dates_and_nothing_personal(api):
    with time_machine.travel(MONDAY_8, tick=False):
        code = api.receive()["code"]
        response = api.get(f"/api/v1/public/dossiers/{code}", query_string={"check": "5678"})  # phone 0912345678

    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"code", "procedure_name", "status", "status_label", "received_at", "due_at",
                         "appointment_at", "returned_at", "rated"}
    assert body["status"] == 2 and body["received_at"] == "2026-12-07T08:00:00+07:00"
    assert "Nguyễn Văn An" not in response.get_data(as_text=True)
    by_id = api.get(f"/api/v1/public/dossiers/{code}", query_string={"check": "1234"})  # ID 079204001234
    assert by_id.status_code == 200


def test_a_wrong_check_and_an_unknown_code_get_the_same_404(api):
    code = api.receive()["code"]
    wrong = api.get(f"/api/v1/public/dossiers/{code}", query_string={"check": "0000"})
    unknown = api.get("/api/v1/public/dossiers/SGDDT-000000-9999", query_string={"check": "5678"})

    assert wrong.status_code == unknown.status_code == 404
    assert wrong.get_json()["message"] == unknown.get_json()["message"]
    assert set(wrong.get_json()) == {"code", "status", "message", "errors"}


def test_the_check_must_be_four_digits(api):
    code = api.receive()["code"]
    assert api.get(f"/api/v1/public/dossiers/{code}", query_string={"check": "56"}).status_code == 422
    assert api.get(f"/api/v1/public/dossiers/{code}").status_code == 422


def test_guessing_the_check_digits_is_stopped_before_a_right_guess_can_be_told_apart(api):
    code = api.receive()["code"]
    for guess in range(10):
        assert api.get(f"/api/v1/public/dossiers/{code}", query_string={"check": f"{guess:04d}"}).status_code == 404

    blocked = api.get(f"/api/v1/public/dossiers/{code}", query_string={"check": "5678"})  # the right one

    assert blocked.status_code == 429
    assert blocked.get_json()["code"] == "too_many_requests"
    assert int(blocked.headers["Retry-After"]) > 0


def test_one_address_cannot_look_up_without_limit(api):
    code = api.receive()["code"]
    statuses = [api.get(f"/api/v1/public/dossiers/{code}", query_string={"check": "5678"}).status_code
                for _ in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429


def test_a_wrong_check_and_an_unknown_code_cost_the_database_the_same_statements(api, app):
    code = api.receive()["code"]
    engine = app.extensions["motcua_engine"]
    statements: list[str] = []

    def lookup(path: str) -> list[str]:
        statements.clear()
        listen(engine, "before_cursor_execute", note)
        try:
            response = api.get(path, query_string={"check": "0001"})
        finally:
            remove(engine, "before_cursor_execute", note)
        assert response.status_code == 404
        return list(statements)

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement)

    # The same work either way, so the answer's timing does not tell a real code from an unknown one.
    assert lookup(f"/api/v1/public/dossiers/{code}") == lookup("/api/v1/public/dossiers/SGDDT-000000-0001")


def test_the_rating_page_the_notification_links_to_records_a_rating(api):
    with time_machine.travel(MONDAY_8, tick=False):
        code = api.receive()["code"]
        for user, step, data in (("desk", "check_dossier", {"check_result": "complete"}),
                                 ("specialist", "review", {"opinion": "approve"}),
                                 ("leader", "sign", {"decision": "approve"}),
                                 ("desk", "return_result", {"return_method": "in_person"})):
            api.complete(code, user, step, data)
        page = api.get(f"/danh-gia/{code}")
        wrong = api.post(f"/danh-gia/{code}", data={"check": "0000", "level": "satisfied"})
        done = api.post(f"/danh-gia/{code}", data={"check": "5678", "level": "very_satisfied", "comment": "Tốt"})
        lookup = api.get(f"/tra-cuu/{code}", query_string={"check": "5678"})

    assert page.status_code == 200 and "Rất hài lòng" in page.get_data(as_text=True)
    assert wrong.status_code == 422 and "Không tìm thấy hồ sơ" in wrong.get_data(as_text=True)
    assert done.status_code == 200 and "Xin cảm ơn" in done.get_data(as_text=True)
    assert "Đã trả kết quả" in lookup.get_data(as_text=True)
    assert api.get(f"/api/v1/public/dossiers/{code}", query_string={"check": "5678"}).get_json()["rated"] is True


# --- printable forms --------------------------------------------------------------------------

def test_the_receipt_slip_is_filled_from_the_dossier_in_pdf_and_html(api):
    with time_machine.travel(datetime(2026, 12, 7, 14, 5, tzinfo=VN), tick=False):
        code = api.receive()["code"]
        pdf = api.get(f"/api/v1/dossiers/{code}/forms/receipt", user="desk")
        html = api.get(f"/api/v1/dossiers/{code}/forms/receipt", user="desk", query_string={"format": "html"})

    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    for expected in (code, "Nguyễn Văn An", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
                     "Chuyển trường đối với học sinh trung học phổ thông", "Học bạ", "14 giờ 05 phút"):
        assert expected in text, expected
    assert html.mimetype == "text/html" and "Nguyễn Văn An" in html.get_data(as_text=True)
    assert "default-src 'none'" in html.headers["Content-Security-Policy"]


def test_the_process_control_slip_has_a_row_per_hand_over_with_its_verdict(api):
    with time_machine.travel(MONDAY_8, tick=False) as clock:
        code = api.receive()["code"]
        api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
        clock.move_to(datetime(2026, 12, 7, 9, 0, tzinfo=VN))
        api.complete(code, "specialist", "review", {"opinion": "approve"})
        pdf = api.get(f"/api/v1/dossiers/{code}/forms/process-control", user="leader")

    text = pdf_text(pdf.data)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert "Kiểm tra hồ sơ" in text and "Thẩm định hồ sơ" in text
    assert "Đúng hạn" in text  # the review, done at 09:00, was due at 10:00 the same day


def test_a_form_without_its_notice_or_an_unknown_form_is_refused_clearly(api):
    code = api.receive()["code"]
    missing = api.get(f"/api/v1/dossiers/{code}/forms/apology", user="desk")
    unknown = api.get(f"/api/v1/dossiers/{code}/forms/bogus", user="desk")
    bad_format = api.get(f"/api/v1/dossiers/{code}/forms/receipt", user="desk", query_string={"format": "doc"})

    assert missing.status_code == 409 and missing.get_json()["errors"]["reason"] == "no_apology"
    assert unknown.status_code == 422 and unknown.get_json()["errors"]["field"] == "form"
    assert bad_format.status_code == 422
    assert api.get(f"/api/v1/dossiers/{code}/forms/receipt").status_code == 401


def test_the_tracking_book_lists_the_period_s_dossiers_as_xlsx_and_pdf(api):
    with time_machine.travel(MONDAY_8, tick=False):
        codes = [api.receive()["code"] for _ in range(2)]
        xlsx = api.get("/api/v1/reports/tracking-book", user="desk",
                       query_string={"from": "2026-12-01", "to": "2026-12-31", "format": "xlsx"})
        pdf = api.get("/api/v1/reports/tracking-book", user="clerk",
                      query_string={"from": "2026-12-01", "to": "2026-12-31"})
        empty = api.get("/api/v1/reports/tracking-book", user="clerk",
                        query_string={"from": "2026-11-01", "to": "2026-11-30", "format": "xlsx"})

    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
    cells = [str(c.value) for row in load_workbook(BytesIO(xlsx.data)).active.iter_rows() for c in row]
    assert all(code in cells for code in codes)
    assert "SỔ THEO DÕI HỒ SƠ" in pdf_text(pdf.data)
    assert codes[0] in pdf_text(pdf.data).replace(" ", "")  # a long code may break at its hyphen
    cells = [str(c.value) for row in load_workbook(BytesIO(empty.data)).active.iter_rows() for c in row]
    assert not any(code in cells for code in codes)


# --- attachments --------------------------------------------------------------------------------

def upload(api, code: str, content: bytes, filename: str, user: str = "desk", **form):
    return api.post(f"/api/v1/dossiers/{code}/attachments", user=user, content_type="multipart/form-data",
                    data={"file": (BytesIO(content), filename), **form})


def test_an_attached_document_is_stored_with_its_checksum_and_downloads_unchanged(api):
    code = api.receive()["code"]
    response = upload(api, code, PDF, "Học bạ.pdf", document_name="Học bạ")

    assert response.status_code == 201, response.get_json()
    attachment = response.get_json()
    assert attachment["content_type"] == "application/pdf" and attachment["size"] == len(PDF)
    assert len(attachment["sha256"]) == 64 and attachment["filename"] == "Học bạ.pdf"
    download = api.get(f"/api/v1/dossiers/{code}/attachments/{attachment['id']}", user="specialist")
    assert download.status_code == 200 and download.data == PDF
    assert "UTF-8''H%E1%BB%8Dc%20b%E1%BA%A1.pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    listed = api.get(f"/api/v1/dossiers/{code}/attachments", user="leader").get_json()
    assert [a["id"] for a in listed] == [attachment["id"]]


def test_an_attachment_of_the_wrong_type_or_size_is_refused(api, app):
    code = api.receive()["code"]
    executable = upload(api, code, b"MZ\x90\x00" + b"\0" * 100, "hoc-ba.pdf")
    disguised = upload(api, code, PNG, "hoc-ba.pdf")
    empty = upload(api, code, b"", "trong.pdf")
    app.config["MOTCUA"] = app.config["MOTCUA"].with_overrides(max_attachment_bytes=1024)
    too_big = upload(api, code, PDF + b"\0" * 2048, "lon.pdf")
    path = upload(api, code, PDF, "../../etc/passwd.pdf")

    assert executable.status_code == 422 and executable.get_json()["errors"]["field"] == "file"
    assert disguised.status_code == 422
    assert empty.status_code == 422
    assert too_big.status_code == 422 and too_big.get_json()["errors"]["max_bytes"] == 1024
    assert path.status_code == 201 and path.get_json()["filename"] == "passwd.pdf"


def test_only_officers_may_attach_and_read_files(api):
    code = api.receive()["code"]
    attachment = upload(api, code, PDF, "a.pdf").get_json()
    assert upload(api, code, PDF, "b.pdf", user="clerk").status_code == 403
    assert api.get(f"/api/v1/dossiers/{code}/attachments/{attachment['id']}").status_code == 401
    assert api.get(f"/api/v1/dossiers/{code}/attachments/{attachment['id']}", user="admin").status_code == 403


def test_a_specialist_of_another_unit_may_not_attach_list_or_download_a_dossiers_files(api):
    code = api.receive()["code"]  # a school transfer: decided by the specialist's unit, not by khaothi's
    attachment = upload(api, code, PDF, "a.pdf").get_json()

    assert upload(api, code, PDF, "b.pdf", user="khaothi").status_code == 403
    assert upload(api, code, PDF, "b.pdf", user="specialist").status_code == 201
    for path in (f"/api/v1/dossiers/{code}/attachments", f"/api/v1/dossiers/{code}/attachments/{attachment['id']}"):
        assert api.get(path, user="khaothi").status_code == 403
        assert api.get(path, user="specialist").status_code == 200


# --- what administrators edit -------------------------------------------------------------------

def test_an_edited_template_is_used_for_the_next_notification(api):
    edited = api.put("/api/v1/notifications/templates/refused/sms", user="admin", json={
        "body": "HS {{ code }} bi tu choi: {{ reason }}. LH {{ contact }}"})
    assert edited.status_code == 200 and edited.get_json()["customized"] is True
    code = api.receive()["code"]
    api.complete(code, "desk", "check_dossier", {"check_result": "refuse", "reason": "Sai thẩm quyền"})

    items = api.get("/api/v1/notifications/outbox", user="admin", query_string={"dossier_code": code}).get_json()
    sms = [m for m in items["items"] if m["channel"] == "sms"]
    assert sms[0]["body"].startswith(f"HS {code} bi tu choi: Sai thẩm quyền.")
    history = api.get(f"/api/v1/dossiers/{code}/history", user="desk").get_json()
    assert any(e["action"] == "dossier.notification" and e["data"]["kind"] == "refused" for e in history)


def test_a_template_that_does_not_render_is_refused_and_only_admins_edit_templates(api):
    broken = api.put("/api/v1/notifications/templates/refused/sms", user="admin",
                     json={"body": "HS {{ code } bi tu choi"})
    unknown_variable = api.put("/api/v1/notifications/templates/refused/sms", user="admin",
                               json={"body": "HS {{ ma_ho_so }}"})
    sandboxed = api.put("/api/v1/notifications/templates/refused/sms", user="admin",
                        json={"body": "{{ code.__class__.__mro__ }}"})

    assert broken.status_code == 422 and broken.get_json()["errors"]["field"] == "body"
    assert unknown_variable.status_code == 422
    assert sandboxed.status_code == 422
    assert api.put("/api/v1/notifications/templates/refused/sms", user="desk",
                   json={"body": "x"}).status_code == 403
    assert api.get("/api/v1/notifications/outbox", user="leader").status_code == 403


def test_the_agency_s_details_are_printed_on_the_forms_and_changes_are_audited(api, sessions):
    changed = api.client.patch("/api/v1/agency", json={"province": "Cần Thơ"},
                               headers={"Authorization": f"Bearer {api.token('admin')}"})
    assert changed.status_code == 200 and changed.get_json()["province"] == "Cần Thơ"
    code = api.receive()["code"]
    html = api.get(f"/api/v1/dossiers/{code}/forms/receipt", user="desk", query_string={"format": "html"})
    assert "CẦN THƠ" in html.get_data(as_text=True).upper()
    refused = api.client.patch("/api/v1/agency", json={"public_url": "ftp://x"},
                               headers={"Authorization": f"Bearer {api.token('admin')}"})
    assert refused.status_code == 422
    from sqlalchemy import select

    from engine.models import AuditEvent

    with sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "agency.updated")).one()
    assert event.actor == "admin" and event.data["changes"]["province"] == {"from": "Sóc Trăng", "to": "Cần Thơ"}


def test_the_public_catalogue_lists_the_procedures_without_their_internals(api):
    response = api.client.get("/api/v1/public/procedures")

    assert response.status_code == 200
    transfer = next(p for p in response.get_json() if p["code"] == "CHUYEN_TRUONG_THPT")
    assert transfer["required_documents"][1]["name"] == "Học bạ"
    assert not {"lane_roles", "step_allocations", "process_id"} & set(transfer)


def test_new_dossiers_take_the_agency_s_code_prefix_an_administrator_sets_and_old_codes_keep_theirs(api):
    admin = {"Authorization": f"Bearer {api.token('admin')}"}
    before = api.receive()["code"]
    assert before.startswith("SGDDT-")  # the server's MOTCUA_DOSSIER_PREFIX while the agency sets none
    changed = api.client.patch("/api/v1/agency", json={"dossier_code_prefix": "000.00.20.H56"}, headers=admin)
    assert changed.status_code == 200, changed.get_json()

    after = api.receive()["code"]
    prefix, day, number = after.rsplit("-", 2)
    assert prefix == "000.00.20.H56" and len(day) == 6 and len(number) == 4
    assert api.dossier(before)["code"] == before
    assert api.get(f"/api/v1/dossiers/{after}/forms/receipt", user="desk").status_code == 200

    for bad in ("SGD-DT", "x" * 31, "Sở GD"):
        refused = api.client.patch("/api/v1/agency", json={"dossier_code_prefix": bad}, headers=admin)
        assert refused.status_code == 422 and "dossier_code_prefix" in str(refused.get_json())
    assert api.client.patch("/api/v1/agency", json={"dossier_code_prefix": ""}, headers=admin).status_code == 200
    assert api.receive()["code"].startswith("SGDDT-")
