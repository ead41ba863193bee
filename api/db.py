"""One SQLAlchemy session per request, and `transaction()` for a unit of work inside it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from engine import calendar_store
from engine.db import make_engine, make_session_factory


def init_app(app: Flask) -> None:
    settings = app.config["MOTCUA"]
    engine = make_engine(settings.database_url)
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
    """Commit what the block did, or roll all of it back if it raises."""
    session = request_session()
    with session.begin():
        yield session


def display_timezone() -> str:
    """The zone times are shown in: the working calendar's (an administrator's setting), read once
    per request in a session of its own so that it never opens the request's transaction."""
    if "display_timezone" not in g:
        with session_factory()() as session:
            g.display_timezone = calendar_store.get_settings(session).timezone
    return g.display_timezone


def _close_session(_exc) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
