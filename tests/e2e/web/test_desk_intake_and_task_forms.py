"""The desk checks a dossier in front of the applicant and issues form 01, 02 or 03 on the spot; task
forms show their fields in the schema's order and a conditional field only with the choice that needs
it; validation messages come in Vietnamese, on the field, named by its label."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_server import call, login
from tests.e2e.web.conftest import screenshot, sign_in
from tests.e2e.web.scenarios import complete

TRANSFER = "Chuyển trường đối với học sinh trung học phổ thông"
SIZES = {"1366": (1366, 768), "390": (390, 844)}


def fill_applicant(page, name: str, id_number: str) -> None:
    page.get_by_label("Họ và tên").fill(name)
    page.get_by_label("Số định danh / CCCD").fill(id_number)


def script_errors(page) -> list[str]:
    """The page's console errors but the 422 answers these tests ask for."""
    return [error for error in page.console_errors if "status of 422" not in error]


def documents(page) -> list[str]:
    return [label.strip() for label in page.locator("#checklist .checklist-item").evaluate_all(
        "items => items.map(item => item.dataset.document)")]


def test_a_vietnamese_validation_message_shows_on_the_field_and_names_it_by_its_label(new_page):
    page = new_page()
    sign_in(page, "desk", then="/app/desk")
    page.get_by_label("Thủ tục hành chính").select_option(label=TRANSFER)
    page.get_by_label("Số định danh / CCCD").fill("12")

    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()

    name_field = page.locator('[data-path="applicant.full_name"]')
    expect(name_field.locator(".field-error")).to_have_text("Trường này là bắt buộc (tối đa 255 ký tự).")
    expect(page.get_by_label("Họ và tên")).to_have_attribute("aria-invalid", "true")
    expect(page.locator('[data-path="applicant.id_number"] .field-error')).to_have_text(
        "Số định danh gồm 6-20 chữ số hoặc chữ cái.")
    expect(page.locator("#intake .field-error")).to_have_text("Trường này là bắt buộc.")
    summary = page.locator("#receive-error .alert")
    expect(summary).to_contain_text("Họ và tên: Trường này là bắt buộc")
    expect(summary).to_contain_text("Kết quả kiểm tra hồ sơ: Trường này là bắt buộc.")
    expect(summary).not_to_contain_text("applicant.full_name")
    expect(summary).not_to_contain_text("Length must be")
    assert script_errors(page) == []


def test_the_desk_issues_form_02_with_the_documents_not_handed_in(new_page, web_server):
    page = new_page(width=1366, height=768)
    sign_in(page, "desk", then="/app/desk")
    page.get_by_label("Thủ tục hành chính").select_option(label=TRANSFER)
    names = documents(page)
    boxes = page.locator("#checklist input[type=checkbox]")
    for index in range(1, boxes.count()):  # all but the first handed in
        boxes.nth(index).check()
    fill_applicant(page, "Lê Văn Cường", "079204002222")

    expect(page.get_by_label(re.compile("^Chưa đầy đủ"))).to_be_checked()  # follows the checklist
    expect(page.locator("#missing-list")).to_have_text(names[0])
    page.get_by_label(re.compile("^Giấy tờ khác cần bổ sung")).fill("Bản sao giấy khai sinh")
    page.get_by_label("Lý do, hướng dẫn bổ sung").fill("Nộp bổ sung trong 5 ngày làm việc")
    expect(page.get_by_role("button", name="Yêu cầu bổ sung hồ sơ")).to_be_visible()
    screenshot(page, "desk-intake-supplement-1366")
    page.get_by_role("button", name="Yêu cầu bổ sung hồ sơ").click()

    expect(page.locator("#received")).to_contain_text("chưa đầy đủ")
    code = re.search(r"Hồ sơ (\S+) chưa đầy đủ", page.locator("#received").inner_text())[1]
    with page.expect_popup() as printed:
        page.get_by_role("button", name=re.compile(r"In Phiếu yêu cầu bổ sung.*Mẫu 02")).click()
    assert printed.value.url.startswith("blob:")
    token = login(web_server, "desk")
    assert call(web_server, "GET", f"/api/v1/dossiers/{code}", token)[1]["status"] == 5
    notices = call(web_server, "GET", f"/api/v1/dossiers/{code}/notices", token)[1]
    assert [d["name"] for d in notices[0]["documents"]] == [names[0], "Bản sao giấy khai sinh"]
    assert notices[0]["reason"] == "Nộp bổ sung trong 5 ngày làm việc"
    assert script_errors(page) == []


