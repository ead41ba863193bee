"""The inbox in a browser: an officer finds a dossier by its code, the applicant's name (typed
without accents) or ID number, and on a phone every task's action is on the screen and a dossier
code stays on one line."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_server import call, login
from tests.e2e.web.conftest import screenshot, sign_in


def received(base: str, full_name: str, id_number: str) -> str:
    status, dossier = call(base, "POST", "/api/v1/dossiers", login(base, "desk"), body={
        "procedure_code": "CHUYEN_TRUONG_THPT", "channel": "in_person",
        "applicant": {"full_name": full_name, "id_number": id_number, "phone": "0903111222"}, "data": {}})
    assert status == 201, dossier
    return dossier["code"]


def test_the_officer_finds_a_dossier_by_code_name_or_id_number(new_page, web_server):
    hoa = received(web_server, "Trương Thị Hoà", "079204012345")
    other = received(web_server, "Lý Văn Đức", "079204054321")
    page = new_page(width=1366, height=768)
    sign_in(page, "desk")
    available = page.locator("#available")
    expect(available.locator("tr", has_text=other)).to_have_count(1)

    page.get_by_label("Tìm hồ sơ").fill("truong thi hoa")  # no accents, found as it is typed
    expect(available.locator("tr", has_text=hoa)).to_have_count(1)
    expect(available.locator("tr", has_text=other)).to_have_count(0)
    expect(page.locator("#search-summary")).to_contain_text("truong thi hoa")

    page.get_by_label("Tìm hồ sơ").fill("054321")
    expect(available.locator("tr", has_text=other)).to_have_count(1)
    expect(available.locator("tr", has_text=hoa)).to_have_count(0)

    page.get_by_label("Tìm hồ sơ").fill(hoa)
    page.get_by_label("Tìm hồ sơ").press("Enter")
    expect(available.locator("tbody tr")).to_have_count(1)
    expect(available).to_contain_text("Trương Thị Hoà")

    page.get_by_label("Tìm hồ sơ").fill("không có ai tên này")
    expect(available).to_contain_text("Không có việc nào đang chờ nhận")
    expect(page.locator("#search-summary")).to_have_text(re.compile("Không có việc nào khớp"))
    assert page.console_errors == []


def test_a_task_takes_one_line_on_a_desk_screen_with_its_actions_in_view(new_page, web_server):
    code = received(web_server, "Nguyễn Hoàng Bảo Ngọc Trâm", "079204033333")
    page = new_page(width=1366, height=768)
    sign_in(page, "desk")
    page.locator("#available tr", has_text=code).get_by_role("button", name=re.compile("Nhận việc")).click()
    row = page.locator("#mine tr", has_text=code)
    line = row.get_by_role("link", name=code).bounding_box()["height"]
    assert row.bounding_box()["height"] < 2.6 * line  # one line of text, with the row's padding
    list_box = page.locator("#mine .table-wrap").bounding_box()
    release = row.get_by_role("button", name="Trả lại việc").bounding_box()
    assert release["x"] + release["width"] <= list_box["x"] + list_box["width"]  # not cut off at the edge


def test_on_a_phone_the_claim_button_is_on_screen_and_the_code_on_one_line(new_page, web_server):
    code = received(web_server, "Nguyễn Hoàng Bảo Ngọc Trâm", "079204044444")
    page = new_page(width=390, height=844)
    sign_in(page, "desk")
    row = page.locator("#available tr", has_text=code)
    claim = row.get_by_role("button", name=re.compile("Nhận việc"))
    box = claim.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= 390  # not off the screen's edge, nor scrolled to
    link = row.get_by_role("link", name=code)
    font = float(link.evaluate("a => getComputedStyle(a).lineHeight").removesuffix("px"))
    assert link.bounding_box()["height"] < 1.5 * font  # the code is not broken over lines
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "inbox-phone")

    claim.click()
    # other tests' tasks may be listed above it: scrolled to (down), it is on the screen, not off its side
    handle = page.locator("#mine tr", has_text=code).get_by_role("link", name="Xử lý")
    handle.scroll_into_view_if_needed()
    expect(handle).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
