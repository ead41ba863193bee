"""Every main page checked by axe-core (WCAG 2 A and AA rules) in the browser, signed in as a user
who sees it: no serious or critical violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT
from tests.e2e.web.conftest import sign_in

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
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    page.get_by_role("link", name="Mở hồ sơ").click()
    expect(page.locator("#diagram .djs-element").first).to_be_attached()
    assert violations(page) == []
