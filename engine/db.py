"""Database plumbing shared by every table: declarative base, column types, engine factory."""

from __future__ import annotations

import fcntl
import os
import select
import sqlite3
import threading
import time
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(sa.types.TypeDecorator):
    """Stores aware datetimes as UTC and always gives back aware UTC datetimes.

    SQLite has no time zones: the value is stored naive, in UTC, and marked UTC on the way out.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; attach a time zone")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


def make_engine(url: str, **kwargs) -> sa.Engine:
    """An engine for `url`. SQLite gets foreign keys, WAL and writer serialisation.

    On SQLite every transaction starts with BEGIN IMMEDIATE: writers queue for the lock instead
    of failing with "database is locked" when their snapshot is stale, and a writer always reads
    the latest committed state. The optimistic revision check still guards the instance rows.

    A file database's writers queue first (`_WriterQueue`): on a lock of their process, then on a
    lock file beside the database tried every few milliseconds. SQLite's own busy handler sleeps up
    to 100 ms between tries, which made waiting writers late by far more than the transaction ahead.

    A PostgreSQL engine checks each pooled connection as it is taken (`_check_at_checkout`), unless
    the caller asks for SQLAlchemy's `pool_pre_ping`.
    """
    if url.startswith("sqlite"):
        database = sa.engine.make_url(url).database
        queue_path = f"{database}-writers.lock" if database and database != ":memory:" else None
        engine = sa.create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30, "isolation_level": None,
                          **({"factory": _writer_queued(queue_path)} if queue_path else {})},
            **kwargs,
        )

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _on_begin(connection):
            dbapi_connection = connection.connection.dbapi_connection
            if isinstance(dbapi_connection, _WriterQueue):
                dbapi_connection.queue_for_writing()
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # as many kept connections as a server worker has threads (the caller says; api/db.py): with
    # fewer, every request beyond them opened a connection and closed it after (a PostgreSQL
    # backend started for one request), which is what a busy server does most
    kwargs.setdefault("pool_size", POOL_SIZE)
    engine = sa.create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping") and engine.dialect.name == "postgresql":
        _check_at_checkout(engine)
    return engine


POOL_SIZE = 8


PING_AFTER_IDLE = 1.0  # seconds a pooled connection may rest before it is pinged at checkout
_RESTING_SINCE = "motcua_resting_since"


def _check_at_checkout(engine: sa.Engine) -> None:
    """A pooled PostgreSQL connection is checked when it is taken, without a round trip when it was in
    use a moment ago.

    A connection the server has closed or is closing (a restart, `pg_terminate_backend`, an idle
    timeout) has something to read on its socket while it rests in the pool: the server's last message
    or the end of the stream. One poll of the socket sees it, where SQLAlchemy's `pool_pre_ping` sent
    `SELECT 1` and waited for the answer on every checkout, three times in an officer's step. A
    connection that rested longer than PING_AFTER_IDLE is pinged as before: a host that vanished
    without closing its sockets leaves nothing to read. Either way the dead connection is replaced
    before it is handed out (a failed ping drops the whole pool, as `pool_pre_ping` does), and no
    request sees it.
    """

    @sa.event.listens_for(engine, "checkin")
    def _rests(_dbapi_connection, record) -> None:
        record.info[_RESTING_SINCE] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _taken(dbapi_connection, record, _proxy) -> None:
        resting_since = record.info.pop(_RESTING_SINCE, None)
        if resting_since is None:
            return  # a new connection
        if closed_by_server(dbapi_connection):
            raise sa.exc.DisconnectionError("the server closed the connection while it rested in the pool")
        if time.monotonic() - resting_since > PING_AFTER_IDLE:
            try:
                ping(dbapi_connection)
            except Exception as exc:
                raise sa.exc.InvalidatePoolError(f"a pooled connection did not answer: {exc}") from exc


def closed_by_server(dbapi_connection) -> bool:
    """The connection is closed, or its server has sent something while nothing was asked of it (its
    goodbye, or the end of the stream)."""
    if dbapi_connection.closed:
        return True
    poller = select.poll()
    poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


def ping(dbapi_connection) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SELECT 1")


QUEUE_SECONDS = 30.0  # SQLite's own busy timeout
QUEUE_MAX_PAUSE = 0.002  # between two tries for the file lock (SQLite's busy handler sleeps up to 100 ms)


class _WriterQueue(sqlite3.Connection):
    """A SQLite connection whose transactions first queue for writing, and leave the queue once the
    transaction has committed or rolled back.

    The threads of a process queue on a lock of the process (they sleep until it is free); the one
    holding it then takes an exclusive lock on a file beside the database (flock), shared with the
    other processes, tried every 0.2 to 2 ms: one thread per process polls, not every waiting one.
    Past QUEUE_SECONDS a writer goes on without the queue and SQLite's busy handler decides, as it
    did before this queue: nobody waits here for ever.
    """

    queue_path: str
    process_lock: threading.Lock
    _queue_fd: int | None = None
    _in_process_queue = False

    def queue_for_writing(self) -> None:
        if self._in_process_queue:
            return
        deadline = time.monotonic() + QUEUE_SECONDS
        if not self.process_lock.acquire(timeout=QUEUE_SECONDS):
            return
        self._in_process_queue = True
        fd = os.open(self.queue_path, os.O_RDWR | os.O_CREAT, 0o600)
        pause = 0.0002
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    self._queue_fd = fd
                    return
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        os.close(fd)
                        return  # still first in this process's queue: the others wait for this writer
                    time.sleep(pause)
                    pause = min(2 * pause, QUEUE_MAX_PAUSE)
        except BaseException:
            os.close(fd)
            self._leave_queue()
            raise

    def _leave_queue(self) -> None:
        if self._queue_fd is not None:
            fd, self._queue_fd = self._queue_fd, None
            os.close(fd)  # closing the descriptor releases its lock
        if self._in_process_queue:
            self._in_process_queue = False
            self.process_lock.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._leave_queue()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._leave_queue()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._leave_queue()


def _writer_queued(queue_path: str) -> type[_WriterQueue]:
    return type("WriterQueue", (_WriterQueue,), {"queue_path": queue_path, "process_lock": threading.Lock()})


def make_session_factory(engine: sa.Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)


def forget_at_transaction_end(*keys: str) -> None:
    """`session.info` keys that hold something for one transaction only (a calendar read once, the
    workflows a step saved, the audit events written at once): dropped from every session when its
    outermost transaction ends, committed or rolled back."""

    @sa.event.listens_for(Session, "after_transaction_end")
    def _forget(session: Session, transaction) -> None:
        if transaction.parent is None:
            for key in keys:
                session.info.pop(key, None)
