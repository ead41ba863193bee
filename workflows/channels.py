"""Delivery channels for notifications: email over SMTP and SMS through an HTTP gateway.

The outbox delivery loop calls `send(config, message)` for one message at a time. It either
returns the provider's message id (or None when the provider gives none) or raises
`DeliveryFailed`, whose `retryable` flag tells the loop whether another attempt can succeed:

* retryable: connection refused or reset, timeouts, TLS and DNS failures, SMTP 4xx replies,
  HTTP 5xx, 408 and 429 from the SMS gateway;
* not retryable: SMTP 5xx replies (a refused recipient, a refused message, failed
  authentication), the server not offering STARTTLS or AUTH when they are configured,
  other HTTP 4xx and 3xx from the SMS gateway, an invalid recipient, an unknown channel
  and a channel that is not configured.

Passwords and tokens never appear in exception messages or logs.

Email
-----
One plain-text UTF-8 message per recipient (`From` = the configured sender, `To` = the
recipient, `Subject`, `Date`, `Message-ID`). The body is sent as quoted-printable or base64,
so servers without 8BITMIME accept it. `use_ssl` connects with implicit TLS (usually port
465); otherwise `starttls` upgrades the connection (usually port 587) and the message is never
sent in clear text when the server does not offer STARTTLS. The client logs in when a
username is set. `send` returns the `Message-ID` header, angle brackets included.

SMS gateway protocol
--------------------
Operators put a small adapter in front of their SMS provider that speaks this protocol::

    POST {MOTCUA_SMS_URL}
    Content-Type: application/json; charset=utf-8
    Accept: application/json
    Authorization: Bearer {MOTCUA_SMS_TOKEN}
        (or, when no token is set and MOTCUA_SMS_USER is, HTTP Basic with
         MOTCUA_SMS_USER and MOTCUA_SMS_PASSWORD)

    {"to": "+84912345678", "message": "<UTF-8 text, Vietnamese with diacritics>",
     "sender": "{MOTCUA_SMS_SENDER}"}

* `to` is always in E.164 form: a Vietnamese mobile number written `0912345678`,
  `84912345678` or `+84 912 345 678` is sent as `+84912345678`. Numbers that are not
  Vietnamese mobile numbers (10 digits starting with 03, 05, 07, 08 or 09) are refused
  before any request is made.
* Any 2xx answer means the provider accepted the message. The answer may carry a JSON object
  `{"id": "<provider message id>"}`; that id is returned by `send`.
* 408, 429 and 5xx mean "try again later"; any other status means the message is refused for
  good. Redirects are not followed (the credentials would travel to another address), so
  configure the final URL.
* The usual proxy variables (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) apply to the request.
* `message` keeps its diacritics; an adapter for a provider that only takes unaccented text
  must strip them itself.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import re
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from http.client import HTTPException
from urllib.parse import urlsplit

__all__ = [
    "CHANNELS",
    "ChannelConfig",
    "DeliveryFailed",
    "EmailConfig",
    "OutgoingMessage",
    "SmsConfig",
    "channel_config_from_env",
    "is_configured",
    "send",
]

log = logging.getLogger(__name__)

CHANNELS = ("email", "sms")

_MAX_GATEWAY_ANSWER_BYTES = 64 * 1024
_MAX_PROVIDER_ID_CHARS = 255  # the outbox's provider_id column
_RETRYABLE_HTTP_STATUSES = frozenset({408, 429})

_EMAIL_PATTERN = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_PHONE_SEPARATORS = re.compile(r"[\s.()-]")
_VIETNAMESE_MOBILE = re.compile(r"(?:\+84|0084|84|0)([35789]\d{8})")
_HEADER_TOKEN = re.compile(r"[\x21-\x7e]+")  # visible ASCII: what can travel in an HTTP header
_TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
_FALSE_WORDS = frozenset({"", "0", "false", "no", "off"})
# Text sent as quoted-printable or base64 instead of raw 8-bit bytes.
_EMAIL_POLICY = policy.SMTP.clone(cte_type="7bit")
# Sent with headers unfolded (up to RFC 5322's 998 characters): CPython's folding of a long UTF-8
# subject into several encoded words drops the space where it splits ("kết quả" -> "kếtquả").
_SENDING_POLICY = _EMAIL_POLICY.clone(max_line_length=998)


@dataclass(frozen=True)
class OutgoingMessage:
    """One notification for one recipient on one channel."""

    channel: str  # "email" | "sms"
    recipient: str  # an email address or a phone number
    subject: str  # used by email; ignored by SMS
    body: str  # plain text, Vietnamese with diacritics


class DeliveryFailed(Exception):
    """A message was not delivered; `retryable` tells whether a later attempt may succeed."""

    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.message = message
        self.retryable = retryable

    def __repr__(self) -> str:
        return f"DeliveryFailed({self.message!r}, retryable={self.retryable})"


@dataclass(frozen=True)
class EmailConfig:
    """How to reach the SMTP server. `use_ssl` (implicit TLS) wins over `starttls`."""

    host: str
    port: int = 25
    sender: str = "motcua@localhost"
    username: str | None = None
    password: str | None = field(default=None, repr=False)  # never shown
    starttls: bool = False
    use_ssl: bool = False
    timeout: float = 10.0


@dataclass(frozen=True)
class SmsConfig:
    """How to reach the SMS gateway (see the protocol in the module docstring)."""

    url: str
    token: str | None = field(default=None, repr=False)  # never shown
    username: str | None = None
    password: str | None = field(default=None, repr=False)  # never shown
    sender: str = ""
    timeout: float = 10.0

    def __repr__(self) -> str:
        """Without the token, the password or a key in the URL's query string."""
        return (f"SmsConfig(url={_url_for_messages(self.url)!r}, username={self.username!r}, "
                f"sender={self.sender!r}, timeout={self.timeout!r})")


