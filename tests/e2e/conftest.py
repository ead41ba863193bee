"""A real server's environment: its own data folder, the test's database, a free port."""

from __future__ import annotations

import os

import pytest

from tests.servers import free_port


@pytest.fixture
def server_env(database_url, sessions, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(MOTCUA_DATA_DIR=str(tmp_path), MOTCUA_DATABASE_URL=database_url, PORT=str(free_port()),
               MOTCUA_TIMER_POLL_SECONDS="0.3")
    return env
