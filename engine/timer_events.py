"""Tell whoever listens, after a commit, that waiting timers changed (so a scheduler re-arms)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

_CHANGED = "motcua_timers_changed"
_listeners: list[Callable[[], None]] = []


def mark_changed(session: Session) -> None:
    session.info[_CHANGED] = True


def subscribe(callback: Callable[[], None]) -> Callable[[], None]:
    """Call `callback` after each commit that changed timers; returns the unsubscribe function."""
    _listeners.append(callback)
    return lambda: _listeners.remove(callback) if callback in _listeners else None


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        for callback in list(_listeners):
            callback()


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous_transaction) -> None:
    session.info.pop(_CHANGED, None)
