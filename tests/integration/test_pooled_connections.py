"""A pooled PostgreSQL connection is checked when it is taken (engine/db.py `_check_at_checkout`): the
server's goodbye on its socket is seen without a round trip, a connection that rested long is pinged,
and in either case the request gets a live connection, never the dead one."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from engine import db

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

BACKEND = sa.text("SELECT pg_backend_pid()")


@pytest.fixture
def pool(database_url):
    engine = db.make_engine(database_url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


@pytest.fixture
def pings(monkeypatch) -> list:
    sent = []
    real = db.ping
    monkeypatch.setattr(db, "ping", lambda connection: (sent.append(connection), real(connection)))
    return sent


def _backend(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(BACKEND).scalar_one()


def _terminate(database_url: str, pid: int) -> None:
    """End the backend `pid` and wait until it has gone: its goodbye and the end of its stream are then
    on the resting connection's socket."""
    admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    alive = sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid")
    with admin.connect() as connection:
        assert connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
        deadline = time.monotonic() + 30
        while connection.execute(alive, {"pid": pid}).scalar_one() and time.monotonic() < deadline:
            time.sleep(0.02)
    admin.dispose()


def test_a_connection_taken_again_at_once_is_not_pinged(pool, pings):
    first = _backend(pool)
    assert [_backend(pool) for _ in range(5)] == [first] * 5
    assert pings == []


def test_a_connection_the_server_closed_while_it_rested_is_replaced_without_a_ping_or_an_error(
        database_url, pool, pings, monkeypatch):
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 3600.0)  # only the socket's poll can see it
    first = _backend(pool)
    _terminate(database_url, first)
    second = _backend(pool)
    assert second != first
    assert pings == []


def test_a_connection_that_rested_long_is_pinged_and_replaced_when_it_does_not_answer(
        database_url, pool, pings, monkeypatch):
    first = _backend(pool)
    _terminate(database_url, first)
    # as a host that vanished without a word would look: nothing to read on the socket
    monkeypatch.setattr(db, "closed_by_server", lambda _connection: False)
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 0.0)
    second = _backend(pool)
    assert second != first
    assert len(pings) == 1


def test_a_connection_that_rested_long_and_answers_the_ping_is_kept(pool, pings, monkeypatch):
    first = _backend(pool)
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 0.0)
    assert _backend(pool) == first
    assert len(pings) == 1


def test_without_the_check_a_connection_the_server_closed_fails_the_request_that_takes_it(database_url):
    """What the check spares a request (and what `pool_pre_ping` cost a round trip on every checkout)."""
    unchecked = sa.create_engine(database_url, pool_size=1, max_overflow=0)
    try:
        first = _backend(unchecked)
        _terminate(database_url, first)
        with pytest.raises(sa.exc.OperationalError):
            _backend(unchecked)
    finally:
        unchecked.dispose()
