"""The interactive API documentation (/api/docs) in a browser with no way out of the machine: every
request to another host is aborted, and Swagger UI, served by the app from node_modules, still lists
the API's operations, under a policy that lets nothing else run."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.e2e.web.conftest import screenshot


def test_the_api_documentation_lists_the_operations_with_every_other_host_blocked(new_page, web_server):
    page = new_page()
    local = urlsplit(web_server).netloc
    assert local.startswith("127.0.0.1:")
    elsewhere = []

    def only_local(route):
        if urlsplit(route.request.url).netloc == local:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.context.route("**/*", only_local)
    loaded = []
    page.on("requestfinished", lambda request: loaded.append(urlsplit(request.url).path))

    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("MotCua API")
    login = page.locator(".opblock-post", has=page.locator('[data-path="/api/v1/auth/login"]'))
    expect(login).to_be_visible()
    expect(page.locator(".opblock-get", has=page.locator('[data-path="/api/v1/dossiers/{code}"]'))).to_be_visible()
    assert page.locator(".opblock").count() > 50

    login.locator(".opblock-summary-control").click()  # an operation opens, with its request body
    expect(login.locator(".opblock-body")).to_be_visible()
    screenshot(page, "api-docs")

    assert elsewhere == []  # nothing was even attempted outside the machine
    assert {"/app/vendor/swagger-ui-dist/swagger-ui-bundle.js", "/app/vendor/swagger-ui-dist/swagger-ui.css",
            "/api/openapi.json"} <= set(loaded)
    assert page.console_errors == []  # no script, style or image refused by the policy
