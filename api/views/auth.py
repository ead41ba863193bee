from flask import current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.db import session_factory, transaction
from api.schemas.auth import LoginSchema, MeSchema, PasswordChangeSchema, TokenSchema
from api.security import current_principal, signed_in
from workflows import auth, users

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Log in and out")


@blp.route("/login")
class Login(MethodView):
    @blp.doc(security=[])
    @blp.arguments(LoginSchema)
    @blp.response(200, TokenSchema)
    def post(self, credentials):
        """Exchange a username and password for a bearer token

        Failed attempts are limited: 5 for one user from one address, or 20 from one address, in 15
        minutes; 50 for one user from addresses it never signed in from, in 6 hours. Past a limit the
        answer is 429 with Retry-After, before the password is checked. The account's owner is told by
        email and SMS after 10 failures."""
        ttl = current_app.config["MOTCUA"].token_ttl_minutes
        with auth.login_guard(session_factory(), credentials["username"], request.remote_addr or "unknown"), \
                transaction() as session:
            token, expires_at, _ = auth.login(session, ttl_minutes=ttl, **credentials)
        return {"access_token": token, "token_type": "Bearer", "expires_at": expires_at}


@blp.route("/logout")
class Logout(MethodView):
    @signed_in
    @blp.response(204)
    def post(self):
        """Revoke the token this request carries"""
        with transaction() as session:
            auth.revoke_token(session, g.raw_token)


@blp.route("/me")
class Me(MethodView):
    @signed_in
    @blp.response(200, MeSchema)
    def get(self):
        """Who the token belongs to"""
        principal = current_principal()
        return {"username": principal.username, "full_name": principal.full_name,
                "roles": sorted(principal.roles), "unit_code": principal.unit_code}


@blp.route("/password")
class Password(MethodView):
    @signed_in
    @blp.arguments(PasswordChangeSchema)
    @blp.response(204)
    def post(self, body):
        """Change your own password; every token of yours is revoked, log in again"""
        principal = current_principal()
        with transaction() as session:
            users.set_password(session, principal.username, body["new_password"], actor=principal.username,
                               current_password=body["current_password"])