def test_the_desk_issues_form_01_or_refuses_with_form_03_on_the_spot(new_page, web_server):
    page = new_page()
    sign_in(page, "desk", then="/app/desk")
    page.get_by_label("Thủ tục hành chính").select_option(label=TRANSFER)
    boxes = page.locator("#checklist input[type=checkbox]")
    for index in range(boxes.count()):
        boxes.nth(index).check()
    fill_applicant(page, "Phạm Thị Dung", "079204003333")
    expect(page.get_by_label(re.compile("^Đầy đủ, hợp lệ"))).to_be_checked()
    expect(page.locator("#intake-missing")).to_be_hidden()
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    expect(page.locator("#received")).to_contain_text("Đã tiếp nhận hồ sơ")
    received = re.search(r"Đã tiếp nhận hồ sơ (\S+)\.", page.locator("#received").inner_text())[1]
    expect(page.get_by_role("button", name=re.compile(r"In Giấy tiếp nhận.*Mẫu 01"))).to_be_visible()

    fill_applicant(page, "Phạm Thị Dung", "079204003333")
    page.get_by_label(re.compile("^Không tiếp nhận")).check()
    expect(page.locator("#intake-reason")).to_be_visible()
    page.get_by_role("button", name="Từ chối tiếp nhận").click()
    expect(page.locator('[data-path="intake.reason"] .field-error')).to_have_text("Hãy ghi lý do từ chối tiếp nhận.")
    page.get_by_label("Lý do từ chối tiếp nhận").fill("Không thuộc thẩm quyền giải quyết của Sở")
    page.get_by_role("button", name="Từ chối tiếp nhận").click()
    expect(page.locator("#received")).to_contain_text("không được tiếp nhận")
    refused = re.search(r"Hồ sơ (\S+) không được tiếp nhận", page.locator("#received").inner_text())[1]
    expect(page.get_by_role("button", name=re.compile(r"In Phiếu từ chối.*Mẫu 03"))).to_be_visible()

    token = login(web_server, "desk")
    assert call(web_server, "GET", f"/api/v1/dossiers/{received}", token)[1]["status"] == 4
    assert call(web_server, "GET", f"/api/v1/tasks?dossier_code={received}", token)[1] == []
    assert call(web_server, "GET", f"/api/v1/dossiers/{refused}", token)[1]["status"] == 3
    assert script_errors(page) == []


def test_a_dossier_received_by_post_is_checked_later_in_its_task(new_page):
    page = new_page()
    sign_in(page, "desk", then="/app/desk")
    page.get_by_label("Hình thức nộp").select_option("post")
    expect(page.locator("#intake")).to_be_hidden()
    expect(page.locator("#post-check-hint")).to_be_visible()
    page.get_by_label("Hình thức nộp").select_option("in_person")
    expect(page.locator("#intake")).to_be_visible()