@dataclass(frozen=True)
class ChannelConfig:
    """The configured channels; a channel set to None is not available."""

    email: EmailConfig | None = None
    sms: SmsConfig | None = None


def _url_for_messages(url: str) -> str:
    """The URL without credentials, query string or fragment, safe for messages and logs."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        host = f"[{host}]" if ":" in host else host
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<invalid url>"
    return f"{parts.scheme}://{host}{port}{parts.path}"


# ---------------------------------------------------------------------------------------------
# Configuration from the environment


def _text(environ: Mapping[str, str], name: str) -> str | None:
    """The stripped value of a variable; None when it is absent or empty."""
    value = (environ.get(name) or "").strip()
    return value or None


def _secret(environ: Mapping[str, str], name: str) -> str | None:
    """A password or token: kept as written (spaces are significant), None when absent or empty."""
    value = environ.get(name)
    return value if value else None


def _header_token(environ: Mapping[str, str], name: str) -> str | None:
    """A token sent in an HTTP header: visible ASCII only; the value is never echoed."""
    value = _secret(environ, name)
    if value is not None and not _HEADER_TOKEN.fullmatch(value):
        raise ValueError(f"{name} must be visible ASCII characters without spaces")
    return value


def _flag(environ: Mapping[str, str], name: str) -> bool:
    """A yes/no variable: 1/true/yes/on or 0/false/no/off (absent means no)."""
    value = (environ.get(name) or "").strip().lower()
    if value in _TRUE_WORDS:
        return True
    if value in _FALSE_WORDS:
        return False
    raise ValueError(f"{name} must be one of 1/true/yes/on or 0/false/no/off, not {value!r}")


def _port(environ: Mapping[str, str], name: str, default: int) -> int:
    """A TCP port number."""
    value = _text(environ, name)
    if value is None:
        return default
    try:
        port = int(value)
    except ValueError:
        raise ValueError(f"{name} must be a port number, not {value!r}") from None
    if not 1 <= port <= 65535:
        raise ValueError(f"{name} must be between 1 and 65535, not {port}")
    return port


def _timeout(environ: Mapping[str, str], name: str, default: float) -> float:
    """A positive number of seconds."""
    value = _text(environ, name)
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, not {value!r}") from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
    return seconds


def _gateway_url(environ: Mapping[str, str], name: str) -> str | None:
    """An http(s) URL without credentials in it; the value is never echoed (it may hold a key)."""
    value = _text(environ, name)
    if value is None:
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ValueError(f"{name} is not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{name} must be an http:// or https:// URL with a host")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"{name} must not contain credentials; use MOTCUA_SMS_TOKEN or MOTCUA_SMS_USER/PASSWORD")
    return value


def _email_config_from_env(environ: Mapping[str, str]) -> EmailConfig | None:
    """The SMTP settings, or None when MOTCUA_SMTP_HOST is not set."""
    host = _text(environ, "MOTCUA_SMTP_HOST")
    if host is None:
        return None
    sender = _text(environ, "MOTCUA_SMTP_FROM") or EmailConfig.sender
    if "@" not in parseaddr(sender)[1]:
        raise ValueError(f"MOTCUA_SMTP_FROM must be an email address, not {sender!r}")
    starttls = _flag(environ, "MOTCUA_SMTP_STARTTLS")
    use_ssl = _flag(environ, "MOTCUA_SMTP_SSL")
    if starttls and use_ssl:
        raise ValueError("MOTCUA_SMTP_STARTTLS and MOTCUA_SMTP_SSL cannot both be set; choose one")
    return EmailConfig(
        host=host,
        port=_port(environ, "MOTCUA_SMTP_PORT", EmailConfig.port),
        sender=sender,
        username=_text(environ, "MOTCUA_SMTP_USER"),
        password=_secret(environ, "MOTCUA_SMTP_PASSWORD"),
        starttls=starttls,
        use_ssl=use_ssl,
        timeout=_timeout(environ, "MOTCUA_SMTP_TIMEOUT", EmailConfig.timeout),
    )


def _sms_config_from_env(environ: Mapping[str, str]) -> SmsConfig | None:
    """The SMS gateway settings, or None when MOTCUA_SMS_URL is not set."""
    url = _gateway_url(environ, "MOTCUA_SMS_URL")
    if url is None:
        return None
    return SmsConfig(
        url=url,
        token=_header_token(environ, "MOTCUA_SMS_TOKEN"),
        username=_text(environ, "MOTCUA_SMS_USER"),
        password=_secret(environ, "MOTCUA_SMS_PASSWORD"),
        sender=_text(environ, "MOTCUA_SMS_SENDER") or SmsConfig.sender,
        timeout=_timeout(environ, "MOTCUA_SMS_TIMEOUT", SmsConfig.timeout),
    )


def channel_config_from_env(environ: Mapping[str, str]) -> ChannelConfig:
    """Read the channel settings from MOTCUA_SMTP_* and MOTCUA_SMS_* variables.

    A channel whose host (MOTCUA_SMTP_HOST) or URL (MOTCUA_SMS_URL) is absent or empty is left
    unconfigured. A bad value raises ValueError naming the variable (never showing a secret).
    """
    return ChannelConfig(email=_email_config_from_env(environ), sms=_sms_config_from_env(environ))


def is_configured(config: ChannelConfig, channel: str) -> bool:
    """Whether messages can be sent on `channel` (False for an unknown channel)."""
    if channel == "email":
        return config.email is not None
    if channel == "sms":
        return config.sms is not None
    return False


# ---------------------------------------------------------------------------------------------
# Recipients


def _is_valid_email_address(address: str) -> bool:
    """A plain ASCII address `local@domain.tld`, without a display name."""
    return _EMAIL_PATTERN.fullmatch(address) is not None


def _normalise_phone(phone: str) -> str | None:
    """A Vietnamese mobile number in E.164 form (`0912 345 678` -> `+84912345678`); None if it is not one."""
    match = _VIETNAMESE_MOBILE.fullmatch(_PHONE_SEPARATORS.sub("", phone))
    return f"+84{match.group(1)}" if match else None


# ---------------------------------------------------------------------------------------------
# Email


def _sender_address(sender: str) -> str:
    """The bare address of a sender that may carry a display name."""
    return parseaddr(sender)[1] or sender


def _message_id_domain(sender: str) -> str:
    """The domain for Message-ID: the sender's own domain."""
    return _sender_address(sender).rpartition("@")[2] or "localhost"


