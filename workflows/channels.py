"""What every notification channel shares: the message, the failure, and which channels exist.

The channels themselves are adapters, one module each: `email_channel.send_email` (SMTP) and
`sms_channel.send_sms` (the HTTP gateway of docs/sms-gateway.md); `outbox.send` hands a message
to its channel's adapter. Their settings (`EmailConfig`, `SmsConfig`, `ChannelConfig`) are read
with every other setting in workflows/settings.py.

An adapter either returns the provider's message id (or None when the provider gives none) or
raises `DeliveryFailed`, whose `retryable` flag tells the outbox whether another attempt can
succeed. Passwords and tokens never appear in its message.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflows.settings import ChannelConfig

CHANNELS = ("email", "sms")


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


def is_configured(config: ChannelConfig, channel: str) -> bool:
    """Whether messages can be sent on `channel` (False for an unknown channel)."""
    if channel == "email":
        return config.email is not None
    if channel == "sms":
        return config.sms is not None
    return False
