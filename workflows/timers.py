"""Firing due timers for the one-stop service: each instance in its own transaction."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import sessionmaker

from engine import instances
from engine.clock import utcnow
from workflows.dossiers import find_by_instance
from workflows.errors import Conflict, ExecutionFailed
from workflows.lifecycle import apply_model_effects

log = logging.getLogger(__name__)


def fire_due_timers(session_factory: sessionmaker, *, now: datetime | None = None, limit: int = 100) -> int:
    """Fire every timer due at `now`; returns how many instances moved.

    Safe to run from several processes at once: an instance is locked while it fires
    (FOR UPDATE SKIP LOCKED on PostgreSQL, the write lock on SQLite) and a timer that another
    process already fired is no longer due.
    """
    now = now or utcnow()
    with session_factory() as session, session.begin():
        due = instances.instances_with_due_timers(session, now, limit)
    moved = 0
    for instance_id in due:
        try:
            with session_factory() as session, session.begin():
                result = instances.fire_due_timers(session, instance_id, now=now)
                if result is None:
                    continue
                dossier = find_by_instance(session, instance_id)
                if dossier is not None:
                    apply_model_effects(session, dossier, result.completed, actor="scheduler")
            moved += 1
        except Conflict:
            log.info("timer of instance %s raced with another change; retrying on the next tick", instance_id)
        except ExecutionFailed as exc:
            log.error("timer of instance %s cannot fire: %s %s", instance_id, exc.message, exc.details)
    return moved
