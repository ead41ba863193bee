"""What the portal must hear of, written to its outbox in the transaction of the change.

Every change of a dossier is already an audit event of that transaction (engine/audit.py,
workflows/lifecycle.py). With synchronisation on (`attach` on the session factory), a commit turns
the transaction's new audit events about dossiers into `portal_event` rows, in that same commit (the
new events of the session, and those inserted on its connection, `audit.take_written_at_once`):

* per dossier, one `DongBoHoSoMC` when the dossier itself changed (received, submitted online,
  status, a notice, a new due date, an attachment) — the dossier as it stands at the commit;
* one `CapNhatTienDoHoSoMC` per completed task (who, in which role and unit, what, when), and one
  for a receipt at the desk (which is no task).

Each row's body is frozen when written: delivering it again sends the same call. The first
`DongBoHoSoMC` of a dossier creates it on the portal (`isUpdating` "False"), the later ones update.
With synchronisation off nothing is written; `resync` (`motcua portal-resync`) catches up later.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import event, inspect, or_, select
from sqlalchemy.orm import Session, sessionmaker

from engine import audit
from engine.calendar_store import load_calendar
from engine.clock import utcnow
from engine.models import AuditEvent, HumanTask
from workflows.models import Dossier, PortalEvent
from workflows.portal.payloads import (
    DOSSIER_SERVICE,
    STEP_SERVICE,
    dossier_body,
    receipt_step,
    step_body,
    task_step,
)

DOSSIER_ACTIONS = frozenset({"dossier.received", "dossier.submitted_online", "dossier.status_changed",
                             "dossier.due_date_moved", "dossier.attachment_added"})
NOTICE_PREFIX = "dossier.notice."
STEP_ACTION = "task.completed"
RESYNC = "resync"
_NEW_EVENTS = "motcua_portal_audit_events"


def concerns_portal(action: str) -> bool:
    return action in DOSSIER_ACTIONS or action.startswith(NOTICE_PREFIX) or action == STEP_ACTION


def attach(session_factory: sessionmaker) -> None:
    """Turn synchronisation on for the sessions of `session_factory` (once per factory)."""
    if not event.contains(session_factory, "before_commit", _enqueue_on_commit):
        event.listen(session_factory, "before_flush", _collect)
        event.listen(session_factory, "before_commit", _enqueue_on_commit)
        event.listen(session_factory, "after_soft_rollback", _forget)


def _collect(session: Session, _flush_context, _instances) -> None:
    found = [obj for obj in session.new if isinstance(obj, AuditEvent) and concerns_portal(obj.action)]
    if found:
        session.info.setdefault(_NEW_EVENTS, []).extend(found)


def _forget(session: Session, _previous_transaction) -> None:
    session.info.pop(_NEW_EVENTS, None)


def _enqueue_on_commit(session: Session) -> None:
    at_once = [event_id for event_id, action in audit.take_written_at_once(session) if concerns_portal(action)]
    if not session.info.get(_NEW_EVENTS) and not at_once and not any(
            isinstance(obj, AuditEvent) and concerns_portal(obj.action) for obj in session.new):
        return
    session.flush()  # the events get their ids (and the last ones are collected)
    events = [e for e in session.info.pop(_NEW_EVENTS, []) if inspect(e).persistent]  # not rolled back
    with session.no_autoflush:
        if at_once:  # inserted on the connection (audit.record_at_once): read back, a rolled-back savepoint's gone
            events.extend(session.scalars(select(AuditEvent).where(AuditEvent.id.in_(at_once))))
        enqueue(session, sorted(events, key=lambda e: e.id))


def enqueue(session: Session, events: list[AuditEvent]) -> list[PortalEvent]:
    """The portal's rows for these audit events of one transaction (oldest first)."""
    groups: dict[int, tuple[Dossier, list[AuditEvent]]] = {}
    for audit_event in events:
        dossier = _dossier_of(session, audit_event)
        if dossier is not None:
            groups.setdefault(dossier.id, (dossier, []))[1].append(audit_event)
    rows = []
    now = utcnow()
    for dossier, its_events in groups.values():
        changes = [e for e in its_events if e.action != STEP_ACTION]
        steps = [e for e in its_events if e.action == STEP_ACTION]
        known = _portal_knows(session, dossier)
        if changes or not known:
            trigger = ",".join(dict.fromkeys(e.action for e in changes)) or STEP_ACTION
            rows.append(_row(dossier, its_events[0], trigger, DOSSIER_SERVICE,
                             dossier_body(session, dossier, updating=known), now))
        received = next((e for e in changes if e.action == "dossier.received"), None)
        if received is not None and not steps:
            rows.append(_row(dossier, received, received.action, STEP_SERVICE,
                             step_body(receipt_step(session, dossier, actor=received.actor, at=received.occurred_at)),
                             now))
        for step in steps:
            task = session.get(HumanTask, step.subject)
            if task is not None:
                record = task_step(session, dossier, task, actor=step.actor, at=step.occurred_at)
                rows.append(_row(dossier, step, step.action, STEP_SERVICE, step_body(record), now))
    session.add_all(rows)
    return rows


