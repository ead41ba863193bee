"""An applicant pays a diploma copy's fee from the tracking page, in a real browser, through the payment
platform's double: a served MotCua with online payment configured, the double creating the order,
showing its hosted page, notifying the server and sending the browser back."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.conftest import BPMN_MODELS
from tests.e2e.test_lifecycle_server import complete
from tests.e2e.test_server import call, cli, login, running_server
from tests.e2e.web.conftest import screenshot, sign_in
from tests.payment_double import PaymentDouble
from tests.servers import free_port, wait_for


@pytest.fixture(scope="module")
def platform():
    double = PaymentDouble(port=free_port())
    double.up()
    yield double
    double.down()


@pytest.fixture(scope="module")
def paying_server(tmp_path_factory, platform):
    """A served MotCua with the demo data and online payment to the double, on SQLite."""
    data = tmp_path_factory.mktemp("paying-server")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(MOTCUA_DATA_DIR=str(data), PORT=str(free_port()), MOTCUA_OUTBOX_POLL_SECONDS="0.5", **platform.env())
    cli(env, "migrate")
    cli(env, "deploy-models", str(BPMN_MODELS))
    cli(env, "seed-demo")
    with running_server(env) as base:
        platform.ipn_url = f"{base}/api/v1/payments/ipn"
        status, _ = call(base, "PATCH", "/api/v1/agency", login(base, "admin"), {"public_url": base})
        assert status == 200
        yield base


@pytest.fixture
def paying_page(browser, paying_server):
    context = browser.new_context(base_url=paying_server, viewport={"width": 1024, "height": 800}, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_an_applicant_pays_the_fee_from_the_tracking_page_and_the_dossier_goes_on(paying_server, paying_page, platform):
    base = paying_server
    status, submitted = call(base, "POST", "/api/v1/public/dossiers", None, {
        "procedure_code": "CAP_BAN_SAO_VAN_BANG",
        "applicant": {"full_name": "Võ Thị Hạnh", "id_number": "079300006543", "phone": "0912004321"}})
    assert status == 201, submitted
    code = submitted["code"]
    desk = login(base, "desk")
    complete(base, desk, code, "check_dossier", {"check_result": "complete", "so_ban_sao": 1})
    assert call(base, "GET", f"/api/v1/dossiers/{code}", desk)[1]["status"] == 6
    assert wait_for(lambda: call(base, "GET", f"/api/v1/dossiers/{code}/payments", desk)[1][0]["gateway_status"]
                    == "created", 20)  # the scheduler's outbox created the order at the platform

    page = paying_page
    page.goto(f"/tra-cuu/{code}?check=4321")
    expect(page.get_by_text("Yêu cầu thực hiện nghĩa vụ tài chính")).to_be_visible()
    page.get_by_role("link", name="Nộp lệ phí").click()
    expect(page.get_by_text("5.000 đồng")).to_be_visible()
    screenshot(page, "payment-fee")
    page.get_by_role("link", name="Thanh toán trực tuyến").click()

    expect(page.get_by_role("heading", name="Cổng thanh toán")).to_be_visible()  # the platform's own page
    assert page.url.startswith(platform.base)
    page.get_by_role("button", name="Thanh toán").click()

    expect(page.get_by_role("status")).to_contain_text("đã thành công")
    assert page.url.startswith(f"{base}/thanh-toan/ket-qua")
    screenshot(page, "payment-returned")
    assert platform.notifications[-1][1] == {"RspCode": "00", "Message": "Confirm Success"}
    assert wait_for(lambda: call(base, "GET", f"/api/v1/dossiers/{code}", desk)[1]["status"] == 4, 20)
    [paid] = call(base, "GET", f"/api/v1/dossiers/{code}/payments", desk)[1]
    assert paid["status"] == "paid" and paid["receipts"][0]["method"] == "online"

    page.get_by_role("link", name=f"Tra cứu hồ sơ {code}").click()
    page.get_by_label("4 chữ số cuối").fill("4321")
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_text("Đang xử lý")).to_be_visible()

    # the officers see the receipt on the dossier's page
    sign_in(page, "desk", then=f"/app/dossiers/{code}")
    fees = page.get_by_role("region", name="Lệ phí", exact=True)
    expect(fees).to_contain_text("5.000 đồng — đã nộp")
    expect(fees.get_by_role("row").filter(has_text="Trực tuyến")).to_contain_text(paid["receipts"][0]["transaction_no"])
    screenshot(page, "payment-dossier-fees")


def test_the_payment_pages_and_the_fees_section_have_no_serious_accessibility_violation(browser, paying_server):
    from tests.e2e.web.test_accessibility import violations

    base = paying_server
    status, submitted = call(base, "POST", "/api/v1/public/dossiers", None, {
        "procedure_code": "CAP_BAN_SAO_VAN_BANG",
        "applicant": {"full_name": "Đặng Văn Phúc", "id_number": "079300008765", "phone": "0912008765"}})
    assert status == 201, submitted
    code = submitted["code"]
    complete(base, login(base, "desk"), code, "check_dossier", {"check_result": "complete", "so_ban_sao": 1})
    context = browser.new_context(base_url=base, bypass_csp=True, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(15_000)
    page = context.new_page()  # axe is injected as an inline script, which the pages' policy rightly forbids
    try:
        page.goto(f"/thanh-toan/{code}?check=8765")
        expect(page.get_by_role("link", name="Thanh toán trực tuyến")).to_be_visible()
        assert violations(page) == []
        sign_in(page, "desk", then=f"/app/dossiers/{code}")
        fees = page.get_by_role("region", name="Lệ phí", exact=True)
        expect(fees.get_by_role("button", name="Ghi nhận đã nộp lệ phí tại quầy")).to_be_visible()
        assert violations(page) == []
        fees.get_by_role("button", name="Ghi nhận đã nộp lệ phí tại quầy").click()
        expect(fees).to_contain_text("5.000 đồng — đã nộp")
        expect(fees.get_by_role("row").filter(has_text="Tại quầy")).to_be_visible()
        expect(page.locator("#status-badge")).to_contain_text("4.")
    finally:
        context.close()
