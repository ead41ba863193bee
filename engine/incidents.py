"""Incidents: a step the service ran on its own (a timer firing and everything after it) that failed.

The failing step is rolled back, so the instance keeps its state from before it; the failure is
recorded here instead of being retried at every tick. The scheduler tries the step again a few times
with back-off (`BACKOFF`: the incident is `retrying`, its `next_retry_at` due), then stops: the
incident is `open` and the instance's timers are held (engine/task_rows.py) until an administrator
acts. While an incident is unresolved, people may still work the instance: the timers that are due
are held in their steps (`engine.instances`), so the broken step does not break theirs.

An administrator resolves an incident by replaying the step, with a retry or a skip
(engine/repair.py), or repairs the instance by a move or a migration. An incident whose failing
timers are gone (a person's step cancelled them) resolves itself as `obsolete`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine import audit
from engine.clock import utcnow
from engine.errors import EngineError, NotFound
from engine.models import INCIDENT_UNRESOLVED, Incident, ProcessInstance, WaitingTimer

# After the first failure the scheduler tries again after these delays, then stops (attempts 2, 3).
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5))
SCHEDULER = "scheduler"  # the actor of the scheduler's own steps


def record_failure(session: Session, instance_id: int, error: Exception, *, trigger: str = "timer",
                   now: datetime | None = None) -> tuple[Incident, bool]:
    """Record that the instance's automatic step failed with `error`: a new incident, or one more
    attempt of its unresolved one. Returns (the incident, whether it is new). The caller's transaction
    holds nothing of the failed step (it rolled back)."""
    now = now or utcnow()
    instance = session.get(ProcessInstance, instance_id, with_for_update=True)
    if instance is None:
        raise NotFound(f"Process instance {instance_id} does not exist.", instance_id=instance_id)
    incident = session.get(Incident, instance.incident_id) if instance.incident_id else None
    new = incident is None or incident.state not in INCIDENT_UNRESOLVED
    details = getattr(error, "details", {}) or {}
    if new:
        incident = Incident(instance_id=instance_id, trigger=trigger, attempts=0, created_at=now)
        session.add(incident)
    incident.attempts += 1
    incident.bpmn_id = details.get("element")
    incident.element_name = getattr(error, "element_name", None) or details.get("element")
    incident.message = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
    incident.line = details.get("line")
    incident.task_data = _json_safe(getattr(error, "task_data", None) or {})
    incident.last_failed_at = now
    delay = BACKOFF[incident.attempts - 1] if incident.attempts <= len(BACKOFF) else None
    incident.state, incident.next_retry_at = ("retrying", now + delay) if delay else ("open", None)
    session.flush()
    # Linked without a new revision: the instance's state is what it was (a stale copy stays valid).
    session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id)
                    .values(incident_id=incident.id).execution_options(synchronize_session=False))
    set_committed_value(instance, "incident_id", incident.id)
    audit.record(session, actor=SCHEDULER, action="incident.opened" if new else "incident.failed_again",
                 instance_id=instance_id, subject=instance.business_key, at=now,
                 data={"incident_id": incident.id, "bpmn_id": incident.bpmn_id, "message": incident.message,
                       "attempts": incident.attempts, "state": incident.state,
                       "next_retry_at": incident.next_retry_at.isoformat() if incident.next_retry_at else None})
    return incident, new


def get_incident(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"Incident {incident_id} does not exist.", incident_id=incident_id)
    return incident


def after_step(session: Session, instance: ProcessInstance, *, actor: str, now: datetime) -> None:
    """After a step of an instance with an unresolved incident (engine/instances.py calls it): the
    scheduler's own retry that went through resolves it (`retried`); a person's step that took the
    failing timers away (none of its timers is due any more) makes it `obsolete`."""
    incident = session.get(Incident, instance.incident_id)
    if incident is None or incident.state not in INCIDENT_UNRESOLVED:
        instance.incident_id = None
    elif actor == SCHEDULER:
        resolve(session, instance, incident, resolution="retried", actor=actor)
    elif session.scalar(select(func.count()).select_from(WaitingTimer).where(
            WaitingTimer.instance_id == instance.id, WaitingTimer.due_at <= now)) == 0:
        resolve(session, instance, incident, resolution="obsolete", actor=actor)


def record_failed_repair(session: Session, incident_id: int, error: EngineError, *, actor: str) -> None:
    """An administrator's retry or skip failed too (its step rolled back): count the attempt."""
    incident = get_incident(session, incident_id)
    incident.attempts += 1
    incident.last_failed_at = utcnow()
    incident.message = error.message
    audit.record(session, actor=actor, action="incident.repair_failed", instance_id=incident.instance_id,
                 data={"incident_id": incident.id, "message": error.message, "attempts": incident.attempts})


def take_unresolved(session: Session, instance: ProcessInstance) -> Incident | None:
    """The instance's unresolved incident, unlinked from it for a repair's step (which the repair
    then resolves, or rolls back)."""
    incident = session.get(Incident, instance.incident_id) if instance.incident_id is not None else None
    instance.incident_id = None
    return incident if incident is not None and incident.state in INCIDENT_UNRESOLVED else None


def resolve(session: Session, instance: ProcessInstance, incident: Incident, *, resolution: str,
             actor: str) -> None:
    now = utcnow()
    incident.state, incident.resolution = "resolved", resolution
    incident.resolved_at, incident.resolved_by, incident.next_retry_at = now, actor, None
    instance.incident_id = None
    audit.record(session, actor=actor, action="incident.resolved", instance_id=instance.id,
                 subject=instance.business_key, at=now,
                 data={"incident_id": incident.id, "resolution": resolution, "attempts": incident.attempts})


def unresolved_of(session: Session, instance_ids: list[int]) -> dict[int, Incident]:
    rows = session.scalars(select(Incident).where(Incident.instance_id.in_(instance_ids),
                                                  Incident.state.in_(INCIDENT_UNRESOLVED)))
    return {row.instance_id: row for row in rows}


def _json_safe(data: dict) -> dict:
    """The failing element's data as the database stores it (values it cannot hold become their text)."""
    def safe(value):
        if isinstance(value, dict):
            return {str(k): safe(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [safe(v) for v in value]
        return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)
    return {key: safe(value) for key, value in data.items() if not str(key).startswith("_")}
