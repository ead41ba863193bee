"""An applicant, in a real browser, signs in through the VNeID double (a real OpenID provider on
127.0.0.1, its sign-in form and RS256-signed ID tokens) to a real `motcua serve` configured for it,
finds the online form filled with their name and ID number, files a dossier and sees it among their
own; then signs out. The pages pass axe's WCAG 2 A/AA rules."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.conftest import BPMN_MODELS
from tests.e2e.test_server import cli, running_server
from tests.e2e.web.conftest import screenshot
from tests.e2e.web.test_accessibility import violations
from tests.oidc_double import CITIZENS, start_provider, stop_provider
from tests.servers import free_port

CITIZEN = "001190000321"  # Trần Thị Bình


@pytest.fixture(scope="module")
def provider():
    provider, thread = start_provider()
    yield provider
    stop_provider(provider, thread)


@pytest.fixture(scope="module")
def applicant_server(tmp_path_factory, provider):
    """A served MotCua with the demo data, whose applicants sign in at the provider's double."""
    data = tmp_path_factory.mktemp("applicant-server")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(MOTCUA_DATA_DIR=str(data), PORT=str(port), MOTCUA_WORKERS="2", MOTCUA_SCHEDULER="off",
               MOTCUA_PUBLIC_URL=f"http://127.0.0.1:{port}", **provider.environment())
    provider.redirect_uris.add(f"http://127.0.0.1:{port}/nguoi-nop/dang-nhap/xong")
    cli(env, "migrate")
    cli(env, "deploy-models", str(BPMN_MODELS))
    cli(env, "seed-demo")
    with running_server(env) as base:
        yield base


@pytest.fixture
def page(browser, applicant_server):
    context = browser.new_context(base_url=applicant_server, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_an_applicant_signs_in_with_vneid_files_a_dossier_and_finds_it_among_their_own(page, provider,
                                                                                        applicant_server):
    page.goto("/nguoi-nop/")
    expect(page.get_by_role("heading", name="Nộp và theo dõi hồ sơ trực tuyến")).to_be_visible()
    screenshot(page, "applicant-welcome")
    page.get_by_role("link", name="Đăng nhập bằng VNeID").click()

    page.wait_for_url(lambda url: url.startswith(provider.issuer + "/authorize"))
    page.get_by_label("Số định danh cá nhân").fill(CITIZEN)
    page.get_by_label("Mật khẩu").fill(CITIZENS[CITIZEN][0])
    page.get_by_role("button", name="Đồng ý và đăng nhập").click()

    page.wait_for_url(lambda url: urlsplit(url).path == "/nguoi-nop/" and url.startswith(applicant_server))
    expect(page.get_by_role("heading", name="Hồ sơ của tôi")).to_be_visible()
    expect(page.locator("#applicant-name")).to_have_text("Trần Thị Bình")
    expect(page.locator("#applicant-id-number")).to_have_text(CITIZEN)
    expect(page.get_by_text("Chưa có hồ sơ nào mang số định danh của Ông/Bà.")).to_be_visible()

    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    expect(page.get_by_label("Họ và tên")).to_have_value("Trần Thị Bình")
    expect(page.get_by_label("Số định danh cá nhân")).to_have_value(CITIZEN)
    expect(page.get_by_label("Số định danh cá nhân")).not_to_be_editable()
    page.get_by_label("Thủ tục").select_option("CAP_BAN_SAO_VAN_BANG")
    page.get_by_label("Số điện thoại").fill("0987 654 321")
    page.get_by_label("Nội dung đề nghị (không bắt buộc)").fill("Cấp bản sao bằng tốt nghiệp THPT năm 2008")
    screenshot(page, "applicant-form")
    page.get_by_role("button", name="Gửi hồ sơ").click()

    status = page.get_by_role("status")
    expect(status).to_contain_text("Hồ sơ đã được gửi")
    code = status.locator("strong").inner_text()
    row = page.get_by_role("row").filter(has_text=code)
    expect(row).to_contain_text("Cấp bản sao văn bằng, chứng chỉ từ sổ gốc")
    expect(row).to_contain_text("Mới đăng ký")
    screenshot(page, "applicant-own-dossiers")

    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_text("Ông/Bà đã đăng xuất.")).to_be_visible()
    page.goto("/nguoi-nop/nop-ho-so")  # signed out: sent to sign in again
    page.wait_for_url(lambda url: url.startswith(provider.issuer + "/authorize"))


def test_a_refused_sign_in_ends_on_a_page_that_says_why(page, provider):
    page.goto("/nguoi-nop/dang-nhap")
    page.get_by_label("Số định danh cá nhân").fill(CITIZEN)
    page.get_by_label("Mật khẩu").fill(CITIZENS[CITIZEN][0])
    provider.sign_with_foreign_key = True
    page.get_by_role("button", name="Đồng ý và đăng nhập").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Không xác minh được chữ ký của thông tin định danh. Vì an toàn, Ông/Bà chưa được đăng nhập.")
    screenshot(page, "applicant-sign-in-refused")


def test_the_applicant_pages_pass_axe(browser, applicant_server, provider):
    context = browser.new_context(base_url=applicant_server, bypass_csp=True, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    try:
        page.goto("/nguoi-nop/")
        assert violations(page) == []
        page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
        page.get_by_label("Số định danh cá nhân").fill(CITIZEN)
        page.get_by_label("Mật khẩu").fill(CITIZENS[CITIZEN][0])
        page.get_by_role("button", name="Đồng ý và đăng nhập").click()
        expect(page.get_by_role("heading", name="Hồ sơ của tôi")).to_be_visible()
        assert violations(page) == []
        page.goto("/nguoi-nop/nop-ho-so")
        assert violations(page) == []
    finally:
        context.close()
