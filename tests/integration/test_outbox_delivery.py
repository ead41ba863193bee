"""The outbox delivers through real servers (aiosmtpd, a local HTTP SMS gateway) and loses
nothing when a channel is down: messages wait, are retried with a growing delay, and go out once
the channel is back."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller
from sqlalchemy import select

from engine.clock import utcnow
from tests.servers import LOCALHOST, Mailbox, Reply, free_port
from workflows import outbox
from workflows.models import OutboxMessage
from workflows.settings import ChannelConfig, EmailConfig


def write(sessions, *messages: tuple[str, str, str]) -> list[int]:
    now = utcnow()
    with sessions() as session, session.begin():
        rows = [OutboxMessage(kind="result_ready", channel=channel, recipient=recipient, subject="Hồ sơ đã có kết quả",
                              body=body, status="pending", attempts=0, next_attempt_at=now, created_at=now,
                              last_error="", provider_id="")
                for channel, recipient, body in messages]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def states(sessions) -> dict[int, tuple[str, int]]:
    with sessions() as session:
        return {m.id: (m.status, m.attempts) for m in session.scalars(select(OutboxMessage))}


def test_pending_email_and_sms_are_delivered_and_marked_sent(sessions, mailbox, gateway):
    handler, email = mailbox
    config = ChannelConfig(email=email, sms=gateway.config().sms)
    ids = write(sessions, ("email", "an.nguyen@example.vn", "Kết quả hồ sơ đã sẵn sàng."),
                ("sms", "0912345678", "Ho so da co ket qua."))

    report = outbox.deliver_pending(sessions, config)

    assert report == outbox.DeliveryReport(sent=2)
    assert states(sessions) == {ids[0]: ("sent", 1), ids[1]: ("sent", 1)}
    received = message_from_bytes(handler.envelopes[0].original_content, policy=policy.default)
    assert received["Subject"] == "Hồ sơ đã có kết quả"
    assert "Kết quả hồ sơ đã sẵn sàng." in received.get_content()
    assert gateway.requests[0].json()["to"] == "+84912345678"
    with sessions() as session:
        assert session.get(OutboxMessage, ids[1]).provider_id == "sms-000123"


def test_a_channel_that_is_down_loses_nothing_and_delivers_when_it_is_back(sessions):
    port = free_port()
    config = ChannelConfig(email=EmailConfig(host=LOCALHOST, port=port, timeout=2))
    (message_id,) = write(sessions, ("email", "an.nguyen@example.vn", "Nội dung"))

    first = outbox.deliver_pending(sessions, config)
    assert first == outbox.DeliveryReport(retrying=1)
    with sessions() as session:
        row = session.get(OutboxMessage, message_id)
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.last_error
        retry_at = row.next_attempt_at
    assert retry_at - utcnow() > timedelta(seconds=20)
    assert outbox.deliver_pending(sessions, config) == outbox.DeliveryReport()  # not before its time

    handler = Mailbox()
    controller = Controller(handler, hostname=LOCALHOST, port=port)
    controller.start()
    try:
        later = outbox.deliver_pending(sessions, config, now=retry_at + timedelta(seconds=1))
    finally:
        controller.stop()

    assert later == outbox.DeliveryReport(sent=1)
    assert states(sessions)[message_id] == ("sent", 2)
    assert len(handler.envelopes) == 1


def test_a_refused_recipient_fails_at_once_and_an_administrator_may_retry_it(sessions, mailbox):
    handler, email = mailbox
    handler.recipient_reply = "550 5.1.1 No such mailbox"
    (message_id,) = write(sessions, ("email", "khong-ton-tai@example.vn", "Nội dung"))

    assert outbox.deliver_pending(sessions, ChannelConfig(email=email)) == outbox.DeliveryReport(failed=1)
    with sessions() as session, session.begin():
        assert session.get(OutboxMessage, message_id).status == "failed"
        outbox.retry_message(session, message_id, actor="admin")
    handler.recipient_reply = None

    assert outbox.deliver_pending(sessions, ChannelConfig(email=email)) == outbox.DeliveryReport(sent=1)


def test_retries_stop_after_the_last_attempt(sessions, gateway):
    gateway.reply = Reply(status=503, body=b"down")
    (message_id,) = write(sessions, ("sms", "0912345678", "Nội dung"))
    now = utcnow()
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.deliver_pending(sessions, gateway.config(), now=now)
        now += timedelta(hours=2)

    assert states(sessions)[message_id] == ("failed", outbox.MAX_ATTEMPTS)
    assert len(gateway.requests) == outbox.MAX_ATTEMPTS


def test_messages_of_a_channel_that_is_not_configured_wait_untouched(sessions, gateway):
    (message_id,) = write(sessions, ("email", "an.nguyen@example.vn", "Nội dung"))

    assert outbox.deliver_pending(sessions, gateway.config()) == outbox.DeliveryReport()
    assert states(sessions)[message_id] == ("pending", 0)


def test_a_message_left_sending_by_a_dead_process_is_sent_again_after_its_lease(sessions, mailbox):
    handler, email = mailbox
    (message_id,) = write(sessions, ("email", "an.nguyen@example.vn", "Nội dung"))
    with sessions() as session, session.begin():
        row = session.get(OutboxMessage, message_id)
        row.status, row.attempts, row.next_attempt_at = "sending", 1, utcnow() + outbox.LEASE

    assert outbox.deliver_pending(sessions, ChannelConfig(email=email)) == outbox.DeliveryReport()
    after_lease = utcnow() + outbox.LEASE + timedelta(seconds=1)
    assert outbox.deliver_pending(sessions, ChannelConfig(email=email), now=after_lease) == outbox.DeliveryReport(
        sent=1)
    assert len(handler.envelopes) == 1
