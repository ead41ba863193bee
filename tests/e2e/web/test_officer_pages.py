"""Officers at work in a real browser: the desk receives a dossier, checks it in front of the applicant
and prints its receipt, each step of the seed transfer procedure is completed by the right user from
their inbox, the diagram's highlight follows the dossier, and the result is returned."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.web.conftest import screenshot, sign_in

APPLICANT = {"Họ và tên": "Trần Thị Bình", "Số định danh / CCCD": "079204001777", "Điện thoại": "0912000777"}


def element(page, bpmn_id: str):
    return page.locator(f'#diagram .djs-element[data-element-id="{bpmn_id}"]')


def receive_dossier(page) -> str:
    page.goto("/app/desk")
    page.get_by_label("Thủ tục hành chính").select_option(label="Chuyển trường đối với học sinh trung học phổ thông")
    checklist = page.locator("#checklist input[type=checkbox]")
    for index in range(checklist.count()):
        checklist.nth(index).check()
    for label, value in APPLICANT.items():
        page.get_by_label(label).fill(value)
    expect(page.locator("#due-preview")).to_contain_text("ngày hẹn trả kết quả")
    expect(page.get_by_label(re.compile("^Đầy đủ, hợp lệ"))).to_be_checked()  # every document ticked
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    expect(page.locator("#received")).to_contain_text("Đã tiếp nhận hồ sơ")
    code = re.search(r"Đã tiếp nhận hồ sơ (\S+)\.", page.locator("#received").inner_text())[1]
    expect(page.locator("#appointment")).to_have_text(re.compile(r"\d\d:\d\d \d\d/\d\d/\d{4}"))
    return code


def complete_step(page, step: str, choices: dict[str, str] | None = None, texts: dict[str, str] | None = None):
    expect(page.locator("#task-name")).to_have_text(step)
    for label, option in (choices or {}).items():
        page.get_by_label(label).select_option(label=option)
    for label, value in (texts or {}).items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Hoàn thành bước này").click()
    expect(page.locator("#flash")).to_contain_text(f"Đã hoàn thành “{step}”")


def work_from_inbox(page, code: str, step: str):
    """Claim the dossier's step from the inbox and open it."""
    page.goto("/app/inbox")
    row = page.locator("#available tr", has_text=code)
    expect(row).to_contain_text(step)
    row.get_by_role("button", name=re.compile("Nhận việc")).click()
    mine = page.locator("#mine tr", has_text=code)
    expect(mine).to_contain_text(step)
    expect(mine.locator(".badge")).to_have_text(re.compile("Trong hạn|Đến hạn hôm nay|Quá hạn"))
    mine.get_by_role("link", name="Xử lý").click()
    page.wait_for_url(re.compile(f"/app/dossiers/{code}"))


def test_a_transfer_dossier_goes_from_the_desk_through_every_step_to_its_result(new_page):
    desk = new_page()
    sign_in(desk, "desk", then="/app/desk")
    code = receive_dossier(desk)
    with desk.expect_popup() as receipt:
        desk.get_by_role("button", name=re.compile("In Giấy tiếp nhận")).click()
    assert receipt.value.url.startswith("blob:")
    screenshot(desk, "desk")

    desk.get_by_role("link", name="Mở hồ sơ").click()
    desk.wait_for_url(re.compile(f"/app/dossiers/{code}"))
    # checked at the desk: no check task, the dossier is with the specialist already
    expect(element(desk, "review")).to_have_class(re.compile("step-current"))
    expect(element(desk, "check_dossier")).not_to_have_class(re.compile("step-current|step-done"))
    expect(desk.locator("#applicant")).to_contain_text("Trần Thị Bình")
    screenshot(desk, "dossier-at-the-desk")
    expect(desk.locator("#status-badge")).to_contain_text("Đang xử lý")

    specialist = new_page()
    sign_in(specialist, "specialist")
    screenshot(specialist, "inbox")
    work_from_inbox(specialist, code, "Thẩm định hồ sơ")
    complete_step(specialist, "Thẩm định hồ sơ", {"Đề xuất": "Đề nghị giải quyết"},
                  {"Ý kiến thẩm định": "Đủ điều kiện"})
    expect(element(specialist, "review")).to_have_class(re.compile("step-done"))
    expect(element(specialist, "sign")).to_have_class(re.compile("step-current"))

    leader = new_page()
    sign_in(leader, "leader")
    work_from_inbox(leader, code, "Ký duyệt kết quả")
    complete_step(leader, "Ký duyệt kết quả", {"Quyết định": "Phê duyệt, ký"})

    desk.goto("/app/desk")
    desk.locator("#returns tr", has_text=code).get_by_role("link", name=code).click()
    if desk.locator("#task-name").inner_text() == "Gọi điện báo công dân nhận kết quả sớm":
        desk.get_by_label("Đã gọi điện báo công dân").check()
        desk.get_by_role("button", name="Hoàn thành bước này").click()
        expect(desk.locator("#flash")).to_contain_text("Đã hoàn thành")
    complete_step(desk, "Trả kết quả", {"Hình thức trả": "Trực tiếp tại Bộ phận một cửa"},
                  {"Người nhận": "Trần Thị Bình"})
    expect(desk.locator("#status-badge")).to_contain_text("Đã trả kết quả")
    expect(desk.locator("#task-section")).to_be_hidden()
    expect(desk.locator("#history")).to_contain_text("Hồ sơ chuyển từ “Đã xử lý xong” sang “Đã trả kết quả”")
    expect(desk.locator("#steps")).to_contain_text("Thẩm định hồ sơ")
    screenshot(desk, "dossier-returned")
    for page in (desk, specialist, leader):
        assert page.console_errors == []


def test_the_server_refuses_an_incomplete_form_and_the_page_marks_the_field(new_page):
    desk = new_page()
    sign_in(desk, "desk", then="/app/desk")
    desk.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    expect(desk.locator("#receive-error .alert")).to_be_visible()
    expect(desk.get_by_label("Họ và tên")).to_have_attribute("aria-invalid", "true")

    code = receive_dossier(desk)
    specialist = new_page()
    sign_in(specialist, "specialist", then=f"/app/dossiers/{code}")
    specialist.get_by_role("button", name="Hoàn thành bước này").click()
    expect(specialist.locator("#task-form .alert.error")).to_be_visible()
    expect(specialist.locator("#task-form [aria-invalid=true]")).to_have_count(1)
    expect(element(specialist, "review")).to_have_class(re.compile("step-current"))


def test_the_pages_speak_english_when_the_reader_switches(new_page):
    page = new_page()
    sign_in(page, "desk")
    expect(page.get_by_role("heading", level=1)).to_have_text("Công việc của tôi")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My tasks")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="Tiếng Việt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Công việc của tôi")


def test_a_page_without_a_sign_in_sends_the_reader_to_sign_in_and_back(new_page):
    page = new_page()
    page.goto("/app/inbox")
    page.wait_for_url(re.compile(r"/app/login\?next="))
    screenshot(page, "login")
    page.get_by_label("Tên đăng nhập").fill("desk")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#login-error .alert")).to_contain_text("đăng nhập")
    page.get_by_label("Mật khẩu").fill("demo")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/app/inbox")


def test_the_inbox_fits_a_tablet(new_page):
    page = new_page(width=800, height=1100)
    sign_in(page, "desk")
    expect(page.locator("#mine")).not_to_contain_text("Đang tải")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 800
    screenshot(page, "inbox-tablet")