def test_a_conditional_field_appears_with_the_choice_that_needs_it_and_the_server_checks_it(new_page, web_server):
    token = login(web_server, "desk")
    status, dossier = call(web_server, "POST", "/api/v1/dossiers", token, body={
        "procedure_code": "CHUYEN_TRUONG_THPT", "applicant": {"full_name": "Hoàng Văn Em", "id_number": "079204004444"},
        "data": {"received_documents": []}, "intake": {"result": "complete"}})
    assert status == 201, dossier
    code = dossier["code"]
    page = new_page(width=1366, height=768)
    sign_in(page, "specialist", then=f"/app/dossiers/{code}")
    expect(page.locator("#task-name")).to_have_text("Thẩm định hồ sơ")
    labels = page.locator("#task-form .field > label, #task-form fieldset > legend").all_inner_texts()
    assert labels[0].startswith("Đề xuất")  # the schema's order, not the keys' ("missing_documents" < "opinion")
    missing = page.locator('#task-form [data-path="missing_documents"]')
    reason = page.get_by_label(re.compile(r"^Lý do \(từ chối"))
    expect(missing).to_be_hidden()
    expect(reason).to_be_hidden()

    page.get_by_label("Đề xuất").select_option(label="Đề nghị yêu cầu bổ sung hồ sơ")
    expect(missing).to_be_visible()
    picks = missing.locator(".checklist-item input[type=checkbox]")
    expect(picks.first).to_be_checked()  # nothing was handed in: every item of the checklist is ticked
    screenshot(page, "task-form-checklist-1366")
    page.get_by_label("Đề xuất").select_option(label="Đề nghị từ chối giải quyết")
    expect(missing).to_be_hidden()
    expect(reason).to_be_visible()
    page.get_by_label("Đề xuất").select_option(label="Đề nghị giải quyết")
    expect(reason).to_be_hidden()

    page.get_by_label("Đề xuất").select_option(label="Đề nghị từ chối giải quyết")
    expect(page.locator('#task-form [data-path="reason"] .required-mark')).to_be_visible()
    page.get_by_role("button", name="Hoàn thành bước này").click()
    expect(page.locator('#task-form [data-path="reason"] .field-error')).to_have_text("Trường này là bắt buộc.")
    expect(page.locator("#task-form .alert.error")).to_contain_text("Lý do (từ chối hoặc yêu cầu bổ sung): Trường này")
    expect(page.locator("#task-form .alert.error")).not_to_contain_text("does not fit its form")
    screenshot(page, "task-form-conditional-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "task-form-conditional-390")
    reason.fill("Học sinh không đủ điều kiện chuyển trường")
    page.get_by_role("button", name="Hoàn thành bước này").click()
    expect(page.locator("#flash")).to_contain_text("Đã hoàn thành")
    assert script_errors(page) == []


def test_the_return_form_asks_the_tracking_number_only_when_returning_by_post(new_page, web_server):
    token = login(web_server, "desk")
    status, dossier = call(web_server, "POST", "/api/v1/dossiers", token, body={
        "procedure_code": "CHUYEN_TRUONG_THPT", "applicant": {"full_name": "Đỗ Thị Giang", "id_number": "079204005555"},
        "intake": {"result": "complete"}})
    assert status == 201, dossier
    code = dossier["code"]
    complete(web_server, code, "specialist", "review", {"opinion": "approve"})
    complete(web_server, code, "leader", "sign", {"decision": "approve"})
    tasks = [t["bpmn_id"] for t in call(web_server, "GET", f"/api/v1/tasks?dossier_code={code}", token)[1]]
    if "call_applicant" in tasks:
        complete(web_server, code, "desk", "call_applicant", {"called": True})
    page = new_page()
    sign_in(page, "desk", then=f"/app/dossiers/{code}")
    expect(page.locator("#task-name")).to_have_text("Trả kết quả")
    tracking = page.get_by_label(re.compile("^Số hiệu bưu gửi"))
    receiver = page.get_by_label(re.compile("^Người nhận kết quả"))
    expect(tracking).to_be_hidden()

    page.get_by_label("Hình thức trả").select_option(label="Qua dịch vụ bưu chính công ích")
    expect(tracking).to_be_visible()
    expect(receiver).to_be_hidden()
    page.get_by_label("Hình thức trả").select_option(label="Trực tiếp tại Bộ phận một cửa")
    expect(tracking).to_be_hidden()
    expect(receiver).to_be_visible()

    page.get_by_label("Hình thức trả").select_option(label="Qua dịch vụ bưu chính công ích")
    tracking.fill("EL555666777VN")
    page.get_by_role("button", name="Hoàn thành bước này").click()
    expect(page.locator("#status-badge")).to_contain_text("Đã trả kết quả")
    assert call(web_server, "GET", f"/api/v1/dossiers/{code}", token)[1]["postal_tracking_number"] == "EL555666777VN"


def test_the_desk_intake_at_a_laptop_and_a_phone_width(new_page):
    for name, (width, height) in SIZES.items():
        page = new_page(width=width, height=height)
        sign_in(page, "desk", then="/app/desk")
        page.get_by_label("Thủ tục hành chính").select_option(label=TRANSFER)
        page.locator("#checklist input[type=checkbox]").first.check()
        expect(page.locator("#intake-missing")).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the desk page scrolls sideways at {width} px"
        screenshot(page, f"desk-intake-{name}")
        assert script_errors(page) == []


def test_the_desk_asks_the_diploma_copy_s_own_fields_at_receipt(new_page, web_server):
    page = new_page()
    sign_in(page, "desk", then="/app/desk")
    page.get_by_label("Thủ tục hành chính").select_option(value="CAP_BAN_SAO_VAN_BANG")
    copies = page.get_by_label("Số bản sao đề nghị cấp")
    boxes = page.locator("#checklist input[type=checkbox]")
    for index in range(boxes.count()):
        boxes.nth(index).check()
    fill_applicant(page, "Vũ Thị Hạnh", "079204006666")
    copies.fill("0")
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    expect(page.locator('[data-path="so_ban_sao"] .field-error')).to_have_text("Không được nhỏ hơn 1.")
    expect(page.locator("#receive-error .alert")).to_contain_text("Số bản sao đề nghị cấp: Không được nhỏ hơn 1.")

    copies.fill("3")
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    expect(page.locator("#received")).to_contain_text("Đã tiếp nhận hồ sơ")
    code = re.search(r"Đã tiếp nhận hồ sơ (\S+)\.", page.locator("#received").inner_text())[1]
    dossier = call(web_server, "GET", f"/api/v1/dossiers/{code}", login(web_server, "desk"))[1]
    assert (dossier["status"], dossier["data"]["le_phi"]) == (4, 5000 + 2 * 3000)
    assert script_errors(page) == []