def _build_email(config: EmailConfig, message: OutgoingMessage) -> EmailMessage:
    """The MIME message for one recipient; subject and body in UTF-8."""
    email = EmailMessage(policy=_EMAIL_POLICY)
    email["From"] = config.sender
    email["To"] = message.recipient
    email["Subject"] = " ".join(message.subject.split())  # no line breaks in a header
    email["Date"] = formatdate(usegmt=True)  # never the server's own zone
    email["Message-ID"] = make_msgid(domain=_message_id_domain(config.sender))
    email.set_content(message.body, charset="utf-8")  # the body is encoded here, in 76-character lines
    email.policy = _SENDING_POLICY
    return email


def _decoded_reply(reply: bytes | str) -> str:
    """An SMTP server reply as text."""
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _smtp_failure(code: int, reply: bytes | str, what: str) -> DeliveryFailed:
    """A failure from an SMTP reply code: 4xx (and no code) is temporary, 5xx is permanent."""
    retryable = not 500 <= code <= 599
    return DeliveryFailed(f"SMTP server {what}: {code} {_decoded_reply(reply)}".strip(), retryable=retryable)


def _refused_recipients_failure(refused: Mapping[str, tuple[int, bytes]]) -> DeliveryFailed:
    """The failure for recipients refused at RCPT TO: temporary only if every refusal is."""
    code, reply = next(iter(refused.values()))
    retryable = all(not 500 <= refusal_code <= 599 for refusal_code, _ in refused.values())
    return DeliveryFailed(f"SMTP server refused the recipient: {code} {_decoded_reply(reply)}".strip(),
                          retryable=retryable)


