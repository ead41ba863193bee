"""Fixed-window rate limits kept in the database, so every server process counts the same hits.

A hit is committed in its own short transaction: a request that then fails (a wrong check
digit, say) still counts, and one that is refused never touches the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, literal
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import sessionmaker

from engine.clock import utcnow
from engine.db import UTCDateTime
from workflows.errors import RateLimited
from workflows.models import RateLimitHit


def check(session_factory: sessionmaker, key: str, *, limit: int, window: timedelta,
          now: datetime | None = None) -> None:
    """`RateLimited` when `key` already used up its attempts in the current window (counts nothing)."""
    now = now or utcnow()
    with session_factory() as session:
        row = session.get(RateLimitHit, key[:255])
        if row is not None and row.window_start > now - window and row.count >= limit:
            retry_after = max(1, int((row.window_start + window - now).total_seconds()) + 1)
            raise RateLimited(f"Too many attempts; try again in {retry_after} seconds.", retry_after=retry_after)


def seen(session_factory: sessionmaker, key: str, *, window: timedelta, now: datetime | None = None) -> bool:
    """Whether `key` was counted in the last `window` (e.g. a user signed in from an address)."""
    now = now or utcnow()
    with session_factory() as session:
        row = session.get(RateLimitHit, key[:255])
        return row is not None and row.window_start > now - window


def hit(session_factory: sessionmaker, key: str, *, limit: int, window: timedelta,
        now: datetime | None = None) -> int:
    """Count one attempt for `key`; `RateLimited` (with `retry_after` seconds) past `limit` per window."""
    now = now or utcnow()
    count, window_start = record(session_factory, key, window=window, now=now)
    if count > limit:
        retry_after = max(1, int((window_start + window - now).total_seconds()) + 1)
        raise RateLimited(f"Too many attempts; try again in {retry_after} seconds.", retry_after=retry_after)
    return count


def record(session_factory: sessionmaker, key: str, *, window: timedelta,
           now: datetime | None = None) -> tuple[int, datetime]:
    """Count one attempt for `key` without judging it: (attempts in the window, when it began)."""
    now = now or utcnow()
    with session_factory() as session, session.begin():
        dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
        table = RateLimitHit.__table__
        expired = table.c.window_start <= now - window
        statement = (
            dialect.insert(table).values(key=key[:255], window_start=now, count=1)
            .on_conflict_do_update(
                index_elements=["key"],
                set_={"window_start": case((expired, literal(now, UTCDateTime)), else_=table.c.window_start),
                      "count": case((expired, 1), else_=table.c.count + 1)})
            .returning(table.c.count, table.c.window_start)
        )
        return tuple(session.execute(statement).one())
