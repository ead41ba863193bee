"""The administrator's page in a browser, against a real server with the demo data: deadlines and
step allocations, the calendar's exceptions, users, notification templates, each change shown in
the section's change log with who made it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_server import call, login
from tests.e2e.web.conftest import screenshot, sign_in
from tests.e2e.web.test_accessibility import violations

TRANSFER = "CHUYEN_TRUONG_THPT"
TRANSFER_NAME = "Chuyển trường đối với học sinh trung học phổ thông"
# what a 422 the page expects leaves in the browser's console (Chromium reports failed responses)
REFUSED = re.compile(r"Failed to load resource: the server responded with a status of 422")


@pytest.fixture
def restored(web_server):
    """Put back what a test changed on the shared server (other tests' pages use it): the
    transfer's deadlines and documents, the SMS template of a refusal, the calendar."""
    token = login(web_server, "admin")
    paths = (f"/api/v1/procedures/{TRANSFER}", "/api/v1/notifications/templates/refused/sms",
             "/api/v1/calendar/settings")
    before = [call(web_server, "GET", path, token)[1] for path in paths]
    yield
    token = login(web_server, "admin")
    fields = (("processing_time_value", "processing_time_unit", "step_allocations", "required_documents",
               "default_role"),
              ("audience", "subject", "body"), ("same_day_cutoff",))
    for path, old, names in zip(paths, before, fields, strict=True):
        now = call(web_server, "GET", path, token)[1]
        if any(now[name] != old[name] for name in names):
            call(web_server, "PUT", path, token, body={name: old[name] for name in names})
    call(web_server, "DELETE", "/api/v1/calendar/exceptions/2027-02-13", token)


def admin_page(new_page, **size):
    page = new_page(**size)
    sign_in(page, "admin", then="/app/admin")
    expect(page.get_by_role("heading", name="Quản trị hệ thống", level=1)).to_be_visible()
    return page


def first_log_entry(page, section: str):
    return page.locator(f"#{section}-log .log-entry").first


def test_an_admin_changes_a_deadline_and_a_step_allocation_and_sees_who_changed_them(new_page, restored):
    page = admin_page(new_page)
    page.get_by_role("button", name=f"Sửa thủ tục {TRANSFER_NAME}").click()
    editor = page.locator("#procedure-editor")
    expect(editor.get_by_role("heading", name=f"Sửa thủ tục: {TRANSFER_NAME}")).to_be_focused()

    editor.get_by_label("Số lượng", exact=True).fill("2")
    editor.get_by_label("Thời gian của bước Thẩm định hồ sơ", exact=True).fill("3")
    editor.get_by_role("button", name="Thêm giấy tờ").click()
    editor.get_by_label("Tên giấy tờ 6", exact=True).fill("Bản sao giấy khai sinh")
    editor.get_by_label("Loại bản của giấy tờ 6").select_option(label="Bản sao")
    editor.get_by_label("Vai trò mặc định của bước xử lý").select_option(label="Văn thư")
    editor.get_by_role("button", name="Lưu thủ tục").click()

    expect(page.locator("#procedures-status")).to_have_text(f"Đã lưu thủ tục {TRANSFER}.")
    expect(page.locator(f"#procedure-list tr[data-code={TRANSFER}] .procedure-time")).to_have_text("2 buổi làm việc")
    entry = first_log_entry(page, "procedures")
    expect(entry).to_contain_text("Sửa thủ tục")
    expect(entry.locator(".log-who")).to_contain_text("admin lúc")
    expect(entry).to_contain_text("Thời gian bước Thẩm định hồ sơ: 2 giờ làm việc → 3 giờ làm việc")
    expect(entry).to_contain_text("Thời hạn giải quyết (số lượng): 1 → 2")
    expect(entry).to_contain_text("Thêm giấy tờ: Bản sao giấy khai sinh")
    expect(entry).to_contain_text("Vai trò mặc định của bước xử lý: (không có) → Văn thư")
    screenshot(page, "admin-procedures")

    page.reload()  # saved on the server, not just on the page
    page.get_by_role("button", name=f"Sửa thủ tục {TRANSFER_NAME}").click()
    expect(editor.get_by_label("Số lượng", exact=True)).to_have_value("2")
    expect(editor.get_by_label("Thời gian của bước Thẩm định hồ sơ", exact=True)).to_have_value("3")
    expect(editor.get_by_label("Tên giấy tờ 6", exact=True)).to_have_value("Bản sao giấy khai sinh")
    expect(editor.get_by_label("Loại bản của giấy tờ 6")).to_have_value("copy")
    expect(editor.get_by_label("Vai trò mặc định của bước xử lý")).to_have_value("clerk")
    expect(first_log_entry(page, "procedures")).to_contain_text("admin lúc")
    assert page.console_errors == []


def test_the_steps_are_shown_by_their_names_in_the_model_and_only_an_unused_one_is_removable(new_page, restored):
    page = admin_page(new_page)
    page.get_by_role("button", name=f"Sửa thủ tục {TRANSFER_NAME}").click()
    editor = page.locator("#procedure-editor")
    steps = editor.locator("tbody.steps")
    expect(steps.locator(".step-name")).to_have_text(["Thẩm định hồ sơ", "Sắp đến hạn thẩm định"])
    expect(steps.locator("input[type=text]")).to_have_count(0)  # no key to edit as text
    expect(steps.locator(".step-key-code")).to_have_text(["review", "review_reminder"])  # small, for designers
    expect(editor).not_to_contain_text('deadline("')
    expect(editor.get_by_role("button", name="Bỏ bước Thẩm định hồ sơ")).to_have_count(0)  # the model needs it

    editor.get_by_text("Thêm bước khác (dành cho người thiết kế quy trình)").click()
    editor.get_by_role("button", name="Thêm bước").click()
    editor.get_by_label("Tên bước: bước mới").fill("sign_reminder")
    editor.get_by_label("Thời gian của bước sign_reminder").fill("1")
    editor.get_by_role("button", name="Lưu thủ tục").click()
    expect(page.locator("#procedures-status")).to_have_text(f"Đã lưu thủ tục {TRANSFER}.")
    unused = steps.locator("tr", has_text="sign_reminder")
    expect(unused).to_contain_text("mô hình hiện tại không còn dùng bước này")
    unused.get_by_role("button", name="Bỏ bước sign_reminder").click()
    editor.get_by_role("button", name="Lưu thủ tục").click()
    expect(page.locator("#procedures-status")).to_have_text(f"Đã lưu thủ tục {TRANSFER}.")
    expect(steps.locator("tr", has_text="sign_reminder")).to_have_count(0)
    assert page.console_errors == []


def test_an_admin_adds_a_calendar_exception_and_removes_it(new_page, restored):
    page = admin_page(new_page)
    page.get_by_role("link", name="Lịch làm việc").click()
    page.get_by_label("Năm", exact=True).fill("2027")
    page.get_by_role("button", name="Xem", exact=True).click()
    days = page.locator("#calendar-days")
    expect(days.locator("tr[data-date='2027-01-01']")).to_contain_text("Tết Dương lịch")
    expect(days.locator("tr[data-date='2027-02-06']")).to_contain_text("Tết Nguyên Đán")
    summary = page.locator("#calendar-summary")
    expect(summary).to_contain_text("Năm 2027 có")
    working_days = int(re.search(r"có (\d+) ngày", summary.inner_text())[1])

    form = page.locator("#exception-form")
    form.get_by_label("Ngày", exact=True).fill("2027-02-13")
    form.get_by_label("Loại").select_option(label="Ngày làm bù (ngoại lệ)")
    form.get_by_label("Lý do").fill("Làm bù cho ngày nghỉ 05/02/2027")
    form.get_by_role("button", name="Thêm ngoại lệ").click()

    expect(page.locator("#calendar-status")).to_have_text("Đã thêm ngoại lệ ngày 13/02/2027.")
    added = days.locator("tr[data-date='2027-02-13']")
    expect(added).to_contain_text("Làm bù cho ngày nghỉ 05/02/2027")
    expect(added).to_contain_text("Thứ Bảy")
    expect(added).to_contain_text("Ngày làm bù (ngoại lệ)")
    expect(added).to_contain_text("admin")
    expect(summary).to_contain_text(f"Năm 2027 có {working_days + 1} ngày làm việc.")
    entry = first_log_entry(page, "calendar")
    expect(entry).to_contain_text("Thêm ngày ngoại lệ · Thứ Bảy 13/02/2027")
    expect(entry.locator(".log-who")).to_contain_text("admin lúc")
    screenshot(page, "admin-calendar")

    page.get_by_role("button", name="Xoá ngoại lệ ngày 13/02/2027").click()

    expect(page.locator("#calendar-status")).to_have_text("Đã xoá ngoại lệ ngày 13/02/2027.")
    expect(added).to_have_count(0)
    expect(summary).to_contain_text(f"Năm 2027 có {working_days} ngày làm việc.")
    expect(first_log_entry(page, "calendar")).to_contain_text("Xoá ngày ngoại lệ · Thứ Bảy 13/02/2027")

    settings = page.locator("#calendar-settings")
    settings.get_by_label("Giờ chốt nhận hồ sơ giải quyết trong ngày").fill("16:00")
    settings.get_by_role("button", name="Lưu cài đặt lịch").click()

    expect(page.locator("#calendar-status")).to_have_text("Đã lưu cài đặt lịch.")
    expect(settings.get_by_label("Giờ chốt nhận hồ sơ giải quyết trong ngày")).to_have_value("16:00")
    entry = first_log_entry(page, "calendar")
    expect(entry).to_contain_text("Sửa cài đặt lịch")
    expect(entry).to_contain_text("Giờ chốt nhận hồ sơ giải quyết trong ngày: 15:00 → 16:00")
    expect(entry.locator(".log-who")).to_contain_text("admin lúc")
    assert page.console_errors == []


def test_an_admin_creates_a_user_with_a_role_and_a_unit_moves_them_and_sets_their_password(new_page):
    page = admin_page(new_page)
    page.get_by_role("link", name="Người dùng, vai trò và đơn vị").click()
    form = page.locator("#user-create")
    form.get_by_label("Tên đăng nhập").fill("nguyen.thi.hoa")
    form.get_by_label("Họ và tên").fill("Nguyễn Thị Hoa")
    form.get_by_label("Mật khẩu").fill("Sgd-MotCua-2027-an-toan")
    form.get_by_label("Chuyên viên phòng chuyên môn").check()
    form.get_by_label("Đơn vị").select_option(label="Phòng Giáo dục trung học")
    form.get_by_role("button", name="Tạo người dùng").click()

    expect(page.locator("#users-status")).to_have_text("Đã tạo người dùng nguyen.thi.hoa.")
    row = page.locator("#user-list tr[data-username='nguyen.thi.hoa']")
    expect(row).to_contain_text("Nguyễn Thị Hoa")
    expect(row).to_contain_text("Chuyên viên phòng chuyên môn")
    expect(row).to_contain_text("Phòng Giáo dục trung học")
    expect(row).to_contain_text("Đang hoạt động")
    entry = first_log_entry(page, "users")
    expect(entry).to_contain_text("Tạo người dùng · nguyen.thi.hoa")
    expect(entry).to_contain_text("Vai trò: Chuyên viên phòng chuyên môn")
    expect(entry.locator(".log-who")).to_contain_text("admin lúc")
    screenshot(page, "admin-users")

    row.get_by_role("button", name="Sửa người dùng nguyen.thi.hoa").click()
    editor = page.locator("#user-editor")
    editor.get_by_label("Đơn vị").select_option(label="Phòng Khảo thí và Quản lý chất lượng giáo dục")
    editor.get_by_role("button", name="Lưu người dùng").click()

    expect(row).to_contain_text("Phòng Khảo thí và Quản lý chất lượng giáo dục")
    expect(first_log_entry(page, "users")).to_contain_text(
        "Đơn vị: Phòng Giáo dục trung học → Phòng Khảo thí và Quản lý chất lượng giáo dục")
    assert page.console_errors == []

    editor.get_by_label("Mật khẩu mới", exact=True).fill("ngan")
    editor.get_by_role("button", name="Đặt mật khẩu").click()
    alert = editor.get_by_role("alert")
    expect(alert).to_contain_text("Dữ liệu gửi lên chưa hợp lệ")
    expect(alert).to_contain_text("The password is too weak")
    expect(editor.get_by_label("Mật khẩu mới", exact=True)).to_have_attribute("aria-invalid", "true")

    editor.get_by_label("Mật khẩu mới", exact=True).fill("Sgd-MotCua-2028-doi-moi")
    editor.get_by_role("button", name="Đặt mật khẩu").click()
    expect(page.locator("#users-status")).to_contain_text("Đã đặt mật khẩu mới cho nguyen.thi.hoa")
    expect(alert).to_have_count(0)
    expect(first_log_entry(page, "users")).to_contain_text("Đặt mật khẩu mới · nguyen.thi.hoa")
    assert [m for m in page.console_errors if not REFUSED.search(m)] == []


def test_an_admin_edits_a_notification_template_and_a_broken_one_is_refused_with_the_servers_message(new_page,
                                                                                                     restored):
    page = admin_page(new_page)
    page.get_by_role("link", name="Mẫu thông báo").click()
    page.get_by_role("button", name="Sửa mẫu Từ chối tiếp nhận, giải quyết — Tin nhắn SMS").click()
    editor = page.locator("#template-editor")
    body = editor.get_by_label("Nội dung")
    body.fill("Ho so {{ code }} bi tu choi. Ly do: {{ reason }}. Lien he {{ contact }} de duoc huong dan.")
    editor.get_by_role("button", name="Lưu mẫu").click()

    expect(page.locator("#templates-status")).to_have_text("Đã lưu mẫu Từ chối tiếp nhận, giải quyết — Tin nhắn SMS.")
    expect(page.locator("#template-list tr[data-template='refused/sms']")).to_contain_text("admin lúc")
    entry = first_log_entry(page, "templates")
    expect(entry).to_contain_text("Lưu mẫu thông báo · Từ chối tiếp nhận, giải quyết — Tin nhắn SMS")
    expect(entry).to_contain_text("Đã sửa: Nội dung")
    expect(entry.locator(".log-who")).to_contain_text("admin lúc")
    assert page.console_errors == []

    body.fill("Ho so {{ code ")
    editor.get_by_role("button", name="Lưu mẫu").click()

    alert = editor.get_by_role("alert")
    expect(alert).to_contain_text("Dữ liệu gửi lên chưa hợp lệ; xem chi tiết.")
    expect(alert).to_contain_text("The template's body does not render")
    expect(body).to_have_attribute("aria-invalid", "true")
    expect(first_log_entry(page, "templates")).to_contain_text("Đã sửa: Nội dung")  # nothing new was saved
    screenshot(page, "admin-templates-error")
    assert [m for m in page.console_errors if not REFUSED.search(m)] == []


def test_the_admin_page_fits_a_tablet_and_speaks_english_on_request(new_page):
    page = admin_page(new_page, width=800, height=1100)
    for code in (TRANSFER, "CAP_BAN_SAO_VAN_BANG"):  # (other tests on this server add procedures of their own)
        expect(page.locator(f"#procedure-list tr[data-code={code}]")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "admin-tablet")

    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Administration", level=1)).to_be_visible()
    page.get_by_role("link", name="Working calendar").click()
    page.get_by_label("Year", exact=True).fill("2027")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.locator("#calendar-days tr[data-date='2027-01-01']")).to_contain_text("New Year's Day")
    page.get_by_role("link", name="Procedures and deadlines").click()
    expect(page.locator("#procedures-log")).to_contain_text("Procedure created")
    expect(page.locator(f"#procedure-list tr[data-code={TRANSFER}] .procedure-time")).to_have_text(
        re.compile(r"^\d+ half-day sessions?$"))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.console_errors == []


