"""The national portal's integration services over HTTP: a session login, then JSON calls.

As the portal's published clients call it (docs/integrations.md): `POST login_url {"username",
"password"}` answers `{"error_code": 0, "session": "…"}`; every call is `POST url {"session",
"madonvi", "service", …fields}` and succeeds when `error_code` is zero (the portal has been seen
answering 0, "0" and "00": all count). Headers: JSON, `dstcode` when configured, and the province's
LGSP ones (`lgspaccesstoken`; with `client-credentials` also a bearer token bought with it).

A session is kept and used again for `session_seconds`; when the portal says it is no longer valid
(HTTP 401, or an error whose message speaks of the session, "phiên"), the client logs in again and
repeats the call once. Redirects are not followed (credentials stay where they were sent). HTTP goes
through urllib, as for the SMS gateway.

Failures raise `PortalError`: `retryable` for what may pass (the portal or the network down, a
timeout, HTTP 5xx, 408, 429, an answer that is not JSON, a refused login); not retryable for an
answer the portal gives to this call (`error_code` ≠ 0 with its message, HTTP 4xx). Passwords and
tokens never appear in a message.
"""

from __future__ import annotations

import json
import re
import ssl
import threading
import time
import urllib.error
import urllib.request
from http.client import HTTPException

from workflows.setting_parsers import url_for_messages
from workflows.settings import PortalConfig

MAX_ANSWER_BYTES = 256 * 1024
_RETRYABLE_HTTP = frozenset({408, 429})
_SESSION_WORDS = re.compile(r"session|phiên", re.IGNORECASE)
TOKEN_MARGIN = 300.0  # seconds before an LGSP bearer token's end when a new one is bought


