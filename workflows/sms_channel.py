"""The SMS channel: one notification through the operators' HTTP gateway.

The protocol (request, authentication, what counts as delivered, retried or refused) is described
for operators in docs/sms-gateway.md; in short: a JSON POST `{"to", "message", "sender"}` with a
bearer token or HTTP Basic, `to` a Vietnamese mobile number in E.164 form; 2xx is delivered (an
`{"id": ...}` answer gives the provider's id), 408, 429 and 5xx are retried, anything else is
refused for good; redirects are not followed.

Failures raise `DeliveryFailed`:
* retryable: connection refused or reset, timeouts, TLS and DNS failures, HTTP 5xx, 408 and 429;
* not retryable: other HTTP 4xx and 3xx answers, a recipient that is not a Vietnamese mobile
  number (refused before any request), a token that cannot travel in a header.
The token, the password and a key in the URL's query string never appear in a failure's message.
"""

from __future__ import annotations

import base64
import json
import re
import ssl
import urllib.error
import urllib.request
from http.client import HTTPException

from workflows.channels import DeliveryFailed, OutgoingMessage
from workflows.setting_parsers import is_header_token, url_for_messages
from workflows.settings import SmsConfig

_MAX_GATEWAY_ANSWER_BYTES = 64 * 1024
_MAX_PROVIDER_ID_CHARS = 255  # the outbox's provider_id column
_RETRYABLE_HTTP_STATUSES = frozenset({408, 429})
_PHONE_SEPARATORS = re.compile(r"[\s.()-]")
_VIETNAMESE_MOBILE = re.compile(r"(?:\+84|0084|84|0)([35789]\d{8})")


def send_sms(config: SmsConfig, message: OutgoingMessage) -> str | None:
    """Deliver one SMS through the gateway; returns the provider's id when it gives one. Raises DeliveryFailed."""
    phone = normalise_phone(message.recipient)
    if phone is None:
        raise DeliveryFailed("the recipient is not a Vietnamese mobile number", retryable=False)
    return _provider_id(_post_to_gateway(config, _build_sms_request(config, phone, message.body)))


def normalise_phone(phone: str) -> str | None:
    """A Vietnamese mobile number in E.164 form (`0912 345 678` -> `+84912345678`); None if it is not one."""
    match = _VIETNAMESE_MOBILE.fullmatch(_PHONE_SEPARATORS.sub("", phone))
    return f"+84{match.group(1)}" if match else None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Turn every redirect into an HTTPError, so credentials never travel to another address."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _gateway_headers(config: SmsConfig) -> dict[str, str]:
    """Content type and credentials: a bearer token, else HTTP Basic (UTF-8) when a username is set."""
    headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
    if config.token:
        if not is_header_token(config.token):
            raise DeliveryFailed("the SMS gateway token must be visible ASCII characters", retryable=False)
        headers["Authorization"] = f"Bearer {config.token}"
    elif config.username:
        pair = f"{config.username}:{config.password or ''}".encode()
        headers["Authorization"] = f"Basic {base64.b64encode(pair).decode('ascii')}"
    return headers


def _build_sms_request(config: SmsConfig, phone: str, body: str) -> urllib.request.Request:
    """The POST to the gateway for one already normalised phone number."""
    payload = json.dumps({"to": phone, "message": body, "sender": config.sender}, ensure_ascii=False)
    return urllib.request.Request(config.url, data=payload.encode("utf-8"), method="POST",
                                  headers=_gateway_headers(config))


def _redacted(text: str, config: SmsConfig) -> str:
    """Text from the gateway with any echoed secret removed."""
    for secret in (config.token, config.password):
        if secret:
            text = text.replace(secret, "***")
    return text


def _answer_excerpt(error: urllib.error.HTTPError, config: SmsConfig) -> str:
    """The start of the gateway's error answer, for the operator."""
    try:
        raw = error.read(500)
    except (OSError, HTTPException):
        return ""
    text = " ".join(raw.decode("utf-8", "replace").split())
    return f": {_redacted(text, config)}" if text else ""


def _provider_id(raw: bytes) -> str | None:
    """The `id` (a string or an integer) of a JSON answer, when there is one; at most 255 characters."""
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if isinstance(answer, dict) and isinstance(answer.get("id"), str | int) and not isinstance(answer["id"], bool):
        return str(answer["id"])[:_MAX_PROVIDER_ID_CHARS] or None
    return None


def _post_to_gateway(config: SmsConfig, request: urllib.request.Request) -> bytes:
    """POST and return the answer body of a 2xx, translating every failure into DeliveryFailed."""
    where = url_for_messages(config.url)
    tls = urllib.request.HTTPSHandler(context=ssl.create_default_context())
    opener = urllib.request.build_opener(_NoRedirects, tls)
    try:
        with opener.open(request, timeout=config.timeout) as response:
            return response.read(_MAX_GATEWAY_ANSWER_BYTES)
    except urllib.error.HTTPError as exc:
        try:
            excerpt = _answer_excerpt(exc, config)
        finally:
            exc.close()
        retryable = exc.code >= 500 or exc.code in _RETRYABLE_HTTP_STATUSES
        raise DeliveryFailed(f"SMS gateway {where} answered HTTP {exc.code}{excerpt}", retryable=retryable) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        raise DeliveryFailed(f"cannot reach SMS gateway {where}: {type(reason).__name__}: {reason}",
                             retryable=True) from exc
    except (OSError, HTTPException) as exc:
        raise DeliveryFailed(f"SMS gateway {where} did not answer properly: {type(exc).__name__}: {exc}",
                             retryable=True) from exc
