"""Every main page checked by axe-core (WCAG 2 A and AA rules) in the browser, signed in as a user
who sees it: no serious or critical violation. The operations on running dossiers too: the
administration page's incidents with one opened, a suspended dossier with an incident on its page,
the designer's migration with a dry run's result, in Vietnamese and in English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import FIXTURES, ROOT
from tests.e2e.test_server import call, login
from tests.e2e.web.conftest import sign_in
from tests.e2e.web.scenarios import deploy, failing_dossier

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGES = [("login", None, "#login-form"), ("inbox", "desk", "#mine table, #mine p"),
         ("desk", "desk", "#checklist label"), ("dashboard", "leader", "main h1"),
         ("admin", "admin", "main h1"), ("designer", "admin", "main h1")]


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const result = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]}});
        return result.violations.filter(v => ["serious", "critical"].includes(v.impact))
            .map(v => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`);
    }""")
    return result


@pytest.fixture
def page_without_csp(browser, web_server):
    """axe is injected as an inline script, which the pages' policy rightly forbids."""
    context = browser.new_context(base_url=web_server, bypass_csp=True, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize(("name", "user", "ready"), PAGES, ids=[p[0] for p in PAGES])
def test_the_page_has_no_serious_accessibility_violation(page_without_csp, name, user, ready):
    page = page_without_csp
    if user is None:
        page.goto(f"/app/{name}")
    else:
        sign_in(page, user, then=f"/app/{name}")
    expect(page.locator(ready).first).to_be_visible()
    assert violations(page) == []


def test_the_dossier_page_has_no_serious_accessibility_violation(page_without_csp):
    page = page_without_csp
    sign_in(page, "desk", then="/app/desk")
    page.get_by_label("Họ và tên").fill("Lê Văn Cường")
    page.get_by_label("Số định danh / CCCD").fill("079204002222")
    page.get_by_label(re.compile("^Đầy đủ, hợp lệ")).check()
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    page.get_by_role("link", name="Mở hồ sơ").click()
    expect(page.locator("#diagram .djs-element").first).to_be_attached()
    assert violations(page) == []


def test_the_operations_on_running_dossiers_have_no_serious_accessibility_violation(page_without_csp, web_server):
    code, incident = failing_dossier(web_server)
    status, _ = call(web_server, "POST", f"/api/v1/dossiers/{code}/suspension", login(web_server, "admin"),
                     body={"reason": "Chờ mức phí mới"})
    assert status == 200
    renamed = (FIXTURES / "bpmn" / "timed_fee.bpmn").read_text(encoding="utf-8").replace(
        'name="Thu lệ phí"', 'name="Thu lệ phí, cấp biên lai"')
    version = deploy(web_server, "timed_fee.bpmn", renamed.encode())["version"]
    page = page_without_csp
    found = {}

    sign_in(page, "admin", then="/app/admin")
    page.goto("/app/admin#incidents")
    page.get_by_role("button", name=f"Xem và xử lý sự cố của hồ sơ {code} tại bước Tính lệ phí").click()
    expect(page.locator("#incident-editor h3")).to_be_focused()
    expect(page.locator("#incidents-log .log-entry").first).to_be_visible()
    page.locator("#incident-editor details.data-editor summary").click()
    found["incidents"] = violations(page)

    page.goto(f"/app/dossiers/{code}")
    expect(page.locator("#suspension-banner")).to_be_visible()
    expect(page.locator("#incident-banner")).to_contain_text(incident["message"][:40])
    expect(page.locator("#operations-log .log-entry").first).to_be_visible()
    expect(page.locator("#diagram .djs-element").first).to_be_attached()
    page.get_by_label("Dạng JSON").first.check()
    found["dossier"] = violations(page)

    page.goto("/app/designer?process=timed_fee")
    page.get_by_role("button", name=f"Chuyển hồ sơ của phiên bản {version - 1} sang phiên bản khác").click()
    form = page.locator("#migration form")
    form.get_by_label("Lý do").fill("Đổi tên bước thu lệ phí")
    form.get_by_role("button", name="Thêm bước tương ứng").click()
    form.get_by_role("button", name="Chạy thử").click()
    expect(form.locator(".migration-report")).to_be_focused()
    found["designer"] = violations(page)

    page.get_by_role("link", name="English").click()
    page.goto("/app/admin#incidents")
    expect(page.get_by_role("heading", name="Incidents", level=2)).to_be_visible()
    expect(page.locator(f"#incident-list tr[data-dossier='{code}']")).to_contain_text("The system tries again at")
    found["incidents in English"] = violations(page)
    assert found == {name: [] for name in found}
