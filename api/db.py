"""One SQLAlchemy session per request, and `transaction()` for a unit of work inside it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from engine import calendar_store
from engine.db import make_engine, make_session_factory
from workflows.errors import RecordedFailure

SCHEDULER_CONNECTIONS = 2  # the timer firing and the outbox or sealing jobs that run beside it


def init_app(app: Flask) -> None:
    settings = app.config["MOTCUA"]
    # as many kept connections as the worker serves requests at once, and its scheduler's: with
    # fewer, a connection is opened and closed for each use beyond them (on PostgreSQL a backend
    # started for one request or one scheduler job)
    engine = make_engine(settings.database_url, pool_size=settings.threads + SCHEDULER_CONNECTIONS)
    app.extensions["motcua_engine"] = engine
    app.extensions["motcua_sessions"] = make_session_factory(engine)
    app.teardown_appcontext(_close_session)


def session_factory(app: Flask | None = None):
    return (app or current_app).extensions["motcua_sessions"]


def request_session() -> Session:
    if "db_session" not in g:
        g.db_session = session_factory()()
    return g.db_session


@contextmanager
def transaction() -> Iterator[Session]:
    """Commit what the block did, or roll all of it back if it raises.

    The request's first transaction goes on with the one its authentication began (a read of the
    token), so that a request is one transaction; the zone its times are shown in is read in it too.
    """
    session = request_session()
    failure = None
    with session.get_transaction() or session.begin():
        try:
            yield session
        except RecordedFailure as recorded:  # keep what the service wrote about the failure, then fail
            failure = recorded.error
        if "display_timezone" not in g:
            g.display_timezone = calendar_store.get_timezone(session)
    if failure is not None:
        raise failure


def own_transactions():
    """For a view whose service runs several transactions of its own (a bulk operation): end the
    request's transaction first (on SQLite it holds the write lock since the token was read), read
    the display zone, and give the session factory."""
    session = request_session()
    if session.in_transaction():
        if "display_timezone" not in g:
            g.display_timezone = calendar_store.get_timezone(session)
        session.commit()
    return session_factory()


def display_timezone() -> str:
    """The zone times are shown in: the working calendar's (an administrator's setting), read once
    per request, in its transaction (`transaction`, or the one its authentication began) or else in
    a session of its own so that it never opens the request's transaction again."""
    if "display_timezone" not in g:
        session = g.get("db_session")
        if session is not None and session.in_transaction():
            g.display_timezone = calendar_store.get_timezone(session)
        else:
            with session_factory()() as session:
                g.display_timezone = calendar_store.get_timezone(session)
    return g.display_timezone


def _close_session(_exc) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
