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


EVERY_RESPONSE = (("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
                  ("Referrer-Policy", "no-referrer"), ("Cross-Origin-Opener-Policy", "same-origin"),
                  ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"))


def _secure(response: Response) -> Response:
    """Each header added unless the view set it: the names present are read once (Werkzeug's
    `setdefault` scans the headers for each name, on every answer)."""
    headers = response.headers
    present = {name.lower() for name, _ in headers.items()}
    added = [(name, value) for name, value in EVERY_RESPONSE if name.lower() not in present]
    if "content-security-policy" not in present:
        added.append(("Content-Security-Policy", _policy(response)))
    if (request.path.startswith("/api/") or request.blueprint == "applicant_pages") and "cache-control" not in present:
        added.append(("Cache-Control", "no-store"))
    if request.is_secure and "strict-transport-security" not in present:
        added.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    headers.extend(added)
    return response


def _policy(response: Response) -> str:
    if request.blueprint in ("public_pages", "applicant_pages", "payment_pages"):
        return PAGE_POLICY
    if request.blueprint == "web":
        return WEB_POLICY
    if request.endpoint == "api-docs.openapi_swagger_ui":
        return _docs_policy(response)
    return API_POLICY


def _docs_policy(response: Response) -> str:
    """The documentation page's policy. flask-smorest's template starts Swagger UI with an inline script
    and has no nonce attribute; the page is rendered from that template and the app's configuration
    alone (no request data), so the hash of that script admits it and nothing else: an inline script or
    event handler Swagger UI were tricked into inserting while rendering the OpenAPI document is refused."""
    scripts = INLINE_SCRIPT.findall(response.get_data(as_text=True))
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts)
    return DOCS_POLICY.format(inline_scripts=hashes)
