"""The 2025 rules on the dossier page, in a browser against a real server: a leader stops a dossier's
processing on a ground (form 05 then offered to print, the history says it); a commune centre's
desk sends the papers of a dossier it received and the department's desk records their arrival."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.test_server import call, login
from tests.e2e.web.conftest import screenshot, sign_in
from tests.e2e.web.scenarios import APPLICANT
from tests.e2e.web.test_dossier_page import receive, to_review

LETTER = "Công văn số 125/TTr ngày 02/12/2026 của Thanh tra tỉnh."


def test_a_leader_stops_a_dossier_on_a_ground_and_form_05_is_offered(new_page, web_server):
    code = receive(web_server)
    to_review(web_server, code)

    desk = new_page()  # the desk does not stop dossiers (the rules name leaders and administrators)
    sign_in(desk, "desk", then=f"/app/dossiers/{code}")
    expect(desk.locator("#code")).to_have_text(code)
    expect(desk.locator("#facts")).to_contain_text("Người tiếp nhận")
    expect(desk.locator("#stop-section")).to_be_hidden()

    page = new_page()
    sign_in(page, "leader", then=f"/app/dossiers/{code}")
    section = page.locator("#stop-section")
    expect(section).to_be_visible()
    section.get_by_label("Căn cứ dừng giải quyết").select_option("authority_request")
    section.get_by_role("button", name="Dừng giải quyết và lập Mẫu số 05").click()
    expect(section.get_by_role("alert")).to_contain_text("Căn cứ này cần nội dung cụ thể")
    screenshot(page, "dossier-stop")

    section.get_by_label("Nội dung cụ thể").fill(LETTER)
    section.get_by_role("button", name="Dừng giải quyết và lập Mẫu số 05").click()
    expect(page.locator("#badges")).to_contain_text("Dừng xử lý")
    expect(section).to_be_hidden()
    history = page.locator("#history")
    expect(history).to_contain_text(
        "lập thông báo dừng giải quyết hồ sơ (Mẫu số 05), căn cứ: Theo yêu cầu bằng văn bản")
    expect(history).to_contain_text(LETTER)
    expect(page.locator("#print-form")).to_contain_text("Thông báo dừng giải quyết hồ sơ")
    assert page.console_errors == []


def test_a_commune_centre_sends_the_papers_and_the_department_records_their_arrival(new_page, web_server):
    status, dossier = call(web_server, "POST", "/api/v1/dossiers", login(web_server, "deskxa"), body={
        "procedure_code": "CHUYEN_TRUONG_THPT", "channel": "in_person", "applicant": APPLICANT, "data": {}})
    assert status == 201, dossier
    code = dossier["code"]

    centre = new_page()
    sign_in(centre, "deskxa", then=f"/app/dossiers/{code}")
    papers = centre.locator("#papers-section")
    expect(papers).to_contain_text("Hồ sơ được tiếp nhận tại Trung tâm Phục vụ hành chính công xã Phú Mỹ.")
    papers.get_by_label("Cách chuyển").select_option(label="qua bưu chính")
    papers.get_by_role("button", name="Gửi hồ sơ giấy").click()
    expect(papers.get_by_role("alert")).to_contain_text("cần có số vận đơn")
    papers.get_by_label("Số vận đơn").fill("EB123456789VN")
    papers.get_by_role("button", name="Gửi hồ sơ giấy").click()
    expect(papers).to_contain_text("qua bưu chính, số vận đơn EB123456789VN")
    expect(papers).to_contain_text("Hồ sơ giấy đang trên đường chuyển về.")
    screenshot(centre, "dossier-papers-sent")

    department = new_page()
    sign_in(department, "desk", then=f"/app/dossiers/{code}")
    papers = department.locator("#papers-section")
    papers.get_by_role("button", name="Xác nhận đã nhận hồ sơ giấy").click()
    expect(papers).to_contain_text("Cơ quan giải quyết đã nhận hồ sơ giấy lúc")
    expect(department.locator("#history")).to_contain_text("xác nhận đã nhận hồ sơ giấy từ nơi tiếp nhận")
    # before the papers were sent, the centre's page asked for their transfer and was told there is none (404)
    assert [m for m in centre.console_errors if "404" not in m] == [] and department.console_errors == []