def test_a_user_without_the_admin_role_is_told_the_page_is_not_theirs(new_page):
    page = new_page()
    sign_in(page, "desk", then="/app/admin")

    expect(page.get_by_role("alert")).to_contain_text("Trang này dành cho vai trò khác")
    assert page.console_errors == []


@pytest.fixture
def page_for_axe(browser, web_server):
    """axe-core is injected as an inline script, which the pages' policy rightly forbids."""
    context = browser.new_context(base_url=web_server, bypass_csp=True, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_every_section_with_its_editor_open_has_no_serious_accessibility_violation(page_for_axe):
    page = page_for_axe
    sign_in(page, "admin", then="/app/admin")
    found = {}
    openers = {"procedures": f"Sửa thủ tục {TRANSFER_NAME}", "calendar": None,
               "users": "Sửa người dùng clerk", "templates": "Sửa mẫu Xin lỗi và hẹn lại ngày trả — Thư điện tử"}
    for section, opener in openers.items():
        page.goto(f"/app/admin#{section}")
        expect(page.locator(f"#{section}[data-ready]")).to_be_visible()
        if opener:
            page.get_by_role("button", name=opener).click()
            expect(page.locator(f"#{section} .editor h3")).to_be_focused()
        expect(page.locator(f"#{section}-log .log").first).to_be_visible()
        found[section] = violations(page)
    assert found == {section: [] for section in openers}


def test_the_admin_page_speaks_an_administrators_words_not_codes(new_page):
    page = admin_page(new_page)
    page.get_by_role("link", name="Lịch làm việc").click()
    settings = page.locator("#calendar-settings")
    zone = settings.get_by_label("Múi giờ")
    expect(zone).to_have_js_property("tagName", "SELECT")  # chosen, not typed
    expect(zone.locator("option:checked")).to_have_text("Giờ Việt Nam (UTC+07:00)")
    country = settings.get_by_label("Ngày lễ theo quốc gia")
    expect(country.locator("option:checked")).to_have_text("Việt Nam")
    expect(page.locator("#calendar-summary")).to_contain_text("Việt Nam")
    expect(page.locator("#calendar-summary")).not_to_contain_text("VN")

    page.get_by_role("link", name="Mẫu thông báo").click()
    expect(page.locator("#templates")).to_have_attribute("data-ready", "true")
    expect(page.locator("#templates")).not_to_contain_text("Jinja")
    expect(page.locator("#templates")).to_contain_text("{{ code }}")

    page.get_by_role("link", name="Thủ tục và thời hạn").click()
    expect(page.locator("#procedures-log")).not_to_contain_text("seed lúc")
    assert page.console_errors == []


def test_on_a_phone_each_procedures_edit_button_is_on_the_screen(new_page):
    page = admin_page(new_page, width=390, height=844)
    for name in (TRANSFER_NAME, "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc"):
        box = page.get_by_role("button", name=f"Sửa thủ tục {name}").bounding_box()
        assert 0 <= box["x"] and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name=f"Sửa thủ tục {TRANSFER_NAME}").click()
    expect(page.locator("#procedure-editor h3")).to_be_focused()


def test_a_bundled_models_deployer_reads_as_the_system_not_the_cli_login(new_page):
    page = new_page()
    sign_in(page, "admin", then="/app/designer")
    page.get_by_role("button", name=f"Xem các phiên bản của {TRANSFER_NAME}").click()
    first = page.locator("#versions tr[data-version='1']")
    expect(first).to_contain_text("Hệ thống (mẫu đi kèm)")  # deployed by `motcua deploy-models`, as make run does
    expect(first.locator("td", has_text=re.compile(r"^cli$"))).to_have_count(0)
    assert page.console_errors == []