def _open_smtp(config: EmailConfig) -> smtplib.SMTP:
    """A connected SMTP client: implicit TLS, STARTTLS or clear, then logged in when a username is set."""
    if config.use_ssl:
        client = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout,
                                  context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
    try:
        if config.starttls and not config.use_ssl:
            client.starttls(context=ssl.create_default_context())
        if config.username:
            client.login(config.username, config.password or "")
    except BaseException:
        client.close()
        raise
    return client


def _close_quietly(client: smtplib.SMTP) -> None:
    """Say QUIT after delivery; a failure here must not turn a delivered message into a retry."""
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def _deliver_email(config: EmailConfig, email: EmailMessage, recipient: str) -> None:
    """Hand one message to the SMTP server, translating every failure into DeliveryFailed."""
    try:
        client = _open_smtp(config)
    except smtplib.SMTPAuthenticationError as exc:
        raise _smtp_failure(exc.smtp_code, exc.smtp_error, "refused the login") from exc
    except UnicodeEncodeError:
        # smtplib only sends ASCII credentials; the codec's message would quote the password.
        raise DeliveryFailed("the SMTP username and password must be ASCII", retryable=False) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryFailed(f"SMTP server at {config.host}:{config.port} does not support a configured "
                             f"feature (STARTTLS or AUTH): {exc}", retryable=False) from exc
    except smtplib.SMTPResponseException as exc:
        raise _smtp_failure(exc.smtp_code, exc.smtp_error, "refused the connection") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryFailed(f"cannot reach SMTP server at {config.host}:{config.port}: "
                             f"{type(exc).__name__}: {exc}", retryable=True) from exc
    try:
        refused = client.send_message(email, from_addr=_sender_address(config.sender), to_addrs=[recipient])
    except smtplib.SMTPRecipientsRefused as exc:
        client.close()
        raise _refused_recipients_failure(exc.recipients) from exc
    except smtplib.SMTPSenderRefused as exc:
        client.close()
        raise _smtp_failure(exc.smtp_code, exc.smtp_error, "refused the sender") from exc
    except smtplib.SMTPResponseException as exc:
        client.close()
        raise _smtp_failure(exc.smtp_code, exc.smtp_error, "refused the message") from exc
    except (smtplib.SMTPException, OSError) as exc:
        client.close()
        raise DeliveryFailed(f"SMTP conversation with {config.host}:{config.port} broke off: "
                             f"{type(exc).__name__}: {exc}", retryable=True) from exc
    _close_quietly(client)
    if refused:
        raise _refused_recipients_failure(refused)


def _send_email(config: EmailConfig, message: OutgoingMessage) -> str:
    """Deliver one email; returns its Message-ID header."""
    if not _is_valid_email_address(message.recipient):
        raise DeliveryFailed("invalid email address for the recipient", retryable=False)
    email = _build_email(config, message)
    _deliver_email(config, email, message.recipient)
    return email["Message-ID"]


# ---------------------------------------------------------------------------------------------
# SMS


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Turn every redirect into an HTTPError, so credentials never travel to another address."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _gateway_headers(config: SmsConfig) -> dict[str, str]:
    """Content type and credentials: a bearer token, else HTTP Basic (UTF-8) when a username is set."""
    headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
    if config.token:
        if not _HEADER_TOKEN.fullmatch(config.token):
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
    where = _url_for_messages(config.url)
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


def _send_sms(config: SmsConfig, message: OutgoingMessage) -> str | None:
    """Deliver one SMS through the gateway; returns the provider's id when it gives one."""
    phone = _normalise_phone(message.recipient)
    if phone is None:
        raise DeliveryFailed("the recipient is not a Vietnamese mobile number", retryable=False)
    return _provider_id(_post_to_gateway(config, _build_sms_request(config, phone, message.body)))


# ---------------------------------------------------------------------------------------------
# Entry point


def send(config: ChannelConfig, message: OutgoingMessage) -> str | None:
    """Deliver one message through its channel; returns the provider's message id when it gives one.

    Raises DeliveryFailed; its `retryable` flag says whether a later attempt may succeed.
    """
    if message.channel not in CHANNELS:
        raise DeliveryFailed(f"unknown channel {message.channel!r}", retryable=False)
    if not is_configured(config, message.channel):
        raise DeliveryFailed(f"the {message.channel} channel is not configured", retryable=False)
    if message.channel == "email":
        provider_id = _send_email(config.email, message)
    else:
        provider_id = _send_sms(config.sms, message)
    log.debug("%s delivered (provider id %s)", message.channel, provider_id)
    return provider_id
