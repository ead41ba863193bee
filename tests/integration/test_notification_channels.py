"""The notification channels against real servers: aiosmtpd for email, a local HTTP server as the SMS gateway.

Every server listens on 127.0.0.1 only and is stopped by its fixture.
"""

from __future__ import annotations

import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.servers import LOCALHOST, TOKEN, Mailbox, Reply, free_port
from workflows.channels import CHANNELS, DeliveryFailed, OutgoingMessage, is_configured
from workflows.outbox import send
from workflows.settings import ChannelConfig, EmailConfig, SmsConfig

SUBJECT = "Hồ sơ số 000.00.25.H26-250101-0001 đã được tiếp nhận"
BODY = (
    "Kính gửi ông Nguyễn Văn Đức,\n"
    "Sở Giáo dục và Đào tạo đã tiếp nhận hồ sơ cấp bản sao văn bằng, chứng chỉ của ông.\n"
    "Ngày hẹn trả kết quả: thứ Năm, 29/01/2026. Trân trọng."
)
SMS_TEXT = "Hồ sơ của ông/bà đã có kết quả. Mời đến Bộ phận Một cửa nhận kết quả."
SMTP_USER = "motcua"
SMTP_PASSWORD = "smtp-password-123"  # noqa: S105 - a test credential


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch):
    """The local servers are reached directly, whatever proxy the machine running the tests uses."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def email_to(recipient: str) -> OutgoingMessage:
    return OutgoingMessage(channel="email", recipient=recipient, subject=SUBJECT, body=BODY)


def sms_to(recipient: str) -> OutgoingMessage:
    return OutgoingMessage(channel="sms", recipient=recipient, subject="ignored", body=SMS_TEXT)


def failure_of(config: ChannelConfig, message: OutgoingMessage) -> DeliveryFailed:
    with pytest.raises(DeliveryFailed) as caught:
        send(config, message)
    return caught.value


# ---------------------------------------------------------------------------------------------
# A real SMTP server


class Logins:
    """An aiosmtpd authenticator that accepts one username/password and remembers every attempt."""

    def __init__(self) -> None:
        self.attempts = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.attempts.append((mechanism, login, password))
        return AuthResult(success=(login, password) == (SMTP_USER, SMTP_PASSWORD), handled=False)


@pytest.fixture
def silent_port():
    """A port that accepts TCP connections and never says a word."""
    with socket.socket() as listener:
        listener.bind((LOCALHOST, 0))
        listener.listen(1)
        yield listener.getsockname()[1]


def test_an_email_with_vietnamese_text_reaches_a_real_smtp_server(mailbox):
    handler, config = mailbox
    config = EmailConfig(host=config.host, port=config.port, sender="Sở GD&ĐT Hà Nội <motcua@sogd.example.vn>")

    message_id = send(ChannelConfig(email=config), email_to("nguyen.van.duc@example.vn"))

    [envelope] = handler.envelopes
    assert envelope.mail_from == "motcua@sogd.example.vn"
    assert envelope.rcpt_tos == ["nguyen.van.duc@example.vn"]
    received = message_from_bytes(envelope.content, policy=policy.default)
    assert received["Subject"] == SUBJECT
    # MIME text is canonically CRLF before base64/quoted-printable; mail readers show plain lines.
    assert received.get_content().replace("\r\n", "\n").rstrip("\n") == BODY
    assert received["From"].addresses[0].display_name == "Sở GD&ĐT Hà Nội"
    assert received["To"] == "nguyen.van.duc@example.vn"
    assert received["Date"] is not None
    assert received["Message-ID"] == message_id
    assert message_id.endswith("@sogd.example.vn>")
    assert received.get_content_charset() == "utf-8"
    assert envelope.content.isascii()  # no 8-bit bytes: servers without 8BITMIME take it too


def test_a_long_vietnamese_subject_keeps_every_space(mailbox):
    handler, config = mailbox
    subject = "Hồ sơ SGDDT-261129-0001: đã có kết quả trước ngày hẹn — mời Ông/Bà đánh giá mức độ hài lòng"

    send(ChannelConfig(email=config), OutgoingMessage("email", "a@example.vn", subject, "Nội dung"))

    received = message_from_bytes(handler.envelopes[0].original_content, policy=policy.default)
    assert received["Subject"] == subject


def test_a_subject_with_line_breaks_stays_one_header(mailbox):
    handler, config = mailbox
    message = OutgoingMessage("email", "a@example.vn", "Thông báo\r\nBcc: victim@example.vn", "Nội dung")

    send(ChannelConfig(email=config), message)

    received = message_from_bytes(handler.envelopes[0].content, policy=policy.default)
    assert received["Subject"] == "Thông báo Bcc: victim@example.vn"
    assert received["Bcc"] is None
    assert handler.envelopes[0].rcpt_tos == ["a@example.vn"]


def test_a_recipient_refused_by_the_server_is_not_retried(mailbox):
    handler, config = mailbox
    handler.recipient_reply = "550 5.1.1 Mailbox unavailable"

    failure = failure_of(ChannelConfig(email=config), email_to("khong.ton.tai@example.vn"))

    assert failure.retryable is False
    assert "550" in failure.message
    assert handler.envelopes == []


def test_a_recipient_deferred_by_the_server_is_retried(mailbox):
    handler, config = mailbox
    handler.recipient_reply = "450 4.2.1 Mailbox busy, try again later"

    failure = failure_of(ChannelConfig(email=config), email_to("ban.ron@example.vn"))

    assert failure.retryable is True
    assert "450" in failure.message


def test_an_smtp_server_that_is_down_is_retried():
    config = ChannelConfig(email=EmailConfig(host=LOCALHOST, port=free_port(), timeout=2))

    failure = failure_of(config, email_to("a@example.vn"))

    assert failure.retryable is True
    assert "Connection" in failure.message


def test_an_smtp_server_that_never_answers_is_retried_after_the_timeout(silent_port):
    config = ChannelConfig(email=EmailConfig(host=LOCALHOST, port=silent_port, timeout=0.3))

    failure = failure_of(config, email_to("a@example.vn"))

    assert failure.retryable is True


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_the_smtp_username_and_password_are_used_to_log_in(start_smtp_server):
    handler, logins = Mailbox(), Logins()
    controller = start_smtp_server(handler, authenticator=logins, auth_require_tls=False, auth_required=True)
    config = EmailConfig(host=LOCALHOST, port=controller.port, username=SMTP_USER, password=SMTP_PASSWORD, timeout=5)

    send(ChannelConfig(email=config), email_to("a@example.vn"))

    assert [(login, password) for _, login, password in logins.attempts] == [(SMTP_USER, SMTP_PASSWORD)]
    assert handler.authenticated == [True]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_a_wrong_smtp_password_is_not_retried_and_not_revealed(start_smtp_server):
    handler, logins = Mailbox(), Logins()
    controller = start_smtp_server(handler, authenticator=logins, auth_require_tls=False, auth_required=True)
    config = EmailConfig(host=LOCALHOST, port=controller.port, username=SMTP_USER, password="wrong-secret", timeout=5)

    failure = failure_of(ChannelConfig(email=config), email_to("a@example.vn"))

    assert failure.retryable is False
    assert "535" in failure.message
    assert "wrong-secret" not in failure.message and "wrong-secret" not in repr(config)
    assert handler.envelopes == []


def test_starttls_that_the_server_does_not_offer_sends_nothing_in_clear_text(mailbox):
    handler, config = mailbox
    config = EmailConfig(host=config.host, port=config.port, starttls=True, timeout=5)

    failure = failure_of(ChannelConfig(email=config), email_to("a@example.vn"))

    assert failure.retryable is False
    assert "STARTTLS" in failure.message
    assert handler.envelopes == []


@pytest.mark.parametrize("address", ["", "not-an-address", "a@b", "a@example.vn, b@example.vn", "x\n@example.vn"])
def test_an_invalid_email_address_is_not_retried_and_never_sent(mailbox, address):
    handler, config = mailbox

    failure = failure_of(ChannelConfig(email=config), email_to(address))

    assert failure.retryable is False
    assert handler.envelopes == []


# ---------------------------------------------------------------------------------------------
# A real HTTP server as the SMS gateway


def test_an_sms_is_posted_to_the_gateway_as_json_with_the_bearer_token(gateway):
    provider_id = send(gateway.config(), sms_to("0912345678"))

    assert provider_id == "sms-000123"
    [request] = gateway.requests
    assert (request.method, request.path) == ("POST", "/api/sms")
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.json() == {"to": "+84912345678", "message": SMS_TEXT, "sender": "SOGDDT"}


@pytest.mark.parametrize("written", ["0912345678", "+84912345678", "84912345678", "0912 345 678", "091.234.5678"])
def test_a_vietnamese_mobile_number_is_sent_in_international_form(gateway, written):
    send(gateway.config(), sms_to(written))

    assert gateway.requests[0].json()["to"] == "+84912345678"


def test_http_basic_is_used_when_there_is_a_username_and_no_token(gateway):
    send(gateway.config(token=None, username="motcua", password="mật khẩu"), sms_to("0387654321"))

    # base64 of "motcua:mật khẩu" in UTF-8
    assert gateway.requests[0].headers["Authorization"] == "Basic bW90Y3VhOm3huq10IGto4bqpdQ=="


def test_a_token_that_cannot_travel_in_a_header_is_refused_without_a_request(gateway):
    failure = failure_of(gateway.config(token="bí-mật"), sms_to("0912345678"))

    assert failure.retryable is False
    assert "bí-mật" not in failure.message
    assert gateway.requests == []


def test_a_gateway_answer_without_an_id_is_still_a_delivery(gateway):
    gateway.reply = Reply(status=202, body=b"accepted", headers={"Content-Type": "text/plain"})

    assert send(gateway.config(), sms_to("0912345678")) is None
    assert len(gateway.requests) == 1


def test_a_gateway_that_is_unavailable_is_retried(gateway):
    gateway.reply = Reply(status=503, body=b'{"error": "provider down"}')

    failure = failure_of(gateway.config(), sms_to("0912345678"))

    assert failure.retryable is True
    assert "503" in failure.message


def test_a_gateway_that_throttles_is_retried(gateway):
    gateway.reply = Reply(status=429, body=b"")

    assert failure_of(gateway.config(), sms_to("0912345678")).retryable is True


def test_a_request_refused_by_the_gateway_is_not_retried_and_the_token_is_not_revealed(gateway):
    gateway.reply = Reply(status=400, body=f'{{"error": "bad token {TOKEN}"}}'.encode())

    failure = failure_of(gateway.config(), sms_to("0912345678"))

    assert failure.retryable is False
    assert "400" in failure.message
    assert TOKEN not in failure.message and TOKEN not in str(failure) and TOKEN not in repr(gateway.config())


def test_a_redirect_is_not_followed_so_the_token_stays_with_the_gateway(gateway):
    gateway.reply = Reply(status=302, body=b"", headers={"Location": "http://127.0.0.1:9/elsewhere"})

    failure = failure_of(gateway.config(), sms_to("0912345678"))

    assert failure.retryable is False
    assert len(gateway.requests) == 1


def test_a_gateway_slower_than_the_timeout_is_retried(gateway):
    gateway.reply = Reply(delay=5)

    failure = failure_of(gateway.config(timeout=0.3), sms_to("0912345678"))

    assert failure.retryable is True


def test_a_gateway_that_is_down_is_retried():
    config = ChannelConfig(sms=SmsConfig(url=f"http://{LOCALHOST}:{free_port()}/api/sms", timeout=2))

    assert failure_of(config, sms_to("0912345678")).retryable is True


@pytest.mark.parametrize("phone", ["", "12345", "0212345678", "091234567", "09123456789", "+14155550100", "abc"])
def test_a_phone_that_is_not_a_vietnamese_mobile_is_refused_before_any_request(gateway, phone):
    failure = failure_of(gateway.config(), sms_to(phone))

    assert failure.retryable is False
    assert gateway.requests == []


# ---------------------------------------------------------------------------------------------
# Which channel sends a message (their settings: tests/unit/test_settings.py)


def test_a_channel_that_is_not_configured_is_not_retried():
    assert CHANNELS == ("email", "sms")
    for channel, recipient in (("email", "a@example.vn"), ("sms", "0912345678")):
        failure = failure_of(ChannelConfig(), OutgoingMessage(channel, recipient, "s", "b"))
        assert failure.retryable is False
    assert failure_of(ChannelConfig(), OutgoingMessage("fax", "x", "s", "b")).retryable is False
    assert not is_configured(ChannelConfig(), "email") and not is_configured(ChannelConfig(), "sms")
    configured = ChannelConfig(email=EmailConfig(host="mail"), sms=SmsConfig(url="https://sms.example.vn/send"))
    assert is_configured(configured, "email") and is_configured(configured, "sms")
    assert not is_configured(configured, "fax")