class PortalError(Exception):
    """A call that did not succeed; `error_code` and `portal_message` are the portal's own answer."""

    def __init__(self, message: str, *, retryable: bool, error_code: str = "", portal_message: str = "",
                 session_invalid: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.error_code = error_code
        self.portal_message = portal_message
        self.session_invalid = session_invalid


def succeeded(answer: dict) -> bool:
    """Whether the portal's answer says success: an `error_code` that reads as the number zero."""
    code = answer.get("error_code")
    if isinstance(code, bool) or code is None:
        return False
    try:
        return int(str(code).strip()) == 0
    except ValueError:
        return False


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class PortalClient:
    """One account's connection to the portal: its session and LGSP token, shared by the calls of a
    process (`client_for`)."""

    def __init__(self, config: PortalConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._session: tuple[str, float] | None = None  # (session, obtained at, monotonic)
        self._bearer: tuple[str, float] | None = None  # (token, valid until, monotonic)
        self._opener = urllib.request.build_opener(_NoRedirects,
                                                   urllib.request.HTTPSHandler(context=ssl.create_default_context()))

    def call(self, service: str, fields: dict) -> dict:
        """Call `service` with `fields`; the portal's answer when it succeeded. Raises PortalError."""
        try:
            return self._call_once(service, fields)
        except PortalError as error:
            if not error.session_invalid:
                raise
        self.forget_session()
        return self._call_once(service, fields)

    def forget_session(self) -> None:
        with self._lock:
            self._session, self._bearer = None, None

    def _call_once(self, service: str, fields: dict) -> dict:
        body = {"session": self._current_session(), "madonvi": self.config.agency_code, "service": service, **fields}
        answer = self._post(self.config.url, body)
        if succeeded(answer):
            return answer
        code, message = str(answer.get("error_code", "")), self._redacted(_text(answer.get("message")))
        raise PortalError(f"the portal refused {service}: error_code {code or '(none)'}: {message or '(no message)'}",
                          retryable=False, error_code=code, portal_message=message,
                          session_invalid=bool(_SESSION_WORDS.search(message)))

    def _current_session(self) -> str:
        with self._lock:
            if self._session is not None and time.monotonic() - self._session[1] < self.config.session_seconds:
                return self._session[0]
        answer = self._post(self.config.login_url, {"username": self.config.username,
                                                    "password": self.config.password}, login=True)
        session = answer.get("session")
        if not succeeded(answer) or not isinstance(session, str) or not session:
            code, message = str(answer.get("error_code", "")), self._redacted(_text(answer.get("message")))
            # A refused login is the account's or the configuration's fault, not the event's: retried.
            raise PortalError(f"the portal refused the login: error_code {code or '(none)'}: "
                              f"{message or '(no message)'}", retryable=True, error_code=code, portal_message=message)
        with self._lock:
            self._session = (session, time.monotonic())
        return session

    # --- HTTP ----------------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        if self.config.dstcode:
            headers["dstcode"] = self.config.dstcode
        if self.config.lgsp_mode != "none":
            headers["lgspaccesstoken"] = self.config.lgsp_access_token
        if self.config.lgsp_mode == "client-credentials":
            headers["Authorization"] = f"Bearer {self._lgsp_bearer()}"
        return headers

    def _lgsp_bearer(self) -> str:
        """The LGSP's bearer token, bought with the access token (`grant_type=client_credentials`)."""
        with self._lock:
            if self._bearer is not None and time.monotonic() < self._bearer[1]:
                return self._bearer[0]
        request = urllib.request.Request(
            self.config.lgsp_token_url, data=b"grant_type=client_credentials", method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json",
                     "lgspaccesstoken": self.config.lgsp_access_token})
        answer = self._answer(request, self.config.lgsp_token_url, "the LGSP token endpoint")
        token = answer.get("access_token")
        if not isinstance(token, str) or not token:
            raise PortalError("the LGSP token endpoint gave no access_token", retryable=True)
        lifetime = answer.get("expires_in")
        lifetime = float(lifetime) if isinstance(lifetime, int | float) and not isinstance(lifetime, bool) else 3600.0
        with self._lock:
            self._bearer = (token, time.monotonic() + max(lifetime - TOKEN_MARGIN, lifetime / 2))
        return token

    def _post(self, url: str, body: dict, *, login: bool = False) -> dict:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(url, data=data, method="POST", headers=self._headers())
        return self._answer(request, url, "the portal's login" if login else "the portal")

    def _answer(self, request: urllib.request.Request, url: str, what: str) -> dict:
        """The JSON object a 2xx answer carries; every failure as a PortalError."""
        where = f"{what} ({url_for_messages(url)})"
        try:
            with self._opener.open(request, timeout=self.config.timeout) as response:
                raw = response.read(MAX_ANSWER_BYTES)
        except urllib.error.HTTPError as exc:
            try:
                excerpt = self._redacted(_excerpt(exc))
            finally:
                exc.close()
            if exc.code == 401:
                raise PortalError(f"{where} answered HTTP 401{excerpt}", retryable=True, session_invalid=True) from None
            retryable = exc.code >= 500 or exc.code in _RETRYABLE_HTTP
            raise PortalError(f"{where} answered HTTP {exc.code}{excerpt}", retryable=retryable,
                              error_code=f"HTTP {exc.code}", portal_message=excerpt.removeprefix(": ")) from None
        except urllib.error.URLError as exc:
            raise PortalError(f"cannot reach {where}: {type(exc.reason).__name__}: {exc.reason}",
                              retryable=True) from None
        except (OSError, HTTPException) as exc:  # timeouts, resets
            raise PortalError(f"{where} did not answer properly: {type(exc).__name__}: {exc}", retryable=True) from None
        try:
            answer = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            answer = None
        if not isinstance(answer, dict):
            text = self._redacted(" ".join(raw[:300].decode("utf-8", "replace").split()))
            raise PortalError(f"{where} answered something that is not a JSON object: {text!r}", retryable=True)
        return answer

    def _redacted(self, text: str) -> str:
        for secret in (self.config.password, self.config.lgsp_access_token):
            if secret:
                text = text.replace(secret, "***")
        return text


def _excerpt(error: urllib.error.HTTPError) -> str:
    try:
        raw = error.read(500)
    except (OSError, HTTPException):
        return ""
    text = " ".join(raw.decode("utf-8", "replace").split())
    return f": {text}" if text else ""


def _text(value) -> str:
    return " ".join(str(value).split())[:2000] if value is not None else ""


_clients: dict[PortalConfig, PortalClient] = {}
_clients_lock = threading.Lock()


def client_for(config: PortalConfig) -> PortalClient:
    """This process's client for `config`: its session is kept from one delivery to the next."""
    with _clients_lock:
        if config not in _clients:
            _clients[config] = PortalClient(config)
        return _clients[config]
