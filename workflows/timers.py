"""Firing due timers for the one-stop service: a batch of instances per transaction.

A step that fails (a script after the timer, a refused status change...) becomes an incident of
its instance (workflows/incidents.py): the instance keeps its state, the scheduler tries again a
few times with back-off, then holds its timers until an administrator acts. It is never retried
at every tick.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from engine import instances
from engine.clock import utcnow
from engine.errors import ConcurrentUpdate
from workflows import incidents
from workflows.dossiers import dossiers_of
from workflows.lifecycle import apply_model_effects, has_effects
from workflows.models import Dossier

log = logging.getLogger(__name__)
# Instances fired per transaction: a commit per instance was most of the cost of a firing. The
# batch holds its instances' rows (and on SQLite the write lock) until it commits.
BATCH = 25


def fire_due_timers(session_factory: sessionmaker, *, now: datetime | None = None, limit: int = 100) -> int:
    """Fire every timer due at `now` (up to `limit` instances); returns how many instances moved.

    Safe to run from several processes at once: an instance is locked while it fires
    (FOR UPDATE SKIP LOCKED on PostgreSQL, the write lock on SQLite) and a timer that another
    process already fired is no longer due. A batch in which an instance cannot fire (a race, a
    failing expression) is rolled back whole and fired again one instance per transaction, so that
    the others move and that one is recorded as an incident.
    """
    now = now or utcnow()
    with session_factory() as session, session.begin():
        due = instances.instances_with_due_timers(session, now, limit)
    moved = 0
    for first in range(0, len(due), BATCH):
        batch = due[first:first + BATCH]
        try:
            with session_factory() as session, session.begin():
                moved += _fire(session, batch, now)
        except Exception:  # noqa: BLE001 - whichever instance failed, the others of the batch go on alone
            moved += sum(_fire_alone(session_factory, instance_id, now) for instance_id in batch)
    return moved


def _fire(session: Session, instance_ids: list[int], now: datetime) -> int:
    """Fire the instances' due timers and apply what the model says to their dossiers; how many moved."""
    return len(instances.fire_due_timers_of(session, instance_ids, now=now, effects=_effects(session, instance_ids)))


def _effects(session: Session, instance_ids: list[int]):
    """What a fired timer's step means to its dossier (a timer of an instance without one: nothing);
    a step that ends the process always concerns it (it resolves). The batch's dossiers are read in one
    statement when the first step wants one: the instances are locked by then, and the rows the steps
    have written so far wait for the batch's one flush at its commit."""
    dossiers: dict[int, Dossier] | None = None

    def effects(step) -> None:
        nonlocal dossiers
        if not (step.finished or has_effects(step.completed)):
            return
        if dossiers is None:
            with session.no_autoflush:
                dossiers = dossiers_of(session, instance_ids)
        dossier = dossiers.get(step.instance.id)
        if dossier is not None:
            apply_model_effects(session, dossier, step, actor="scheduler")
    return effects


def _fire_alone(session_factory: sessionmaker, instance_id: int, now: datetime) -> int:
    try:
        with session_factory() as session, session.begin():
            return _fire(session, [instance_id], now)
    except ConcurrentUpdate:
        log.info("timer of instance %s raced with another change; retrying on the next tick", instance_id)
    except Exception as exc:  # noqa: BLE001 - a failing expression, a refused status change, a bug: an incident
        incidents.record_failure(session_factory, instance_id, exc)
    return 0
