"""An administrator's operations on running dossiers in a browser, against a real server with its
scheduler: an incident (a timer into a failing script) in the administration page's "Sự cố" section,
retried with corrected data; a failing gateway skipped from the dossier's page, its way chosen; a
dossier suspended and resumed from its page; a move refused with the reason, then made by choosing
the step on the diagram; a designer's migration, dry run first, from the versions list (a step the
new version drops refuses a dossier until it is mapped), and its revert from the dossier's page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.conftest import FIXTURES
from tests.e2e.test_server import call, login
from tests.e2e.web.conftest import screenshot, sign_in
from tests.e2e.web.scenarios import (
    FEE_PROCEDURE,
    GATEWAY_PROCEDURE,
    TWO_STEPS_PROCEDURE,
    complete,
    deploy,
    ensure_procedure,
    failing_dossier,
    open_tasks,
    receive,
)

# what a refusal the page expects leaves in the browser's console (Chromium reports failed responses)
REFUSED = re.compile(r"Failed to load resource: the server responded with a status of 422")


def incident_now(base: str, code: str) -> dict:
    incidents = call(base, "GET", f"/api/v1/incidents?procedure_code={FEE_PROCEDURE}", login(base, "admin"))[1]
    return next(i for i in incidents if i["dossier_code"] == code)


def unexpected(page) -> list[str]:
    return [m for m in page.console_errors if not REFUSED.search(m)]


def test_an_incident_is_listed_in_the_admin_page_and_retried_with_corrected_data(new_page, web_server):
    code, incident = failing_dossier(web_server)
    page = new_page()
    sign_in(page, "admin", then="/app/admin")
    page.get_by_role("link", name="Sự cố").click()
    row = page.locator(f"#incident-list tr[data-dossier='{code}']")
    expect(row).to_contain_text("Tính lệ phí")
    expect(row).to_contain_text("compute_fee")
    expect(row).to_contain_text("base_fee")
    expect(row).to_contain_text("Hệ thống sẽ tự thử lại lúc")
    expect(row.get_by_role("link", name=code)).to_have_attribute("href", f"/app/dossiers/{code}")

    page.get_by_label("Thủ tục", exact=True).select_option("CHUYEN_TRUONG_THPT")
    expect(row).to_have_count(0)
    page.get_by_label("Thủ tục", exact=True).select_option(FEE_PROCEDURE)
    expect(row).to_be_visible()
    screenshot(page, "admin-incidents")

    row.get_by_role("button", name=f"Xem và xử lý sự cố của hồ sơ {code} tại bước Tính lệ phí").click()
    editor = page.locator("#incident-editor")
    expect(editor.get_by_role("heading", name=f"Sự cố tại bước “Tính lệ phí” của hồ sơ {code}")).to_be_focused()
    expect(editor.locator(".task-data")).to_contain_text("when")
    expect(editor.locator(".task-data")).to_contain_text(code)
    # the scheduler may already have tried again (after a minute) on a slow machine: the first entry is there
    expect(page.locator("#incidents-log .log-entry", has_text="Phát sinh sự cố")).to_have_count(1)
    retry = editor.locator("form", has=page.get_by_role("heading", name="Thử lại bước lỗi"))

    # a reason first; then a value that does not help: the server says why and counts the attempt
    retry.get_by_role("button", name="Thử lại").click()
    expect(retry.get_by_label("Lý do")).to_have_attribute("aria-invalid", "true")
    retry.get_by_label("Tên của giá trị 1").fill("phi_co_ban")
    retry.get_by_label("Kiểu của phi_co_ban").select_option(label="Số")
    retry.get_by_label("Giá trị của phi_co_ban").fill("15000")
    retry.get_by_label("Lý do").fill("Bổ sung mức phí cơ bản")
    retry.get_by_role("button", name="Thử lại").click()
    alert = retry.get_by_role("alert")
    expect(alert).to_contain_text("Quy trình không thể tiếp tục tại bước 'compute_fee'")
    expect(alert).to_contain_text("base_fee")
    attempts = incident_now(web_server, code)["attempts"]  # the scheduler's own retries count too
    assert attempts >= incident["attempts"] + 1
    expect(editor.locator(".incident-facts")).to_contain_text(f"Số lần đã thử{attempts}")

    # as JSON this time, with the name the script reads
    retry.get_by_label("Dạng JSON").check()
    expect(retry.get_by_label("Nội dung JSON")).to_have_value('{\n  "phi_co_ban": 15000\n}')
    retry.get_by_label("Nội dung JSON").fill('{"base_fee": 15000}')
    retry.get_by_role("button", name="Thử lại").click()

    status = page.locator("#incidents-status")
    expect(status).to_contain_text(f"Đã thử lại bước “Tính lệ phí” của hồ sơ {code}: Đã xử lý (thử lại) — admin lúc")
    expect(editor.locator(".incident-facts")).to_contain_text("Đã xử lý (thử lại) — admin lúc")
    expect(editor.get_by_role("button", name="Thử lại")).to_have_count(0)
    entry = page.locator("#incidents-log .log-entry.is-new", has_text="Thử lại bước lỗi")
    expect(entry).to_contain_text("Lý do: Bổ sung mức phí cơ bản")
    expect(entry).to_contain_text("base_fee: 15000")
    expect(entry.locator(".log-who")).to_contain_text("admin lúc")
    expect(row).to_have_count(0)  # no longer among the unresolved
    screenshot(page, "admin-incident-retried")
    assert "collect" in open_tasks(web_server, code)  # the dossier went on to the next step

    page.get_by_label("Đã xử lý", exact=True).check()
    expect(row).to_contain_text("Đã xử lý (thử lại) — admin lúc")

    status.get_by_role("link", name="Xem mục nhật ký trên trang hồ sơ").click()
    expect(page.locator("#operations-log .log-entry:focus")).to_contain_text("Thử lại bước lỗi")
    expect(page.locator("#incident-banner")).to_have_count(0)
    assert unexpected(page) == []


def test_a_failing_gateway_is_shown_on_the_dossiers_page_and_skipped_with_the_way_chosen(new_page, web_server):
    code, _incident = failing_dossier(web_server, GATEWAY_PROCEDURE)
    desk = new_page()  # every reader of the page is told why the dossier does not move
    sign_in(desk, "desk", then=f"/app/dossiers/{code}")
    expect(desk.locator("#incident-banner")).to_contain_text("Quy trình của hồ sơ gặp sự cố tại bước “Mức phí?”:")
    expect(desk.locator("#incident-banner")).to_contain_text("amount > 0")
    expect(desk.locator("#operations-section")).to_be_hidden()

    page = new_page()
    sign_in(page, "admin", then=f"/app/dossiers/{code}")
    expect(page.locator("#incident-banner")).to_contain_text("Hệ thống sẽ tự thử lại lúc")
    skip = page.locator("#operations-section form", has=page.get_by_role("heading", name="Bỏ qua bước lỗi"))
    way = skip.get_by_label("Hướng đi tiếp theo")
    expect(way.locator("option")).to_have_text(["— Chọn hướng đi —", "Có thu phí → Thu lệ phí (thu_phi)",
                                                "Miễn phí → Miễn lệ phí (mien_phi)"])
    skip.get_by_label("Lý do").fill("Học sinh thuộc diện miễn lệ phí")
    skip.get_by_role("button", name="Bỏ qua bước").click()
    expect(way).to_have_attribute("aria-invalid", "true")
    expect(skip).to_contain_text("Chọn hướng đi tiếp theo của cổng rẽ nhánh.")
    screenshot(page, "dossier-incident")

    way.select_option("mien_phi")
    skip.get_by_text("Giá trị bước lẽ ra tạo ra (không bắt buộc)").click()
    skip.get_by_label("Tên của giá trị 1").fill("amount")
    skip.get_by_label("Kiểu của amount").select_option(label="Số")
    skip.get_by_label("Giá trị của amount").fill("0")
    skip.get_by_role("button", name="Bỏ qua bước").click()

    expect(page.locator("#operations-result")).to_contain_text(
        "Đã bỏ qua bước “Mức phí?”; hồ sơ tiếp tục. Đã xử lý (bỏ qua bước) — admin lúc")
    expect(page.locator("#incident-banner")).to_have_count(0)
    entry = page.locator("#operations-log .log-entry", has_text="Bỏ qua bước lỗi")
    expect(entry).to_contain_text("Hướng đi: Miễn lệ phí (mien_phi)")
    expect(entry).to_contain_text("amount: 0")
    expect(entry).to_contain_text("Lý do: Học sinh thuộc diện miễn lệ phí")
    assert "mien_phi" in open_tasks(web_server, code)
    assert page.console_errors == []


def test_a_dossier_is_suspended_and_resumed_from_its_page_and_everyone_sees_why_it_waits(new_page, web_server):
    code = receive(web_server)
    page = new_page()
    sign_in(page, "admin", then=f"/app/dossiers/{code}")
    panel = page.locator("#operations-section")
    suspend = panel.locator("form", has=page.get_by_role("heading", name="Tạm dừng xử lý"))
    suspend.get_by_role("button", name="Tạm dừng xử lý").click()
    expect(suspend.locator(".field-error")).to_have_text("Nhập lý do của thao tác này (được ghi vào nhật ký).")
    suspend.get_by_label("Lý do").fill("Chờ hướng dẫn của Sở về quy trình mới")
    suspend.get_by_role("button", name="Tạm dừng xử lý").click()

    expect(page.locator("#operations-result")).to_contain_text("Đã tạm dừng xử lý hồ sơ.")
    banner = page.locator("#suspension-banner")
    expect(banner).to_contain_text(
        "Hồ sơ đang tạm dừng xử lý. Quản trị viên (demo) (Văn phòng Sở) [admin] tạm dừng lúc")
    expect(banner).to_contain_text("Lý do: Chờ hướng dẫn của Sở về quy trình mới")
    entry = panel.locator("#operations-log .log-entry").first
    expect(entry).to_contain_text("Tạm dừng xử lý")
    expect(entry).to_have_class(re.compile(r"\bis-new\b"))
    screenshot(page, "dossier-suspended")

    desk = new_page()  # an officer sees why the dossier does not move, and cannot work it
    sign_in(desk, "desk", then=f"/app/dossiers/{code}")
    expect(desk.locator("#suspension-banner")).to_contain_text("Lý do: Chờ hướng dẫn của Sở về quy trình mới")
    expect(desk.locator("#suspension-banner")).to_contain_text("Quản trị viên (demo) (Văn phòng Sở) tạm dừng lúc")
    expect(desk.locator("#operations-section")).to_be_hidden()
    desk.get_by_label("Kết quả kiểm tra").select_option(label="Hồ sơ đầy đủ, hợp lệ — tiếp nhận")
    desk.get_by_role("button", name="Hoàn thành bước này").click()
    expect(desk.locator("#task-form").get_by_role("alert")).to_contain_text("tạm dừng")

    resume = panel.locator("form", has=page.get_by_role("heading", name="Tiếp tục xử lý"))
    expect(resume).to_contain_text("admin tạm dừng lúc")
    resume.get_by_label("Lý do").fill("Đã có hướng dẫn")
    resume.get_by_role("button", name="Tiếp tục xử lý").click()
    expect(page.locator("#operations-result")).to_contain_text("Đã tiếp tục xử lý hồ sơ.")
    expect(banner).to_have_count(0)
    entry = panel.locator("#operations-log .log-entry").first
    expect(entry).to_contain_text("Tiếp tục xử lý")
    expect(entry).to_contain_text("Lý do: Đã có hướng dẫn")
    assert page.console_errors == []


def test_a_move_out_of_the_subprocess_is_refused_with_the_reason_then_a_move_chosen_on_the_diagram_is_made(
        new_page, web_server):
    code = receive(web_server)
    complete(web_server, code, "desk", "check_dossier", {"check_result": "complete"})
    page = new_page()
    sign_in(page, "admin", then=f"/app/dossiers/{code}")
    move = page.locator("#operations-section form", has=page.get_by_role("heading", name="Chuyển bước"))
    expect(move.get_by_label("Từ bước đang thực hiện")).to_have_value("review")

    move.get_by_label("Đến bước").select_option("return_result")
    move.get_by_label("Lý do").fill("Trả kết quả ngay")
    move.get_by_role("button", name="Chuyển bước").click()
    alert = move.get_by_role("alert")
    expect(alert).to_contain_text("Không thực hiện được thao tác sửa quy trình")
    expect(alert).to_contain_text("'return_result' is not in the same process or subprocess as 'review'")
    assert "review" in open_tasks(web_server, code, "specialist")

    check_dossier = page.locator('#diagram .djs-element[data-element-id="check_dossier"]')
    page.get_by_role("button", name="Vừa khung").click()  # the diagram opens readable around the current step
    check_dossier.click()
    expect(move.get_by_label("Đến bước")).to_have_value("check_dossier")
    expect(check_dossier).to_have_class(re.compile(r"\bmove-target\b"))
    move.get_by_label("Lý do").fill("Thiếu học bạ, trả về bộ phận một cửa")
    move.get_by_role("button", name="Chuyển bước").click()

    result = page.locator("#operations-result")
    expect(result).to_contain_text(
        "Đã chuyển hồ sơ từ bước Thẩm định hồ sơ (review) sang bước Kiểm tra hồ sơ (check_dossier).")
    expect(check_dossier).to_have_class(re.compile(r"\bstep-current\b"))
    entry = page.locator("#operations-log .log-entry").first
    expect(entry).to_contain_text("Chuyển bước")
    expect(entry).to_contain_text("Từ Thẩm định hồ sơ (review) sang Kiểm tra hồ sơ (check_dossier)")
    expect(entry).to_contain_text("Lý do: Thiếu học bạ, trả về bộ phận một cửa")
    result.get_by_role("link", name="Xem mục mới trong nhật ký vận hành").click()
    expect(entry).to_be_focused()
    screenshot(page, "dossier-moved")
    assert "check_dossier" in open_tasks(web_server, code)
    assert unexpected(page) == []


def test_a_designer_migrates_dossiers_after_a_dry_run_and_an_administrator_reverts_one(new_page, web_server):
    ensure_procedure(web_server, TWO_STEPS_PROCEDURE, "Thủ tục thử: hai bước", "two_steps")
    first, second = receive(web_server, TWO_STEPS_PROCEDURE), receive(web_server, TWO_STEPS_PROCEDURE)
    complete(web_server, second, "desk", "tiep_nhan")  # at tham_dinh, which version 2 drops
    deployed = call(web_server, "GET", "/api/v1/process-models/two_steps/versions", login(web_server, "admin"))[1]
    old = deployed[0]["version"]
    new = deploy(web_server, "two_steps.bpmn", (FIXTURES / "bpmn" / "two_steps_v2.bpmn").read_bytes())["version"]

    page = new_page()
    sign_in(page, "admin", then="/app/designer")
    page.get_by_role("button", name="Xem các phiên bản của Hai bước (mô hình thử)").click()
    page.get_by_role("button", name=f"Chuyển hồ sơ của phiên bản {old} sang phiên bản khác").click()
    form = page.locator("#migration form")
    expect(form.get_by_role("heading", name=f"Chuyển hồ sơ đang chạy trên phiên bản {old} của “Hai bước (mô hình thử)”")
           ).to_be_focused()
    expect(form.get_by_label("Sang phiên bản")).to_have_value(str(new))
    form.get_by_label("Chỉ các hồ sơ này (không bắt buộc)").fill(f"{first}\n{second}")
    form.get_by_label("Lý do").fill("Quy trình theo Nghị định 118/2025")
    form.get_by_role("button", name="Chạy thử").click()

    report = form.locator(".migration-report.dry")
    expect(report).to_contain_text(f"Kết quả chạy thử từ phiên bản {old} sang phiên bản {new} (chưa thay đổi gì)")
    expect(report.locator(".migrated")).to_have_text(f"1 hồ sơ sẽ được chuyển: {first}")
    expect(report.locator(f"tr[data-code='{second}']")).to_contain_text("tham_dinh")
    versions = page.locator("#versions")
    expect(versions.locator(f"tr[data-version='{old}'] td.number")).to_have_text("2")  # nothing moved yet
    screenshot(page, "designer-migration-dry-run")

    form.get_by_role("button", name=f"Chuyển thật 1 hồ sơ sang phiên bản {new}").click()
    real = form.locator(".migration-report.real")
    expect(real).to_contain_text(f"Đã chuyển từ phiên bản {old} sang phiên bản {new}")
    expect(real.locator(".migrated")).to_have_text(f"1 hồ sơ đã được chuyển: {first}")
    expect(versions.locator(f"tr[data-version='{new}'] td.number")).to_have_text("1")
    expect(versions.locator(f"tr[data-version='{old}'] td.number")).to_have_text("1")

    # the dropped step mapped to one of the new version: the other dossier migrates too
    form.get_by_label("Chỉ các hồ sơ này (không bắt buộc)").fill(second)
    form.get_by_role("button", name="Thêm bước tương ứng").click()
    form.get_by_label("Bước cũ 1").select_option("tham_dinh")
    form.get_by_label("Bước mới 1").select_option("tiep_nhan")
    form.get_by_role("button", name="Chạy thử").click()
    expect(form.locator(".migration-report.dry .migrated")).to_have_text(f"1 hồ sơ sẽ được chuyển: {second}")
    form.get_by_role("button", name=f"Chuyển thật 1 hồ sơ sang phiên bản {new}").click()
    expect(form.locator(".migration-report.real .migrated")).to_have_text(f"1 hồ sơ đã được chuyển: {second}")
    expect(versions.locator(f"tr[data-version='{new}'] td.number")).to_have_text("2")
    screenshot(page, "designer-migration-done")
    assert open_tasks(web_server, second) == ["tiep_nhan"]

    page.goto(f"/app/dossiers/{first}")
    revert = page.locator("#operations-section form", has=page.get_by_role("heading", name="Hoàn tác chuyển phiên bản"))
    expect(revert).to_contain_text(f"Hồ sơ đã được chuyển từ phiên bản {old} sang phiên bản {new} (admin lúc")
    revert.get_by_label("Lý do").fill("Chuyển nhầm hồ sơ")
    revert.get_by_role("button", name="Hoàn tác chuyển phiên bản").click()
    expect(page.locator("#operations-result")).to_contain_text(f"Đã đưa hồ sơ trở lại phiên bản {old}.")
    expect(page.locator("#diagram-version")).to_contain_text(f"phiên bản {old}")
    expect(page.locator("#operations-log .log-entry").first).to_contain_text("Hoàn tác chuyển phiên bản")
    expect(revert).to_have_count(0)
    assert page.console_errors == []
