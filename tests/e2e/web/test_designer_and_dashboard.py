"""The process designer's and the dashboard's pages in a browser, against a real server with the demo
data: a seed model opened in the bpmn-js modeler, edited, validated, broken (the error marked on its
element), fixed and deployed as the next version; a .bpmn file from disk opened and downloaded; the
quarter's statistics with their chart, table and Excel workbook."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

from lxml import etree
from playwright.sync_api import expect

from tests.conftest import BPMN_MODELS, FIXTURES
from tests.e2e.test_server import call, login
from tests.e2e.web.conftest import pick_file, screenshot, sign_in

TRANSFER = "chuyen_truong_thpt"
TRANSFER_NAME = "Chuyển trường đối với học sinh trung học phổ thông"
REVIEW_TIMER = 'deadline("review")'
BPMN = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
# what the page's expected 422 leaves in the browser's console (Chromium reports failed responses)
REFUSED = re.compile(r"Failed to load resource: the server responded with a status of 422")


def latest_version(base: str, process_id: str) -> dict:
    status, versions = call(base, "GET", f"/api/v1/process-models/{process_id}/versions", login(base, "admin"))
    assert status == 200, versions
    return versions[0]


def choose_element(page, element_id: str) -> None:
    page.get_by_label("Phần tử", exact=True).select_option(element_id)
    expect(page.locator(f'.djs-element[data-element-id="{element_id}"]')).to_have_class(re.compile(r"\bselected\b"))


def test_a_designer_edits_a_seed_model_sees_an_error_on_its_element_and_deploys_the_next_version(new_page, web_server):
    before = latest_version(web_server, TRANSFER)
    n = before["version"]
    page = new_page()
    sign_in(page, "admin", then="/app/designer")

    page.get_by_role("button", name=f"Xem các phiên bản của {TRANSFER_NAME}").click()
    expect(page.get_by_role("heading", name=f"Các phiên bản của “{TRANSFER_NAME}”")).to_be_focused()
    page.get_by_role("button", name=f"Mở phiên bản {n} trong trình thiết kế").click()
    expect(page.locator("#model-status")).to_have_text(f"Đang mở “{TRANSFER_NAME}”, phiên bản {n}.")
    expect(page.locator('.djs-element[data-element-id="review"]')).to_be_visible()
    page.get_by_role("button", name="Kiểm tra", exact=True).click()  # unchanged: it is the version as deployed
    result = page.locator("#model-result")
    expect(result.locator(".alert.success")).to_contain_text(
        f"Giống hệt phiên bản mới nhất ({n}): triển khai sẽ không tạo phiên bản mới.")

    # a name, through the properties form (the modeler's command stack)
    choose_element(page, "End_Signed")
    expect(page.get_by_label("Tên", exact=True)).to_have_value("Đã ký")
    page.get_by_label("Tên", exact=True).fill("Đã ký duyệt")
    page.get_by_role("button", name="Áp dụng").click()
    expect(page.locator("#canvas")).to_contain_text("Đã ký duyệt")
    expect(page.locator("#model-status")).to_contain_text("Có thay đổi chưa triển khai.")

    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    expect(result.locator(".alert.success")).to_contain_text("Mô hình hợp lệ, có thể triển khai.")
    expect(result).to_contain_text(f"triển khai sẽ tạo phiên bản {n + 1}")

    # a timer expression that does not compile: the server names the element, the page marks it
    choose_element(page, "Timer_ReviewOverdue")
    expect(page.get_by_label("Kiểu hẹn giờ")).to_have_value("timeDate")
    expect(page.get_by_label("Biểu thức hẹn giờ")).to_have_value(REVIEW_TIMER)
    page.get_by_label("Biểu thức hẹn giờ").fill('deadline("review"')
    page.get_by_role("button", name="Áp dụng").click()
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    error = result.get_by_role("alert")
    expect(error).to_contain_text("Tệp BPMN 'chuyen_truong_thpt.bpmn' không hợp lệ")
    expect(error).to_contain_text("Phần tử Timer_ReviewOverdue, dòng")
    expect(error).to_contain_text("không phải là Python hợp lệ")
    expect(error).to_contain_text("1 lỗi và 0 cảnh báo")
    timer = page.locator('.djs-element[data-element-id="Timer_ReviewOverdue"]')
    expect(timer).to_have_class(re.compile(r"\bhas-error\b"))
    expect(page.locator(".djs-overlay .problem-badge.error")).to_have_count(1)
    assert len(page.console_errors) == 1 and REFUSED.search(page.console_errors[0]), page.console_errors
    page.console_errors.clear()

    choose_element(page, "End_Signed")
    error.get_by_role("button").click()  # the message takes the reader to the element at fault
    expect(timer).to_have_class(re.compile(r"\bselected\b"))
    expect(page.get_by_label("Phần tử", exact=True)).to_be_focused()
    expect(page.get_by_label("Phần tử", exact=True)).to_have_value("Timer_ReviewOverdue")
    screenshot(page, "designer-error")

    page.get_by_label("Biểu thức hẹn giờ").fill(REVIEW_TIMER)
    page.get_by_role("button", name="Áp dụng").click()
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    expect(result.locator(".alert.success")).to_contain_text("Mô hình hợp lệ")
    expect(timer).not_to_have_class(re.compile(r"\bhas-error\b"))
    expect(page.locator(".djs-overlay .problem-badge")).to_have_count(0)

    status, body = call(web_server, "POST", "/api/v1/dossiers", login(web_server, "desk"), body={
        "procedure_code": "CHUYEN_TRUONG_THPT", "channel": "in_person",  # a dossier that stays on version n
        "applicant": {"full_name": "Lê Văn Bình", "id_number": "079204005555", "phone": "0903555666"}})
    assert status == 201, body
    page.get_by_role("button", name="Triển khai phiên bản mới").click()
    expect(result).to_contain_text(re.compile(
        rf"Đã triển khai phiên bản {n + 1} của “{TRANSFER_NAME}”\. [1-9]\d* hồ sơ đang giải quyết "
        "vẫn theo phiên bản cũ"))
    expect(page.locator("#versions tbody tr").first).to_have_attribute("data-version", str(n + 1))
    expect(page.locator("#versions tbody tr").first).to_contain_text("Đang mở")
    expect(page.locator("#model-status")).to_have_text(f"Đang mở “{TRANSFER_NAME}”, phiên bản {n + 1}.")
    screenshot(page, "designer")

    # what was deployed is the seed model with the one new name: same tasks, lanes and timers
    token = login(web_server, "admin")
    deployed = call(web_server, "GET", f"/api/v1/process-models/{TRANSFER}/versions/{n + 1}", token)[1]
    original = call(web_server, "GET", f"/api/v1/process-models/{TRANSFER}/versions/{n}", token)[1]
    assert (deployed["deployed_by"], deployed["lanes"], deployed["user_tasks"]) == (
        "admin", original["lanes"], original["user_tasks"])
    assert 'name="Đã ký duyệt"' in deployed["bpmn_xml"] and REVIEW_TIMER in deployed["bpmn_xml"]
    assert page.console_errors == []


def test_a_designer_opens_a_bpmn_file_from_disk_and_downloads_it(new_page):
    page = new_page(width=800, height=1000)  # a tablet
    sign_in(page, "admin", then="/app/designer")

    pick_file(page, "Mở tệp .bpmn trên máy",
        files=[{"name": "ghi-chu.bpmn", "mimeType": "application/xml", "buffer": b"<not a diagram"}])
    expect(page.locator("#model-result").get_by_role("alert")).to_contain_text("Không mở được tệp")
    expect(page.get_by_role("button", name="Kiểm tra", exact=True)).to_be_disabled()

    pick_file(page, "Mở tệp .bpmn trên máy", FIXTURES / "bpmn" / "parallel_review.bpmn")
    expect(page.locator("#model-result").get_by_role("alert")).to_contain_text("Tệp không có phần sơ đồ (BPMN DI)")

    pick_file(page, "Mở tệp .bpmn trên máy", BPMN_MODELS / "cap_ban_sao_van_bang.bpmn")
    expect(page.locator("#model-status")).to_have_text("Đang mở tệp cap_ban_sao_van_bang.bpmn từ máy.")
    expect(page.locator("#model-result")).to_be_empty()
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    expect(page.locator("#model-result .alert.success")).to_contain_text("(cap_ban_sao_van_bang)")

    with page.expect_download() as download:
        page.get_by_role("button", name="Tải xuống tệp .bpmn").click()
    assert download.value.suggested_filename == "cap_ban_sao_van_bang.bpmn"
    assert download.value.path().read_bytes() == (BPMN_MODELS / "cap_ban_sao_van_bang.bpmn").read_bytes()

    choose_element(page, "Timer_ReviewOverdue")  # an edit: the download is the diagram as bpmn-js writes it
    page.get_by_label("Kiểu hẹn giờ").select_option("timeDuration")
    page.get_by_label("Biểu thức hẹn giờ").fill('"PT4H"')
    page.get_by_role("button", name="Áp dụng").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải xuống tệp .bpmn").click()
    root = etree.fromstring(download.value.path().read_bytes())
    timer = root.find(".//bpmn:boundaryEvent[@id='Timer_ReviewOverdue']/bpmn:timerEventDefinition", BPMN)
    assert [(etree.QName(child).localname, child.text) for child in timer] == [("timeDuration", '"PT4H"')]
    assert root.find(".//bpmn:process", BPMN).get("id") == "cap_ban_sao_van_bang"

    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    screenshot(page, "designer-tablet")
    assert page.console_errors == []


# --- the dashboard ------------------------------------------------------------------------------

def resolved_and_pending_dossiers(base: str) -> None:
    """Two transfer dossiers received now: one resolved (checked, reviewed, signed), one in progress."""
    tokens = {user: login(base, user) for user in ("desk", "specialist", "leader")}
    codes = []
    for _ in range(2):
        status, dossier = call(base, "POST", "/api/v1/dossiers", tokens["desk"], body={
            "procedure_code": "CHUYEN_TRUONG_THPT", "channel": "in_person",
            "applicant": {"full_name": "Phạm Thị Dung", "id_number": "079204003333", "phone": "0903123456"}})
        assert status == 201, dossier
        codes.append(dossier["code"])
    for user, bpmn_id, data in (("desk", "check_dossier", {"check_result": "complete"}),
                                ("specialist", "review", {"opinion": "approve"}),
                                ("leader", "sign", {"decision": "approve"})):
        tasks = call(base, "GET", f"/api/v1/tasks?dossier_code={codes[0]}", tokens[user])[1]
        task = next(t for t in tasks if t["bpmn_id"] == bpmn_id)
        status, body = call(base, "POST", f"/api/v1/tasks/{task['id']}/complete", tokens[user], body={"data": data})
        assert status == 200, body


def test_a_leader_sees_the_quarter_as_a_chart_and_a_table_and_downloads_the_workbook(new_page, web_server):
    resolved_and_pending_dossiers(web_server)
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    year, quarter = now.year, (now.month - 1) // 3 + 1
    page = new_page()
    sign_in(page, "leader", then="/app/dashboard")

    expect(page.get_by_label("Năm", exact=True)).to_have_value(str(year))
    expect(page.get_by_label("Quý", exact=True)).to_have_value(str(quarter))
    chart = page.get_by_role("img", name=re.compile("Hồ sơ đã giải quyết và đang giải quyết theo thủ tục"))
    expect(chart).to_be_visible()
    report = call(web_server, "GET", f"/api/v1/reports/statistics?quarter={year}-Q{quarter}",
                  login(web_server, "leader"))[1]
    transfer = next(r for r in report["by_procedure"] if r["procedure_code"] == "CHUYEN_TRUONG_THPT")
    assert transfer["received"] >= 2 and transfer["resolved"] >= 1 and transfer["early"] >= 1

    # the chart: a bar per procedure, its numbers in words in its description
    expect(chart.locator("g.bar")).to_have_count(len(report["by_procedure"]))
    description = chart.locator("desc").text_content()
    sentence = (f"{TRANSFER_NAME}: {transfer['early']} trước hạn, {transfer['on_time']} đúng hạn, "
                f"{transfer['late']} quá hạn")
    assert sentence in description
    # the table: the same numbers, a row per procedure and the totals
    table = page.get_by_role("table", name=re.compile("Hồ sơ theo thủ tục"))
    row = table.get_by_role("row", name=re.compile(TRANSFER_NAME))
    cells = row.get_by_role("cell")
    expect(cells.nth(0)).to_have_text(str(transfer["received"]))
    expect(cells.nth(1)).to_contain_text(str(transfer["resolved"]))
    expect(cells.nth(2)).to_contain_text(str(transfer["early"]))
    expect(table.get_by_role("rowheader", name="Tổng cộng")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Trước hạn")).to_be_visible()
    screenshot(page, "dashboard")

    with page.expect_download() as download:
        page.get_by_role("button", name="Tải tệp Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    workbook = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    assert "xl/workbook.xml" in workbook.namelist()
    expect(page.locator("#flash")).to_contain_text(f"Đã tải tệp {download.value.suggested_filename}.")

    page.set_viewport_size({"width": 800, "height": 1000})
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    screenshot(page, "dashboard-tablet")
    assert page.console_errors == []


def test_the_dashboard_shows_a_chosen_quarter_and_refuses_a_year_out_of_range(new_page):
    page = new_page()
    sign_in(page, "clerk", then="/app/dashboard")
    expect(page.get_by_role("img", name=re.compile("theo thủ tục"))).to_be_attached()

    page.get_by_label("Năm", exact=True).fill("2019")
    page.get_by_label("Quý", exact=True).select_option("1")
    page.get_by_role("button", name="Xem thống kê").click()
    expect(page.locator("#report-status")).to_have_text("Quý I năm 2019: từ 01/01/2019 đến 31/03/2019")
    expect(page.get_by_role("heading", name="Biểu đồ theo thủ tục")).to_be_visible()
    expect(page.locator("#chart-title + p")).to_have_text("Không có hồ sơ nào trong kỳ này.")
    assert page.url.endswith("/app/dashboard?year=2019&quarter=1")

    page.get_by_label("Năm", exact=True).fill("1800")
    page.get_by_role("button", name="Xem thống kê").click()
    expect(page.get_by_label("Năm", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#year-error")).to_have_text("Nhập một năm từ 1990 đến 2100.")
    expect(page.get_by_label("Năm", exact=True)).to_be_focused()
    assert page.console_errors == []