def _row(dossier: Dossier, cause: AuditEvent | None, trigger: str, service: str, body: dict,
         now: datetime) -> PortalEvent:
    return PortalEvent(dossier_id=dossier.id, audit_event_id=cause.id if cause is not None else None,
                       trigger=trigger[:255], service=service, body=body, status="pending", attempts=0,
                       next_attempt_at=now, last_error="", portal_error_code="", portal_message="", created_at=now)


def _portal_knows(session: Session, dossier: Dossier) -> bool:
    """Whether a `DongBoHoSoMC` of the dossier was written before (then the next ones update it)."""
    return session.scalar(select(PortalEvent.id).where(PortalEvent.dossier_id == dossier.id,
                                                       PortalEvent.service == DOSSIER_SERVICE).limit(1)) is not None


def _dossier_of(session: Session, audit_event: AuditEvent) -> Dossier | None:
    """The dossier an event is about: a dossier event names its code, a task event its instance."""
    if audit_event.action == STEP_ACTION:
        if audit_event.instance_id is None:
            return None
        matches = (d for d in _loaded_dossiers(session) if d.instance_id == audit_event.instance_id)
        query = select(Dossier).where(Dossier.instance_id == audit_event.instance_id)
    else:
        matches = (d for d in _loaded_dossiers(session) if d.code == audit_event.subject)
        query = select(Dossier).where(Dossier.code == audit_event.subject)
    return next(matches, None) or session.scalars(query).first()


def _loaded_dossiers(session: Session):
    return (obj for obj in session.identity_map.values() if isinstance(obj, Dossier))


# --- catching up ---------------------------------------------------------------------------------

def resync(session: Session, *, since: date, actor: str, steps: bool = False) -> int:
    """Send again, as updates, every dossier changed since the start of `since` (a day in the working
    calendar's zone): its state now and, with `steps`, each of its completed steps. Returns how many
    dossiers; the rows queue behind those of the dossier already waiting."""
    start = datetime.combine(since, time.min, load_calendar(session).zone)
    changed = select(AuditEvent.instance_id).where(AuditEvent.occurred_at >= start,
                                                   AuditEvent.instance_id.is_not(None)).distinct()
    dossiers = list(session.scalars(select(Dossier).where(or_(Dossier.instance_id.in_(changed),
                                                              Dossier.submitted_at >= start)).order_by(Dossier.id)))
    now = utcnow()
    rows = []
    for dossier in dossiers:
        rows.append(_row(dossier, None, RESYNC, DOSSIER_SERVICE, dossier_body(session, dossier, updating=True), now))
        if steps and dossier.instance_id is not None:
            done = session.scalars(select(HumanTask).where(HumanTask.instance_id == dossier.instance_id,
                                                           HumanTask.state == "completed")
                                   .order_by(HumanTask.completed_at, HumanTask.id))
            rows.extend(_row(dossier, None, RESYNC, STEP_SERVICE, step_body(task_step(
                session, dossier, task, actor=task.completed_by or "system", at=task.completed_at)), now)
                for task in done)
    session.add_all(rows)
    audit.record(session, actor=actor, action="portal.resynced", subject=since.isoformat(),
                 data={"dossiers": len(dossiers), "events": len(rows), "steps": steps})
    return len(dossiers)
