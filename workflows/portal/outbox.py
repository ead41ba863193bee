"""Delivering the portal's outbox: each dossier's events in order, retried while the portal is down.

The pattern of workflows/outbox.py: a batch is claimed in a short transaction (rows become `sending`
with a lease, FOR UPDATE SKIP LOCKED so that several processes share the work), sent outside any
transaction, the outcome recorded in another. Only the oldest unsent event of a dossier can be
claimed: a dossier's next event waits until the previous one is sent, and a failed one holds the
dossier's later events back until an administrator resends it. A process that dies while sending
leaves its rows `sending` until the lease ends; then they are claimed again. Delivery is therefore
at least once: an event the portal received but whose answer was lost (a timeout, a crash) is sent
again, with the same body — never as a different event.

An outage (the portal or the network down, a timeout, HTTP 5xx, a refused login) is retried with a
growing delay, at most an hour, for as long as it lasts: nothing is given up. An answer about the
call itself (`error_code` ≠ 0, HTTP 4xx) fails the event at once, with the portal's answer kept for
the administrator; "already exists" for a new dossier is sent again as an update (and "does not
exist" for an update as a creation).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, joinedload, sessionmaker

from engine import audit
from engine.clock import utcnow
from workflows.errors import Conflict, NotFound
from workflows.models import Dossier, PortalEvent
from workflows.outbox import retry_delay
from workflows.portal.client import PortalClient, PortalError, client_for
from workflows.portal.payloads import DOSSIER_SERVICE, catalogue_codes
from workflows.setting_parsers import url_for_messages
from workflows.settings import PortalConfig

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
STATUSES = ("pending", "sending", "sent", "failed")
ROUNDS = 20  # how far each dossier may advance in one delivery run
_EXISTS = ("đã tồn tại", "already exist")
_UNKNOWN = ("không tồn tại", "not exist", "not found", "không tìm thấy")


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


@dataclass(frozen=True)
class _Claimed:
    id: int
    service: str
    body: dict
    attempts: int


def deliver_pending(session_factory: sessionmaker, portal: PortalConfig | PortalClient, *,
                    now: datetime | None = None, limit: int = 50, rounds: int = ROUNDS) -> DeliveryReport:
    """Send what is due: each round the oldest unsent event of each dossier, until nothing is due."""
    client = portal if isinstance(portal, PortalClient) else client_for(portal)
    now = now or utcnow()
    sent = retrying = failed = 0
    for _ in range(rounds):
        with session_factory() as session, session.begin():
            claimed = _claim(session, now, limit)
        if not claimed:
            break
        lease_ends = time.monotonic() + LEASE.total_seconds()
        for item in claimed:
            if time.monotonic() >= lease_ends:  # another process may have claimed it again: leave it
                break
            error, answer = _send(client, item)
            with session_factory() as session, session.begin():
                outcome = _record(session, item, error, answer, now)
            sent, retrying, failed = (sent + (outcome == "sent"), retrying + (outcome == "pending"),
                                      failed + (outcome == "failed"))
    return DeliveryReport(sent=sent, retrying=retrying, failed=failed)


def _claim(session: Session, now: datetime, limit: int) -> list[_Claimed]:
    earlier = aliased(PortalEvent)
    waits = (select(earlier.id).where(earlier.dossier_id == PortalEvent.dossier_id, earlier.id < PortalEvent.id,
                                      earlier.status != "sent").exists())
    rows = session.scalars(
        select(PortalEvent).where(PortalEvent.status.in_(("pending", "sending")), PortalEvent.next_attempt_at <= now,
                                  ~waits)
        .order_by(PortalEvent.id).limit(limit).with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        row.status, row.attempts, row.next_attempt_at = "sending", row.attempts + 1, now + LEASE
    return [_Claimed(row.id, row.service, row.body, row.attempts) for row in rows]


def _send(client: PortalClient, item: _Claimed) -> tuple[PortalError | None, dict | None]:
    body = item.body
    try:
        try:
            return None, client.call(item.service, body)
        except PortalError as error:
            switched = _switched(item.service, body, error)
            if switched is None:
                raise
            return None, client.call(item.service, switched)
    except PortalError as error:
        return error, None
    except Exception as exc:  # noqa: BLE001 - an unexpected failure is retried like an outage
        log.exception("sending portal event %s failed", item.id)
        return PortalError(f"unexpected error: {exc.__class__.__name__}", retryable=True), None


def _switched(service: str, body: dict, error: PortalError) -> dict | None:
    """A creation of a dossier the portal knows is sent again as an update, and the other way round."""
    if service != DOSSIER_SERVICE or error.retryable:
        return None
    message = error.portal_message.casefold()
    if body.get("isUpdating") == "False" and any(words in message for words in _EXISTS):
        return {**body, "isUpdating": "True"}
    if body.get("isUpdating") == "True" and any(words in message for words in _UNKNOWN):
        return {**body, "isUpdating": "False"}
    return None


def _record(session: Session, item: _Claimed, error: PortalError | None, answer: dict | None, now: datetime) -> str:
    row = session.get(PortalEvent, item.id)
    if row is None or row.status != "sending":  # resent or removed meanwhile
        return ""
    if error is None:
        row.status, row.sent_at, row.last_error = "sent", utcnow(), ""
        row.portal_error_code = str(answer.get("error_code", ""))[:20]
        row.portal_message = str(answer.get("message") or "")[:2000]
    elif error.retryable:
        row.status, row.last_error = "pending", error.message
        row.next_attempt_at = now + retry_delay(item.attempts)
        row.portal_error_code, row.portal_message = error.error_code[:20], error.portal_message
    else:
        row.status, row.last_error = "failed", error.message
        row.portal_error_code, row.portal_message = error.error_code[:20], error.portal_message
        log.warning("the portal refused event %s (%s): %s", row.id, row.service, error.message)
    return row.status


# --- what the administrator sees and does ------------------------------------------------------------

def summary(session: Session, config: PortalConfig | None) -> dict:
    """Whether synchronisation is on (and where to), how many events are in each state, the oldest
    waiting and the last sent."""
    counts = dict(session.execute(select(PortalEvent.status, func.count()).group_by(PortalEvent.status)).all())
    return {"enabled": config is not None, "url": url_for_messages(config.url) if config else None,
            "agency_code": config.agency_code if config else None, "lgsp_mode": config.lgsp_mode if config else None,
            "counts": {status: counts.get(status, 0) for status in STATUSES},
            "oldest_waiting_at": session.scalar(select(func.min(PortalEvent.created_at))
                                                .where(PortalEvent.status != "sent")),
            "last_sent_at": session.scalar(select(func.max(PortalEvent.sent_at)))}


def list_events(session: Session, *, status: str | None = None, dossier_code: str | None = None, page: int = 1,
                per_page: int = 50) -> tuple[list[PortalEvent], int]:
    """A page of events, newest first."""
    query = select(PortalEvent).join(PortalEvent.dossier).options(joinedload(PortalEvent.dossier))
    if status is not None:
        query = query.where(PortalEvent.status == status)
    if dossier_code is not None:
        query = query.where(Dossier.code == dossier_code)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(PortalEvent.id.desc()).offset((page - 1) * per_page).limit(per_page))
    return list(rows), total


def get_event(session: Session, event_id: int) -> PortalEvent:
    row = session.get(PortalEvent, event_id, options=[joinedload(PortalEvent.dossier)])
    if row is None:
        raise NotFound(f"Portal event {event_id} does not exist.", event_id=event_id)
    return row


def resend(session: Session, event_id: int, *, actor: str) -> PortalEvent:
    """Send a failed event again, or a waiting one now. The procedure's national codes are read again
    into a dossier's body (an administrator may have just corrected them); the rest stays as it was."""
    row = get_event(session, event_id)
    if row.status not in ("failed", "pending"):
        raise Conflict(f"Only a failed or waiting event can be sent again; this one is {row.status}.",
                       status=row.status)
    if row.service == DOSSIER_SERVICE:
        codes = catalogue_codes(row.dossier.procedure)
        row.body = {**row.body, "data": [{**record, **codes} for record in row.body["data"]]}
    audit.record(session, actor=actor, action="portal.resent", subject=str(row.id),
                 data={"dossier_code": row.dossier.code, "service": row.service, "status": row.status,
                       "last_error": row.last_error})
    row.status, row.attempts, row.next_attempt_at = "pending", 0, utcnow()
    return row
