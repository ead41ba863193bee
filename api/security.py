"""Bearer-token authentication on every endpoint but a few public ones, and role checks."""

from __future__ import annotations

from functools import wraps

from flask import Flask, g, request

from api.db import transaction
from workflows import auth
from workflows.errors import Forbidden, Unauthenticated

PUBLIC_ENDPOINTS = {"health.healthz", "auth.Login", "api-docs.openapi_json", "api-docs.openapi_swagger_ui",
                    "static"}
PUBLIC_BLUEPRINTS = {"public", "public_pages"}  # applicants, who prove who they are with each request's check digits


def init_app(app: Flask) -> None:
    app.before_request(_authenticate)


def _authenticate() -> None:
    if (request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS or request.blueprint in PUBLIC_BLUEPRINTS
            or request.method == "OPTIONS"):
        return
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise Unauthenticated("Send 'Authorization: Bearer <token>'; get a token from POST /api/v1/auth/login.")
    with transaction() as session:
        g.principal = auth.principal_for_token(session, raw.strip())
    g.raw_token = raw.strip()


def current_principal() -> auth.Principal:
    return g.principal


def requires(*roles: str):
    """Allow the view only to callers holding one of `roles`."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_principal().has_role(*roles):
                raise Forbidden(f"This needs the role {' or '.join(roles)}.", required_roles=list(roles))
            return view(*args, **kwargs)

        wrapper.required_roles = roles
        return wrapper

    return decorator
