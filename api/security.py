"""Who may call what: bearer tokens on every endpoint but the public ones, and a rule on every view.

Every API view carries one access rule, set by one of the decorators here, and a test walks the
route list to make sure of it (`tests/api/test_access_matrix.py`): `requires(*roles, scope=...)`
(those roles, or an integration's API token with that scope), `signed_in` (any user; not an API
token), or membership of a public blueprint (applicants, who prove who they are with check digits).
Rules about a particular dossier or task (its deciding unit, the task's role) are the service's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import Flask, g, request

from api.db import request_session, transaction
from workflows import auth
from workflows.errors import Forbidden, Unauthenticated

PUBLIC_ENDPOINTS = {"index", "health.healthz", "auth.Login", "api-docs.openapi_json", "api-docs.openapi_swagger_ui",
                    "static"}
# applicants, who prove who they are with each request's check digits or, in the applicant area, with
# their own sign-in (a session cookie the views check; never a bearer token, so never this API's);
# and the web pages, shells without data whose scripts call this API with the signed-in user's token
PUBLIC_BLUEPRINTS = {"public", "public_results", "public_pages", "applicant_pages", "web", "payment_pages",
                     "payment_callbacks"}


@dataclass(frozen=True)
class Access:
    """A view's rule: `roles` None means any signed-in user."""

    roles: frozenset[str] | None
    scope: str | None = None


def init_app(app: Flask) -> None:
    app.before_request(_authenticate)


def is_public(endpoint: str | None, blueprint: str | None) -> bool:
    return endpoint in PUBLIC_ENDPOINTS or blueprint in PUBLIC_BLUEPRINTS


def _authenticate() -> None:
    if request.endpoint is None or is_public(request.endpoint, request.blueprint) or request.method == "OPTIONS":
        return
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise Unauthenticated("Send 'Authorization: Bearer <token>'; get a token from POST /api/v1/auth/login.")
    raw = raw.strip()
    if auth.is_api_token(raw):
        with transaction() as session:  # its use is recorded whatever the request does
            g.principal = auth.principal_for_token(session, raw)
    else:
        # A read in the request's own transaction, which the view's `transaction()` goes on with.
        g.principal = auth.principal_for_token(request_session(), raw)
    g.raw_token = raw


def current_principal() -> auth.Principal:
    return g.principal


def requires(*roles: str, scope: str | None = None):
    """Allow the view to callers holding one of `roles`, and to API tokens with `scope`."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            principal = current_principal()
            if not (principal.has_role(*roles) or principal.has_scope(scope)):
                needed = " or ".join(roles) + (f" (or an API token with the scope {scope})" if scope else "")
                raise Forbidden(f"This needs the role {needed}.", required_roles=list(roles))
            return view(*args, **kwargs)

        wrapper.access = Access(frozenset(roles), scope)
        return wrapper

    return decorator


def signed_in(view):
    """Allow the view to any signed-in user (the service decides about particular objects)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_principal().user_id == 0:
            raise Forbidden("API tokens may only call the endpoints of their scopes.")
        return view(*args, **kwargs)

    wrapper.access = Access(None)
    return wrapper
