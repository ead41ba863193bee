"""What the portal synchronisation tests share: delivery, and reading the outbox."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engine.clock import utcnow
from workflows.models import PortalEvent
from workflows.portal.client import PortalClient
from workflows.portal.outbox import deliver_pending

LATER = timedelta(hours=2)  # past any back-off but the longest


def deliver(sessions, client: PortalClient, now: datetime | None = None):
    return deliver_pending(sessions, client, now=now or utcnow())


def events(sessions, dossier_code: str | None = None) -> list[PortalEvent]:
    with sessions() as session:
        rows = session.scalars(select(PortalEvent).options(selectinload(PortalEvent.dossier))
                               .order_by(PortalEvent.id)).all()
        return [row for row in rows if dossier_code is None or row.dossier.code == dossier_code]


def call_of(call) -> tuple[str, dict]:
    """A call as the outbox wrote it: its service and its fields besides session, madonvi and service."""
    return call.service, {k: v for k, v in call.body.items() if k not in ("session", "madonvi", "service")}


def review_and_sign(api, code: str) -> None:
    api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
    api.complete(code, "specialist", "review", {"opinion": "approve", "note": "Đủ điều kiện"})
    api.complete(code, "leader", "sign", {"decision": "approve"})
