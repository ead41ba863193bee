"""A local OpenID Connect provider standing in for VNeID (through the national portal's single sign-on),
speaking the protocol over HTTP on 127.0.0.1: discovery, a JWKS, the authorization endpoint (a sign-in
form: ID number, password, agree or cancel), the token endpoint and userinfo.

It issues real ID tokens, signed RS256 with its own key (joserfc), and checks what a provider would:
the client and its redirect URI, `response_type=code`, `scope` with openid, a state, a nonce and a PKCE
S256 challenge on the way in; on the token endpoint the client secret (client_secret_basic or _post), a
code used once only, not expired, for the same redirect URI, and the PKCE verifier.

Its citizens sign in with their ID number and a password. The claims carrying the ID number and the
name are `citizen_id` and `name` (as MotCua's defaults read them; the real ones are not published).
With `claims_in_userinfo_only` the ID token carries `sub` alone and the userinfo endpoint the rest
(`userinfo_subject` makes it answer about someone else). A test can spoil the next ID token: `tamper`
(claims overridden, e.g. a wrong nonce, an `exp` in the past) or `sign_with_foreign_key` (a key of the
same id that the JWKS does not hold).

The fixture `oidc_provider` starts one for a test; `start_provider()` for a longer-lived one.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote_plus, urlencode, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

LOCALHOST = "127.0.0.1"
CLIENT_ID, CLIENT_SECRET = "motcua-sogddt", "oidc-client-secret-5d1e"  # noqa: S105 - a test credential
KEY_ID = "vneid-test-1"
CITIZENS = {  # ID number -> (password, claims)
    "079204001234": ("vneid-pass-1", {"name": "Nguyễn Văn An", "birthdate": "2004-03-15"}),
    "001190000321": ("vneid-pass-2", {"name": "Trần Thị Bình", "birthdate": "1990-07-02"}),
}
CODE_SECONDS = 60


def new_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"}, private=True)


@dataclass
class Grant:
    """What an authorization code stands for."""

    citizen: str
    redirect_uri: str
    nonce: str
    challenge: str
    issued: float
    used: bool = False


@dataclass
class OidcProvider:
    server: ThreadingHTTPServer
    port: int
    redirect_uris: set[str] = field(default_factory=set)
    key: RSAKey = field(default_factory=new_key)
    tamper: dict = field(default_factory=dict)  # claims overridden in the next ID token
    sign_with_foreign_key: bool = False  # the next ID token is signed with a key the JWKS does not hold
    include_id_number: bool = True
    claims_in_userinfo_only: bool = False  # the ID token carries `sub` alone; userinfo the rest
    userinfo_subject: str | None = None  # a `sub` userinfo answers with instead of the token's
    grants: dict[str, Grant] = field(default_factory=dict)
    access_tokens: dict[str, dict] = field(default_factory=dict)  # token -> claims
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path) received
    token_refusals: list[str] = field(default_factory=list)  # the errors the token endpoint answered
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def issuer(self) -> str:
        return f"http://{LOCALHOST}:{self.port}/sso"

    def metadata(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": ["openid"],
            "claims_supported": ["sub", "citizen_id", "name", "birthdate"],
        }

    def environment(self) -> dict[str, str]:
        """The variables that point a MotCua server at this provider."""
        return {"MOTCUA_OIDC_ISSUER": self.issuer, "MOTCUA_OIDC_CLIENT_ID": CLIENT_ID,
                "MOTCUA_OIDC_CLIENT_SECRET": CLIENT_SECRET}

    # --- the endpoints ------------------------------------------------------------------------

    def authorize(self, query: dict[str, str]) -> tuple[int, dict, str]:
        """GET /authorize: the sign-in form."""
        problem = self._authorization_problem(query)
        if problem:
            return 400, {}, f"<p>Yêu cầu không hợp lệ: {html.escape(problem)}</p>"
        return 200, {}, sign_in_form(query)

    def sign_in(self, form: dict[str, str]) -> tuple[int, dict, str]:
        """POST /authorize: the citizen's ID number and password, with the request's parameters."""
        problem = self._authorization_problem(form)
        if problem:
            return 400, {}, f"<p>Yêu cầu không hợp lệ: {html.escape(problem)}</p>"
        citizen = CITIZENS.get(form.get("username", ""))
        if citizen is None or not secrets.compare_digest(citizen[0], form.get("password", "")):
            return 200, {}, sign_in_form(form, error="Sai số định danh hoặc mật khẩu")
        if form.get("decision") == "deny":
            return 302, {"Location": _with_query(form["redirect_uri"], error="access_denied",
                                                 state=form["state"])}, ""
        return self._back_with_code(form, form["username"])

    def _authorization_problem(self, query: dict[str, str]) -> str:
        if query.get("client_id") != CLIENT_ID:
            return "client_id"
        if query.get("redirect_uri") not in self.redirect_uris:
            return "redirect_uri chưa đăng ký"
        if query.get("response_type") != "code":
            return "response_type"
        if "openid" not in query.get("scope", "").split():
            return "scope"
        if not query.get("state") or not query.get("nonce"):
            return "state, nonce"
        if query.get("code_challenge_method") != "S256" or len(query.get("code_challenge", "")) < 43:
            return "PKCE S256"
        return ""

    def _back_with_code(self, query: dict[str, str], citizen: str) -> tuple[int, dict, str]:
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.grants[code] = Grant(citizen=citizen, redirect_uri=query["redirect_uri"], nonce=query["nonce"],
                                      challenge=query["code_challenge"], issued=time.monotonic())
        return 302, {"Location": _with_query(query["redirect_uri"], code=code, state=query["state"])}, ""

    def token(self, headers: dict[str, str], form: dict[str, str]) -> tuple[int, dict]:
        """POST /token: the code for tokens."""
        client_id, client_secret = _client_credentials(headers, form)
        if client_id != CLIENT_ID or not secrets.compare_digest(client_secret, CLIENT_SECRET):
            return self._refuse(401, "invalid_client")
        if form.get("grant_type") != "authorization_code":
            return self._refuse(400, "unsupported_grant_type")
        with self.lock:
            grant = self.grants.get(form.get("code", ""))
            if grant is None or grant.used or time.monotonic() - grant.issued > CODE_SECONDS:
                return self._refuse(400, "invalid_grant")
            grant.used = True  # a code is good once, whatever follows
        if form.get("redirect_uri") != grant.redirect_uri:
            return self._refuse(400, "invalid_grant")
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not verifier or not secrets.compare_digest(challenge, grant.challenge):
            return self._refuse(400, "invalid_grant")
        access_token = secrets.token_urlsafe(24)
        claims = self._claims(grant.citizen)
        self.access_tokens[access_token] = claims
        in_token = {"sub": claims["sub"]} if self.claims_in_userinfo_only else claims
        return 200, {"access_token": access_token, "token_type": "Bearer", "expires_in": 300,
                     "id_token": self._id_token(in_token, grant.nonce)}

    def _refuse(self, status: int, error: str) -> tuple[int, dict]:
        self.token_refusals.append(error)
        return status, {"error": error}

    def _claims(self, citizen: str) -> dict:
        claims = {"sub": hashlib.sha256(citizen.encode()).hexdigest()[:24], **CITIZENS[citizen][1]}
        if self.include_id_number:
            claims["citizen_id"] = citizen
        return claims

    def _id_token(self, claims: dict, nonce: str) -> str:
        now = int(time.time())
        payload = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300, "auth_time": now,
                   "nonce": nonce, **claims, **self.tamper}
        key = new_key() if self.sign_with_foreign_key else self.key
        self.tamper, self.sign_with_foreign_key = {}, False
        return jwt.encode({"alg": "RS256", "kid": KEY_ID, "typ": "JWT"}, payload, key)

    def userinfo(self, headers: dict[str, str]) -> tuple[int, dict]:
        token = headers.get("authorization", "").removeprefix("Bearer ")
        claims = self.access_tokens.get(token)
        if not claims:
            return 401, {"error": "invalid_token"}
        return 200, {**claims, "sub": self.userinfo_subject or claims["sub"]}

    def jwks(self) -> dict:
        return KeySet([self.key]).as_dict(private=False)


def _client_credentials(headers: dict[str, str], form: dict[str, str]) -> tuple[str, str]:
    scheme, _, encoded = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            client_id, _, client_secret = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            return "", ""
        return unquote_plus(client_id), unquote_plus(client_secret)
    return form.get("client_id", ""), form.get("client_secret", "")


def _with_query(uri: str, **params: str) -> str:
    return f"{uri}{'&' if urlsplit(uri).query else '?'}{urlencode(params)}"


FORWARDED = ("client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge",
             "code_challenge_method")


def sign_in_form(query: dict[str, str], error: str = "") -> str:
    hidden = "".join(f'<input type="hidden" name="{name}" value="{html.escape(query.get(name, ""))}">'
                     for name in FORWARDED)
    alert = f'<p role="alert">{html.escape(error)}</p>' if error else ""
    return f"""<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>VNeID (thử nghiệm)</title></head>
