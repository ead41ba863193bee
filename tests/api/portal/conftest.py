"""The portal synchronisation tests run the app with synchronisation on, to the portal's double."""

from __future__ import annotations

import pytest

from workflows.portal.client import PortalClient
from workflows.settings import Settings


@pytest.fixture
def settings(database_url, tmp_path, portal) -> Settings:
    """The app's settings (tests/api/conftest.py), with synchronisation on, to the double."""
    return Settings(data_dir=tmp_path, database_url=database_url, scheduler_enabled=False,
                    token_ttl_minutes=7 * 24 * 60, portal=portal.config())


@pytest.fixture
def portal_client(portal) -> PortalClient:
    """A client of its own for each test (no session kept from another)."""
    return PortalClient(portal.config())
