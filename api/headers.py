"""Security headers on every response.

JSON and files: nothing to run, nothing to frame, no caching of personal data. The public pages
and the applicant area: their own inline styles and forms posting to themselves (the applicant
area's pages, personal, are not cached either). The web pages (/app): their own
scripts only (bpmn-js sets inline styles on the diagram, hence style-src 'unsafe-inline'). The API documentation page:
Swagger UI served by the app itself from node_modules, and the one inline script that starts it, by its hash.
HTTPS deployments (behind a proxy that terminates TLS) also get HSTS.
"""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Flask, Response, request

API_POLICY = "default-src 'none'; frame-ancestors 'none'"
PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
WEB_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
              "font-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
# {inline_scripts}: the hashes of the page's inline scripts (below)
DOCS_POLICY = ("default-src 'none'; script-src 'self' {inline_scripts}; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def init_app(app: Flask) -> None:
    app.after_request(_secure)


def _secure(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.blueprint in ("public_pages", "applicant_pages", "payment_pages"):
        headers.setdefault("Content-Security-Policy", PAGE_POLICY)
    elif request.blueprint == "web":
        headers.setdefault("Content-Security-Policy", WEB_POLICY)
    elif request.endpoint == "api-docs.openapi_swagger_ui":
        headers.setdefault("Content-Security-Policy", _docs_policy(response))
    else:
        headers.setdefault("Content-Security-Policy", API_POLICY)
    if (request.path.startswith("/api/") or request.blueprint == "applicant_pages") and "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def _docs_policy(response: Response) -> str:
    """The documentation page's policy. flask-smorest's template starts Swagger UI with an inline script
    and has no nonce attribute; the page is rendered from that template and the app's configuration
    alone (no request data), so the hash of that script admits it and nothing else: an inline script or
    event handler Swagger UI were tricked into inserting while rendering the OpenAPI document is refused."""
    scripts = INLINE_SCRIPT.findall(response.get_data(as_text=True))
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts)
    return DOCS_POLICY.format(inline_scripts=hashes)
