"""Browser tests: a real `motcua serve` set up as `make run` sets it up (migrate, deploy the bundled
models, seed the demo data), driven by Playwright in Debian's chromium (headless).

One server and one browser per test process; each test opens its own browser context, so a test
signs in as whom it needs and creates the dossiers it works on. Screenshots of the pages go to
tests/artifacts/screenshots (kept by CI as artifacts).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import BPMN_MODELS, ROOT
from tests.e2e.test_server import cli, running_server
from tests.servers import free_port

CHROMIUM = os.environ.get("MOTCUA_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
# what Chromium needs to start as root in a sandboxed machine and to stay off the network
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def web_server(tmp_path_factory):
    """The base URL of a served MotCua with the demo data and the demo certificate, on SQLite as `make run`
    has it."""
    if not (ROOT / "node_modules" / "bpmn-js").is_dir():
        pytest.fail("node_modules/bpmn-js is missing: `make test` installs it (npm ci)")
    data = tmp_path_factory.mktemp("web-server")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(MOTCUA_DATA_DIR=str(data), PORT=str(free_port()), MOTCUA_TIMER_POLL_SECONDS="0.5", MOTCUA_WORKERS="2")
    cli(env, "migrate")
    cli(env, "deploy-models", str(BPMN_MODELS))
    cli(env, "seed-demo")
    cli(env, "make-demo-certificate")  # and signing with it, as `make run` does
    env.update(MOTCUA_SIGNING_PKCS12=str(data / "demo-signing" / "signer.p12"),
               MOTCUA_SIGNING_PKCS12_PASSWORD_FILE=str(data / "demo-signing" / "signer.password"),
               MOTCUA_SIGNING_TRUST_ROOTS=str(data / "demo-signing" / "root.pem"))
    with running_server(env, SERVER_OUTPUT) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)  # as the pages' own default: a loaded CI machine is slow

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(request, browser, web_server):
    """Open pages in fresh browser contexts (no shared sign-in); all are closed after the test. A failed
    test's report shows what its pages logged as errors and the end of the server's output."""
    contexts = []
    request.node.motcua_pages = pages = []

    def open_page(*, width: int = 1280, height: int = 900):
        context = browser.new_context(base_url=web_server, viewport={"width": width, "height": height},
                                      locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        pages.append(page)
        return page

    yield open_page
    for context in contexts:
        context.close()


# What the shared server (`web_server`) has printed: its access log and its errors.
SERVER_OUTPUT: list[str] = []
SERVER_LINES_SHOWN = 80


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test says what its pages logged as errors (an error box's cause is often
    there) and what the server printed last: which requests came, how they were answered."""
    outcome = yield
    report = outcome.get_result()
    pages = getattr(item, "motcua_pages", None)
    if report.when != "call" or not report.failed or pages is None:
        return
    logged = [f"page {index}: {text}" for index, page in enumerate(pages) for text in page.console_errors]
    report.sections.append(("browser console errors", "\n".join(logged) or "(none)"))
    if SERVER_OUTPUT:
        report.sections.append(("server output, last lines", "".join(SERVER_OUTPUT[-SERVER_LINES_SHOWN:])))


def sign_in(page, username: str, password: str = "demo", *, then: str = "/app/inbox"):
    """Sign in through the sign-in page and land on `then`."""
    page.goto(f"/app/login?next={then}")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: urlsplit(url).path == then)


def pick_file(page, label: str, files) -> None:
    """Pick `files` in the file field labelled `label` as a person does: once the page enables it
    (the designer's fields wait for its script, which opens what is picked)."""
    from playwright.sync_api import expect

    field = page.get_by_label(label)
    expect(field).to_be_enabled()
    field.set_input_files(files)


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as a test artifact."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
