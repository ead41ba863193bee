"""The desk receiving for an ID number that has papers on file: the checklist says "đã có trong kho
dữ liệu" against the item, and the officer attaches the stored copy instead of a new paper."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_server import call, login, multipart
from tests.e2e.web.conftest import screenshot, sign_in

ID_NUMBER = "079204005555"
TRANSFER = "Chuyển trường đối với học sinh trung học phổ thông"


def scanned_pdf() -> bytes:
    from io import BytesIO

    from PIL import Image

    image = BytesIO()
    Image.new("RGB", (300, 420), "white").save(image, "PDF")
    return image.getvalue()


def earlier_dossier_with_a_scan(base: str) -> str:
    desk = login(base, "desk")
    status, dossier = call(base, "POST", "/api/v1/dossiers", desk, {
        "procedure_code": "CHUYEN_TRUONG_THPT", "channel": "in_person", "data": {},
        "applicant": {"full_name": "Phạm Thị Hoa", "id_number": ID_NUMBER, "phone": "0912000555"}})
    assert status == 201, dossier
    body, content_type = multipart("hoc-ba.pdf", scanned_pdf())
    boundary = content_type.split("=", 1)[1]
    body = body.replace(f"--{boundary}--".encode(), (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"document_name\"\r\n\r\nHọc bạ\r\n"
        f"--{boundary}--").encode())
    status, attached = call(base, "POST", f"/api/v1/dossiers/{dossier['code']}/attachments", desk, body, content_type)
    assert status == 201, attached
    return dossier["code"]


def test_the_desk_sees_a_document_already_on_file_and_reuses_it(new_page, web_server):
    earlier = earlier_dossier_with_a_scan(web_server)
    page = new_page()
    sign_in(page, "desk", then="/app/desk")
    page.get_by_label("Thủ tục hành chính").select_option(label=TRANSFER)
    page.get_by_label("Họ và tên").fill("Phạm Thị Hoa")
    page.get_by_label("Số định danh / CCCD").fill(ID_NUMBER)
    page.get_by_label("Số định danh / CCCD").blur()

    item = page.locator(".checklist-item", has_text="Học bạ")
    expect(item.locator(".on-file")).to_contain_text("Đã có trong kho dữ liệu")
    expect(page.locator(".on-file")).to_have_count(1)
    screenshot(page, "desk-already-on-file")
    item.get_by_label(re.compile("Dùng bản đã lưu")).check()
    expect(item.locator("input[name=received_documents]")).to_be_checked()
    expect(page.get_by_label(re.compile("^Chưa đầy đủ"))).to_be_checked()  # the other papers are not ticked
    page.get_by_label(re.compile("^Đầy đủ, hợp lệ")).check()  # the officer's call: received
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    expect(page.locator("#received")).to_contain_text("Đã tiếp nhận hồ sơ")
    code = re.search(r"Đã tiếp nhận hồ sơ (\S+)\.", page.locator("#received").inner_text())[1]

    _, attachments = call(web_server, "GET", f"/api/v1/dossiers/{code}/attachments", login(web_server, "desk"))
    assert [(a["document_name"], a["category"]) for a in attachments] == [("Học bạ", "document")]
    _, history = call(web_server, "GET", f"/api/v1/dossiers/{code}/history", login(web_server, "desk"))
    assert [e["data"]["from_dossier"] for e in history if e["action"] == "dossier.document_reused"] == [earlier]
    assert page.console_errors == []
