"""Behind a reverse proxy (MOTCUA_TRUSTED_PROXIES): the per-address limits count the applicant's
address the proxy forwarded, not the proxy's; without the setting a forwarded address is ignored,
so a caller cannot pick the address its failures are counted against."""

from __future__ import annotations

import pytest

from api import create_app

ADDRESS_LIMIT = 20  # failed logins per address in 15 minutes (workflows/auth.py)


@pytest.fixture
def client_with(settings, sessions, db_kind):
    if db_kind != "sqlite":
        pytest.skip("the address a request comes from does not depend on the database")
    apps = []

    def make(trusted_proxies: int):
        app = create_app(settings.with_overrides(trusted_proxies=trusted_proxies))
        apps.append(app)
        return app.test_client()

    yield make
    for app in apps:
        app.extensions["motcua_engine"].dispose()


def fail_login(client, n: int, forwarded_for: str) -> int:
    response = client.post("/api/v1/auth/login", json={"username": f"khong-co-{n}", "password": "sai"},
                           headers={"X-Forwarded-For": forwarded_for})
    return response.status_code


def test_behind_one_proxy_each_applicant_has_its_own_address_limit(client_with):
    client = client_with(trusted_proxies=1)
    assert {fail_login(client, n, "203.0.113.7") for n in range(ADDRESS_LIMIT)} == {401}
    assert fail_login(client, 100, "203.0.113.7") == 429
    assert fail_login(client, 101, "198.51.100.9") == 401


def test_without_a_trusted_proxy_a_forwarded_address_is_ignored(client_with):
    client = client_with(trusted_proxies=0)
    assert {fail_login(client, n, f"203.0.113.{n}") for n in range(ADDRESS_LIMIT)} == {401}
    assert fail_login(client, 100, "198.51.100.9") == 429


def test_behind_a_proxy_the_scheme_it_received_is_believed(client_with):
    response = client_with(trusted_proxies=1).get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers
