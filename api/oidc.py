"""Applicants' sign-in through OpenID Connect (VNeID, through the national portal's single sign-on),
with Authlib's Flask client.

The authorization code flow with PKCE (S256), `scope` openid (MOTCUA_OIDC_SCOPE), a state and a
nonce. While a sign-in is under way, Authlib keeps its state, nonce and PKCE verifier in the Flask
session: a signed cookie that only the applicant pages see (SESSION_COOKIE_PATH). On the way back
the state must match, the code is exchanged with the client secret and the verifier, and the ID token
is verified against the provider's JWKS (signature with an asymmetric algorithm, iss, aud, exp, iat,
nonce). Any failure is a `SignInFailed` whose `reason` the page explains to the applicant.
"""

from __future__ import annotations

import logging

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, request, session
from joserfc.errors import JoseError

from workflows import applicant_sessions
from workflows.applicant_sessions import Identity
from workflows.errors import InvalidInput
from workflows.settings import OidcConfig, Settings

CLIENT = "vneid"
EXTENSION = "motcua_oidc"
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
REASONS = ("cancelled", "provider", "state", "code", "signature", "expired", "claims", "identity", "unavailable")
LEEWAY_SECONDS = 60  # clocks apart between the provider and this server
log = logging.getLogger(__name__)


class SignInFailed(Exception):
    """Why a sign-in did not complete: `reason` is one of REASONS, each explained to the applicant
    (the catalogues' applicant.failed.<reason>)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def init_app(app: Flask, settings: Settings) -> None:
    """Register the provider when MOTCUA_OIDC_ISSUER is set; the pending sign-in's cookie is limited to
    the applicant pages, HttpOnly, SameSite=Lax (the provider sends the browser back with a GET)."""
    app.config.update(SESSION_COOKIE_NAME="motcua_signin", SESSION_COOKIE_PATH="/nguoi-nop",
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=bool(settings.public_url and settings.public_url.startswith("https:")))
    if settings.oidc is None:
        return
    oauth = OAuth(app)
    config = settings.oidc
    oauth.register(
        CLIENT, client_id=config.client_id, client_secret=config.client_secret,
        server_metadata_url=config.issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": config.scope, "code_challenge_method": "S256", "default_timeout": config.timeout},
    )
    app.extensions[EXTENSION] = oauth


def enabled() -> bool:
    return EXTENSION in current_app.extensions


def _config() -> OidcConfig:
    return current_app.config["MOTCUA"].oidc


def _client():
    client = getattr(current_app.extensions[EXTENSION], CLIENT)
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        raise SignInFailed("unavailable", f"discovery: {type(exc).__name__}") from None
    if metadata.get("issuer") != _config().issuer:
        # OpenID Connect Discovery 1.0, 4.3: the document must name the issuer it was fetched for
        raise SignInFailed("unavailable", "the discovery document names another issuer")
    # only signatures with the provider's published keys: never "none", never a shared secret
    offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    metadata["id_token_signing_alg_values_supported"] = [a for a in offered if a in SIGNING_ALGORITHMS] or ["RS256"]
    return client


def redirect_uri(path: str) -> str:
    """Where the provider sends the browser back: MOTCUA_PUBLIC_URL if set, else this request's own
    address (as the trusted proxies, if any, report it)."""
    base = current_app.config["MOTCUA"].public_url or request.host_url.rstrip("/")
    return base + path


def begin(callback_path: str):
    """The redirect to the provider's authorization endpoint, a fresh state, nonce and verifier kept."""
    return _client().authorize_redirect(redirect_uri(callback_path))


def finish() -> Identity:
    """The applicant the provider vouches for, from the request it sent the browser back with."""
    client = _client()
    error = request.args.get("error")
    if error:
        session.clear()
        raise SignInFailed("cancelled" if error == "access_denied" else "provider", error[:100])
    try:
        token = client.authorize_access_token(leeway=LEEWAY_SECONDS)
    except MismatchingStateError:
        raise SignInFailed("state") from None
    except requests.RequestException as exc:
        raise SignInFailed("unavailable", type(exc).__name__) from None
    except (AuthlibBaseError, JoseError, ValueError, KeyError, RuntimeError) as exc:  # RuntimeError: no jwks_uri
        raise SignInFailed(_reason(exc), f"{type(exc).__name__}: {getattr(exc, 'error', '')}") from None
    claims = token.get("userinfo")
    if not claims:  # no ID token: OpenID Connect requires one; an access token alone proves nothing
        raise SignInFailed("claims", "no id_token in the token response")
    claims = dict(claims)
    config = _config()
    if not _has_identity(claims, config):
        claims = _with_userinfo(client, token, claims)
    try:
        return applicant_sessions.identity_from_claims(claims, issuer=config.issuer,
                                                       id_number_claims=config.id_number_claims,
                                                       name_claims=config.name_claims)
    except InvalidInput:
        raise SignInFailed("identity", "no usable ID number in the claims") from None


def _reason(exc: Exception) -> str:
    error = getattr(exc, "error", "")
    if error in ("invalid_grant", "invalid_request"):
        return "code"  # the code was used already, expired, or the PKCE verifier does not match
    if error in ("bad_signature", "invalid_key_id", "unsupported_algorithm", "decode_error", "missing_algorithm"):
        return "signature"
    if error == "expired_token":
        return "expired"
    if error in ("invalid_claim", "missing_claim", "insecure_claim"):
        return "claims"
    return "provider"


def _has_identity(claims: dict, config: OidcConfig) -> bool:
    named = [name for name in config.id_number_claims if name != "sub"]
    return any(claims.get(name) for name in named) and any(claims.get(name) for name in config.name_claims)


def _with_userinfo(client, token: dict, claims: dict) -> dict:
    """The ID token's claims completed by the userinfo endpoint's, when the provider has one and says
    it is about the same person (OpenID Connect Core 1.0, 5.3.2); the ID token's own claims win."""
    if not client.load_server_metadata().get("userinfo_endpoint"):
        return claims
    try:
        extra = dict(client.userinfo(token=token))
    except (requests.RequestException, AuthlibBaseError, ValueError) as exc:
        log.warning("the userinfo endpoint did not answer: %s", type(exc).__name__)
        return claims
    if extra.get("sub") != claims.get("sub"):
        raise SignInFailed("claims", "userinfo is about another subject")
    return {**extra, **claims}
