"""The service's own settings an administrator changes at run time (the agency's details, the rules of
stopping a dossier, the transit allowance, Decision 766's targets...): one JSON value per key in
`app_setting`, read over the caller's defaults and written with who changed it. The callers check
their values and write their own audit event (`changes` gives what it says changed)."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.clock import utcnow
from workflows.models import AppSetting

_VALUE = select(AppSetting.value).where(AppSetting.key == bindparam("key"))


def stored(session: Session, key: str) -> dict:
    """What was saved under `key` (nothing saved: an empty dict). Read on the session's connection
    (about half the cost of a read through the session; several are read on every receipt): `store`
    flushes, so what this transaction saved is seen."""
    value = session.connection().execute(_VALUE, {"key": key}).scalar()
    return dict(value) if value else {}


def store(session: Session, key: str, value: dict, *, actor: str) -> None:
    """Save `value` under `key`, replacing what was there."""
    row = session.get(AppSetting, key)
    if row is None:
        row = AppSetting(key=key, value={})
        session.add(row)
    row.value = value
    row.updated_by, row.updated_at = actor, utcnow()
    session.flush()


def last_change(session: Session, key: str) -> tuple[str | None, object]:
    """Who saved `key` last, and when (None, None: never saved)."""
    row = session.get(AppSetting, key)
    return (row.updated_by, row.updated_at) if row else (None, None)


def changes(before: dict, after: dict) -> dict:
    """{name: {"from", "to"}} for each value that differs, as the change log shows it."""
    return {name: {"from": before.get(name), "to": after[name]} for name in after if before.get(name) != after[name]}