<body><main><h1>Đăng nhập VNeID (máy chủ thử nghiệm)</h1>{alert}
<form method="post">{hidden}
<label for="username">Số định danh cá nhân</label><input id="username" name="username">
<label for="password">Mật khẩu</label><input id="password" name="password" type="password">
<button type="submit" name="decision" value="allow">Đồng ý và đăng nhập</button>
<button type="submit" name="decision" value="deny">Huỷ</button>
</form></main></body></html>"""


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server hook
        provider: OidcProvider = self.server.provider
        parts = urlsplit(self.path)
        provider.requests.append(("GET", parts.path))
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        headers = {k.lower(): v for k, v in self.headers.items()}
        base = urlsplit(provider.issuer).path
        if parts.path == f"{base}/.well-known/openid-configuration":
            self._json(200, provider.metadata())
        elif parts.path == f"{base}/jwks":
            self._json(200, provider.jwks())
        elif parts.path == f"{base}/authorize":
            self._page(*provider.authorize(query))
        elif parts.path == f"{base}/userinfo":
            self._json(*provider.userinfo(headers))
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self):  # noqa: N802 - http.server hook
        provider: OidcProvider = self.server.provider
        path = urlsplit(self.path).path
        provider.requests.append(("POST", path))
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8", "replace")
        form = {k: v[0] for k, v in parse_qs(raw).items()}
        headers = {k.lower(): v for k, v in self.headers.items()}
        base = urlsplit(provider.issuer).path
        if path == f"{base}/authorize":
            self._page(*provider.sign_in(form))
        elif path == f"{base}/token":
            self._json(*provider.token(headers, form))
        else:
            self._json(404, {"error": "not_found"})

    def _json(self, status: int, body: dict) -> None:
        self._send(status, {"Content-Type": "application/json", "Cache-Control": "no-store"},
                   json.dumps(body, ensure_ascii=False).encode())

    def _page(self, status: int, headers: dict, body: str) -> None:
        self._send(status, {"Content-Type": "text/html; charset=utf-8", **headers}, body.encode())

    def _send(self, status: int, headers: dict, payload: bytes) -> None:
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass

    def log_message(self, format, *args):  # noqa: A002 - signature of http.server
        pass


def start_provider() -> tuple[OidcProvider, threading.Thread]:
    server = ThreadingHTTPServer((LOCALHOST, 0), Handler)
    provider = OidcProvider(server=server, port=server.server_address[1])
    server.provider = provider
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return provider, thread


def stop_provider(provider: OidcProvider, thread: threading.Thread) -> None:
    provider.server.shutdown()
    provider.server.server_close()
    thread.join(5)


@pytest.fixture
def oidc_provider() -> Iterator[OidcProvider]:
    """The identity provider's double on 127.0.0.1 and a free port; stopped after the test."""
    provider, thread = start_provider()
    yield provider
    stop_provider(provider, thread)
