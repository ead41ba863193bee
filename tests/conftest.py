"""Shared fixtures: every database test runs on SQLite and on PostgreSQL, migrated by Alembic.

PostgreSQL comes from MOTCUA_TEST_POSTGRES_URL (default: the local server's `test` database).
Each test run creates its own database next to it and drops it at the end. With CI=true a
PostgreSQL that cannot be reached fails the run instead of skipping.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

import migrations
import workflows.models  # noqa: F401 - all tables on Base.metadata
from engine import state_store
from engine.db import Base, make_engine, make_session_factory
from engine.serialization import state_to_json
from tests.oidc_double import oidc_provider  # noqa: F401 - the identity provider's double (VNeID)
from tests.pki import pki, tsa  # noqa: F401 - the test PKI and its timestamp server
from tests.portal_double import portal  # noqa: F401 - the national portal's double for every test module
from tests.servers import gateway, mailbox, start_smtp_server  # noqa: F401 - real servers for every test module
from workflows import auth

auth.use_cheap_hashing_for_tests()


def _write_and_verify(session, checkpoint, _write=state_store.write) -> None:
    """Every stored step, in every test, must load back as the whole serialization of its workflow."""
    _write(session, checkpoint)
    if state_store.stored_state(session, checkpoint.instance_id, checkpoint.state) != json.loads(
            state_to_json(checkpoint.workflow)):
        raise AssertionError(f"the stored state of instance {checkpoint.instance_id} is not its workflow's")


state_store.write = _write_and_verify

ROOT = Path(__file__).resolve().parent.parent
BPMN_MODELS = ROOT / "bpmn_models"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _postgres_admin_url() -> str:
    return os.environ.get("MOTCUA_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def _create_postgres_database() -> tuple[str, sa.Engine]:
    admin = sa.create_engine(_postgres_admin_url(), isolation_level="AUTOCOMMIT")
    name = f"motcua_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        message = f"PostgreSQL at {make_url(_postgres_admin_url()).render_as_string()} is not reachable: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    url = make_url(_postgres_admin_url()).set(database=name).render_as_string(hide_password=False)
    return url, admin


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    """A migrated, empty database of each kind, for the whole run."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'motcua.db'}"
        migrations.upgrade(url)
        yield url
        return
    url, admin = _create_postgres_database()
    try:
        migrations.upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = :name AND pid <> pg_backend_pid()"
            ), {"name": make_url(url).database})
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{make_url(url).database}"'))
        admin.dispose()


@pytest.fixture(scope="session")
def db_engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(db_engine):
    """A session factory on a database emptied after the test."""
    yield make_session_factory(db_engine)
    with db_engine.begin() as connection:
        # Test-only: the audit tables' triggers refuse DELETE (append-only). Lift them as the tables'
        # owner inside this transaction alone (DDL is transactional on both databases): they are
        # back when it commits, and no other connection ever sees the tables unguarded.
        if connection.dialect.name == "postgresql":
            guarded = connection.execute(sa.text(
                "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal")).scalars().all()
            for table in guarded:
                connection.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        else:
            triggers = connection.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
            for name, _sql in triggers:
                connection.execute(sa.text(f'DROP TRIGGER "{name}"'))
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
        if connection.dialect.name == "postgresql":
            for table in guarded:
                connection.execute(sa.text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
        else:
            for _name, sql in triggers:
                connection.exec_driver_sql(sql)


@pytest.fixture
def db_kind(database_url) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


def read_model(name: str) -> bytes:
    path = BPMN_MODELS / name if (BPMN_MODELS / name).exists() else FIXTURES / "bpmn" / name
    return path.read_bytes()


REVIEW_TIMER = '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">deadline("review")</bpmn:timeDate>'


def with_review_timer(model: str, timer_xml: str) -> bytes:
    """A seed model whose review boundary timer is `timer_xml` instead of `deadline("review")`."""
    content = read_model(model).decode()
    assert REVIEW_TIMER in content
    return content.replace(REVIEW_TIMER, timer_xml).encode()


def duration_timer(expression: str) -> str:
    return f'<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{expression}</bpmn:timeDuration>'
