"""The web pages as the server serves them: shells in the reader's language with no data in them,
their own scripts only, the language switch, the npm packages they load, and the API documentation page."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest

from api import create_app
from api.web import PAGES


@pytest.fixture
def client(app, db_kind):
    if db_kind != "sqlite":
        pytest.skip("the page shells do not touch the database")
    return app.test_client()


@pytest.mark.parametrize("path", ["/app/login", *[f"/app/{name}" for name in PAGES], "/app/dossiers/SGDDT-1"])
def test_every_page_is_served_without_a_token_in_vietnamese_by_default(client, path):
    response = client.get(path)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Đăng xuất" in page or "Đăng nhập" in page
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-eval" not in policy
    assert "<script>" not in page  # no inline script: the policy would block it


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def unclosed_elements(page: str) -> list[str]:
    """The elements of `page` closed out of order or never closed (the browser would nest what follows
    inside them), as "tag at line N"."""
    problems, open_tags = [], []

    class Checker(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag not in VOID:
                open_tags.append((tag, self.getpos()[0]))

        def handle_endtag(self, tag):
            if open_tags and open_tags[-1][0] == tag:
                open_tags.pop()
            else:
                inner = open_tags[-1] if open_tags else "nothing"
                problems.append(f"</{tag}> at line {self.getpos()[0]} closes {inner}")

    Checker().feed(page)
    return problems + [f"<{tag}> at line {line} never closed" for tag, line in open_tags]


@pytest.mark.parametrize("path", ["/app/login", *[f"/app/{name}" for name in PAGES], "/app/dossiers/SGDDT-1"])
def test_every_page_closes_each_element_it_opens(client, path):
    assert unclosed_elements(client.get(path).get_data(as_text=True)) == []


def test_the_language_switch_sets_a_cookie_and_returns_to_the_page(client):
    response = client.get("/app/language/en?next=/app/desk")
    assert (response.status_code, response.headers["Location"]) == (302, "/app/desk")
    assert "motcua_lang=en" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    page = client.get("/app/desk").get_data(as_text=True)
    assert '<html lang="en">' in page and "Reception and result desk" in page


@pytest.mark.parametrize("target", ["//evil.example/app", "https://evil.example/app/inbox", "/api/v1/users"])
def test_the_language_switch_only_goes_back_into_the_pages(client, target):
    response = client.get("/app/language/en", query_string={"next": target})
    assert response.headers["Location"] == "/app/"


def test_an_unknown_language_is_not_found(client):
    assert client.get("/app/language/fr").status_code == 404


def test_the_catalogue_in_the_page_cannot_end_its_script_element(client):
    page = client.get("/app/login").get_data(as_text=True)
    catalogue = page.split('id="catalogue">', 1)[1].split("</script>", 1)[0]
    assert "<" not in catalogue


def test_bpmn_js_is_served_from_the_installed_npm_package_and_nothing_else_is(client):
    response = client.get("/app/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js")
    assert response.status_code == 200 and b"BpmnJS" in response.data
    assert client.get("/app/vendor/bpmn-js/../../package.json").status_code == 404
    assert client.get("/app/vendor/left-pad/index.js").status_code == 404


def test_dmn_js_is_served_from_its_npm_package_for_the_designer_page(client):
    response = client.get("/app/vendor/dmn-js/dmn-modeler.development.js")
    assert response.status_code == 200 and b"DmnJS" in response.data
    assert client.get("/app/vendor/dmn-js/assets/dmn-js-decision-table.css").status_code == 200


def test_the_npm_packages_are_served_from_the_folder_the_settings_name(settings, client, tmp_path):
    dist = tmp_path / "npm" / "bpmn-js" / "dist"
    dist.mkdir(parents=True)
    (dist / "viewer.js").write_text("// the configured copy")
    elsewhere = create_app(settings.with_overrides(node_modules=tmp_path / "npm"))
    missing = create_app(settings.with_overrides(node_modules=tmp_path / "nothing-installed"))
    try:
        served = elsewhere.test_client().get("/app/vendor/bpmn-js/viewer.js")
        assert served.status_code == 200 and served.data == b"// the configured copy"
        assert missing.test_client().get("/app/vendor/bpmn-js/viewer.js").status_code == 503
    finally:
        for app in (elsewhere, missing):
            app.extensions["motcua_engine"].dispose()


def test_the_site_root_leads_to_the_pages(client):
    assert client.get("/").headers["Location"] == "/app/"
    assert client.get("/app/").headers["Location"] == "/app/inbox"


# --- the API documentation (/api/docs): Swagger UI from node_modules, nothing from elsewhere ------

def _referenced_urls(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]*)"', page) + re.findall(r'url: "([^"]*)"', page)


def test_the_api_documentation_page_references_only_the_apps_own_urls(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    urls = _referenced_urls(page)
    assert {"/app/vendor/swagger-ui-dist/swagger-ui-bundle.js", "/app/vendor/swagger-ui-dist/swagger-ui.css",
            "/app/vendor/swagger-ui-dist/swagger-ui-standalone-preset.js", "/api/openapi.json"} <= set(urls)
    assert all(url.startswith("/") and not url.startswith("//") for url in urls), urls
    assert '"validatorUrl": null' in page  # Swagger UI would otherwise fetch a badge from validator.swagger.io


def test_the_api_documentation_policy_names_no_other_host_and_admits_only_the_pages_own_script(client):
    response = client.get("/api/docs")
    policy = response.headers["Content-Security-Policy"]
    sources = {source for directive in policy.split(";") for source in directive.split()[1:]}
    hashes = {source for source in sources if source.startswith("'sha256-")}
    assert sources <= {"'none'", "'self'", "'unsafe-inline'", "data:"} | hashes
    script_src = next(d.split()[1:] for d in policy.split(";") if d.split()[0] == "script-src")
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    inline = re.findall(r"<script>(.*?)</script>", response.get_data(as_text=True), re.DOTALL)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert script_src == ["'self'", f"'sha256-{digest}'"]


@pytest.mark.parametrize(("filename", "content_type", "marker"), [
    ("swagger-ui-bundle.js", "javascript", b"SwaggerUIBundle"),
    ("swagger-ui-standalone-preset.js", "javascript", b"SwaggerUIStandalonePreset"),
    ("swagger-ui.css", "text/css", b".swagger-ui"),
])
def test_swagger_ui_is_served_from_the_installed_npm_package(client, filename, content_type, marker):
    response = client.get(f"/app/vendor/swagger-ui-dist/{filename}")
    assert response.status_code == 200
    assert content_type in response.headers["Content-Type"]
    assert marker in response.data
