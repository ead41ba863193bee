"""Delivering the outbox: each pending message through its channel, with retries.

A batch is claimed in a short transaction (the rows become `sending` with a lease, FOR UPDATE
SKIP LOCKED so that several processes share the work), sent outside any transaction, and the
outcome recorded in another short one. A process that dies while sending leaves its rows
`sending` until the lease ends; then they are claimed again (delivery is at least once).
A failure that may pass (the server is down, a timeout) is retried with a growing delay, up to
`MAX_ATTEMPTS`; one that will not (a refused address) fails at once. A channel that is not
configured is not attempted: its messages wait until it is. `send` hands one message to its
channel's adapter (email_channel.py, sms_channel.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine import audit
from engine.clock import utcnow
from workflows import channels
from workflows.email_channel import send_email
from workflows.errors import Conflict, NotFound
from workflows.models import Dossier, OutboxMessage
from workflows.settings import ChannelConfig
from workflows.sms_channel import send_sms

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)
STATUSES = ("pending", "sending", "sent", "failed")


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, at most an hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def deliver_pending(session_factory: sessionmaker, config: ChannelConfig, *,
                    now: datetime | None = None, limit: int = 50) -> DeliveryReport:
    now = now or utcnow()
    configured = [c for c in channels.CHANNELS if channels.is_configured(config, c)]
    if not configured:
        return DeliveryReport()
    with session_factory() as session, session.begin():
        claimed = _claim(session, configured, now, limit)
    sent = retrying = failed = 0
    for message_id, message, attempts in claimed:
        error, provider_id = None, None
        try:
            provider_id = send(config, message)
        except channels.DeliveryFailed as exc:
            error = exc
        except Exception as exc:  # noqa: BLE001 - an unexpected failure is retried like an outage
            log.exception("delivering outbox message %s failed", message_id)
            error = channels.DeliveryFailed(f"unexpected error: {exc.__class__.__name__}", retryable=True)
        with session_factory() as session, session.begin():
            row = session.get(OutboxMessage, message_id)
            if error is None:
                row.status, row.sent_at, row.provider_id, row.last_error = "sent", utcnow(), provider_id or "", ""
                sent += 1
            elif error.retryable and attempts < MAX_ATTEMPTS:
                row.status, row.last_error = "pending", error.message
                row.next_attempt_at = utcnow() + retry_delay(attempts)
                retrying += 1
            else:
                row.status, row.last_error = "failed", error.message
                failed += 1
    return DeliveryReport(sent=sent, retrying=retrying, failed=failed)


def send(config: ChannelConfig, message: channels.OutgoingMessage) -> str | None:
    """Deliver one message through its channel; returns the provider's message id when it gives one.

    Raises DeliveryFailed; its `retryable` flag says whether a later attempt may succeed. An unknown
    channel and a channel that is not configured are not retryable.
    """
    if message.channel not in channels.CHANNELS:
        raise channels.DeliveryFailed(f"unknown channel {message.channel!r}", retryable=False)
    if not channels.is_configured(config, message.channel):
        raise channels.DeliveryFailed(f"the {message.channel} channel is not configured", retryable=False)
    if message.channel == "email":
        provider_id = send_email(config.email, message)
    else:
        provider_id = send_sms(config.sms, message)
    log.debug("%s delivered (provider id %s)", message.channel, provider_id)
    return provider_id


def _claim(session: Session, configured: list[str], now: datetime, limit: int):
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.channel.in_(configured), OutboxMessage.status.in_(("pending", "sending")),
               OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claimed = []
    for row in rows:
        row.status, row.attempts, row.next_attempt_at = "sending", row.attempts + 1, now + LEASE
        claimed.append((row.id, channels.OutgoingMessage(row.channel, row.recipient, row.subject, row.body),
                        row.attempts))
    return claimed


def list_messages(session: Session, *, status: str | None = None, dossier_code: str | None = None,
                  page: int = 1, per_page: int = 50) -> tuple[list[OutboxMessage], int]:
    query = select(OutboxMessage)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    if dossier_code is not None:
        query = query.join(Dossier, Dossier.id == OutboxMessage.dossier_id).where(Dossier.code == dossier_code)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(OutboxMessage.id.desc()).offset((page - 1) * per_page).limit(per_page))
    return list(rows), total


def retry_message(session: Session, message_id: int, *, actor: str) -> OutboxMessage:
    """Send a failed message again (e.g. after an administrator fixed the address or the channel)."""
    row = session.get(OutboxMessage, message_id)
    if row is None:
        raise NotFound(f"Outbox message {message_id} does not exist.", message_id=message_id)
    if row.status != "failed":
        raise Conflict(f"Only a failed message can be retried; this one is {row.status}.", status=row.status)
    row.status, row.attempts, row.next_attempt_at = "pending", 0, utcnow()
    audit.record(session, actor=actor, action="outbox.retried", subject=str(message_id),
                 data={"kind": row.kind, "channel": row.channel, "last_error": row.last_error})
    return row

