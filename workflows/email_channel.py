"""The email channel: one notification over SMTP.

One plain-text UTF-8 message per recipient (`From` = the configured sender, `To` = the
recipient, `Subject`, `Date`, `Message-ID`). The body is sent as quoted-printable or base64,
so servers without 8BITMIME accept it. `use_ssl` connects with implicit TLS (usually port
465); otherwise `starttls` upgrades the connection (usually port 587) and the message is never
sent in clear text when the server does not offer STARTTLS. The client logs in when a
username is set. `send_email` returns the `Message-ID` header, angle brackets included.

Failures raise `DeliveryFailed`:
* retryable: connection refused or reset, timeouts, TLS and DNS failures, SMTP 4xx replies;
* not retryable: SMTP 5xx replies (a refused recipient, a refused message, failed
  authentication), the server not offering STARTTLS or AUTH when they are configured,
  credentials that are not ASCII, an invalid recipient address.
The password never appears in a failure's message.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Mapping
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from workflows.channels import DeliveryFailed, OutgoingMessage
from workflows.settings import EmailConfig

_EMAIL_PATTERN = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
# Text sent as quoted-printable or base64 instead of raw 8-bit bytes.
_EMAIL_POLICY = policy.SMTP.clone(cte_type="7bit")
# Sent with headers unfolded (up to RFC 5322's 998 characters): CPython's folding of a long UTF-8
# subject into several encoded words drops the space where it splits ("kết quả" -> "kếtquả").
_SENDING_POLICY = _EMAIL_POLICY.clone(max_line_length=998)


def send_email(config: EmailConfig, message: OutgoingMessage) -> str:
    """Deliver one email; returns its Message-ID header. Raises DeliveryFailed."""
    if not _is_valid_email_address(message.recipient):
        raise DeliveryFailed("invalid email address for the recipient", retryable=False)
    email = _build_email(config, message)
    _deliver_email(config, email, message.recipient)
    return email["Message-ID"]


def _is_valid_email_address(address: str) -> bool:
    """A plain ASCII address `local@domain.tld`, without a display name."""
    return _EMAIL_PATTERN.fullmatch(address) is not None


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
