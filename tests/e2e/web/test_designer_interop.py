"""The designer page with a file from another modeller, in a browser at 1366×768: a Camunda Modeler
file's problems all marked on the diagram at once and listed, fixed in the modeler, validated (its
JUEL shown as the Python the engine runs) and deployed; the palette clear of the model and of the
badges; the "valid" verdict gone once the model changes; a first deployment that speaks of no old
version's dossiers."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests.conftest import FIXTURES
from tests.e2e.test_server import call, login
from tests.e2e.web.conftest import pick_file, screenshot, sign_in

JUEL_FILE = FIXTURES / "interop" / "camunda7_juel_method_call_and_composite_conditions.bpmn"
JUEL_PROCESS = "Process_0mc1a2l"
JUEL_NAME = "Điều kiện JUEL gọi phương thức"
REFUSED = re.compile(r"Failed to load resource: the server responded with a status of 422")
HAS_ERROR = re.compile(r"\bhas-error\b")
LATE_RED = "rgb(180, 35, 24)"  # --late, the errors' colour


def element(page, bpmn_id: str):
    return page.locator(f'.djs-element[data-element-id="{bpmn_id}"]')


def palette_overlap(page) -> dict:
    """The palette's right edge and the leftmost edge of the diagram's shapes and badges, on screen."""
    return page.evaluate("""() => {
      const palette = document.querySelector('#canvas .djs-palette').getBoundingClientRect();
      const drawn = [...document.querySelectorAll('#canvas .djs-element.djs-shape .djs-visual, #canvas .problem-badge')]
        .map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0);
      return { palette: palette.right, model: Math.min(...drawn.map((r) => r.left)) };
    }""")


def set_condition(page, flow: str, condition: str) -> None:
    page.get_by_label("Phần tử", exact=True).select_option(flow)
    page.get_by_label("Điều kiện của luồng").fill(condition)
    page.get_by_role("button", name="Áp dụng").click()


def test_a_designer_sees_every_problem_of_a_camunda_file_at_once_fixes_them_and_deploys(new_page, web_server):
    page = new_page(width=1366, height=768)
    sign_in(page, "admin", then="/app/designer")
    pick_file(page, "Mở tệp .bpmn trên máy", JUEL_FILE)
    expect(page.locator("#model-status")).to_have_text(f"Đang mở tệp {JUEL_FILE.name} từ máy.")
    overlap = palette_overlap(page)
    assert overlap["model"] >= overlap["palette"], overlap

    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    result = page.locator("#model-result")
    alert = result.get_by_role("alert")
    expect(alert).to_contain_text(f"Tệp BPMN '{JUEL_FILE.name}' không hợp lệ")
    expect(alert).to_contain_text("2 lỗi và 0 cảnh báo, đã đánh dấu trên sơ đồ")
    problems = alert.locator("li.problem")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("execution.getVariable")
    expect(problems.nth(0)).to_contain_text("(Phần tử Flow_0mc3, dòng 31)")
    expect(problems.nth(1)).to_contain_text("(Phần tử Flow_0mc4, dòng 34)")
    expect(problems.nth(1)).to_contain_text("Cách sửa:")
    for flow in ("Flow_0mc3", "Flow_0mc4"):  # both at once, each drawn red, with its badge
        expect(element(page, flow)).to_have_class(HAS_ERROR)
        stroke = element(page, flow).locator(".djs-visual > path").first.evaluate("e => getComputedStyle(e).stroke")
        assert stroke == LATE_RED, (flow, stroke)
    expect(page.locator(".djs-overlay .problem-badge.error")).to_have_count(2)
    overlap = palette_overlap(page)
    assert overlap["model"] >= overlap["palette"], overlap
    screenshot(page, "designer-interop-problems-1366")
    assert len(page.console_errors) == 1 and REFUSED.search(page.console_errors[0]), page.console_errors
    page.console_errors.clear()

    problems.nth(1).get_by_role("button").click()  # the list takes the reader to the element
    expect(element(page, "Flow_0mc4")).to_have_class(re.compile(r"\bselected\b"))
    expect(page.get_by_label("Phần tử", exact=True)).to_be_focused()
    expect(page.get_by_label("Điều kiện của luồng")).to_have_value("${dat} == false and ${!dat}")

    set_condition(page, "Flow_0mc4", "${!dat}")
    set_condition(page, "Flow_0mc3", "${dat}")
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    verdict = result.locator(".alert.success")
    expect(verdict).to_contain_text("Mô hình hợp lệ, có thể triển khai. Quy trình mới: triển khai sẽ tạo phiên bản 1.")
    expect(page.locator(".djs-overlay .problem-badge")).to_have_count(0)
    expect(element(page, "Flow_0mc3")).not_to_have_class(HAS_ERROR)
    translations = page.locator("#model-translations")
    expect(translations).to_contain_text("2 biểu thức sẽ được chuyển sang Python khi triển khai")
    expect(translations.locator("tbody tr")).to_have_count(2)
    expect(translations.locator("tbody tr").first).to_contain_text("${dat}")
    expect(translations.locator("tbody tr").first).to_contain_text('juel_bool(juel_var("dat"))')
    screenshot(page, "designer-interop-valid-1366")

    # an edit after the verdict: the verdict spoke of the model before it
    page.get_by_label("Phần tử", exact=True).select_option("Gateway_0mc2j3k")
    page.get_by_label("Tên", exact=True).fill("Hồ sơ đạt?")
    page.get_by_role("button", name="Áp dụng").click()
    expect(verdict).to_have_count(0)

    page.get_by_role("button", name="Triển khai phiên bản mới").click()
    deployed = result.locator(".alert.success")
    expect(deployed).to_have_text(f"Đã triển khai “{JUEL_NAME}”, phiên bản 1: quy trình mới; hồ sơ tiếp nhận từ nay "
                                  "chạy theo phiên bản này.")
    expect(translations).to_contain_text("2 biểu thức của phiên bản này được chuyển sang Python")
    expect(page.locator("#model-status")).to_have_text(f"Đang mở “{JUEL_NAME}”, phiên bản 1.")

    # a second version, with no dossier on the first: no word of dossiers staying on an old version
    set_condition(page, "Flow_0mc3", "${dat == true}")
    page.get_by_role("button", name="Triển khai phiên bản mới").click()
    expect(deployed).to_contain_text(f"Đã triển khai phiên bản 2 của “{JUEL_NAME}”")
    expect(deployed).to_contain_text("không có hồ sơ nào đang giải quyết theo các phiên bản trước")
    expect(deployed).not_to_contain_text("vẫn theo phiên bản cũ")

    token = login(web_server, "admin")
    status, version = call(web_server, "GET", f"/api/v1/process-models/{JUEL_PROCESS}/versions/2", token)
    assert status == 200, version
    assert [t["original"] for t in version["translations"]] == ["${dat == true}", "${!dat}"]
    assert 'name="Hồ sơ đạt?"' in version["bpmn_xml"]
    assert page.console_errors == []


FEE_DECISION = "le_phi_ban_sao"
FEE_NAME = "Lệ phí cấp bản sao văn bằng, chứng chỉ từ sổ gốc"


def edit_cell(page, cell_id: str, text: str) -> None:
    cell = page.locator(f'#dmn-canvas td[data-element-id="{cell_id}"]')
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.locator("#dmn-title").click()  # leave the cell


def test_a_designer_edits_a_decision_table_in_the_page_and_deploys_it(new_page, web_server):
    token = login(web_server, "admin")
    status, before = call(web_server, "GET", f"/api/v1/decision-models/{FEE_DECISION}/versions", token)
    assert status == 200, before
    n = before[0]["version"]
    page = new_page(width=1366, height=768)
    sign_in(page, "admin", then="/app/designer")

    page.get_by_role("button", name=f"Mở bảng quyết định {FEE_NAME}, phiên bản {n}").click()
    expect(page.locator("#dmn-status")).to_have_text(f"Đang mở bảng “{FEE_NAME}”, phiên bản {n}.")
    cell = page.locator('#dmn-canvas td[data-element-id="LiteralExpression_tra_cuu"]')
    expect(cell).to_have_text("20000")

    # a cell the engine cannot read: the problem is listed and its cell marked
    edit_cell(page, "UnaryTests_tra_cuu_tra_cuu", "true and")
    expect(page.locator("#dmn-status")).to_contain_text("Có thay đổi chưa triển khai.")
    page.get_by_role("button", name="Kiểm tra bảng quyết định").click()
    alert = page.locator("#dmn-result").get_by_role("alert")
    expect(alert).to_contain_text(f"Tệp DMN '{FEE_DECISION}.dmn' không hợp lệ")
    expect(alert).to_contain_text("1 lỗi và 0 cảnh báo, đã đánh dấu trong bảng")
    expect(alert.locator("li.problem")).to_have_count(1)
    expect(alert).to_contain_text("(Phần tử UnaryTests_tra_cuu_tra_cuu, dòng")
    expect(page.locator('#dmn-canvas td[data-element-id="UnaryTests_tra_cuu_tra_cuu"]')).to_have_class(
        re.compile(r"\bhas-problem\b"))
    screenshot(page, "designer-dmn-problem-1366")
    errors = page.console_errors
    assert len(errors) == 1 and REFUSED.search(errors[0]), errors
    page.console_errors.clear()

    edit_cell(page, "UnaryTests_tra_cuu_tra_cuu", "true")
    edit_cell(page, "LiteralExpression_tra_cuu", "25000")
    page.get_by_role("button", name="Kiểm tra bảng quyết định").click()
    verdict = page.locator("#dmn-result .alert.success")
    expect(verdict).to_contain_text("Bảng quyết định hợp lệ, có thể triển khai.")
    expect(verdict).to_contain_text(f"triển khai sẽ tạo phiên bản {n + 1}")
    expect(verdict).to_contain_text("COLLECT SUM")

    page.get_by_role("button", name="Triển khai bảng quyết định").click()
    expect(page.locator("#dmn-result .alert.success")).to_contain_text(
        f"Đã triển khai phiên bản {n + 1} của bảng “{FEE_NAME}”.")
    expect(page.locator("#dmn-status")).to_have_text(f"Đang mở bảng “{FEE_NAME}”, phiên bản {n + 1}.")
    expect(page.locator(f'#decisions tr[data-decision="{FEE_DECISION}"]')).to_contain_text(str(n + 1))
    screenshot(page, "designer-dmn-1366")

    status, deployed = call(web_server, "GET", f"/api/v1/decision-models/{FEE_DECISION}/versions/{n + 1}", token)
    assert status == 200, deployed
    assert (deployed["deployed_by"], deployed["hit_policy"], deployed["rule_count"]) == ("admin", "COLLECT", 4)
    assert "<text>25000</text>" in deployed["dmn_xml"] and "<text>20000</text>" not in deployed["dmn_xml"]
    assert page.console_errors == []


def test_a_camunda_files_ignored_extensions_are_marked_as_warnings_with_their_reasons(new_page):
    page = new_page(width=1366, height=768)
    sign_in(page, "admin", then="/app/designer")
    pick_file(page, "Mở tệp .bpmn trên máy",
        FIXTURES / "interop" / "camunda7_listeners_io_mappings_async_ignored.bpmn")

    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    result = page.locator("#model-result")
    expect(result.locator(".alert.success")).to_contain_text("Mô hình hợp lệ, có thể triển khai.")
    warnings = result.locator(".alert.warning li.problem")
    expect(warnings).to_have_count(4)
    expect(result.locator(".alert.warning")).to_contain_text("4 cảnh báo (không chặn việc triển khai)")
    review = warnings.filter(has_text="Activity_0kt8g9h")
    expect(review).to_contain_text("listener chạy mã Java hoặc JavaScript mà hệ thống không chạy")
    expect(review).to_contain_text("camunda:asyncBefore (hệ thống chạy mỗi bước trong một giao dịch riêng")
    expect(review.locator(".problem-hint")).to_contain_text("camunda:taskListener: đặt phần xử lý vào một script task")
    expect(page.locator(".djs-overlay .problem-badge.warning")).to_have_count(4)
    expect(element(page, "Activity_0kt8g9h")).to_have_class(re.compile(r"\bhas-warning\b"))
    expect(element(page, "Participant_1ls6e7f")).to_have_class(re.compile(r"\bhas-warning\b"))  # the process's pool

    page.locator('.djs-overlays[data-container-id="Activity_1pd0i1j"] .problem-badge').click()  # to its warning
    expect(warnings.filter(has_text="Activity_1pd0i1j").get_by_role("button")).to_be_focused()
    screenshot(page, "designer-interop-warnings-1366")
    assert page.console_errors == []


def test_a_model_can_be_checked_while_the_page_is_still_loading_its_decision_tables(new_page, web_server):
    """The page's script finishes starting (the decision tables' list) after the designer can already
    open a file and press "Kiểm tra": on a slow connection, or a busy machine, that came first and the
    check failed in the page itself ("Không kết nối được máy chủ")."""
    page = new_page(width=1366, height=768)
    held = []
    page.route(re.compile(r"/api/v1/decision-models(\?.*)?$"), lambda route: held.append(route))  # answered at the end
    sign_in(page, "admin", then="/app/designer")
    pick_file(page, "Mở tệp .bpmn trên máy", JUEL_FILE)
    expect(page.locator("#model-status")).to_have_text(f"Đang mở tệp {JUEL_FILE.name} từ máy.")
    deadline = time.monotonic() + 15  # the page asks for the list once it has listed the processes
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)  # lets Playwright hand the request to the route
    assert held, "the decision tables' list was not asked for"

    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    alert = page.locator("#model-result").get_by_role("alert")
    expect(alert).to_contain_text(f"Tệp BPMN '{JUEL_FILE.name}' không hợp lệ")
    expect(alert.locator("li.problem")).to_have_count(2)

    for route in held:
        route.continue_()
    expect(page.locator("#decisions")).not_to_have_attribute("aria-busy", "true")
    assert all(REFUSED.search(error) for error in page.console_errors), page.console_errors
