"""The dossier page as the people who use it every day read it: the leader sees what the specialist
proposed and wrote before signing, the history is told in sentences (Vietnamese and English) with
local times, people are named by their full names and units, the forms menu offers only the forms
that apply, long applicant details wrap, and the diagram is readable and shows the path taken."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_server import call, login
from tests.e2e.web.conftest import screenshot, sign_in
from tests.e2e.web.scenarios import APPLICANT, complete, open_tasks

DESK = "Nguyễn Thị Một Cửa (demo)"
SPECIALIST = "Trần Văn Chuyên Viên (demo)"
LEADER = "Lê Văn Lãnh Đạo (demo)"
NOTE = "Học bạ và giấy giới thiệu khớp nhau; đề nghị tiếp nhận học sinh vào lớp 11A2."
LONG_APPLICANT = {
    "full_name": "Tôn Nữ Hoàng Thị Phương Thảo Nguyên Khánh Linh Ngọc Bích Diệu Huyền",
    "id_number": "079204009999", "phone": "0909123456",
    "email": "ton.nu.hoang.thi.phuong.thao.nguyen.khanh.linh@truong-thpt-chuyen-le-hong-phong.example.edu.vn",
    "address": ("Số 1234/56/78A đường Nguyễn Văn Linh nối dài, Khu phố Mỹ Hưng Riverside, phường Tân Phong, "
                "thành phố Thủ Đức, Thành phố Hồ Chí Minh"),
}


def receive(base: str, applicant: dict | None = None) -> str:
    status, dossier = call(base, "POST", "/api/v1/dossiers", login(base, "desk"), body={
        "procedure_code": "CHUYEN_TRUONG_THPT", "channel": "in_person", "applicant": applicant or APPLICANT,
        "data": {}})
    assert status == 201, dossier
    return dossier["code"]


def to_review(base: str, code: str) -> None:
    """The dossier handed to the specialists (an in-person dossier checked at the desk if the model
    still has the desk check it as a task)."""
    if "check_dossier" in open_tasks(base, code):
        complete(base, code, "desk", "check_dossier", {"check_result": "complete"})
    assert "review" in open_tasks(base, code, "specialist")


def reviewed(base: str, applicant: dict | None = None) -> str:
    code = receive(base, applicant)
    to_review(base, code)
    complete(base, code, "specialist", "review", {"opinion": "approve", "note": NOTE})
    return code


def finished(base: str) -> str:
    code = reviewed(base)
    complete(base, code, "leader", "sign", {"decision": "approve"})
    if "call_applicant" in open_tasks(base, code):
        complete(base, code, "desk", "call_applicant", {"called": True})
    complete(base, code, "desk", "return_result", {"return_method": "in_person"})
    return code


def open_dossier(page, code: str, user: str):
    sign_in(page, user, then=f"/app/dossiers/{code}")
    expect(page.locator("#history tbody tr").first).to_be_visible()


def test_the_leader_sees_the_specialists_proposal_and_opinion_where_he_signs(new_page, web_server):
    code = reviewed(web_server)
    page = new_page(width=1366, height=768)
    open_dossier(page, code, "leader")
    expect(page.locator("#task-name")).to_have_text("Ký duyệt kết quả")
    panel = page.locator("#opinions-section")
    expect(panel).to_be_visible()
    review = panel.locator("li.opinion-step[data-bpmn-id=review]")
    expect(review).to_contain_text("Thẩm định hồ sơ")
    expect(review).to_contain_text(SPECIALIST)
    expect(review.locator("dt", has_text="Đề xuất")).to_be_visible()
    expect(review.locator("dd", has_text="Đề nghị giải quyết")).to_be_visible()
    expect(review.locator("dt", has_text="Ý kiến thẩm định")).to_be_visible()
    expect(review).to_contain_text(NOTE)
    expect(panel).not_to_contain_text("approve")
    # right under the step he signs: he reads it where he signs
    task, below = page.locator("#task-section").bounding_box(), panel.bounding_box()
    assert 0 <= below["y"] - (task["y"] + task["height"]) < 40
    # and the step list says the same
    row = page.locator("#steps tr[data-bpmn-id=review]")
    expect(row.locator("td.step-opinion")).to_contain_text("Đề xuất: Đề nghị giải quyết")
    expect(row.locator("td.step-opinion")).to_contain_text(NOTE)
    screenshot(page, "dossier-in-progress-1366")
    assert not page.console_errors


def test_someone_who_does_not_handle_the_dossier_sees_its_steps_but_not_what_was_written(new_page, web_server):
    code = reviewed(web_server)
    page = new_page()
    sign_in(page, "khaothi", then=f"/app/dossiers/{code}")  # khaothi's unit does not decide transfers
    expect(page.locator("#steps tr[data-bpmn-id=review]")).to_be_visible()
    expect(page.locator("#opinions-section")).to_be_hidden()
    expect(page.locator("#steps")).not_to_contain_text(NOTE)


def test_the_history_is_told_in_sentences_with_local_times_in_vietnamese_and_in_english(new_page, web_server):
    code = receive(web_server)
    to_review(web_server, code)
    complete(web_server, code, "specialist", "review", {
        "opinion": "supplement", "reason": "Thiếu học bạ bản chính",
        "missing_documents": [{"name": "Học bạ THPT", "reason": "chưa có bản chính"}]})
    dossier = call(web_server, "GET", f"/api/v1/dossiers/{code}", login(web_server, "desk"))[1]
    local = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)", dossier["due_at"])
    due = f"{local[4]}:{local[5]} {local[3]}/{local[2]}/{local[1]}"
    page = new_page()
    open_dossier(page, code, "desk")
    history = page.locator("#history")
    expect(history).to_contain_text(f"{DESK} (Bộ phận một cửa")
    expect(history).to_contain_text(f"tiếp nhận hồ sơ (Trực tiếp); hẹn trả kết quả lúc {due}.")
    expect(history).to_contain_text(f"{SPECIALIST} (Phòng Giáo dục trung học) hoàn thành bước “Thẩm định hồ sơ” — "
                                    "Đề xuất: Đề nghị yêu cầu bổ sung hồ sơ")
    expect(history).to_contain_text("lập phiếu yêu cầu bổ sung, hoàn thiện hồ sơ. Giấy tờ cần bổ sung: Học bạ THPT "
                                    "(chưa có bản chính).")
    expect(history).to_contain_text("Hồ sơ chuyển từ “Đang xử lý” sang “Yêu cầu bổ sung”")
    for raw in ("business_key", "bpmn_id", "in_person", "dossier.notice", "supplement_request", "+00:00",
                "desk:", "specialist"):
        expect(history).not_to_contain_text(raw)
    screenshot(page, "dossier-history-vi")

    page.goto(f"/app/language/en?next=/app/dossiers/{code}")
    history = page.locator("#history")
    expect(history).to_contain_text(f"received the dossier (In person); the result is due at {due}.")
    expect(history).to_contain_text(f"{SPECIALIST} (Phòng Giáo dục trung học) completed the step “Thẩm định hồ sơ”")
    expect(history).to_contain_text("issued a request to supplement the dossier. Documents to supplement: Học bạ THPT")
    expect(history).to_contain_text("The dossier moved from “In progress” to “Supplement requested”")
    for raw in ("business_key", "bpmn_id", "in_person", "dossier.notice", "tiếp nhận hồ sơ"):
        expect(history).not_to_contain_text(raw)
    screenshot(page, "dossier-history-en")
    assert not page.console_errors


def test_people_are_named_by_full_name_and_unit_not_by_login(new_page, web_server):
    code = receive(web_server)
    to_review(web_server, code)
    specialist = login(web_server, "specialist")
    task = next(t for t in call(web_server, "GET", f"/api/v1/tasks?dossier_code={code}", specialist)[1]
                if t["bpmn_id"] == "review")
    assert call(web_server, "POST", f"/api/v1/tasks/{task['id']}/claim", specialist)[0] == 200
    page = new_page()
    open_dossier(page, code, "leader")
    facts = page.locator("#facts")
    expect(facts).to_contain_text(f"{DESK} (Bộ phận một cửa")
    expect(facts.locator("dd", has_text=re.compile(r"^desk$"))).to_have_count(0)
    held = page.locator("#steps tr[data-bpmn-id=review]")
    expect(held).to_contain_text(f"(đang do {SPECIALIST} (Phòng Giáo dục trung học) giữ)")
    expect(page.locator("#history")).to_contain_text(f"{SPECIALIST} (Phòng Giáo dục trung học) nhận xử lý bước")
    expect(page.locator("#history td", has_text=re.compile(r"^(desk|specialist|leader)$"))).to_have_count(0)
    # the specialist opening the step he holds reads his own name, not his login
    mine = new_page()
    sign_in(mine, "specialist", then=f"/app/dossiers/{code}")
    mine.goto(f"/app/dossiers/{code}?task={task['id']}")
    expect(mine.locator("#task-holder")).to_have_text(f"(đang do {SPECIALIST} (Phòng Giáo dục trung học) giữ)")


def test_the_forms_menu_offers_only_the_forms_that_apply_and_says_why_the_others_do_not(new_page, web_server):
    code = receive(web_server)
    page = new_page()
    open_dossier(page, code, "desk")
    options = page.locator("#print-form option")
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_have_text(re.compile("Mẫu 01"))
    expect(options.nth(1)).to_have_text(re.compile("Mẫu 06"))
    unavailable = page.locator("#print-unavailable")
    expect(unavailable.locator("li[data-form=refusal]")).to_contain_text("Không áp dụng: Hồ sơ không bị từ chối.")
    expect(unavailable.locator("li[data-form=supplement-request]")).to_contain_text("chưa có yêu cầu bổ sung")
    with page.expect_popup() as receipt:
        page.get_by_role("button", name="Mở bản in").click()
    assert receipt.value.url.startswith("blob:")

    to_review(web_server, code)
    complete(web_server, code, "specialist", "review", {
        "opinion": "supplement", "reason": "Thiếu học bạ",
        "missing_documents": [{"name": "Học bạ THPT", "reason": "chưa có"}]})
    page.reload()
    expect(page.locator("#print-form option", has_text="Mẫu 02")).to_have_count(1)
    expect(page.locator("#print-unavailable li[data-form=supplement-request]")).to_have_count(0)
    page.get_by_label("Biểu mẫu", exact=True).select_option(label="Mẫu 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
    with page.expect_popup() as request:
        page.get_by_role("button", name="Mở bản in").click()
    assert request.value.url.startswith("blob:")
    assert not page.console_errors


def test_long_applicant_details_wrap_inside_their_card_at_1366_px(new_page, web_server):
    code = reviewed(web_server, LONG_APPLICANT)
    page = new_page(width=1366, height=768)
    open_dossier(page, code, "desk")
    card = page.locator("#applicant")
    expect(card).to_contain_text(LONG_APPLICANT["email"])
    clipped = page.evaluate("""() => [...document.querySelectorAll('#applicant dd, #facts dd')].filter((dd) => {
        const box = dd.getBoundingClientRect(), card = dd.closest('.card').getBoundingClientRect();
        return dd.scrollWidth > dd.clientWidth + 1 || box.right > card.right + 1; }).map((dd) => dd.textContent)""")
    assert clipped == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366


def diagram_scale(page) -> float:
    return page.evaluate("""() => { const m = document.querySelector('#diagram .viewport')
        .getAttribute('transform').match(/matrix\\(([^,]+)/); return parseFloat(m[1]); }""")


def inside_the_diagram(page, bpmn_id: str) -> bool:
    return page.evaluate("""(id) => {
        const box = document.querySelector(`#diagram .djs-element[data-element-id="${id}"]`).getBoundingClientRect();
        const frame = document.querySelector('#diagram').getBoundingClientRect();
        return box.left >= frame.left && box.right <= frame.right && box.top >= frame.top && box.bottom <= frame.bottom;
    }""", bpmn_id)


def test_the_diagram_opens_readable_around_the_current_step_and_zooms(new_page, web_server):
    code = reviewed(web_server)
    page = new_page(width=1366, height=768)
    open_dossier(page, code, "leader")
    current = page.locator('#diagram .djs-element[data-element-id="sign"]')
    expect(current).to_have_class(re.compile("step-current"))
    first = diagram_scale(page)
    assert first >= 0.69, first  # fitted whole, this model's labels would be too small to read
    assert inside_the_diagram(page, "sign")
    page.get_by_role("button", name="Phóng to").click()
    assert diagram_scale(page) > first
    page.get_by_role("button", name="Thu nhỏ").click()
    page.get_by_role("button", name="Thu nhỏ").click()
    assert diagram_scale(page) < first
    page.get_by_role("button", name="Cỡ thật").click()
    assert abs(diagram_scale(page) - 1) < 0.01
    page.get_by_role("button", name="Vừa khung").click()
    assert diagram_scale(page) < first
    assert inside_the_diagram(page, "Start_Processing") and inside_the_diagram(page, "sign")
    assert not page.console_errors


def test_a_finished_dossiers_diagram_shows_its_whole_path_not_the_sub_process_box(new_page, web_server):
    code = finished(web_server)
    page = new_page(width=1366, height=768)
    open_dossier(page, code, "desk")
    diagram = page.locator("#diagram")
    expect(diagram.locator('.djs-element[data-element-id="review"]')).to_have_class(re.compile("step-done"))
    # the expanded sub-process's box is not painted; the flows the dossier took are, and only those
    expect(diagram.locator('.djs-element[data-element-id="Processing"]')).not_to_have_class(re.compile("step-done"))
    expect(diagram.locator(".djs-connection.flow-done").first).to_be_attached()
    taken = diagram.locator(".djs-connection.flow-done").count()
    assert 0 < taken < diagram.locator(".djs-connection").count()
    # nothing waits any more: the whole path is shown, from the start to the return
    assert inside_the_diagram(page, "Start_Processing") and inside_the_diagram(page, "return_result")
    screenshot(page, "dossier-finished-1366")
    assert not page.console_errors


def test_the_dossier_page_fits_a_phone_in_progress_and_finished(new_page, web_server):
    for name, code in (("in-progress", reviewed(web_server, LONG_APPLICANT)), ("finished", finished(web_server))):
        page = new_page(width=390, height=844)
        open_dossier(page, code, "leader")
        expect(page.locator("#applicant")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
        screenshot(page, f"dossier-{name}-390")
        assert not page.console_errors
