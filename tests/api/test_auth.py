"""Logging in, bearer tokens, and role checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from engine.clock import utcnow
from workflows.models import AccessToken, User


def test_a_demo_user_logs_in_and_gets_an_expiring_bearer_token(api):
    response = api.post("/api/v1/auth/login", json={"username": "desk", "password": "demo"})

    body = response.get_json()
    assert response.status_code == 200
    assert body["token_type"] == "Bearer"
    assert body["expires_at"].endswith("+07:00")
    me = api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}).get_json()
    assert me == {"username": "desk", "full_name": "Nguyễn Thị Một Cửa (demo)", "roles": ["desk_officer"],
                  "unit_code": "BP_MOT_CUA"}


@pytest.mark.parametrize("username,password", [("desk", "wrong"), ("nobody", "demo"), ("desk", "")])
def test_a_wrong_password_or_unknown_user_gets_the_same_401(api, username, password):
    response = api.post("/api/v1/auth/login", json={"username": username, "password": password})

    assert response.status_code in (401, 422)
    if password:
        assert response.status_code == 401
        assert response.get_json()["code"] == "unauthenticated"


@pytest.mark.parametrize("path", ["/api/v1/dossiers", "/api/v1/tasks", "/api/v1/procedures", "/api/v1/process-models"])
def test_endpoints_refuse_requests_without_a_token(api, path):
    response = api.get(path)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert set(response.get_json()) == {"code", "status", "message", "errors"}


def test_health_and_the_openapi_document_are_public(api):
    assert api.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
    spec = api.get("/api/openapi.json").get_json()
    assert "/api/v1/dossiers" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_an_expired_token_is_refused(api, sessions):
    token = api.token("desk")
    with sessions() as session, session.begin():
        session.execute(update(AccessToken).values(expires_at=utcnow() - timedelta(seconds=1)))

    response = api.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_a_disabled_user_is_refused_at_once(api, sessions):
    token = api.token("desk")
    with sessions() as session, session.begin():
        session.execute(update(User).where(User.username == "desk").values(active=False))

    assert api.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert api.post("/api/v1/auth/login", json={"username": "desk", "password": "demo"}).status_code == 401


def test_logging_out_revokes_the_token(api):
    token = api.token("leader")
    headers = {"Authorization": f"Bearer {token}"}

    assert api.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert api.get("/api/v1/tasks", headers=headers).status_code == 401


def test_passwords_are_stored_as_argon2_hashes(api, sessions):
    with sessions() as session:
        stored = session.query(User.password_hash).filter(User.username == "desk").scalar()
    assert stored.startswith("$argon2id$")
    assert "demo" not in stored


@pytest.mark.parametrize("user", ["desk", "specialist", "leader", "clerk"])
def test_only_an_admin_may_change_the_catalogue(api, user):
    response = api.put("/api/v1/procedures/CHUYEN_TRUONG_THPT", user=user, json={"fee_note": "x"})
    assert response.status_code == 403


@pytest.mark.parametrize("user", ["specialist", "leader", "clerk", "admin"])
def test_only_the_desk_may_receive_dossiers(api, user):
    response = api.post("/api/v1/dossiers", user=user, json={
        "procedure_code": "CHUYEN_TRUONG_THPT", "applicant": {"full_name": "A", "id_number": "012345678901"}})
    assert response.status_code == 403
