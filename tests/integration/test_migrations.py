"""The schema comes from Alembic migrations, and they match the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import migrations
from engine.db import Base


def test_migrating_to_head_gives_exactly_the_models_schema(db_engine):
    with db_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_every_migration_downgrades_and_upgrades_again(database_url, db_engine, sessions):
    migrations.downgrade(database_url, "base")
    with db_engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    migrations.upgrade(database_url)
    with db_engine.connect() as connection:
        assert set(Base.metadata.tables) <= set(inspect(connection).get_table_names())
