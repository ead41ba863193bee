"""Firing due timers for the one-stop service: a batch of instances per transaction, each in a savepoint."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from engine import instances
from engine.clock import utcnow
from workflows.dossiers import find_by_instance
from workflows.errors import Conflict, EngineError
from workflows.lifecycle import apply_model_effects, has_effects

log = logging.getLogger(__name__)
# Instances fired per transaction: a commit per instance was most of the cost of a firing. The
# batch holds its instances' rows (and on SQLite the write lock) until it commits.
BATCH = 25


def fire_due_timers(session_factory: sessionmaker, *, now: datetime | None = None, limit: int = 100) -> int:
    """Fire every timer due at `now` (up to `limit` instances); returns how many instances moved.

    Safe to run from several processes at once: an instance is locked while it fires
    (FOR UPDATE SKIP LOCKED on PostgreSQL, the write lock on SQLite) and a timer that another
    process already fired is no longer due. An instance that cannot fire (a race, a failing
    expression) is rolled back to its savepoint alone; the others of its batch commit.
    """
    now = now or utcnow()
    with session_factory() as session, session.begin():
        due = instances.instances_with_due_timers(session, now, limit)
    moved = 0
    for first in range(0, len(due), BATCH):
        with session_factory() as session, session.begin():
            moved += sum(_fire(session, instance_id, now) for instance_id in due[first:first + BATCH])
    return moved


def _fire(session: Session, instance_id: int, now: datetime) -> bool:
    """Fire one instance's due timers in a savepoint of the batch's transaction; whether it moved."""
    try:
        with session.begin_nested():
            result = instances.fire_due_timers(session, instance_id, now=now)
            if result is None:
                return False
            dossier = find_by_instance(session, instance_id) if has_effects(result.completed) else None
            if dossier is not None:
                apply_model_effects(session, dossier, result.completed, actor="scheduler")
        return True
    except Conflict:
        log.info("timer of instance %s raced with another change; retrying on the next tick", instance_id)
    except EngineError as exc:  # a failing expression, a refused status transition...
        log.error("timer of instance %s cannot fire: %s %s", instance_id, exc.message, exc.details)
    return False
