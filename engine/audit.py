"""Audit events: who did what, when, written in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import utcnow
from engine.models import AuditEvent


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    instance_id: int | None = None,
    subject: str | None = None,
    data: dict | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    event = AuditEvent(
        occurred_at=at or utcnow(), actor=actor, action=action, instance_id=instance_id,
        subject=subject, data=data or {},
    )
    session.add(event)
    return event


def events_of_instance(session: Session, instance_id: int) -> list[AuditEvent]:
    """The instance's history, oldest first."""
    query = select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.id)
    return list(session.scalars(query))
