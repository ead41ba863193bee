"""Decision 766's self-assessment on the dashboard, in a browser against the demo server: each group's
table with the values the API gives, "không xác định được" where the service cannot know, an
administrator changing a target (and being told when the points do not add up to 100), the change in
the log, the page at 1366×768, no serious accessibility violation, and the section in English."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.test_server import call, login
from tests.e2e.web.conftest import screenshot, sign_in
from tests.e2e.web.test_accessibility import violations
from tests.e2e.web.test_designer_and_dashboard import REFUSED, resolved_and_pending_dossiers


def this_quarter() -> tuple[int, int]:
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    return now.year, (now.month - 1) // 3 + 1


def assessment(base: str, user: str = "leader") -> dict:
    year, quarter = this_quarter()
    status, body = call(base, "GET", f"/api/v1/reports/indicators?year={year}&quarter={quarter}", login(base, user))
    assert status == 200, body
    return {row["code"]: row for group in body["groups"] for row in group["indicators"]}


def set_target(base: str, code: str, target: float) -> None:
    status, body = call(base, "PUT", "/api/v1/reports/indicator-settings", login(base, "admin"),
                        body={"indicators": [{"code": code, "target": target}]})
    assert status == 200, body


@pytest.fixture
def default_targets(web_server):
    """The server is shared: the on-time target is set back to its default after the test."""
    yield
    set_target(web_server, "on_time", 100)


def test_a_leader_sees_each_group_with_values_targets_formulas_and_what_cannot_be_known(new_page, web_server):
    resolved_and_pending_dossiers(web_server)
    rows = assessment(web_server)
    page = new_page(width=1366, height=768)
    sign_in(page, "leader", then="/app/dashboard")

    section = page.locator("#indicators")
    title = "Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)"
    expect(section.get_by_role("heading", name=title)).to_be_visible()
    for name in ("Công khai, minh bạch", "Tiến độ, kết quả giải quyết", "Số hóa hồ sơ", "Cung cấp dịch vụ trực tuyến",
                 "Mức độ hài lòng"):
        expect(section.get_by_role("table", name=re.compile(f"^{name}: "))).to_be_visible()
    on_time = section.locator('tr[data-indicator="on_time"]')
    expect(on_time.get_by_role("rowheader")).to_contain_text("Tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn")
    expect(on_time.get_by_role("rowheader")).to_contain_text("Công thức: (Số hồ sơ đã giải quyết trước hạn")
    expect(on_time.get_by_role("cell").nth(0)).to_have_text("≥ 100%")
    value = f"{rows['on_time']['value']:g}".replace(".", ",")
    expect(on_time.get_by_role("cell").nth(1)).to_contain_text(f"{value}%")
    expect(on_time.get_by_role("cell").nth(1)).to_contain_text(
        f"{rows['on_time']['numerator']:g} / {rows['on_time']['denominator']} hồ sơ")
    feedback = section.locator('tr[data-indicator="feedback_on_time"]')
    expect(feedback.get_by_role("cell").nth(1)).to_contain_text("Không xác định được")
    expect(feedback.get_by_role("cell").nth(1)).to_contain_text("phản ánh")
    expect(feedback.get_by_role("cell").nth(2)).to_have_text("— / 6*")
    expect(section.locator(".indicator-settings")).to_have_count(0)  # a leader does not edit them

    section.scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    screenshot(page, "dashboard-indicators-1366")
    assert page.console_errors == []


def test_an_administrator_changes_a_target_and_sees_the_points_and_the_log_follow(new_page, web_server,
                                                                                 default_targets):
    page = new_page(width=1366, height=768)
    sign_in(page, "admin", then="/app/dashboard")
    section = page.locator("#indicators")
    section.get_by_text("Chỉ tiêu và thang điểm (quản trị viên)").click()
    target = page.get_by_label("Chỉ tiêu (%): Tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn")
    expect(target).to_have_value("100")
    expect(page.locator(".indicator-total")).to_have_text("Tổng điểm tối đa: 100 / 100")

    points = page.get_by_label("Điểm tối đa: Tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn")
    points.fill("25")
    expect(page.locator(".indicator-total")).to_have_text("Tổng điểm tối đa: 105 / 100")
    page.get_by_role("button", name="Lưu chỉ tiêu và thang điểm").click()
    expect(section.get_by_role("alert")).to_contain_text("Tổng điểm tối đa của các chỉ số phải bằng 100, hiện là 105.")
    points.fill("20")
    target.fill("50")
    page.get_by_role("button", name="Lưu chỉ tiêu và thang điểm").click()

    expect(page.locator("#flash")).to_contain_text("Đã lưu chỉ tiêu và thang điểm")
    expect(page.locator('#indicators tr[data-indicator="on_time"] td').nth(0)).to_have_text("≥ 50%")
    log = page.locator("#indicators .change-log .log-entry").first
    expect(log).to_contain_text("Sửa chỉ tiêu, thang điểm Quyết định 766")
    expect(log).to_contain_text("Tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn — chỉ tiêu: 100 → 50")
    assert assessment(web_server)["on_time"]["target"] == 50
    screenshot(page, "dashboard-indicators-settings-1366")
    assert [error for error in page.console_errors if not REFUSED.search(error)] == []


def test_the_section_with_its_editor_open_has_no_serious_accessibility_violation_and_reads_in_english(
        browser, web_server):
    context = browser.new_context(base_url=web_server, bypass_csp=True, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 1366, "height": 768})
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        sign_in(page, "admin", then="/app/dashboard")
        page.locator("#indicators .indicator-settings summary").click()
        expect(page.locator("#indicators .indicator-form")).to_be_visible()
        assert violations(page) == []

        page.goto("/app/language/en?next=/app/dashboard")
        expect(page.locator("#indicators h2")).to_have_text("Service to citizens and businesses (Decision 766/QĐ-TTg)")
        payment = page.locator('#indicators tr[data-indicator="online_payment"]')
        expect(payment.get_by_role("rowheader")).to_contain_text("Fees paid online")
        feedback = page.locator('#indicators tr[data-indicator="feedback_on_time"]')
        expect(feedback.get_by_role("cell").nth(1)).to_contain_text("Cannot be determined")
        assert violations(page) == []
    finally:
        context.close()
