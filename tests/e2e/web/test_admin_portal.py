"""The national portal's section of the administrator's page, in a browser, against a real server
whose scheduler delivers to the portal's double: a refusal shows with the portal's own answer, and
"Gửi lại" sends it again."""

from __future__ import annotations

import os

from playwright.sync_api import expect

from tests.conftest import BPMN_MODELS
from tests.e2e.test_server import call, cli, login, running_server
from tests.e2e.web.conftest import screenshot, sign_in
from tests.e2e.web.test_accessibility import violations
from tests.portal_double import AGENCY, PASSWORD, USERNAME
from tests.servers import free_port, wait_for

REFUSAL = "Lỗi hệ thống khi đồng bộ: vui lòng thử lại sau"


def test_a_refused_event_shows_the_portals_answer_and_is_sent_again_from_the_page(browser, portal, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(MOTCUA_DATA_DIR=str(tmp_path), PORT=str(free_port()), MOTCUA_OUTBOX_POLL_SECONDS="0.5",
               MOTCUA_PORTAL_URL=portal.config().url, MOTCUA_PORTAL_LOGIN_URL=portal.config().login_url,
               MOTCUA_PORTAL_USERNAME=USERNAME, MOTCUA_PORTAL_PASSWORD=PASSWORD, MOTCUA_PORTAL_AGENCY_CODE=AGENCY,
               MOTCUA_PORTAL_DSTCODE=portal.dstcode)
    cli(env, "migrate")
    cli(env, "deploy-models", str(BPMN_MODELS))
    cli(env, "seed-demo")
    portal.fail_next("error")
    with running_server(env) as base:
        status, dossier = call(base, "POST", "/api/v1/dossiers", login(base, "desk"), body={
            "procedure_code": "CHUYEN_TRUONG_THPT", "channel": "in_person",
            "applicant": {"full_name": "Phạm Thị Dung", "id_number": "079204005555", "phone": "0912000111"}})
        assert status == 201, dossier
        admin = login(base, "admin")

        def events(state: str) -> list:
            return call(base, "GET", f"/api/v1/portal/events?status={state}", admin)[1]["items"]

        assert wait_for(lambda: events("failed"), 20)
        failed = events("failed")[0]

        context = browser.new_context(base_url=base, bypass_csp=True, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        try:
            page = context.new_page()
            sign_in(page, "admin", then="/app/admin")
            page.get_by_role("link", name="Đồng bộ Cổng DVCQG").click()
            section = page.locator("#portal")
            expect(section.get_by_role("heading", name="Đồng bộ Cổng DVCQG")).to_be_focused()
            expect(section.locator("#portal-summary")).to_contain_text(f"mã đơn vị {AGENCY}")
            row = section.locator(f"tr[data-event='{failed['id']}']")
            expect(row).to_contain_text(dossier["code"])
            expect(row).to_contain_text(f"Mã lỗi 99: {REFUSAL}")
            expect(row).to_contain_text("Cổng từ chối")
            assert violations(page) == []
            screenshot(page, "admin-portal")

            row.get_by_role("button", name="Xem nội dung thay đổi").click()
            expect(section.locator(".portal-body")).to_contain_text('"MaTTHC": "2.000875"')
            expect(section.locator(".portal-body")).to_contain_text("*********555")

            row.get_by_role("button", name=f"Gửi lại thay đổi số {failed['id']}").click()
            expect(section.locator("#portal-status")).to_contain_text(f"Đã xếp thay đổi số {failed['id']}")
            expect(section.locator("#portal-log .log-entry").first).to_contain_text("Gửi lại lên Cổng DVCQG")
            assert wait_for(lambda: len(events("sent")) == 2, 20)
        finally:
            context.close()

    assert portal.dossiers[dossier["code"]]["TrangThaiHoSo"] == "2"
    assert [s["NoiDungXuLy"] for s in portal.steps[dossier["code"]]] == ["Tiếp nhận hồ sơ"]
